#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// Appends click lines to the current bucket file of a spool.
///
/// One writer per thread (it keeps its own file descriptor, so its `flock` is its own). Each line is one
/// `write(2)` on an `O_APPEND` descriptor, made while holding a shared `flock`, after checking that the path
/// still names the open file: a sealer that renamed the file into `ready/` holds the exclusive lock while it
/// does, so no line ever lands in a sealed file, and concurrent writers (threads or processes) never
/// interleave.
public final class SpoolWriter {
    public let layout: SpoolLayout
    private let failures: SpoolFailureLog?
    private var fd: Int32 = -1
    private var openBucket: Int64 = .min
    private var openPart = 0
    private var openInode: UInt64 = 0
    private var openPath = ""

    public init(layout: SpoolLayout, failures: SpoolFailureLog? = nil) {
        self.layout = layout
        self.failures = failures
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Appends `line` (one JSON object ending in a newline) to the bucket of the current time.
    ///
    /// Never throws to the caller's request path: a failure is reported to the failure log and returned.
    @discardableResult
    public func append(_ line: [UInt8], clock: () -> Int64 = SpoolClock.nowMilliseconds) -> SpoolError? {
        do {
            try appendOrThrow(line, clock: clock)
            failures?.succeeded()
            return nil
        } catch {
            closeFile()
            failures?.failed(error, nowMilliseconds: clock())
            return error
        }
    }

    func appendOrThrow(_ line: [UInt8], clock: () -> Int64) throws(SpoolError) {
        // A few rounds at most: each retry follows a seal, a deletion or a full part, all of which move on.
        for _ in 0..<8 {
            let bucket = layout.bucket(atMilliseconds: clock())
            if fd < 0 || bucket != openBucket {
                closeFile()
                try openFile(bucket: bucket, part: 0)
            }
            while flock(fd, LOCK_SH) != 0 {
                guard errno == EINTR else { throw SpoolError("lock", openPath, Errno(rawValue: errno)) }
            }
            var s = stat()
            if stat(openPath, &s) != 0 || UInt64(s.st_ino) != openInode {
                // Sealed (renamed into ready/) or deleted since we opened it: open the path again.
                _ = flock(fd, LOCK_UN)
                closeFile()
                continue
            }
            if layout.hasPassed(bucket: openBucket, nowMilliseconds: clock()) {
                // The bucket ended while we waited for the lock: a sealer may take it any moment now.
                _ = flock(fd, LOCK_UN)
                closeFile()
                continue
            }
            if Int64(s.st_size) >= layout.maxFileSize {
                _ = flock(fd, LOCK_UN)
                let next = openPart + 1
                closeFile()
                try openFile(bucket: bucket, part: next)
                continue
            }
            let result = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            let writeErrno = errno
            if result >= 0 && result < line.count {
                // A short write (the disk filled up mid-line): end the torn line so the next one starts clean.
                var newline = UInt8(ascii: "\n")
                _ = write(fd, &newline, 1)
            }
            _ = flock(fd, LOCK_UN)
            if result < 0 { throw SpoolError("write to", openPath, Errno(rawValue: writeErrno)) }
            if result < line.count { throw SpoolError("write to", openPath, .noSpace) }
            return
        }
        throw SpoolError("settle on a file in", layout.currentDirectory, .resourceTemporarilyUnavailable)
    }

    private func openFile(bucket: Int64, part: Int) throws(SpoolError) {
        var part = part
        while true {
            let path = layout.currentDirectory + "/" + layout.fileName(bucket: bucket, part: part)
            var descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
            if descriptor < 0 && errno == ENOENT {
                try SpoolDirectories.create(layout)
                descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
            }
            guard descriptor >= 0 else { throw SpoolError("open", path, Errno(rawValue: errno)) }
            var s = stat()
            guard fstat(descriptor, &s) == 0 else {
                let e = errno
                close(descriptor)
                throw SpoolError("stat", path, Errno(rawValue: e))
            }
            if Int64(s.st_size) >= layout.maxFileSize {
                close(descriptor)
                part += 1
                continue
            }
            fd = descriptor
            openBucket = bucket
            openPart = part
            openInode = UInt64(s.st_ino)
            openPath = path
            return
        }
    }

    private func closeFile() {
        if fd >= 0 { close(fd) }
        fd = -1
        openBucket = .min
    }
}

/// Creating the spool's directories.
public enum SpoolDirectories {
    /// Creates `<spool>`, `current/` and `ready/` if missing.
    public static func create(_ layout: SpoolLayout) throws(SpoolError) {
        try createPath(layout.directory)
        for path in [layout.currentDirectory, layout.readyDirectory] {
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw SpoolError("create directory", path, Errno(rawValue: errno))
            }
        }
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
