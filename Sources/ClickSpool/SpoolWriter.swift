import Synchronization
import SystemIO
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Appends click lines to the current bucket file of a spool.
///
/// One writer per thread; it is not safe to share one between threads. A writer that starts a bucket file
/// takes a shared `flock` on it, checks that the path still names the file it opened, and keeps both the
/// descriptor and the lock for as long as it writes there. So in the steady state a line costs one
/// `write(2)` on an `O_APPEND` descriptor and nothing else: the bucket check reads the clock (vDSO), and
/// the size cap is checked with an `fstat` only every so many bytes (see `sizeCheckBudget`).
///
/// The writer leaves a file (closes it, which drops the lock) when its bucket has passed, when the file
/// reaches the size cap, after a write that failed, and from ``releaseIfPassed(nowMilliseconds:)``, which
/// a FastCGI worker calls while it waits for requests, so a process without clicks never holds up
/// sealing for more than a second after a bucket ends. The sealer takes the exclusive lock without
/// waiting and skips a file that a writer still holds until its next pass; no line can land in a sealed
/// file, since a writer is in a file only while it holds the shared lock on it, and checked after taking
/// the lock that the sealer had not moved it.
///
/// Each line is one `write(2)` (never a loop that could split a line). A short write (the disk filled up
/// mid-line) leaves a fragment without a newline at the end of the file; the writer never writes there
/// again, and no writer starts in a file whose last byte is not a newline, so no later line is glued to
/// the fragment. Other writers that hold the same file notice through a counter of short writes that all
/// processes on the spool map shared (``SpoolSharedCounter``; one atomic load per line) and check the file
/// again before their next line. A process-wide counter (``revalidateAll()``) moves the writers of this
/// process out of files that were deleted with the spool's directories.
///
/// A writer belongs to one thread (a FastCGI worker, or a CGI process), which is why its state skips the
/// run-time exclusivity checks.
public final class SpoolWriter {
    public let layout: SpoolLayout
    private let failures: SpoolFailureLog?
    @exclusivity(unchecked) private var fd: Int32 = -1
    @exclusivity(unchecked) private var openBucket: Int64 = .min
    @exclusivity(unchecked) private var openPart = 0
    @exclusivity(unchecked) private var openPath = ""
    /// The open bucket's time span in milliseconds, `start..<end`: the per-line bucket check.
    @exclusivity(unchecked) private var bucketStart: Int64 = .max
    @exclusivity(unchecked) private var bucketEnd: Int64 = .min
    /// Size of the file at the last `fstat`, bytes this writer wrote since, and how many it may write before
    /// it looks at the size again.
    @exclusivity(unchecked) private var sizeAtCheck: Int64 = 0
    @exclusivity(unchecked) private var writtenSinceCheck: Int64 = 0
    @exclusivity(unchecked) private var checkAfter: Int64 = 0
    /// ``SpoolWriter/revalidations`` and the spool's shared short-write counter when this file was checked last.
    @exclusivity(unchecked) private var revalidationsSeen = 0
    @exclusivity(unchecked) private var shared: SpoolSharedCounter?
    @exclusivity(unchecked) private var sharedSeen = 0
    /// The shared counter is looked up before a file's second line, not its first: a CGI process, which
    /// writes one line and exits, never maps it.
    @exclusivity(unchecked) private var sharedDue = false
    @exclusivity(unchecked) private var sharedTried = false
    /// The first part worth trying when the writer (re)opens a file of `openBucket`: parts below it were
    /// full or ended in a fragment.
    @exclusivity(unchecked) private var firstUsablePart = 0

    /// Bumped when every writer of this process must check its file before its next line: a short write
    /// left a fragment at the end of some file, or the spool's directories had to be created again.
    static let revalidations = Atomic<Int>(0)

    /// Makes every writer of this process check its file (still linked, ending with a newline) before its
    /// next line. The sealer calls it when it finds the spool's directories gone.
    public static func revalidateAll() {
        revalidations.add(1, ordering: .relaxed)
    }

    public init(layout: SpoolLayout, failures: SpoolFailureLog? = nil) {
        self.layout = layout
        self.failures = failures
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Whether the writer holds a spool file (and its shared lock) now.
    public var holdsFile: Bool { fd >= 0 }

    /// Appends `line` (one JSON object ending in a newline) to the bucket of the current time.
    ///
    /// Never throws to the caller's request path: a failure is reported to the failure log and returned.
    @discardableResult
    public func append(_ line: [UInt8], clock: () -> Int64 = SpoolClock.nowMilliseconds) -> SpoolError? {
        line.withUnsafeBytes { append(bytes: $0, clock: clock) }
    }

    /// ``append(_:clock:)`` for a line in memory the caller owns (a FastCGI worker's reused line buffer).
    @discardableResult
    public func append(bytes line: UnsafeRawBufferPointer, clock: () -> Int64 = SpoolClock.nowMilliseconds)
        -> SpoolError?
    {
        do {
            try appendOrThrow(line, clock: clock)
            failures?.succeeded()
            return nil
        } catch {
            failures?.failed(error, nowMilliseconds: clock())
            return error
        }
    }

    /// ``append(bytes:clock:)`` that answers only whether the line was written (the failure goes to the failure
    /// log all the same): a FastCGI worker's, which has no use for the error, and so no copy of it to drop.
    @discardableResult
    public func appendLine(_ line: UnsafeRawBufferPointer) -> Bool {
        do {
            try appendOrThrow(line, clock: SpoolClock.nowMilliseconds)
            failures?.succeeded()
            return true
        } catch {
            failures?.failed(error, nowMilliseconds: SpoolClock.nowMilliseconds())
            return false
        }
    }

    /// Leaves the open file if its bucket has passed at `nowMilliseconds`, so the sealer can take it.
    ///
    /// Returns how many milliseconds the caller may wait before it asks again: at most a second (a clock
    /// set forward still releases within a second of wall-clock time), or -1 when no file is open.
    public func releaseIfPassed(nowMilliseconds now: Int64 = SpoolClock.nowMilliseconds()) -> Int32 {
        guard fd >= 0 else { return -1 }
        guard now >= bucketStart && now < bucketEnd else {
            closeFile()
            return -1
        }
        return Int32(max(1, min(bucketEnd - now, 1000)))
    }

    /// Leaves the open file now.
    public func release() {
        closeFile()
    }

    func appendOrThrow(_ line: UnsafeRawBufferPointer, clock: () -> Int64) throws(SpoolError) {
        // A few rounds at most: each retry follows a seal, a deletion, a full part or a new bucket.
        for _ in 0..<8 {
            let now = clock()
            if fd >= 0 && now >= bucketStart && now < bucketEnd && writtenSinceCheck < checkAfter
                && Self.revalidations.load(ordering: .relaxed) == revalidationsSeen
                && (shared?.load() ?? 0) == sharedSeen && !sharedDue
            {
                try writeLine(line)
                return
            }
            try settle(now: now)
        }
        throw SpoolError("settle on a file in", layout.currentDirectory, .resourceTemporarilyUnavailable)
    }

    /// One `write(2)` (again only when a signal interrupted it before it wrote anything), never `writeAll`,
    /// which would finish a short write with a second one that another writer's line may precede. On a short
    /// write, leaves the file for good: its end is a fragment.
    private func writeLine(_ line: UnsafeRawBufferPointer) throws(SpoolError) {
        let result: Int
        do throws(Errno) {
            result = try Errno.typed { try FileDescriptor(rawValue: fd).write(line) }
        } catch {
            // Nothing was written: the file still ends with a newline. Leave it (a deleted spool, a full
            // disk); the next line opens it again.
            let path = openPath
            closeFile(keepingBucket: true)
            throw SpoolError("write to", path, error)
        }
        if result == line.count {
            writtenSinceCheck += Int64(result)
            if !sharedTried { sharedDue = true }
            return
        }
        let path = openPath
        // A short write: the file now ends in a fragment. Writing a newline after it could fail as well (the
        // disk is full) or come after another writer's line; instead, nobody writes here again.
        Self.revalidateAll()
        (shared ?? SpoolSharedCounter.of(directory: layout.directory))?.increment()
        firstUsablePart = openPart + 1
        closeFile(keepingBucket: true)
        throw SpoolError("write to", path, .noSpace)
    }

    /// Brings the writer to a state where the next line can be written: the file of the current bucket,
    /// under the cap and ending with a newline, held with a shared lock.
    private func settle(now: Int64) throws(SpoolError) {
        let bucket = layout.bucket(atMilliseconds: now)
        if fd >= 0 && bucket == openBucket {
            // Still the right bucket: a size check is due, every writer was asked to check its file, or the
            // shared counter is to be mapped.
            var checkEnd = false
            if sharedDue {
                sharedDue = false
                sharedTried = true
                shared = SpoolSharedCounter.of(directory: layout.directory)
                sharedSeen = shared?.load() ?? 0
                // A short write elsewhere may have bumped the counter before we saw it: check the end once.
                checkEnd = true
            }
            var s = stat()
            guard fstat(fd, &s) == 0 else {
                let e = errno
                closeFile(keepingBucket: true)
                throw SpoolError("stat", openPath, Errno(rawValue: e))
            }
            let size = Int64(s.st_size)
            let revalidations = Self.revalidations.load(ordering: .relaxed)
            let sharedNow = shared?.load() ?? 0
            if checkEnd || revalidations != revalidationsSeen || sharedNow != sharedSeen {
                revalidationsSeen = revalidations
                sharedSeen = sharedNow
                if s.st_nlink == 0 {
                    // Deleted (with the spool's directories): open the name again.
                    closeFile(keepingBucket: true)
                    return
                }
                if !endsWithNewline(fd, size: size) {
                    firstUsablePart = openPart + 1
                    closeFile(keepingBucket: true)
                    return
                }
            }
            if size >= layout.maxFileSize {
                firstUsablePart = openPart + 1
                closeFile(keepingBucket: true)
                return
            }
            // Others (threads, processes) write into the same file: estimate how many bytes land for each
            // of ours, and look again once half of what is left may have been used.
            let grew = size - sizeAtCheck
            let ratio = writtenSinceCheck > 0 ? max(1, grew / writtenSinceCheck) : Self.assumedWriters
            sizeAtCheck = size
            writtenSinceCheck = 0
            // At least the next line: the size was just checked.
            checkAfter = max(1, Self.sizeCheckBudget(remaining: layout.maxFileSize - size, writersPerOwnByte: ratio))
            return
        }
        let part = fd < 0 && bucket == openBucket ? firstUsablePart : 0
        closeFile()
        try openFile(bucket: bucket, part: part)
    }

    /// When nothing is known about other writers yet, the size is checked as if this many wrote alike.
    static let assumedWriters: Int64 = 64

    /// Bytes a writer may append before it checks the size again: half of what is left below the cap,
    /// shared among the writers it has seen. Zero (check before every line) once less than that is left;
    /// so a file overshoots the cap by little more than one line per writer.
    static func sizeCheckBudget(remaining: Int64, writersPerOwnByte: Int64) -> Int64 {
        max(0, remaining / (2 * max(1, writersPerOwnByte)))
    }

    private func openFile(bucket: Int64, part startPart: Int) throws(SpoolError) {
        var part = startPart
        var moved = 0
        while true {
            let path = layout.currentDirectory + "/" + layout.fileName(bucket: bucket, part: part)
            let flags = O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW
            var descriptor = open(path, flags, 0o640)
            if descriptor < 0 && errno == ENOENT {
                // The spool's directories are gone: writers of this process still in a deleted file move on.
                if try SpoolDirectories.create(layout) {
                    SpoolSharedCounter.forget(directory: layout.directory)
                    Self.revalidateAll()
                }
                descriptor = open(path, flags, 0o640)
            }
            guard descriptor >= 0 else { throw SpoolError("open", path, Errno(rawValue: errno)) }
            do throws(Errno) {
                try FileDescriptor(rawValue: descriptor).lock(.shared)
            } catch {
                close(descriptor)
                throw SpoolError("lock", path, error)
            }
            var mine = stat()
            var named = stat()
            guard fstat(descriptor, &mine) == 0 else {
                let e = errno
                close(descriptor)
                throw SpoolError("stat", path, Errno(rawValue: e))
            }
            if stat(path, &named) != 0 || named.st_ino != mine.st_ino || named.st_dev != mine.st_dev {
                // A sealer moved it into ready/ between our open and our lock: open the name again.
                close(descriptor)
                moved += 1
                if moved > 8 { throw SpoolError("settle on", path, .resourceTemporarilyUnavailable) }
                continue
            }
            let size = Int64(mine.st_size)
            if size >= layout.maxFileSize || !endsWithNewline(descriptor, size: size) {
                // Full, or its end is a fragment of a short write: the next part.
                close(descriptor)
                part += 1
                continue
            }
            fd = descriptor
            openBucket = bucket
            openPart = part
            firstUsablePart = part
            openPath = path
            bucketStart = bucket * 1000
            bucketEnd = (bucket + Int64(layout.bucketSeconds)) * 1000
            sizeAtCheck = size
            writtenSinceCheck = 0
            checkAfter = max(
                1, Self.sizeCheckBudget(remaining: layout.maxFileSize - size, writersPerOwnByte: Self.assumedWriters))
            revalidationsSeen = Self.revalidations.load(ordering: .relaxed)
            shared = nil
            sharedSeen = 0
            sharedDue = false
            sharedTried = false
            return
        }
    }

    /// Whether a file of `size` bytes is empty or ends with a newline (one `pread`).
    private func endsWithNewline(_ descriptor: Int32, size: Int64) -> Bool {
        guard size > 0 else { return true }
        var last: UInt8 = 0
        return pread(descriptor, &last, 1, off_t(size - 1)) == 1 && last == UInt8(ascii: "\n")
    }

    /// Closes the file, dropping its lock. `keepingBucket` remembers the bucket, so that the next open
    /// starts at ``firstUsablePart``.
    private func closeFile(keepingBucket: Bool = false) {
        if fd >= 0 { close(fd) }
        fd = -1
        bucketStart = .max
        bucketEnd = .min
        if !keepingBucket {
            openBucket = .min
            firstUsablePart = 0
        }
    }
}

/// Creating the spool's directories.
public enum SpoolDirectories {
    /// Creates `<spool>`, `current/` and `ready/` if missing. Returns whether `current/` had to be created.
    @discardableResult
    public static func create(_ layout: SpoolLayout) throws(SpoolError) -> Bool {
        try createPath(layout.directory)
        var createdCurrent = false
        for path in [layout.currentDirectory, layout.readyDirectory] {
            if mkdir(path, 0o750) == 0 {
                if path == layout.currentDirectory { createdCurrent = true }
            } else if errno != EEXIST {
                throw SpoolError("create directory", path, Errno(rawValue: errno))
            }
        }
        return createdCurrent
    }

    /// `mkdir -p`.
    public static func createPath(_ path: String) throws(SpoolError) {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else { throw SpoolError("create directory", path, Errno(rawValue: errno)) }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try createPath(String(path[..<slash]))
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw SpoolError("create directory", path, Errno(rawValue: errno))
        }
    }
}
