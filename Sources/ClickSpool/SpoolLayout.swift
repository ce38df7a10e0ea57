import RedirectCore
import Timestamps

/// Where spool files live and how they are named: every folder and file name of the spool is spelled here, and
/// only here.
///
///     <spool>/current/<YYYYMMDDTHHMMSS>[.<part>].jsonl   being written
///     <spool>/ready/<same name>                          sealed: complete, never changes again
///     <spool>/shipped/, skipped/, rejected/              the importer's: shipped, left out, refused by the sink
///     <spool>/import.lock, import.checkpoint, import.status, .short-writes
///
/// A file name is the UTC start of its time bucket; names sort in time order.
public struct SpoolLayout: Sendable, Equatable {
    public var directory: String
    /// Length of a time bucket in seconds.
    public var bucketSeconds: Int
    /// Size at which writers start a new part of the same bucket.
    public var maxFileSize: Int64

    public static let defaultBucketSeconds = 60
    public static let defaultMaxFileSize: Int64 = 64 * 1024 * 1024

    public init(directory: String, bucketSeconds: Int = defaultBucketSeconds, maxFileSize: Int64 = defaultMaxFileSize) {
        self.directory = directory
        self.bucketSeconds = max(1, bucketSeconds)
        self.maxFileSize = max(4096, maxFileSize)
    }

    /// The spool's folders.
    public enum Folder: String, CaseIterable, Sendable {
        /// Buckets being written.
        case current
        /// Sealed buckets waiting for the importer.
        case ready
        /// Files the importer shipped (kept for `--keep-shipped-days`).
        case shipped
        /// Events the importer left out (bots, unknown ids), line for line.
        case skipped
        /// Events the sink refused, each with its reason.
        case rejected
    }

    /// The files in the spool's top directory.
    public enum File: String, CaseIterable, Sendable {
        /// Held with `flock` by the running import.
        case importLock = "import.lock"
        /// The `ready/` file and offset the import has shipped up to.
        case importCheckpoint = "import.checkpoint"
        /// What the last import did, for `redirectctl status`.
        case importStatus = "import.status"
        /// The counter of short writes every writer on the spool maps.
        case shortWrites = ".short-writes"
    }

    public func path(_ folder: Folder) -> String { directory + "/" + folder.rawValue }
    public func path(_ file: File) -> String { directory + "/" + file.rawValue }

    public var currentDirectory: String { path(.current) }
    public var readyDirectory: String { path(.ready) }

    /// The bucket a moment falls in: its start, in seconds since the epoch.
    public func bucket(atMilliseconds ms: Int64) -> Int64 {
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let length = Int64(bucketSeconds)
        return seconds >= 0 ? seconds - seconds % length : seconds - ((seconds % length) + length) % length
    }

    /// The file name of a bucket's part: `20261129T020800.jsonl`, then `20261129T020800.1.jsonl`, ….
    public func fileName(bucket: Int64, part: Int = 0) -> String {
        let c = Timestamp(millisecondsSinceEpoch: bucket * 1000).civil
        var name =
            pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "T" + pad(c.hour, 2) + pad(c.minute, 2)
            + pad(c.second, 2)
        if part > 0 { name += ".\(part)" }
        return name + ".jsonl"
    }

    /// The bucket start a spool file name stands for, or nil for a name the spool did not write.
    public func bucket(ofFileName name: String) -> Int64? {
        let bytes = Array(name.utf8)
        guard bytes.count >= 21, name.hasSuffix(".jsonl"), bytes[8] == UInt8(ascii: "T") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for b in bytes[range] {
                guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(b - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        let middle = bytes[15..<(bytes.count - 6)]
        if !middle.isEmpty {
            // `.N` for a size-capped part, `.rN` for a name the sealer had to make unique.
            guard middle.first == UInt8(ascii: "."), middle.count > 1,
                middle.dropFirst().allSatisfy({
                    ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "r")
                        || $0 == UInt8(ascii: ".")
                })
            else { return nil }
        }
        let t = Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return t.millisecondsSinceEpoch / 1000
    }

    /// The part of a bucket a file name stands for: 0 for `20261129T020800.jsonl`, 2 for `….2.jsonl`, and the
    /// number of a name made unique by the sealer (`.r1`) or the importer (`.s1`); so parts sort in write order.
    public func part(ofFileName name: String) -> Int {
        let parts = name.dropLast(6).split(separator: ".")
        return parts.count > 1 ? Int(parts[1].filter(\.isNumber)) ?? 0 : 0
    }

    /// Whether a bucket's time has passed at `nowMilliseconds`, so no writer should still be adding to it.
    public func hasPassed(bucket: Int64, nowMilliseconds: Int64) -> Bool {
        (bucket + Int64(bucketSeconds)) * 1000 <= nowMilliseconds
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
