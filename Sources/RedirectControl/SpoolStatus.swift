import ClickImport
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

/// The health of a spool, for `redirectctl status`: what waits to be shipped, how old it is, when an import
/// last succeeded, what was set aside, and the free disk space.
///
/// ``read(spool:bucketSeconds:nowMilliseconds:)`` looks at the disk; everything else is pure, so thresholds
/// and output formats are tested with plain values.
public struct SpoolStatus: Sendable, Equatable {
    /// Files in one of the spool's directories.
    public struct Files: Sendable, Equatable {
        public var files = 0
        public var bytes: Int64 = 0
        /// Lines (events or entries); counted for `rejected/` and `skipped/` only.
        public var lines: Int?

        public init(files: Int = 0, bytes: Int64 = 0, lines: Int? = nil) {
            self.files = files
            self.bytes = bytes
            self.lines = lines
        }
    }

    public var spool: String
    public var nowMilliseconds: Int64
    public var current = Files()
    public var ready = Files()
    public var rejected = Files()
    public var skipped = Files()
    /// Start (seconds since the epoch) of the oldest bucket not shipped yet, in `current/` or `ready/`.
    public var oldestUnshippedBucket: Int64?
    public var lastImport = ImportRecord()
    /// Bytes free for unprivileged users on the spool's file system; nil when it cannot be asked.
    public var freeBytes: Int64?
    /// The spool's directories that its group or everyone may write (`ready/`, `0775`, …): whoever can write
    /// there can plant files for the importer and read visitors' addresses.
    public var writableByOthers: [String] = []

    public init(spool: String, nowMilliseconds: Int64) {
        self.spool = spool
        self.nowMilliseconds = nowMilliseconds
    }

    /// What makes a spool unhealthy; `redirectctl status` exits 1 when any is passed.
    public struct Thresholds: Sendable, Equatable {
        /// The oldest click not shipped may be this old.
        public var maxUnshippedSeconds: Int64 = 900
        /// The last successful import may be this long ago (checked once an import has succeeded).
        public var maxSinceImportSeconds: Int64 = 3600
        public var minFreeBytes: Int64 = 512 << 20
        /// Events in `rejected/`; nil: any number.
        public var maxRejected: Int?

        public init() {}
    }

    /// Seconds since the oldest unshipped bucket began; nil when nothing waits.
    public var unshippedSeconds: Int64? {
        oldestUnshippedBucket.map { max(0, nowMilliseconds / 1000 - $0) }
    }

    /// Seconds since the last successful import; nil when none is recorded.
    public var sinceImportSeconds: Int64? {
        guard let text = lastImport.lastSuccessAt, let time = Timestamp(iso8601: text) else { return nil }
        return max(0, (nowMilliseconds - time.millisecondsSinceEpoch) / 1000)
    }

    /// Each threshold passed, in words.
    public func problems(_ limits: Thresholds) -> [String] {
        var problems: [String] = []
        if let age = unshippedSeconds, age > limits.maxUnshippedSeconds {
            problems.append(
                "the oldest unshipped click is \(Self.duration(age)) old (limit \(Self.duration(limits.maxUnshippedSeconds))): "
                    + "is the import running?")
        }
        if let since = sinceImportSeconds, since > limits.maxSinceImportSeconds {
            problems.append(
                "the last successful import was \(Self.duration(since)) ago "
                    + "(limit \(Self.duration(limits.maxSinceImportSeconds)))")
        }
        if let free = freeBytes, free < limits.minFreeBytes {
            problems.append("\(Self.size(free)) free under the spool (limit \(Self.size(limits.minFreeBytes)))")
        }
        if !writableByOthers.isEmpty {
            problems.append(
                "writable by other users than the spool's owner: "
                    + writableByOthers.joined(separator: ", ") + " (chmod g-w,o-w them; the spool wants 0750 "
                    + "directories and 0640 files)")
        }
        // Until an import has the sink accept an event again, or rejected/ is emptied by hand.
        if lastImport.rejectedSinceAccepted > 0 && rejected.lines != 0 {
            let count = lastImport.rejectedSinceAccepted
            let events = "\(count) event\(count == 1 ? "" : "s")"
            problems.append(
                "the import put \(events) in rejected/ since the sink last accepted one: is the sink set up for "
                    + "these events? See rejected/, fix the sink, then import --retry-rejected")
        }
        if let limit = limits.maxRejected, let count = rejected.lines, count > limit {
            problems.append("\(count) events in rejected/ (limit \(limit)): see why, fix, then import --retry-rejected")
        }
        return problems
    }

    // MARK: - Reading the disk

    /// Looks at the spool in `spool`. Throws when the spool directory itself cannot be read.
    public static func read(
        spool: String, bucketSeconds: Int,
        nowMilliseconds: Int64 = SpoolClock.nowMilliseconds()
    ) throws(SpoolError) -> SpoolStatus {
        var status = SpoolStatus(spool: spool, nowMilliseconds: nowMilliseconds)
        var s = stat()
        guard stat(spool, &s) == 0 else { throw SpoolError("read", spool, Errno(rawValue: errno)) }
        let layout = SpoolLayout(directory: spool, bucketSeconds: bucketSeconds)
        var oldest: Int64?
        func scan(_ directory: String, countLines: Bool, buckets: Bool) -> Files {
            var files = Files(lines: countLines ? 0 : nil)
            guard let names = try? SpoolDirectoryListing.names(in: directory) else { return files }
            for name in names where !name.hasPrefix(".") {
                var entry = stat()
                let path = directory + "/" + name
                guard lstat(path, &entry) == 0, (entry.st_mode & S_IFMT) == S_IFREG else { continue }
                files.files += 1
                files.bytes += Int64(entry.st_size)
                if countLines { files.lines = (files.lines ?? 0) + lineCount(path) }
                if buckets, let bucket = layout.bucket(ofFileName: name) { oldest = min(oldest ?? bucket, bucket) }
            }
            return files
        }
        status.current = scan(layout.currentDirectory, countLines: false, buckets: true)
        status.ready = scan(layout.readyDirectory, countLines: false, buckets: true)
        status.rejected = scan(layout.path(.rejected), countLines: true, buckets: false)
        status.skipped = scan(layout.path(.skipped), countLines: true, buckets: false)
        status.oldestUnshippedBucket = oldest
        for path in [spool] + SpoolLayout.Folder.allCases.map(layout.path) {
            var entry = stat()
            if lstat(path, &entry) == 0, entry.st_mode & 0o022 != 0 { status.writableByOthers.append(path) }
        }
        status.lastImport = ImportRecord.load(spool: spool)
        var fs = statvfs()
        if statvfs(spool, &fs) == 0 { status.freeBytes = Int64(fs.f_bavail) * Int64(fs.f_frsize) }
        return status
    }

    static func lineCount(_ path: String) -> Int {
        // Never through a link, never waiting on a FIFO put there in place of the file that was listed.
        guard let file = try? FileDescriptor.open(path, .readOnly, options: [.closeOnExec, .noFollow, .nonBlocking])
        else { return 0 }
        defer { try? file.close() }
        var count = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            guard let n = try? buffer.withUnsafeMutableBytes({ try file.read(into: $0) }), n > 0 else { return count }
            for byte in buffer[0..<n] where byte == 0x0A { count += 1 }
        }
    }

    // MARK: - Output

    /// Lines for a person.
    public func text(_ limits: Thresholds) -> String {
        func files(_ f: Files) -> String { "\(f.files) file\(f.files == 1 ? "" : "s"), \(Self.size(f.bytes))" }
        func events(_ f: Files) -> String {
            "\(f.lines ?? 0) event\(f.lines == 1 ? "" : "s") in \(f.files) file\(f.files == 1 ? "" : "s")"
        }
        var lines = ["spool \(spool)"]
        lines.append("current/   \(files(current)) (buckets being written)")
        lines.append("ready/     \(files(ready)) (sealed, waiting for the import)")
        if let bucket = oldestUnshippedBucket, let age = unshippedSeconds {
            lines.append(
                "oldest unshipped bucket: \(Timestamp(millisecondsSinceEpoch: bucket * 1000).iso8601) (\(Self.duration(age)) ago)"
            )
        } else {
            lines.append("oldest unshipped bucket: none")
        }
        if let at = lastImport.lastSuccessAt, let since = sinceImportSeconds {
            lines.append("last successful import: \(at) (\(Self.duration(since)) ago)")
        } else {
            lines.append("last successful import: none recorded")
        }
        if let at = lastImport.lastRunAt, let code = lastImport.lastRunExit, code != 0 {
            lines.append("last import run: \(at), exit \(code)")
        }
        lines.append("rejected/  \(events(rejected))")
        lines.append("skipped/   \(events(skipped)) (bots and unknown ids left out)")
        lines.append("free space \(freeBytes.map(Self.size) ?? "unknown")")
        let problems = problems(limits)
        lines.append(problems.isEmpty ? "status: ok" : "status: " + problems.joined(separator: "; "))
        return lines.joined(separator: "\n") + "\n"
    }

    /// One JSON object, for monitoring scripts.
    public func json(_ limits: Thresholds) -> String {
        func files(_ f: Files) -> JSONValue {
            var members: [(key: String, value: JSONValue)] = [("files", .int(f.files)), ("bytes", .int(Int(f.bytes)))]
            if let lines = f.lines { members.append(("events", .int(lines))) }
            return .object(members)
        }
        let problems = problems(limits)
        let value = JSONValue.object([
            ("spool", .string(spool)), ("ok", .bool(problems.isEmpty)),
            ("problems", .array(problems.map { .string($0) })),
            // Each folder under its own name (the JSON keys are the spool's folder names).
            (SpoolLayout.Folder.current.rawValue, files(current)), (SpoolLayout.Folder.ready.rawValue, files(ready)),
            (SpoolLayout.Folder.rejected.rawValue, files(rejected)),
            (SpoolLayout.Folder.skipped.rawValue, files(skipped)),
            ("oldest_unshipped_seconds", unshippedSeconds.map { .int(Int($0)) } ?? .null),
            ("last_success", lastImport.lastSuccessAt.map { .string($0) } ?? .null),
            ("seconds_since_success", sinceImportSeconds.map { .int(Int($0)) } ?? .null),
            ("last_run_exit", lastImport.lastRunExit.map { .int($0) } ?? .null),
            ("free_bytes", freeBytes.map { .int(Int($0)) } ?? .null),
        ])
        return value.jsonText + "\n"
    }

    /// Prometheus text exposition format, for node_exporter's textfile collector.
    public func prometheus(_ limits: Thresholds) -> String {
        var out = ""
        let label = "{spool=\"\(spool.replacingBackslashesAndQuotes)\"}"
        func metric(_ name: String, _ help: String, _ value: Int64?) {
            guard let value else { return }
            out += "# HELP redirectd_spool_\(name) \(help)\n# TYPE redirectd_spool_\(name) gauge\n"
            out += "redirectd_spool_\(name)\(label) \(value)\n"
        }
        metric("current_files", "Bucket files being written.", Int64(current.files))
        metric("ready_files", "Sealed files waiting for the import.", Int64(ready.files))
        metric("ready_bytes", "Bytes of sealed files waiting for the import.", ready.bytes)
        metric(
            "oldest_unshipped_seconds", "Age of the oldest bucket not shipped yet (0 when none).", unshippedSeconds ?? 0
        )
        metric(
            "last_import_success_timestamp_seconds", "When an import last succeeded (Unix time).",
            lastImport.lastSuccessAt.flatMap { Timestamp(iso8601: $0) }.map { $0.millisecondsSinceEpoch / 1000 })
        metric("rejected_events", "Events in rejected/.", Int64(rejected.lines ?? 0))
        metric("skipped_events", "Events in skipped/ (bots, unknown ids).", Int64(skipped.lines ?? 0))
        metric("free_bytes", "Bytes free on the spool's file system.", freeBytes)
        metric("healthy", "1 when no threshold of redirectctl status is passed.", problems(limits).isEmpty ? 1 : 0)
        return out
    }

    static func duration(_ seconds: Int64) -> String {
        if seconds < 120 { return "\(seconds) s" }
        if seconds < 7200 { return "\(seconds / 60) min" }
        if seconds < 172_800 { return "\(seconds / 3600) h" }
        return "\(seconds / 86_400) days"
    }

    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}

extension String {
    /// The string as a Prometheus label value: backslashes, quotes and newlines escaped.
    fileprivate var replacingBackslashesAndQuotes: String {
        var out = ""
        for c in self {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
