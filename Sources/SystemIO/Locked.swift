#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value behind a `pthread_mutex_t`: what `Synchronization.Mutex` is for, with a lock ThreadSanitizer sees.
///
/// On Linux `Mutex` locks with a futex inside the Swift runtime, which ThreadSanitizer does not instrument, so it
/// sees no order between two `withLock` bodies and reports each pair as a race; hiding those reports would hide
/// real races as well. libpthread's mutex is one ThreadSanitizer intercepts, and it costs the same uncontended
/// (one atomic exchange to lock, one to unlock, no allocation after `init`).
public final class Locked<Value>: @unchecked Sendable {
    /// Behind pointers, so that neither the value nor the mutex ever moves while another thread uses it.
    @usableFromInline let value: UnsafeMutablePointer<Value>
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init(_ initial: Value) {
        value = UnsafeMutablePointer<Value>.allocate(capacity: 1)
        value.initialize(to: initial)
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        value.deinitialize(count: 1)
        value.deallocate()
    }

    /// Runs `body` with the value while holding the lock.
    ///
    /// The corresponding C functions are `pthread_mutex_lock` and `pthread_mutex_unlock`.
    @inlinable
    public func withLock<Result, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }
}
