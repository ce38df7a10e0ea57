import Synchronization
import SystemIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A counter that every process writing to one spool sees: one word of the file `<spool>/.short-writes`,
/// mapped shared into each process, read with a plain atomic load (no system call).
///
/// Writers bump it after a short write, so that writers of other processes still in the same file check its
/// end before their next line, even if they did not try to write while the disk was full.
final class SpoolSharedCounter: @unchecked Sendable {
    private let word: UnsafeMutablePointer<Atomic<Int>>

    private init(word: UnsafeMutablePointer<Atomic<Int>>) {
        self.word = word
    }

    deinit {
        munmap(UnsafeMutableRawPointer(word), MemoryLayout<Int>.size)
    }

    func load() -> Int { word.pointee.load(ordering: .relaxed) }

    func increment() { word.pointee.add(1, ordering: .relaxed) }

    /// Mappings of this process, by spool directory: one `open`/`mmap` per process, not per writer.
    private static let mapped = Locked<[String: SpoolSharedCounter]>([:])

    /// The counter of the spool in `directory`, or nil when its file cannot be made (a full disk, a
    /// read-only spool): then only writers of this process learn of a short write.
    static func of(directory: String) -> SpoolSharedCounter? {
        mapped.withLock { counters in
            if let counter = counters[directory] { return counter }
            guard let counter = map(SpoolLayout(directory: directory).path(.shortWrites)) else { return nil }
            counters[directory] = counter
            return counter
        }
    }

    /// Forgets the mapping of `directory` (its file was deleted with the spool); the next writer maps anew.
    static func forget(directory: String) {
        _ = mapped.withLock { $0.removeValue(forKey: directory) }
    }

    private static func map(_ path: String) -> SpoolSharedCounter? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let size = MemoryLayout<Int>.size
        // Allocated before it is mapped: a store into a page that a full disk cannot give would be SIGBUS.
        // `posix_fallocate` never overwrites what another process may have counted already.
        if posix_fallocate(fd, 0, off_t(size)) != 0 {
            var s = stat()
            guard fstat(fd, &s) == 0, s.st_size >= size else { return nil }
        }
        let raw = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let raw, raw != MAP_FAILED else { return nil }
        return SpoolSharedCounter(word: raw.bindMemory(to: Atomic<Int>.self, capacity: 1))
    }
}
