import ClickSpool
import SystemIO
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `<spool>/import.lock`, held with a non-blocking exclusive `flock` for the whole run.
///
/// The kernel drops the lock when the process ends, however it ends, so a crashed run never blocks the next.
final class ImportLock {
    let path: String
    private var file: FileDescriptor?

    private init(path: String, file: FileDescriptor) {
        self.path = path
        self.file = file
    }

    /// Takes the lock `import.lock` of `spool`, or throws `.anotherImportRunning` at once when another run has it.
    ///
    /// The lock file is opened like every file of the spool: never through a link, and only when it is a regular
    /// file of the user the importer runs as.
    static func acquire(in spool: SpoolDirectory) throws(ImportError) -> ImportLock {
        let path = spool.path + "/" + SpoolLayout.File.importLock.rawValue
        let file: FileDescriptor
        do {
            file = try spool.openFile(.importLock, .lock)
        } catch {
            throw .spool(error)
        }
        do throws(Errno) {
            try file.lock(.exclusive, waiting: false)
        } catch {
            try? file.close()
            if error == .wouldBlock { throw .anotherImportRunning(lockPath: path) }
            throw .spool(SpoolError("lock", path, error))
        }
        return ImportLock(path: path, file: file)
    }

    func release() {
        guard let file else { return }
        file.unlock()
        try? file.close()
        self.file = nil
    }

    deinit {
        release()
    }
}
