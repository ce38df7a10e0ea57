/// What `redirectctl deploy` is asked to do: which commit of which repository goes live under which root.
public struct DeployOptions: Sendable, Equatable {
    /// A URL or path git can fetch from.
    public var repository: String
    /// The branch whose newest commit is deployed (unless ``commit`` pins one).
    public var branch: String
    /// The redirects directory inside the repository, relative to its top ("" for the top itself).
    public var path: String
    /// Where the mirror, the releases and the live link are kept.
    public var layout: DeployLayout
    /// How many releases stay on disk, the live one included (the one just switched from is always kept).
    public var keep: Int
    /// A commit to deploy instead of the branch's newest (a rollback, or a pin); any commit the branch's
    /// history holds, by full or abbreviated id.
    public var commit: String?

    /// The folder `ops/git/pre-commit` assumes.
    public static let defaultPath = "redirects.d"
    public static let defaultBranch = "main"
    public static let defaultKeep = 5

    public init(
        repository: String, branch: String = defaultBranch, path: String = defaultPath, root: String,
        keep: Int = defaultKeep, commit: String? = nil
    ) {
        self.repository = repository
        self.branch = branch
        self.path = Self.normalizedPath(path) ?? path
        self.layout = DeployLayout(root: root)
        self.keep = keep
        self.commit = commit
    }

    /// `path` without `./` and trailing slashes ("" for the top), or nil when it leaves the repository
    /// (absolute, or with a `..` component).
    public static func normalizedPath(_ path: String) -> String? {
        if path.hasPrefix("/") { return nil }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if parts.contains("..") { return nil }
        return parts.joined(separator: "/")
    }

    /// Why these options cannot be used, or nil when they can (for `validate()`).
    public var problem: String? {
        if Self.normalizedPath(path) == nil {
            return "--path \(path): give a folder inside the repository, relative to its top"
        }
        if keep < 1 { return "--keep \(keep): keep at least 1 release (the live one)" }
        if branch.isEmpty || branch.hasPrefix("-") { return "--branch \(branch): not a branch name" }
        if repository.isEmpty { return "--repository: give a URL or path git can fetch from" }
        if let commit, commit.isEmpty || commit.hasPrefix("-") { return "--commit \(commit): not a commit id" }
        return nil
    }
}
