/// Where `redirectctl deploy` keeps things under its root directory: one definition of every name in it.
///
///     DIR/repository.git                 a bare mirror of the branch: each run fetches only new commits
///     DIR/releases/<commit>/<path>/      one checked-out, checked release per commit
///     DIR/redirects.d -> releases/<commit>/<path>   the live set, which redirectd is started on
///     DIR/.deploy.lock                   flock: one run at a time
///     DIR/.rejected                      the commit the last run rejected, so it is reported once
///
/// Temporary names start with a dot (`releases/.tmp-…`, `.redirects.d.tmp-…`), so a half-written release or
/// link never has a final name, and whatever a killed run left behind is recognised and removed by the next.
public struct DeployLayout: Sendable, Equatable {
    /// The root directory (`--root`), without trailing slashes.
    public let root: String

    public init(root: String) {
        var path = root
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.root = path
    }

    /// The name of the live link in the root, the directory redirectd is given with `--redirects`.
    public static let liveName = "redirects.d"
    static let releasesName = "releases"
    /// Prefix of every temporary name; nothing else under the root starts with it.
    static let temporaryPrefix = ".tmp-"

    public var repository: String { root + "/repository.git" }
    public var releases: String { root + "/" + Self.releasesName }
    /// The live link (`DIR/redirects.d`).
    public var live: String { root + "/" + Self.liveName }
    public var lock: String { root + "/.deploy.lock" }
    public var rejected: String { root + "/.rejected" }

    /// The directory of the release of `commit`.
    public func release(_ commit: String) -> String { releases + "/" + commit }

    /// What the live link holds for `commit`: a path relative to the root, so the root can be moved whole.
    static func linkTarget(commit: String, path: String) -> String {
        path.isEmpty ? releasesName + "/" + commit : releasesName + "/" + commit + "/" + path
    }

    /// The commit a live link's target names (`releases/<commit>[/…]`), or nil when it is not one of ours.
    static func commit(ofLinkTarget target: String) -> String? {
        let parts = target.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0] == Substring(releasesName), isCommitID(parts[1]) else { return nil }
        return String(parts[1])
    }

    /// Whether `name` is a full commit id as git prints it (40 or, for SHA-256 repositories, 64 hex digits).
    static func isCommitID<S: StringProtocol>(_ name: S) -> Bool {
        (name.utf8.count == 40 || name.utf8.count == 64)
            && name.utf8.allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
    }
}
