import TestSupport
import Testing

/// Starts one ClickHouse server for a whole suite and stops it when the suite ends.
struct ClickHouseServerTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try TestClickHouse()
        defer { server.stop() }
        try await TestClickHouse.$current.withValue(server) {
            try await function()
        }
    }
}

extension Trait where Self == ClickHouseServerTrait {
    /// A real `clickhouse-server` for the suite, reachable as `TestClickHouse.current`.
    static var clickHouseServer: Self { Self() }
}
