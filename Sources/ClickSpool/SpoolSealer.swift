import SystemIO
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one sealing pass did.
public struct SealReport: Equatable, Sendable {
    /// File names moved into `ready/`.
    public var sealed: [String] = []
    /// Passed buckets skipped because a writer still held them; the next pass takes them.
    public var busy = 0
    public var errors: [SpoolError] = []
    /// Names in `current/` that are no regular file the sealer may take (links, FIFOs, files of other users):
    /// left where they are.
    public var unsafe: [SpoolDirectory.UnsafeEntry] = []
}

/// Moves the files of passed buckets from `current/` to `ready/`, where they never change again.
///
/// A file is taken with an exclusive, non-blocking `flock`. Writers hold a shared lock for as long as they
/// write in a file, so a file some writer still holds is skipped (``SealReport/busy``) and taken by a
/// later pass, once every writer has moved on to the next bucket or released it when idle. A taken file is
/// `fsync`ed, linked into `ready/` and unlinked from `current/`, then both directories are `fsync`ed. Linking
/// instead of renaming means a name already in `ready/` is never overwritten. Any number of sealers
/// (responder processes, `redirectctl seal`, the importer) may run at once.
///
/// Every name is reached relative to the open `current/` and `ready/` directories, never through a link, and only
/// regular files are taken (``SpoolDirectory``); with `checkingOwner`, only those of the user this process runs as.
public struct SpoolSealer: Sendable {
    public let layout: SpoolLayout
    /// Whether the spool and its files must belong to the user this process runs as (the importer and
    /// `redirectctl seal`; the responder seals a spool it may share with others).
    public let checkingOwner: Bool

    public init(layout: SpoolLayout, checkingOwner: Bool = false) {
        self.layout = layout
        self.checkingOwner = checkingOwner
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
        let current: SpoolDirectory
        let ready: SpoolDirectory
        let listing: SpoolDirectory.Listing
        do {
            let spool = try SpoolDirectory.open(layout.directory, create: false, checkingOwner: checkingOwner)
            guard let currentDirectory = try spool.subdirectory(.current, create: true),
                let readyDirectory = try spool.subdirectory(.ready, create: true)
            else { return report }
            (current, ready) = (currentDirectory, readyDirectory)
            listing = try current.list()
        } catch {
            report.errors.append(error)
            return report
        }
        report.unsafe = listing.unsafe
        for name in listing.files.map(\.name).sorted() {
            guard let bucket = layout.bucket(ofFileName: name),
                layout.hasPassed(bucket: bucket, nowMilliseconds: nowMilliseconds)
            else { continue }
            switch seal(name, from: current, into: ready) {
            case .sealed(let readyName): report.sealed.append(readyName)
            case .busy: report.busy += 1
            case .gone: break
            case .failed(let error): report.errors.append(error)
            }
        }
        if !report.sealed.isEmpty {
            for directory in [ready, current] {
                do {
                    try directory.sync()
                } catch {
                    report.errors.append(error)
                }
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

    func seal(_ name: String, from current: SpoolDirectory, into ready: SpoolDirectory) -> SealResult {
        let path = current.path + "/" + name
        let file: FileDescriptor
        do {
            file = try current.openFile(name, .read)
        } catch {
            return error.errno == .noSuchFileOrDirectory ? .gone : .failed(error)
        }
        defer { try? file.close() }
        do throws(Errno) {
            try file.lock(.exclusive, waiting: false)
        } catch {
            return error == .wouldBlock ? .busy : .failed(SpoolError("lock", path, error))
        }
        defer { file.unlock() }
        var mine = stat()
        guard fstat(file.rawValue, &mine) == 0 else { return .failed(SpoolError("stat", path, Errno(rawValue: errno))) }
        // Another sealer won.
        guard let named = current.status(of: name), named.st_ino == mine.st_ino else { return .gone }
        guard fsync(file.rawValue) == 0 else { return .failed(SpoolError("fsync", path, Errno(rawValue: errno))) }

        var readyName = name
        var attempt = 0
        while let error = current.link(name, into: ready, as: readyName) {
            guard error == .fileExists else {
                return .failed(SpoolError("link into ready/", ready.path + "/" + readyName, error))
            }
            if let existing = ready.status(of: readyName), existing.st_ino == mine.st_ino {
                break  // linked by a sealer that stopped before unlinking: finish its work
            }
            attempt += 1
            readyName = String(name.dropLast(6)) + ".r\(attempt).jsonl"
        }
        do {
            try current.remove(name)
        } catch {
            return .failed(error)
        }
        return .sealed(readyName)
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
