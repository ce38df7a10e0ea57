import SystemIO

/// The database that look-ups use now, behind a `pthread_rwlock_t`: every click reads it, a reload replaces it.
///
/// Readers share the lock and use the database without retaining it (a retain on every click is an atomic
/// write to one cache line that all worker threads share). A replacement takes the lock exclusively, so it
/// waits for the look-ups under way, and the database it replaced is released after the lock is let go: its
/// file is unmapped only when no look-up uses it any more. Writers are preferred, so a steady stream of
/// look-ups cannot hold a new database off. (`Synchronization.Mutex` would make look-ups queue behind one
/// another; the redirect store shares its cache the same way, for the same reason.)
final class DatabaseSlot: Sendable {
    /// One reference that the slot owns (+1), or nil.
    private let database = ReadMostly<Unmanaged<CountryDatabase>?>(nil)

    deinit {
        database.read { $0 }?.release()
    }

    /// Runs `body` with the current database (nil: none is open) under the shared lock.
    func read<R>(_ body: (CountryDatabase?) -> R) -> R {
        database.read { database in
            guard let database else { return body(nil) }
            return database._withUnsafeGuaranteedRef { body($0) }
        }
    }

    /// The current database, retained: it stays open for as long as the caller keeps it.
    func current() -> CountryDatabase? {
        read { $0 }
    }

    /// Puts `replacement` in place of the current database; the replaced one is released once no look-up
    /// uses it.
    func replace(with replacement: CountryDatabase?) {
        let new = replacement.map { Unmanaged.passRetained($0) }
        let old = database.write { database in
            defer { database = new }
            return database
        }
        // Outside the lock: the last release unmaps the file, and look-ups need not wait for that.
        old?.release()
    }
}
