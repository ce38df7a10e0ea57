#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The database that look-ups use now, behind a `pthread_rwlock_t`: every click reads it, a reload replaces it.
///
/// Readers share the lock and use the database without retaining it (a retain on every click is an atomic
/// write to one cache line that all worker threads share). A replacement takes the lock exclusively, so it
/// waits for the look-ups under way, and the database it replaced is released after the lock is let go: its
/// file is unmapped only when no look-up uses it any more. Writers are preferred, so a steady stream of
/// look-ups cannot hold a new database off. (`Synchronization.Mutex` would make look-ups queue behind one
/// another; the redirect store shares its cache the same way, for the same reason.)
final class DatabaseSlot: @unchecked Sendable {
    /// One reference that the slot owns (+1), or nil.
    /// Guarded by `lock`, so the run-time exclusivity checks (a cost on every click) are left out.
    @exclusivity(unchecked) private var database: Unmanaged<CountryDatabase>?
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        #if os(Linux)
            pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        pthread_rwlock_init(lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
    }

    deinit {
        database?.release()
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// Runs `body` with the current database (nil: none is open) under the shared lock.
    func read<R>(_ body: (CountryDatabase?) -> R) -> R {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        guard let database else { return body(nil) }
        return database._withUnsafeGuaranteedRef { body($0) }
    }

    /// The current database, retained: it stays open for as long as the caller keeps it.
    func current() -> CountryDatabase? {
        read { $0 }
    }

    /// Puts `replacement` in place of the current database; the replaced one is released once no look-up
    /// uses it.
    func replace(with replacement: CountryDatabase?) {
        let new = replacement.map { Unmanaged.passRetained($0) }
        pthread_rwlock_wrlock(lock)
        let old = database
        database = new
        pthread_rwlock_unlock(lock)
        // Outside the lock: the last release unmaps the file, and look-ups need not wait for that.
        old?.release()
    }
}
