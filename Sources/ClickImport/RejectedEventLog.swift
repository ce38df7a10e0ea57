import ClickSpool
import JSON
import RedirectCore
import SystemPackage
import Timestamps

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `<spool>/rejected/<file>`: events a sink refused, each with the sink's reason, kept for a person to look at.
///
/// One JSON object a line: `{"rejected_at", "sink", "status", "reason", "file", "line", "event"}`, with the
/// original line as `event` (unchanged, so `jq -c .event` gives back lines that can be shipped again). Written
/// and `fsync`ed before the checkpoint moves past them: a crash can repeat an entry, never lose one.
enum RejectedEventLog {
    static func append(
        _ entries: [(record: SpoolRecord, rejection: SinkRejection)], file: String, sink: String,
        layout: SpoolLayout
    ) throws(ImportError) -> String {
        guard let directory = try ImportFiles.subdirectory(.rejected, of: layout, create: true) else { return "" }
        let path = directory.path + "/" + file
        let now = Timestamp(millisecondsSinceEpoch: SpoolClock.nowMilliseconds()).iso8601
        var out: [UInt8] = []
        for (record, rejection) in entries {
            entry(
                record.line.dropLast(), line: record.lineNumber, file: file, rejection: rejection, sink: sink,
                now: now, to: &out)
        }
        try ImportFiles.appendSynced(out, to: file, in: directory)
        return path
    }

    /// One line of the log: the entry's fields, then the raw event as `event`.
    static func entry(
        _ event: ArraySlice<UInt8>, line: Int, file: String, rejection: SinkRejection, sink: String,
        now: String, to out: inout [UInt8]
    ) {
        JSONValue.object([
            ("rejected_at", .string(now)), ("sink", .string(sink)),
            ("status", rejection.status.map { .int($0) } ?? .null), ("reason", .string(rejection.reason)),
            ("file", .string(file)), ("line", .int(line)),
        ]).write(to: &out)
        out.removeLast()  // the closing brace: the raw event goes in as it is
        out.append(contentsOf: Array(",\"event\":".utf8))
        out.append(contentsOf: event)
        out.append(contentsOf: Array("}\n".utf8))
    }
}
