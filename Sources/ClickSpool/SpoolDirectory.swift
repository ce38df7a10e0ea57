import SystemIO
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `open(2)` of a directory by path; a free function, since inside ``SpoolDirectory`` `open` names its own method.
private func openDirectory(_ path: String) -> Int32 {
    open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
}

/// One directory of a spool, held open, so that every name in it is reached relative to the descriptor and never
/// through a symbolic link.
///
/// The spool is written by the responder's user and read by the importer, often from another account's cron. What
/// the spool's writer puts in it must not let it act with the reader's rights, which is how the trusted tools treat
/// a directory someone else can write (logrotate, tmpfiles): a name is opened with `O_NOFOLLOW | O_NONBLOCK` (a
/// link is refused, a FIFO does not block), then `fstat`ed, and only a regular file owned by the user this process
/// runs as is used. Subdirectories are opened the same way from their parent. Links, FIFOs, devices, sockets and
/// files of other users are listed as ``Listing/unsafe`` and never read, written, moved or deleted.
///
/// The top directory is the path the operator gave (a link there is the operator's own choice, so it is
/// followed); it must belong to the user this process runs as, or ``open(_:create:)`` refuses it.
public final class SpoolDirectory: Sendable {
    /// The directory's path, for messages.
    public let path: String
    public let descriptor: FileDescriptor
    /// The user every file used here must belong to: the one this process runs as; nil when any owner will do.
    public let owner: UInt32?

    private init(path: String, descriptor: FileDescriptor, owner: UInt32?) {
        self.path = path
        self.descriptor = descriptor
        self.owner = owner
    }

    deinit {
        try? descriptor.close()
    }

    /// Opens the spool's top directory, creating it (and its parents) first when `create` is set.
    ///
    /// With `checkingOwner` (the importer), throws when it belongs to another user than the one this process runs
    /// as: the importer must then run as that user (`redirectctl import --user`), never act in a directory
    /// someone else controls; and every subdirectory and file must belong to that user too. Without it (the
    /// responder's own sealer, which may share a spool another user made), only links and non-files are refused.
    public static func open(_ path: String, create: Bool, checkingOwner: Bool = true) throws(SpoolError)
        -> SpoolDirectory
    {
        if create { try SpoolDirectories.createPath(path) }
        let fd = openDirectory(path)
        guard fd >= 0 else { throw SpoolError("open", path, Errno(rawValue: errno)) }
        let owner = geteuid()
        let directory = SpoolDirectory(
            path: path, descriptor: FileDescriptor(rawValue: fd),
            owner: checkingOwner ? owner : nil)
        var s = stat()
        guard fstat(fd, &s) == 0 else { throw SpoolError("stat", path, Errno(rawValue: errno)) }
        guard s.st_uid == owner || !checkingOwner else {
            throw SpoolError(
                "use", path, .permissionDenied,
                detail: "it belongs to \(UserAccount.describe(s.st_uid)), and this runs as "
                    + "\(UserAccount.describe(owner))")
        }
        if checkingOwner, let problem = directory.writableByOthers(s) {
            throw SpoolError("use", path, .permissionDenied, detail: problem)
        }
        return directory
    }

    /// Opens the subdirectory `name`, never through a link; nil when it does not exist and `create` is not set.
    public func subdirectory(_ name: String, create: Bool) throws(SpoolError) -> SpoolDirectory? {
        let path = self.path + "/" + name
        if create && mkdirat(descriptor.rawValue, name, 0o750) != 0 && errno != EEXIST {
            throw SpoolError("create directory", path, Errno(rawValue: errno))
        }
        let fd = openat(descriptor.rawValue, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let error = Errno(rawValue: errno)
            if error == .noSuchFileOrDirectory && !create { return nil }
            // `O_DIRECTORY` answers a link with ENOTDIR before `O_NOFOLLOW` is asked: say what it is.
            if error == .notDirectory, let s = status(of: name), let problem = problem(with: s, directory: true) {
                throw SpoolError("open", path, error, detail: "it is \(problem), which the spool never follows")
            }
            throw Self.refusal("open", path, error)
        }
        let directory = SpoolDirectory(path: path, descriptor: FileDescriptor(rawValue: fd), owner: owner)
        var s = stat()
        guard fstat(fd, &s) == 0 else { throw SpoolError("stat", path, Errno(rawValue: errno)) }
        if let problem = problem(with: s, directory: true) ?? (owner == nil ? nil : writableByOthers(s)) {
            throw SpoolError("use", path, .permissionDenied, detail: problem)
        }
        return directory
    }

    /// A file of a listing, as `fstatat` saw it.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var inode: UInt64
        public var size: Int64
        /// Last modification, in seconds since the epoch.
        public var modifiedSeconds: Int64
    }

    /// What a directory holds: the files the spool may use, and the names it leaves alone, each with why.
    public struct Listing: Sendable, Equatable {
        public var files: [Entry] = []
        public var unsafe: [UnsafeEntry] = []
    }

    /// A name in the spool that is not a regular file of the spool's user: never followed, read or changed.
    public struct UnsafeEntry: Sendable, Equatable, CustomStringConvertible {
        /// The path, for messages.
        public var path: String
        /// What it is: "a symbolic link", "a FIFO", "owned by www-data (uid 33)", ….
        public var reason: String

        public var description: String {
            "\(path) is \(reason): left alone (never followed, read, moved or deleted)"
        }
    }

    /// The names ending in `suffix` (and not starting with `.`), sorted into files the spool may use and the rest.
    public func list(suffix: String = ".jsonl") throws(SpoolError) -> Listing {
        let copy = dup(descriptor.rawValue)
        guard copy >= 0, let handle = fdopendir(copy) else {
            let error = Errno(rawValue: errno)
            if copy >= 0 { close(copy) }
            throw SpoolError("list", path, error)
        }
        defer { closedir(handle) }
        rewinddir(handle)  // the copy shares its position with `descriptor`
        var listing = Listing()
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasSuffix(suffix), !name.hasPrefix(".") else { continue }
            var s = stat()
            guard fstatat(descriptor.rawValue, name, &s, AT_SYMLINK_NOFOLLOW) == 0 else { continue }  // gone since
            if let problem = problem(with: s, directory: false) {
                listing.unsafe.append(UnsafeEntry(path: path + "/" + name, reason: problem))
                continue
            }
            listing.files.append(
                Entry(
                    name: name, inode: UInt64(s.st_ino), size: Int64(s.st_size),
                    modifiedSeconds: Int64(s.st_mtim.tv_sec)))
        }
        return listing
    }

    /// The spool folder `folder`, opened as ``subdirectory(_:create:)`` opens a name.
    public func subdirectory(_ folder: SpoolLayout.Folder, create: Bool) throws(SpoolError) -> SpoolDirectory? {
        try subdirectory(folder.rawValue, create: create)
    }

    /// The spool file `file` of this (top) directory, opened as ``openFile(_:_:)`` opens a name.
    public func openFile(_ file: SpoolLayout.File, _ access: Access) throws(SpoolError) -> FileDescriptor {
        try openFile(file.rawValue, access)
    }

    /// How a file is opened.
    public enum Access: Sendable {
        case read
        /// Appending, created (mode 0640) when missing.
        case append
        /// Writing a new file; fails when the name exists.
        case createNew
        /// Reading and writing, created (mode 0640) when missing: a lock file.
        case lock
    }

    /// Opens the file `name`, never through a link and never blocking on a FIFO; throws unless it is a regular
    /// file of ``owner``.
    public func openFile(_ name: String, _ access: Access) throws(SpoolError) -> FileDescriptor {
        var flags = O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK
        switch access {
        case .read: flags |= O_RDONLY
        case .append: flags |= O_WRONLY | O_APPEND | O_CREAT
        case .createNew: flags |= O_WRONLY | O_CREAT | O_EXCL
        case .lock: flags |= O_RDWR | O_CREAT
        }
        let path = self.path + "/" + name
        let fd = openat(descriptor.rawValue, name, flags, 0o640)
        guard fd >= 0 else { throw Self.refusal("open", path, Errno(rawValue: errno)) }
        var s = stat()
        guard fstat(fd, &s) == 0 else {
            let error = Errno(rawValue: errno)
            close(fd)
            throw SpoolError("stat", path, error)
        }
        if let problem = problem(with: s, directory: false) {
            close(fd)
            throw SpoolError("use", path, .permissionDenied, detail: problem)
        }
        return FileDescriptor(rawValue: fd)
    }

    /// The file `name` as it is now (not following a link), or nil when there is none.
    public func status(of name: String) -> stat? {
        var s = stat()
        return fstatat(descriptor.rawValue, name, &s, AT_SYMLINK_NOFOLLOW) == 0 ? s : nil
    }

    /// Links `name` into `target` as `newName` (never following a link); the error when that fails.
    public func link(_ name: String, into target: SpoolDirectory, as newName: String) -> Errno? {
        linkat(descriptor.rawValue, name, target.descriptor.rawValue, newName, 0) == 0 ? nil : Errno(rawValue: errno)
    }

    /// Removes the name `name` (a missing one is no error).
    public func remove(_ name: String) throws(SpoolError) {
        guard unlinkat(descriptor.rawValue, name, 0) == 0 || errno == ENOENT else {
            throw SpoolError("unlink", path + "/" + name, Errno(rawValue: errno))
        }
    }

    /// Renames `name` to `newName` in this directory, replacing what `newName` was (never following it).
    public func rename(_ name: String, to newName: String) throws(SpoolError) {
        guard renameat(descriptor.rawValue, name, descriptor.rawValue, newName) == 0 else {
            throw SpoolError("rename", path + "/" + name, Errno(rawValue: errno))
        }
    }

    /// Sets the modification time of `name` to now, and never that of a link's target.
    public func touch(_ name: String) {
        _ = utimensat(descriptor.rawValue, name, nil, AT_SYMLINK_NOFOLLOW)
    }

    /// Makes the directory's entries durable.
    public func sync() throws(SpoolError) {
        guard fsync(descriptor.rawValue) == 0 else { throw SpoolError("fsync", path, Errno(rawValue: errno)) }
    }

    /// Why a directory of the spool is not safe to act in: one its group or everyone may write lets others swap
    /// names under the importer (logrotate refuses such a directory too). nil when only its owner may write.
    func writableByOthers(_ s: stat) -> String? {
        guard s.st_mode & 0o022 != 0 else { return nil }
        let mode = String(s.st_mode & 0o7777, radix: 8)
        return "its group or everyone may write it (mode 0\(mode)), so others could swap names under this command: "
            + "chmod go-w it (the spool wants 0750 directories)"
    }

    /// Why `s` is not an entry the spool may use, or nil when it is.
    func problem(with s: stat, directory: Bool) -> String? {
        let type = s.st_mode & S_IFMT
        let expected = directory ? S_IFDIR : S_IFREG
        if type != expected {
            switch type {
            case S_IFLNK: return "a symbolic link"
            case S_IFIFO: return "a FIFO"
            case S_IFCHR, S_IFBLK: return "a device"
            case S_IFSOCK: return "a socket"
            case S_IFDIR: return "a directory"
            default: return "not a regular file"
            }
        }
        if let owner, s.st_uid != owner {
            return "owned by \(UserAccount.describe(s.st_uid)), not by \(UserAccount.describe(owner)), who this runs as"
        }
        return nil
    }

    /// An `openat` failure, in words: `O_NOFOLLOW` answers a link with `ELOOP`, `O_DIRECTORY` a non-directory with
    /// `ENOTDIR`, and a FIFO opened for writing without a reader with `ENXIO`.
    static func refusal(_ operation: String, _ path: String, _ error: Errno) -> SpoolError {
        switch error {
        case .tooManySymbolicLinkLevels:
            return SpoolError(operation, path, error, detail: "it is a symbolic link, which the spool never follows")
        case .notDirectory:
            return SpoolError(operation, path, error, detail: "it is not a directory")
        case .noSuchAddressOrDevice:
            return SpoolError(operation, path, error, detail: "it is a FIFO or a device, not a file")
        default:
            return SpoolError(operation, path, error)
        }
    }
}
