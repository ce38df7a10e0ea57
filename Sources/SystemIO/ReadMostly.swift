#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value behind a `pthread_rwlock_t`, for data that nearly every request reads and few change: the redirect
/// cache, the defaults, the country database.
///
/// Readers share the lock, so a read never waits for another reader. (A `Mutex` is a priority-inheritance
/// futex on Linux: with dozens of worker threads on a few cores, a holder that is preempted sends every
/// other reader into the kernel.) Writers are preferred, so a steady stream of readers cannot starve them.
public final class ReadMostly<Value>: @unchecked Sendable {
    /// Behind pointers, so that reads borrow the value in place (no exclusivity bookkeeping, no copy) and the
    /// lock never moves while another thread uses it.
    @usableFromInline let value: UnsafeMutablePointer<Value>
    @usableFromInline let lock: UnsafeMutablePointer<pthread_rwlock_t>

    public init(_ initial: Value) {
        value = UnsafeMutablePointer<Value>.allocate(capacity: 1)
        value.initialize(to: initial)
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
        pthread_rwlock_destroy(lock)
        lock.deallocate()
        value.deinitialize(count: 1)
        value.deallocate()
    }

    /// Runs `body` with the value under the shared lock.
    ///
    /// The corresponding C functions are `pthread_rwlock_rdlock` and `pthread_rwlock_unlock`.
    @inlinable
    public func read<R>(_ body: (borrowing Value) -> R) -> R {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return body(value.pointee)
    }

    /// Runs `body` with the value under the exclusive lock.
    ///
    /// The corresponding C functions are `pthread_rwlock_wrlock` and `pthread_rwlock_unlock`.
    @inlinable
    public func write<R>(_ body: (inout Value) -> R) -> R {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return body(&value.pointee)
    }
}
