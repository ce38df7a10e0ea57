import ClickSpool
import SystemIO
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The importer's file moves in the spool: listing `ready/`, retiring shipped files, pruning `shipped/`.
///
/// Every name is reached through ``SpoolDirectory``, relative to an open directory and never through a link, and
/// only regular files of the user the importer runs as are read, written, moved or deleted: the spool is written
/// by the responder's user, who must gain nothing by what it leaves there.
enum ImportFiles {
    struct ReadyFile: Equatable, Sendable {
        var name: String
        var path: String
        var inode: UInt64
        var size: Int64
    }

    /// The spool's top directory.
    static func spool(_ layout: SpoolLayout) throws(ImportError) -> SpoolDirectory {
        do {
            return try SpoolDirectory.open(layout.directory, create: false)
        } catch {
            throw .spool(error)
        }
    }

    /// `<spool>/<name>`, created when missing and `create` is set; nil when missing otherwise.
    static func subdirectory(_ folder: SpoolLayout.Folder, of layout: SpoolLayout, create: Bool) throws(ImportError)
        -> SpoolDirectory?
    {
        do throws(SpoolError) {
            return try SpoolDirectory.open(layout.directory, create: false).subdirectory(folder, create: create)
        } catch {
            throw .spool(error)
        }
    }

    /// Files in `ready/`, oldest bucket first (parts of a bucket in part order), and the names left alone there.
    static func readyFiles(_ layout: SpoolLayout) throws(ImportError)
        -> (files: [ReadyFile], unsafe: [SpoolDirectory.UnsafeEntry])
    {
        guard let ready = try subdirectory(.ready, of: layout, create: false) else { return ([], []) }
        let listing: SpoolDirectory.Listing
        do {
            listing = try ready.list()
        } catch {
            throw .spool(error)
        }
        func key(_ name: String) -> (Int64, Int, String) {
            (layout.bucket(ofFileName: name) ?? .max, layout.part(ofFileName: name), name)
        }
        let files = listing.files.sorted { key($0.name) < key($1.name) }.map {
            ReadyFile(name: $0.name, path: layout.readyDirectory + "/" + $0.name, inode: $0.inode, size: $0.size)
        }
        return (files, listing.unsafe)
    }

    /// Opens a `ready/` file for reading, if it is still the regular file that was listed.
    static func openReady(_ file: ReadyFile, layout: SpoolLayout) throws(ImportError) -> FileDescriptor {
        do throws(SpoolError) {
            guard
                let ready = try SpoolDirectory.open(layout.directory, create: false)
                    .subdirectory(.ready, create: false)
            else { throw SpoolError("open", file.path, .noSuchFileOrDirectory) }
            let descriptor = try ready.openFile(file.name, .read)
            var s = stat()
            if fstat(descriptor.rawValue, &s) != 0 || UInt64(s.st_ino) != file.inode {
                try? descriptor.close()
                throw SpoolError(
                    "open", file.path, .noSuchFileOrDirectory,
                    detail: "it was replaced since it was listed")
            }
            return descriptor
        } catch {
            throw .spool(error)
        }
    }

    /// Moves a shipped file to `shipped/` (stamping its modification time, which retention goes by) or deletes it.
    ///
    /// Linked then unlinked, like the sealer, so an existing name in `shipped/` is never overwritten and a crash
    /// in between leaves a state the next run finishes. A name in `ready/` that is no longer the file that was
    /// shipped is left alone. The file loses any permission beyond 0640 on the way: it holds visitors' addresses.
    static func retire(_ file: ReadyFile, layout: SpoolLayout, delete: Bool) throws(ImportError) {
        do throws(SpoolError) {
            let spool = try SpoolDirectory.open(layout.directory, create: false)
            guard let ready = try spool.subdirectory(.ready, create: false) else { return }
            let descriptor: FileDescriptor
            do {
                descriptor = try ready.openFile(file.name, .read)
            } catch {
                if error.errno == .noSuchFileOrDirectory { return }  // retired by a run that stopped before its sync
                throw error
            }
            defer { try? descriptor.close() }
            var s = stat()
            guard fstat(descriptor.rawValue, &s) == 0, UInt64(s.st_ino) == file.inode else { return }
            if s.st_mode & 0o7137 != 0 { _ = fchmod(descriptor.rawValue, s.st_mode & 0o640) }
            if !delete {
                guard let shipped = try spool.subdirectory(.shipped, create: true) else { return }
                var name = file.name
                var attempt = 0
                while let error = ready.link(file.name, into: shipped, as: name) {
                    guard error == .fileExists else {
                        throw SpoolError("link into shipped/", shipped.path + "/" + name, error)
                    }
                    if let existing = shipped.status(of: name), UInt64(existing.st_ino) == file.inode { break }
                    attempt += 1
                    name = String(file.name.dropLast(6)) + ".s\(attempt).jsonl"
                }
                shipped.touch(name)
                try shipped.sync()
            }
            try ready.remove(file.name)
            try ready.sync()
        } catch {
            throw .spool(error)
        }
    }

    /// Deletes files in `<spool>/<subdirectory>` (`shipped/`, `skipped/`) last modified more than `days` days
    /// ago; returns how many, and the names left alone there.
    static func prune(
        _ subdirectory: SpoolLayout.Folder, of layout: SpoolLayout, olderThanDays days: Int,
        nowSeconds: Int64
    ) throws(ImportError) -> (removed: Int, unsafe: [SpoolDirectory.UnsafeEntry]) {
        let listing: SpoolDirectory.Listing
        let directory: SpoolDirectory
        do throws(SpoolError) {
            guard
                let opened = try SpoolDirectory.open(layout.directory, create: false)
                    .subdirectory(subdirectory, create: false)
            else { return (0, []) }
            directory = opened
            listing = try directory.list()
        } catch {
            throw .spool(error)
        }
        let limit = nowSeconds - Int64(days) * 86_400
        var removed = 0
        for file in listing.files where file.modifiedSeconds < limit {
            // Removed only if the name is still the file that was listed.
            guard let now = directory.status(of: file.name), UInt64(now.st_ino) == file.inode,
                now.st_mode & S_IFMT == S_IFREG
            else { continue }
            if (try? directory.remove(file.name)) != nil { removed += 1 }
        }
        return (removed, listing.unsafe)
    }

    /// Appends `bytes` to the file `name` of `directory` (created if missing) and `fsync`s it: on disk before the
    /// checkpoint moves past what it holds, so a crash can repeat an entry but never lose one.
    static func appendSynced(_ bytes: [UInt8], to name: String, in directory: SpoolDirectory) throws(ImportError) {
        let path = directory.path + "/" + name
        let file: FileDescriptor
        do {
            file = try directory.openFile(name, .append)
        } catch {
            throw .spool(error)
        }
        defer { try? file.close() }
        do throws(Errno) {
            try Errno.typed { _ = try file.writeAll(bytes) }
        } catch {
            throw .spool(SpoolError("write", path, error))
        }
        guard fsync(file.rawValue) == 0 else { throw .spool(SpoolError("fsync", path, Errno(rawValue: errno))) }
    }

    /// Replaces the file `name` of `directory` with `bytes` (a new temporary file, `fsync`, rename, directory
    /// `fsync`), or removes it when `bytes` is empty.
    static func replace(_ name: String, in directory: SpoolDirectory, with bytes: [UInt8]) throws(ImportError) {
        let temporary = "." + name + ".tmp"
        do throws(SpoolError) {
            try directory.remove(bytes.isEmpty ? name : temporary)
        } catch {
            throw .spool(error)
        }
        if !bytes.isEmpty { try appendSynced(bytes, to: temporary, in: directory) }
        do throws(SpoolError) {
            if !bytes.isEmpty { try directory.rename(temporary, to: name) }
            try directory.sync()
        } catch {
            throw .spool(error)
        }
    }

    /// Reads the whole file `name` of `directory`, up to `maxCount` bytes; nil when there is no such file.
    static func readAll(_ name: String, in directory: SpoolDirectory, maxCount: Int = .max) throws(ImportError)
        -> [UInt8]?
    {
        let path = directory.path + "/" + name
        let file: FileDescriptor
        do {
            file = try directory.openFile(name, .read)
        } catch {
            if error.errno == .noSuchFileOrDirectory { return nil }
            throw .spool(error)
        }
        defer { try? file.close() }
        do throws(Errno) {
            return try file.readToEnd(maxCount: maxCount)
        } catch {
            throw .spool(SpoolError("read", path, error))
        }
    }
}
