/// Where one FastCGI connection is between nginx's requests, and what the loop does next with it.
///
/// A value with no I/O, in the manner of swift-nio's state machines: each event (a wake-up from epoll, a request
/// answered, an eviction, a close) is a `mutating` method that moves the state and returns an action, and the loop
/// in ``FastCGIServer`` only performs the action. Two threads act on one connection, the worker that serves it and
/// the acceptor that may evict it while it is idle, so each connection's value lives in ``FastCGIConnectionTable``
/// behind the table's lock.
///
/// An event that cannot happen in a state (epoll reports a connection only once per watch, so a worker never
/// finds one that another worker serves) changes nothing and returns `.ignore`, so a bug elsewhere never closes a
/// descriptor twice. The two events of every request, ``readable(peerClosed:)`` and
/// ``answered(connectionKept:stopping:)``, are inlined into the loop's click path.
struct FastCGIConnectionState: Equatable, Sendable {
    enum State: Equatable, Sendable {
        /// Accepted and watched; nginx's first request has not been read yet. Never evicted: nginx sends that
        /// request right after it connects, and would not send it again on another connection.
        case awaitingFirstRequest
        /// A worker reads a request on it and answers it. `evicted`: its reading side was shut while it was idle,
        /// so it is closed once the request nginx sent before the shutdown is answered.
        case serving(evicted: Bool)
        /// Watched for nginx's next request, and no worker has it: the only state an eviction takes.
        case idle
        /// Was idle; its reading side is shut to make room for a waiting connection, and the worker woken by the
        /// shutdown closes it.
        case evicting
        case closed
    }

    private(set) var state: State = .awaitingFirstRequest

    /// What a worker does with a connection epoll reported.
    enum ReadableAction: Equatable, Sendable {
        /// Read the request (`FCGX_Accept_r`) and answer it.
        case serve
        /// nginx closed it with nothing left to read: close it at once, where libfcgi would read, shut down, wait
        /// and read again first.
        case close
        case ignore
    }

    /// What a worker does once it has answered a request.
    enum AnsweredAction: Equatable, Sendable {
        /// Watch it for nginx's next request (it is idle from now on).
        case watch
        /// Close it: nginx does not keep it, it was evicted, or the process stops.
        case close
        case ignore
    }

    /// What the acceptor does to make room.
    enum EvictAction: Equatable, Sendable {
        /// Shut its reading side, so that the wake-up goes to a worker, which closes it.
        case shutDownReading
        case ignore
    }

    /// What whoever closes it does.
    enum CloseAction: Equatable, Sendable {
        /// Close the descriptor and free the request.
        case close
        /// Already closed.
        case ignore
    }

    /// epoll reported the connection to a worker; `peerClosed`: nginx hung up and nothing is left to read.
    @inline(__always)
    mutating func readable(peerClosed: Bool) -> ReadableAction {
        switch state {
        case .awaitingFirstRequest, .idle:
            state = peerClosed ? .closed : .serving(evicted: false)
        case .evicting:
            state = peerClosed ? .closed : .serving(evicted: true)
        case .serving, .closed:
            return .ignore
        }
        return peerClosed ? .close : .serve
    }

    /// The worker answered a request; `connectionKept`: nginx asked for the connection to stay open (libfcgi
    /// closed it otherwise); `stopping`: the process is finishing, and takes no further request.
    @inline(__always)
    mutating func answered(connectionKept: Bool, stopping: Bool) -> AnsweredAction {
        guard case .serving(let evicted) = state else { return .ignore }
        if !connectionKept || evicted || stopping {
            state = .closed
            return .close
        }
        state = .idle
        return .watch
    }

    /// The acceptor wants room for a connection waiting in the listening socket's queue.
    mutating func evict() -> EvictAction {
        guard case .idle = state else { return .ignore }
        state = .evicting
        return .shutDownReading
    }

    /// The connection ends: the request could not be read, watching it failed, or the loop has ended.
    mutating func close() -> CloseAction {
        if case .closed = state { return .ignore }
        state = .closed
        return .close
    }
}
