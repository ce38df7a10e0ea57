#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ClickSpool
import RedirectCore
import SystemPackage

/// `<spool>/rejected/<file>`: events a sink refused, each with the sink's reason, kept for a person to look at.
///
/// One JSON object a line: `{"rejected_at", "sink", "status", "reason", "file", "line", "event"}`, with the
/// original line as `event` (unchanged, so `jq -c .event` gives back lines that can be shipped again). Written
/// and `fsync`ed before the checkpoint moves past them: a crash can repeat an entry, never lose one.
enum RejectedEventLog {
    static func append(_ entries: [(record: SpoolRecord, rejection: SinkRejection)], file: String, sink: String,
                       layout: SpoolLayout) throws(ImportError) -> String {
        let directory = layout.directory + "/rejected"
        try ImportFiles.makeDirectory(directory)
        let path = directory + "/" + file
        let now = Timestamp(millisecondsSinceEpoch: SpoolClock.nowMilliseconds()).iso8601
        var out: [UInt8] = []
        for (record, rejection) in entries {
            JSONValue.object([
                ("rejected_at", .string(now)), ("sink", .string(sink)),
                ("status", rejection.status.map { .int($0) } ?? .null), ("reason", .string(rejection.reason)),
                ("file", .string(file)), ("line", .int(record.lineNumber)),
            ]).write(to: &out)
            out.removeLast()  // the closing brace: the raw event goes in as it is
            out.append(contentsOf: Array(",\"event\":".utf8))
            out.append(contentsOf: record.line.dropLast())
            out.append(contentsOf: Array("}\n".utf8))
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .spool(SpoolError("open", path, Errno(rawValue: errno))) }
        defer { close(fd) }
        var written = 0
        while written < out.count {
            let n = out.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + written }, out.count - written) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw .spool(SpoolError("write", path, Errno(rawValue: n < 0 ? errno : ENOSPC))) }
            written += n
        }
        guard fsync(fd) == 0 else { throw .spool(SpoolError("fsync", path, Errno(rawValue: errno))) }
        return path
    }
}
