#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ClickSpool
import SystemPackage

/// `<spool>/import.lock`, held with a non-blocking exclusive `flock` for the whole run.
///
/// The kernel drops the lock when the process ends, however it ends, so a crashed run never blocks the next.
final class ImportLock {
    let path: String
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    /// Takes the lock, or throws `.anotherImportRunning` at once when another run has it.
    static func acquire(path: String) throws(ImportError) -> ImportLock {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .spool(SpoolError("open", path, Errno(rawValue: errno))) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            if e == EINTR { continue }
            close(fd)
            if e == EWOULDBLOCK { throw .anotherImportRunning(lockPath: path) }
            throw .spool(SpoolError("lock", path, Errno(rawValue: e)))
        }
        return ImportLock(path: path, fd: fd)
    }

    func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit {
        release()
    }
}
