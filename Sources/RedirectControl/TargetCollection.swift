/// The targets of a redirects directory, deduplicated, and the places whose URL could not be requested.
public struct TargetCollection: Equatable, Sendable {
    /// Distinct URLs in the order they first occur (files sorted by name, then position in the file).
    public var targets: [CheckedTarget]
    /// A note per URL (or file) that was skipped, e.g. a URL that is no valid target or a file that is not TOML.
    /// The lint reports the problem itself; the note says that no request was made for it.
    public var skipped: [RedirectFileNote]

    public init(targets: [CheckedTarget] = [], skipped: [RedirectFileNote] = []) {
        self.targets = targets
        self.skipped = skipped
    }
}
