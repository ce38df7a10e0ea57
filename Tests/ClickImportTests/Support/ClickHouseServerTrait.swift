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

/// Starts a cluster of two ClickHouse servers, `fleet`, for a whole suite and stops them when the suite ends.
struct ClickHouseClusterTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let servers = try TestClickHouse.cluster(named: "fleet")
        defer { for server in servers { server.stop() } }
        try await TestClickHouse.$currentCluster.withValue(servers) {
            try await function()
        }
    }
}

extension TestClickHouse {
    /// The servers of the running suite's cluster `fleet` (see `ClickHouseClusterTrait`).
    @TaskLocal static var currentCluster: [TestClickHouse] = []
}

extension Trait where Self == ClickHouseClusterTrait {
    /// Two real `clickhouse-server`s as the shards of cluster `fleet`, as `TestClickHouse.currentCluster`.
    static var clickHouseCluster: Self { Self() }
}
