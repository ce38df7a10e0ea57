import CFastCGI
import CLinux
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Accepting connections, and what happens at the connection limit.
///
/// Connections are limited to what the descriptors below 1024 allow (``FileDescriptorLimit``). At the limit, with
/// a connection waiting in the listening socket's queue, the connection idle the longest is closed to make room
/// (``evictIdleConnection()``); when none is idle, or descriptors run out, the listening socket is left unwatched
/// for a while (``ListeningPause``) and further connections wait in its queue.
extension FastCGIServer {
    /// Accepts the connections that wait (a burst at most), watches each for its first request, then watches
    /// the listening socket again, unless the connections reached their limit or descriptors ran out (then a
    /// closing connection, or a worker a little later, watches it again). At the limit, with a connection
    /// waiting, the one idle the longest is evicted to make room.
    func acceptConnections(epoll: Int32, tcp: Bool) {
        for _ in 0..<64 {
            if stopping.load(ordering: .relaxed) { return }  // the next process's, at a reload
            if connections.withLock({ $0.openCount }) >= connectionLimit {
                // Nothing waits: watched as before, and the next connection to come is dealt with then.
                guard connectionWaiting() else { break }
                // Paused first: the evicted connection's close (perhaps before the eviction returns) watches
                // the socket again.
                pauseListening()
                if evictIdleConnection() {
                    logOncePerMinute(
                        "redirectd: \(connectionLimit) connections are open, the most one process "
                            + "takes: closing the one idle longest for each new one (nginx has more open than that: lower "
                            + "worker_processes x keepalive, or run several processes)", evictionLogged)
                } else {
                    logOncePerMinute(
                        "redirectd: \(connectionLimit) connections are open, the most one process "
                            + "takes, and none is idle: new ones wait in the socket's queue (looked at again every "
                            + "\(ListeningPause.milliseconds) ms)", fullLogged)
                }
                return
            }
            let fd = CLinux_accept_connection(listenFD, tcp ? 1 : 0, Self.receiveTimeoutSeconds)
            if fd < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK: break
                case EINTR, ECONNABORTED, EPROTO: continue
                default:
                    // Out of descriptors or memory: the connection stays queued.
                    logOncePerMinute(
                        "redirectd: accepting a connection failed: \(String(cString: strerror(errno)))", acceptLogged)
                    pauseListening()
                    return
                }
                break
            }
            let descriptorLimit = FileDescriptorLimit.connectionDescriptorLimit
            if fd >= descriptorLimit {
                close(fd)
                logOncePerMinute(
                    "redirectd: refused a connection on descriptor \(fd) (libfcgi takes them below "
                        + "\(descriptorLimit)): too many files are open", acceptLogged)
                continue
            }
            // Counted before it is watched: a worker may take it at once. Below the limit, so a slot is free.
            guard let slot = connections.withLock({ $0.open(descriptor: fd) }) else {
                close(fd)
                continue
            }
            let request = requests + slot
            // No listening socket of its own: when the connection ends, libfcgi must not accept another in its place.
            FCGX_InitRequest(request, -1, 0)
            request.pointee.ipcFd = fd
            // Until nginx's first request says otherwise, the connection stays open between requests.
            request.pointee.keepConnection = 1
            if CLinux_epoll_watch(epoll, fd, UInt64(slot + 1)) != 0 {
                logOncePerMinute(
                    "redirectd: cannot watch a connection: \(String(cString: strerror(errno)))", acceptLogged)
                closeConnection(slot, epoll: epoll)
            }
        }
        watchListeningSocket(epoll: epoll)
    }

    private func watchListeningSocket(epoll: Int32) {
        if CLinux_epoll_watch(epoll, listenFD, Self.listenToken) != 0 {
            logOncePerMinute(
                "redirectd: cannot watch the listening socket: \(String(cString: strerror(errno)))", acceptLogged)
            pauseListening()  // a worker tries again after the pause
        }
    }

    private func pauseListening() { listenPause.begin(now: Self.coarseMilliseconds()) }

    /// Whether a connection waits in the listening socket's queue.
    private func connectionWaiting() -> Bool {
        var entry = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 1
    }

    /// Makes room for a connection waiting in the queue: shuts the reading side of the connection that has been
    /// idle the longest (the oldest on the table's ``IdleConnectionQueue``), so the wake-up goes to a worker,
    /// which closes it. nginx reuses the connection it cached last first, so this is the one it is least likely
    /// to be sending on; a request it sent before the shutdown is still read and answered, and one it sends on a
    /// connection that turns out closed it sends again on another. Returns whether a connection was idle.
    private func evictIdleConnection() -> Bool {
        // Under the lock: no worker closes the descriptor before the shutdown.
        connections.withLock { table in
            guard let fd = table.evictOldestIdle() else { return false }
            shutdown(fd, Int32(SHUT_RD))
            return true
        }
    }

    /// Watches the listening socket again if it was left unwatched and (unless `force`, a worker's look once the
    /// pause is over: descriptors may be free again, or a connection idle) the connections are below their limit.
    func resumeListening(epoll: Int32, force: Bool = false) {
        guard listenPause.isPaused, !stopping.load(ordering: .relaxed),
            force || connections.withLock({ $0.openCount }) < connectionLimit, listenPause.end()
        else { return }
        watchListeningSocket(epoll: epoll)
    }

    /// Closes the connection in `slot` if it is open (without waiting for nginx), and frees its request.
    /// With `epoll`, watches the listening socket again if it waited for a connection to close.
    func closeConnection(_ slot: Int, epoll: Int32? = nil) {
        let request = requests + slot
        // Freed before the slot is, so that an accept never initialises a request still being freed.
        FCGX_Free(request, 0)
        // Closed under the lock, so an eviction never shuts a descriptor that was closed and given to another.
        connections.withLock { table in
            guard table.close(slot), request.pointee.ipcFd >= 0 else { return }
            close(request.pointee.ipcFd)
            request.pointee.ipcFd = -1
        }
        if let epoll { resumeListening(epoll: epoll) }
    }
}
