import Foundation

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
    static let decoder: String = {
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            url = URL(fileURLWithPath: exe)
        }
        var dir = url.deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("toml-test-decoder").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return root.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/toml-test-decoder").path
    }()

    /// Runs the decoder with `file` on standard input: exit status, standard output, standard error.
    static func decode(_ file: URL) throws -> (status: Int32, output: Data, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: decoder)
        process.standardInput = try FileHandle(forReadingFrom: file)
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, outData, String(decoding: errData, as: UTF8.self))
    }
}
