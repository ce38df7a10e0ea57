import ClickSpool
import JSON
import RedirectCore
import SystemIO
import SystemPackage
import Timestamps

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `<spool>/import.status`: what the last import run did and when one last succeeded, for `redirectctl status`.
///
/// One JSON object, replaced atomically at the end of every run that held the lock:
/// `{"last_run":{"finished_at","exit","events","files","rejected","bots_skipped"},"last_success":"…",
/// "rejected_since_accepted":N}`.
public struct ImportRecord: Sendable, Equatable {
    /// When the last run ended (ISO 8601), and its exit status.
    public var lastRunAt: String?
    public var lastRunExit: Int?
    public var lastRunEvents = 0
    /// When a run last ended with exit 0.
    public var lastSuccessAt: String?
    /// Events put in `rejected/` by the runs since the last one in which the sink accepted an event: a sink that
    /// refuses everything, met one event at a time (`RefusalGuard` lets a single refusal through).
    public var rejectedSinceAccepted = 0

    public init() {}

    /// The record in `spool`; an empty one when there is none yet or it cannot be read.
    ///
    /// Read by `redirectctl status` too, which may run as another user than the spool's: so the file is opened
    /// without following a link and without waiting on a FIFO, and only a regular file is read.
    public static func load(spool: String) -> ImportRecord {
        var record = ImportRecord()
        let fd = open(SpoolLayout(directory: spool).path(.importStatus), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return record }
        let file = FileDescriptor(rawValue: fd)
        defer { try? file.close() }
        var s = stat()
        guard fstat(fd, &s) == 0, s.st_mode & S_IFMT == S_IFREG, let bytes = try? file.readToEnd(maxCount: 65_536),
            let json = JSONValue(parsing: bytes)
        else { return record }
        let run = json["last_run"]
        record.lastRunAt = run?["finished_at"]?.stringValue
        if case .int(let code)? = run?["exit"] { record.lastRunExit = code }
        if case .int(let events)? = run?["events"] { record.lastRunEvents = events }
        record.lastSuccessAt = json["last_success"]?.stringValue
        if case .int(let count)? = json["rejected_since_accepted"] { record.rejectedSinceAccepted = count }
        return record
    }

    /// Records a finished run.
    static func save(
        in spool: SpoolDirectory, code: ImportExitCode, summary: ImportSummary,
        nowMilliseconds: Int64
    ) throws(ImportError) {
        let now = Timestamp(millisecondsSinceEpoch: nowMilliseconds).iso8601
        let previous = load(spool: spool.path)
        var lastSuccess = previous.lastSuccessAt
        if code == .success { lastSuccess = now }
        let accepted = summary.events > 0 || summary.retried > 0
        let rejectedSinceAccepted = accepted ? 0 : previous.rejectedSinceAccepted + summary.rejected
        var bytes: [UInt8] = []
        JSONValue.object([
            (
                "last_run",
                .object([
                    ("finished_at", .string(now)), ("exit", .int(Int(code.rawValue))), ("events", .int(summary.events)),
                    ("files", .int(summary.files)), ("rejected", .int(summary.rejected)),
                    ("bots_skipped", .int(summary.botsSkipped)),
                ])
            ),
            ("last_success", lastSuccess.map { .string($0) } ?? .null),
            ("rejected_since_accepted", .int(rejectedSinceAccepted)),
        ]).write(to: &bytes)
        bytes.append(0x0A)
        try ImportFiles.replace(SpoolLayout.File.importStatus.rawValue, in: spool, with: bytes)
    }
}
