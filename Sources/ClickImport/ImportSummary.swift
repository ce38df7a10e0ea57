/// What a run did, for the closing line and for tests.
public struct ImportSummary: Sendable, Equatable {
    /// Events the sink acknowledged (rejected ones not counted).
    public var events = 0
    /// Files shipped completely (moved to `shipped/` or deleted).
    public var files = 0
    public var rejected = 0
    /// Bot events left out (`--exclude-bots`, the default for Tracardi), kept in `skipped/`.
    public var botsSkipped = 0
    /// Event sources the sink refused, in the order met; their events are in `rejected/` and the run exits 1.
    public var refusedSources: [String] = []
    /// Events sent again from `rejected/` (`--retry-rejected`) that the sink took this time.
    public var retried = 0
    /// Events of unknown redirects (`not-found`) left out because `--include-orphans` was not given.
    public var orphansSkipped = 0
    /// Lines that were no event (torn, not JSON, no id).
    public var unreadableLines = 0
    /// Files of `ready/` that could not be opened or read: left there for the next run, and the run exits 1.
    public var unreadableFiles = 0
    /// Names in the spool that are no regular file of the importer's user (links, FIFOs, devices, files of other
    /// users): left alone and reported.
    public var unsafeEntries = 0
    public var seconds: Double = 0

    public init() {}

    /// Adds the source a rejection refused to ``refusedSources``, once.
    mutating func noteRefusedSource(of rejection: SinkRejection) {
        if case .source(let source) = rejection.cause, !refusedSources.contains(source) { refusedSources.append(source) }
    }

    /// `shipped E events from F files in S s (R rejected, B bots skipped)`.
    public var line: String {
        let tenths = Int((seconds * 10).rounded())
        return "shipped \(events) events from \(files) files in \(tenths / 10).\(tenths % 10) s "
            + "(\(rejected) rejected, \(botsSkipped) bots skipped)"
    }
}
