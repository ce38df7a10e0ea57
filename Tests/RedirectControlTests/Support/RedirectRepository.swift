import Foundation
import TestSupport

/// A git repository of redirect files made by a test: a work tree to commit in and a bare repository it
/// pushes to, which `deploy` fetches from as it would from a server.
final class RedirectRepository {
    let directory: TemporaryDirectory
    var work: String { directory.path + "/work" }
    /// The bare repository (`--repository`).
    var bare: String { directory.path + "/origin.git" }
    /// Where deploys keep their mirror, releases and live link (`--root`).
    var root: String { directory.path + "/deploy" }

    init() throws {
        directory = try TemporaryDirectory()
        try git(["init", "--quiet", "--bare", "--initial-branch=main", bare], in: directory.path)
        try git(["init", "--quiet", "--initial-branch=main", work], in: directory.path)
    }

    /// Writes `files` (path in the repository → text; nil removes it), commits and pushes; the commit's id.
    @discardableResult
    func commit(_ files: [String: String?], message: String = "redirects") throws -> String {
        for (name, text) in files {
            let path = work + "/" + name
            if let text {
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            } else {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        try git(["add", "--all", "."], in: work)
        try git(["commit", "--quiet", "--allow-empty", "-m", message], in: work)
        try git(["push", "--quiet", bare, "main"], in: work)
        return try git(["rev-parse", "HEAD"], in: work).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Where the live link points, relative to the root (nil: no link).
    var liveTarget: String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/redirects.d")
    }

    /// The release directories under the root, sorted.
    var releases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/releases")) ?? []).sorted()
    }

    @discardableResult
    func git(_ arguments: [String], in directory: String) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        for key in ["GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"] { environment[key] = "Deploy Test" }
        for key in ["GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"] { environment[key] = "deploy@example.com" }
        let run = try ProcessRun.run("/usr/bin/git", ["-C", directory] + arguments, environment: environment)
        guard run.status == 0 else { throw RepositoryError(message: "git \(arguments): \(run.stderr)") }
        return run.stdout
    }

    struct RepositoryError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
