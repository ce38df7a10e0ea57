#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemIO
import SystemPackage

/// What one sealing pass did.
public struct SealReport: Equatable, Sendable {
    /// File names moved into `ready/`.
    public var sealed: [String] = []
    /// Passed buckets skipped because a writer still held them; the next pass takes them.
    public var busy = 0
    public var errors: [SpoolError] = []
}

/// Moves the files of passed buckets from `current/` to `ready/`, where they never change again.
///
/// A file is taken with an exclusive, non-blocking `flock`. Writers hold a shared lock for as long as they
/// write in a file, so a file some writer still holds is skipped (``SealReport/busy``) and taken by a
/// later pass, once every writer has moved on to the next bucket or released it when idle. A taken file is
/// `fsync`ed, linked into `ready/` and unlinked from `current/`, then both directories are `fsync`ed. Linking
/// instead of renaming means a name already in `ready/` is never overwritten. Any number of sealers
/// (responder processes, `redirectctl seal`, the importer) may run at once.
public struct SpoolSealer: Sendable {
    public let layout: SpoolLayout

    public init(layout: SpoolLayout) {
        self.layout = layout
    }

    /// Seals every file in `current/` whose bucket has passed at `nowMilliseconds`.
    public func sealPassed(nowMilliseconds: Int64 = SpoolClock.nowMilliseconds()) -> SealReport {
        var report = SealReport()
        do {
            // Gone (deleted by hand): writers of this process still in a deleted file must move on.
            if try SpoolDirectories.create(layout) {
                SpoolSharedCounter.forget(directory: layout.directory)
                SpoolWriter.revalidateAll()
            }
        } catch {
            report.errors.append(error)
            return report
        }
        let names: [String]
        do {
            names = try SpoolDirectoryListing.names(in: layout.currentDirectory)
        } catch {
            report.errors.append(error)
            return report
        }
        for name in names.sorted() {
            guard let bucket = layout.bucket(ofFileName: name), layout.hasPassed(bucket: bucket, nowMilliseconds: nowMilliseconds)
            else { continue }
            switch seal(name) {
            case .sealed(let readyName): report.sealed.append(readyName)
            case .busy: report.busy += 1
            case .gone: break
            case .failed(let error): report.errors.append(error)
            }
        }
        if !report.sealed.isEmpty {
            for directory in [layout.readyDirectory, layout.currentDirectory] {
                if let error = Self.syncDirectory(directory) { report.errors.append(error) }
            }
        }
        return report
    }

    enum SealResult {
        case sealed(String)
        case busy
        case gone
        case failed(SpoolError)
    }

    func seal(_ name: String) -> SealResult {
        let path = layout.currentDirectory + "/" + name
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            return errno == ENOENT ? .gone : .failed(SpoolError("open", path, Errno(rawValue: errno)))
        }
        defer { close(fd) }
        let file = FileDescriptor(rawValue: fd)
        do throws(Errno) {
            try file.lock(.exclusive, waiting: false)
        } catch {
            return error == .wouldBlock ? .busy : .failed(SpoolError("lock", path, error))
        }
        defer { file.unlock() }
        var mine = stat()
        var named = stat()
        guard fstat(fd, &mine) == 0 else { return .failed(SpoolError("stat", path, Errno(rawValue: errno))) }
        guard stat(path, &named) == 0, named.st_ino == mine.st_ino else { return .gone }  // another sealer won
        guard fsync(fd) == 0 else { return .failed(SpoolError("fsync", path, Errno(rawValue: errno))) }

        var readyName = name
        var attempt = 0
        while true {
            let readyPath = layout.readyDirectory + "/" + readyName
            if link(path, readyPath) == 0 { break }
            guard errno == EEXIST else { return .failed(SpoolError("link into ready/", readyPath, Errno(rawValue: errno))) }
            var existing = stat()
            if stat(readyPath, &existing) == 0 && existing.st_ino == mine.st_ino {
                break  // linked by a sealer that stopped before unlinking: finish its work
            }
            attempt += 1
            readyName = String(name.dropLast(6)) + ".r\(attempt).jsonl"
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            return .failed(SpoolError("unlink", path, Errno(rawValue: errno)))
        }
        return .sealed(readyName)
    }

    static func syncDirectory(_ path: String) -> SpoolError? {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return SpoolError("open", path, Errno(rawValue: errno)) }
        defer { close(fd) }
        return fsync(fd) == 0 ? nil : SpoolError("fsync", path, Errno(rawValue: errno))
    }
}

/// Directory listings of the spool.
public enum SpoolDirectoryListing {
    /// Names of the `.jsonl` files in `path`, unsorted.
    public static func names(in path: String) throws(SpoolError) -> [String] {
        guard let dir = opendir(path) else { throw SpoolError("list", path, Errno(rawValue: errno)) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".jsonl") && !name.hasPrefix(".") { names.append(name) }
        }
        return names
    }
}
