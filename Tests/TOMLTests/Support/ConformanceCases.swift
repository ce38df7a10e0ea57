import Foundation
import TestSupport

/// The toml-test cases in `Resources/toml-test` (copied from toml-lang/toml-test; MIT licence beside them).
enum ConformanceCases {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Resources/toml-test")

    /// Paths of the `.toml` files under `valid` or `invalid`, relative to `root`, sorted.
    static func cases(_ kind: String) -> [String] {
        let base = root.appendingPathComponent(kind)
        guard let walker = FileManager.default.enumerator(atPath: base.path) else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".toml") }.map { kind + "/" + $0 }.sorted()
    }

    static let valid = cases("valid")
    static let invalid = cases("invalid")

    /// The built `toml-test-decoder`, beside the test bundle (e.g. `.build/debug/toml-test-decoder`).
    static let decoder = BuiltProducts.path(of: "toml-test-decoder")

    /// Runs the decoder with `file` on standard input.
    static func decode(_ file: URL) throws -> ProcessRun {
        try ProcessRun.run(decoder, input: file)
    }
}
