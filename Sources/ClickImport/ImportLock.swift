#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ClickSpool
import SystemIO
import SystemPackage

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

    /// Takes the lock, or throws `.anotherImportRunning` at once when another run has it.
    static func acquire(path: String) throws(ImportError) -> ImportLock {
        let file: FileDescriptor
        do throws(Errno) {
            file = try Errno.typed {
                try FileDescriptor.open(path, .readWrite, options: [.create, .closeOnExec],
                                        permissions: [.ownerReadWrite, .groupRead, .otherRead])
            }
        } catch {
            throw .spool(SpoolError("open", path, error))
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
