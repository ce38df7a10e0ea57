import Foundation

/// The repository and the executables the build put beside the running test bundle.
public enum BuiltProducts {
    /// The repository's root directory (this file is `Tests/TestSupport/BuiltProducts.swift`).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The built executable `name` (e.g. `.build/debug/redirectctl`): the first directory above the test binary
    /// that holds it, else `.build/debug/<name>` in the repository.
    public static func path(of name: String) -> String {
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            url = URL(fileURLWithPath: exe)
        }
        var dir = url.deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return repositoryRoot.appendingPathComponent(".build/debug/" + name).path
    }
}
