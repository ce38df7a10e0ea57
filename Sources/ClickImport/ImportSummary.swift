/// What a run did, for the closing line and for tests.
public struct ImportSummary: Sendable, Equatable {
    /// Events the sink acknowledged (rejected ones not counted).
    public var events = 0
    /// Files shipped completely (moved to `shipped/` or deleted).
    public var files = 0
    public var rejected = 0
    /// Of ``rejected``: events the sink refused as bot traffic (Tracardi's own user-agent check) that we did not
    /// flag. They are in `rejected/` with the sink's reason and do not fail the run: the sink judged the visitor,
    /// nothing is misconfigured, and a person we flag would be left out by default anyway.
    public var refusedAsBots = 0
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

    /// Notes what a rejection tells the run: the source it refused (once, in ``refusedSources``), or a refusal
    /// as bot traffic (``refusedAsBots``).
    mutating func noteRefusedSource(of rejection: SinkRejection) {
        switch rejection.cause {
        case .source(let source): if !refusedSources.contains(source) { refusedSources.append(source) }
        case .bot: refusedAsBots += 1
        case .event: break
        }
    }

    /// `shipped E events from F files in S s (R rejected, B bots skipped)`, and `, N refused as bots by the sink`
    /// before the parenthesis closes when the sink refused some.
    public var line: String {
        let tenths = Int((seconds * 10).rounded())
        let refused = refusedAsBots > 0 ? ", \(refusedAsBots) refused as bots by the sink" : ""
        return "shipped \(events) events from \(files) files in \(tenths / 10).\(tenths % 10) s "
            + "(\(rejected) rejected, \(botsSkipped) bots skipped\(refused))"
    }
}
