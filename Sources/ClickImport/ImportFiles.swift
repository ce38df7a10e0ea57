#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ClickSpool
import SystemIO
import SystemPackage

/// The importer's file moves in the spool: listing `ready/`, retiring shipped files, pruning `shipped/`.
enum ImportFiles {
    struct ReadyFile: Equatable, Sendable {
        var name: String
        var path: String
        var inode: UInt64
        var size: Int64
    }

    /// Files in `ready/`, oldest bucket first (parts of a bucket in part order).
    static func readyFiles(_ layout: SpoolLayout) throws(ImportError) -> [ReadyFile] {
        let names: [String]
        do {
            names = try SpoolDirectoryListing.names(in: layout.readyDirectory)
        } catch {
            throw .spool(error)
        }
        func key(_ name: String) -> (Int64, Int, String) {
            let bucket = layout.bucket(ofFileName: name) ?? .max
            let parts = name.dropLast(6).split(separator: ".")
            let part = parts.count > 1 ? Int(parts[1].filter(\.isNumber)) ?? 0 : 0
            return (bucket, part, name)
        }
        var files: [ReadyFile] = []
        for name in names.sorted(by: { key($0) < key($1) }) {
            let path = layout.readyDirectory + "/" + name
            var s = stat()
            guard stat(path, &s) == 0 else {
                if errno == ENOENT { continue }
                throw .spool(SpoolError("stat", path, Errno(rawValue: errno)))
            }
            guard (s.st_mode & S_IFMT) == S_IFREG else { continue }
            files.append(ReadyFile(name: name, path: path, inode: UInt64(s.st_ino), size: Int64(s.st_size)))
        }
        return files
    }

    /// Moves a shipped file to `shipped/` (stamping its modification time, which retention goes by) or deletes it.
    ///
    /// Linked then unlinked, like the sealer, so an existing name in `shipped/` is never overwritten and a crash
    /// in between leaves a state the next run finishes.
    static func retire(_ file: ReadyFile, layout: SpoolLayout, delete: Bool) throws(ImportError) {
        if !delete {
            let shipped = layout.directory + "/shipped"
            try makeDirectory(shipped)
            var name = file.name
            var attempt = 0
            while true {
                let target = shipped + "/" + name
                if link(file.path, target) == 0 { break }
                guard errno == EEXIST else { throw .spool(SpoolError("link into shipped/", target, Errno(rawValue: errno))) }
                var existing = stat()
                if stat(target, &existing) == 0 && UInt64(existing.st_ino) == file.inode { break }
                attempt += 1
                name = String(file.name.dropLast(6)) + ".s\(attempt).jsonl"
            }
            _ = utimensat(AT_FDCWD, shipped + "/" + name, nil, 0)
            try syncDirectory(shipped)
        }
        guard unlink(file.path) == 0 || errno == ENOENT else {
            throw .spool(SpoolError("unlink", file.path, Errno(rawValue: errno)))
        }
        try syncDirectory(layout.readyDirectory)
    }

    /// Deletes files in `<spool>/<subdirectory>` (`shipped/`, `skipped/`) last modified more than `days` days
    /// ago; returns how many.
    static func prune(_ subdirectory: String, of layout: SpoolLayout, olderThanDays days: Int,
                      nowSeconds: Int64) throws(ImportError) -> Int {
        let shipped = layout.directory + "/" + subdirectory
        let names: [String]
        do {
            names = try SpoolDirectoryListing.names(in: shipped)
        } catch {
            if error.errno == .noSuchFileOrDirectory { return 0 }
            throw .spool(error)
        }
        let limit = nowSeconds - Int64(days) * 86_400
        var removed = 0
        for name in names {
            let path = shipped + "/" + name
            var s = stat()
            guard stat(path, &s) == 0 else { continue }
            #if canImport(Darwin)
            let modified = Int64(s.st_mtimespec.tv_sec)
            #else
            let modified = Int64(s.st_mtim.tv_sec)
            #endif
            guard modified < limit else { continue }
            if unlink(path) == 0 { removed += 1 }
        }
        return removed
    }

    /// Appends `bytes` to the file at `path` (created if missing) and `fsync`s it: on disk before the
    /// checkpoint moves past what it holds, so a crash can repeat an entry but never lose one.
    static func appendSynced(_ bytes: [UInt8], to path: String) throws(ImportError) {
        let file: FileDescriptor
        do throws(Errno) {
            file = try Errno.typed {
                try FileDescriptor.open(path, .writeOnly, options: [.append, .create, .closeOnExec],
                                        permissions: [.ownerReadWrite, .groupRead])
            }
        } catch {
            throw .spool(SpoolError("open", path, error))
        }
        defer { try? file.close() }
        do throws(Errno) {
            try Errno.typed { _ = try file.writeAll(bytes) }
        } catch {
            throw .spool(SpoolError("write", path, error))
        }
        guard fsync(file.rawValue) == 0 else { throw .spool(SpoolError("fsync", path, Errno(rawValue: errno))) }
    }

    /// Replaces the file at `path` with `bytes` (a temporary file, `fsync`, rename, directory `fsync`), or
    /// removes it when `bytes` is empty.
    static func replace(_ path: String, with bytes: [UInt8], directory: String, temporaryName: String) throws(ImportError) {
        if bytes.isEmpty {
            guard unlink(path) == 0 || errno == ENOENT else {
                throw .spool(SpoolError("unlink", path, Errno(rawValue: errno)))
            }
        } else {
            let temporary = directory + "/" + temporaryName
            _ = unlink(temporary)
            try appendSynced(bytes, to: temporary)
            guard rename(temporary, path) == 0 else {
                throw .spool(SpoolError("rename", temporary, Errno(rawValue: errno)))
            }
        }
        try syncDirectory(directory)
    }

    /// Reads a whole file.
    static func readAll(_ path: String) throws(ImportError) -> [UInt8] {
        let file: FileDescriptor
        do throws(Errno) {
            file = try Errno.typed { try FileDescriptor.open(path, .readOnly, options: .closeOnExec) }
        } catch {
            throw .spool(SpoolError("open", path, error))
        }
        defer { try? file.close() }
        do throws(Errno) {
            return try file.readToEnd()
        } catch {
            throw .spool(SpoolError("read", path, error))
        }
    }

    static func makeDirectory(_ path: String) throws(ImportError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw .spool(SpoolError("create directory", path, Errno(rawValue: errno)))
        }
    }

    static func syncDirectory(_ path: String) throws(ImportError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .spool(SpoolError("open", path, Errno(rawValue: errno))) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .spool(SpoolError("fsync", path, Errno(rawValue: errno))) }
    }
}
