import Foundation

/// Paths in the repository and the build, found from this file and from the running test binary.
enum RepositoryPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The example redirects that ship with the repository.
    static var redirects: String { root.appendingPathComponent("redirects.d").path }

    /// The built `redirectctl`, beside the test bundle (e.g. `.build/debug/redirectctl`).
    static let redirectctl: String = {
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            url = URL(fileURLWithPath: exe)
        }
        var dir = url.deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("redirectctl").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug/redirectctl").path
    }()
}
