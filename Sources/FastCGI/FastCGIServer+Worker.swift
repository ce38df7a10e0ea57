import CFastCGI
import CLinux

#if canImport(Glibc)
    import Glibc
#endif

extension FastCGIServer {
    /// One worker: waits for whatever epoll reports (the listening socket, or a connection with a request),
    /// accepts or serves it, and ends once the process stops and nothing it must still answer is left.
    func work(handler: RequestHandler, idle: IdleHandler, epoll: Int32, tcp: Bool) {
        var mask = WorkerSignals.waitMask()
        // When a stopping worker gives up waiting for connections' first requests (milliseconds of the coarse
        // monotonic clock; 0: not stopping yet).
        var finishBy = 0
        // The worker's response buffer: emptied, not freed, between requests.
        var response: [UInt8] = []
        response.reserveCapacity(1024)
        // The events of the last wait, and how many of them are handled.
        var tokens = [UInt64](repeating: 0, count: Self.eventsPerWait)
        var hangUps = [Int32](repeating: 0, count: Self.eventsPerWait)
        var taken = 0
        var handled = 0
        while true {
            let finishing = stopping.load(ordering: .relaxed)
            if handled == taken {
                // Once stopping, only what is ready now (the wait returns at once), and the first request of a
                // connection accepted just before, for a while.
                var timeout = idle()
                if finishing {
                    let now = Self.coarseMilliseconds()
                    if finishBy == 0 { finishBy = now + Int(Self.receiveTimeoutSeconds) * 1000 }
                    let waiting = now < finishBy && connections.withLock { $0.awaitingFirstRequestCount } > 0
                    timeout = waiting ? 50 : 0
                } else if listenPause.isPaused {
                    // Under load a wait seldom times out: watch the socket again once the pause is over.
                    if listenPause.isOver(now: Self.coarseMilliseconds()) { resumeListening(epoll: epoll, force: true) }
                    let pause = Int32(ListeningPause.milliseconds)
                    timeout = timeout < 0 ? pause : min(timeout, pause)
                }
                let ready = CLinux_epoll_wait(
                    epoll, timeout, &mask, &tokens, &hangUps, Int32(Self.eventsPerWait))
                if ready == 0 {
                    if finishing && timeout == 0 { break }
                    continue  // the idle handler's time, or the pause's end: both are looked at before the next wait
                }
                if ready < 0 {
                    if errno == EINTR { continue }  // the wake-up signal: the loop looks at `stopping`
                    log("redirectd: waiting for a request failed: \(String(cString: strerror(errno)))")
                    break
                }
                taken = Int(ready)
                handled = 0
            }
            let token = tokens[handled]
            let hangUp = hangUps[handled]
            handled += 1
            if token == Self.listenToken {
                // While finishing the listening socket is left unwatched: its connections are the next process's.
                if !finishing { acceptConnections(epoll: epoll, tcp: tcp) }
                continue
            }
            let slot = Int(truncatingIfNeeded: token) - 1
            guard slot >= 0 && slot < connectionLimit else { continue }
            serve(slot: slot, peerHungUp: hangUp != 0, handler: handler, response: &response, epoll: epoll)
        }
    }

    /// Serves the request that came on the connection in `slot`, then leaves the connection idle and watched for
    /// the next one, or closes it. Inlined: it is the click path.
    @inline(__always)
    private func serve(
        slot: Int, peerHungUp: Bool, handler: RequestHandler, response: inout [UInt8], epoll: Int32
    ) {
        let request = requests + slot
        // nginx closed a connection it kept (its cache had no room, or it stops): closed at once. The descriptor
        // is this worker's to look at: epoll reports a connection to one worker, and only that worker closes it.
        let peerClosed = peerHungUp && CLinux_nothing_to_read(request.pointee.ipcFd) != 0
        switch connections.withLock({ $0.readable(slot, peerClosed: peerClosed) }) {
        case .serve: break
        case .close: return closeConnection(slot, epoll: epoll)
        case .ignore: return
        }
        if FCGX_Accept_r(request) < 0 {
            // nginx closed the connection (or sent what libfcgi cannot read, or stopped in the middle of a
            // request): libfcgi has closed it.
            return closeConnection(slot, epoll: epoll)
        }
        response.removeAll(keepingCapacity: true)
        handler(CGIParameters(entries: UnsafePointer(request.pointee.envp)), &response)
        response.withUnsafeBytes { raw in
            _ = raw.withMemoryRebound(to: CChar.self) { chars in
                FCGX_PutStr(chars.baseAddress, Int32(chars.count), request.pointee.out)
            }
        }
        FCGX_Finish_r(request)
        // libfcgi closes a connection nginx does not keep.
        let kept = request.pointee.ipcFd >= 0
        let stopping = stopping.load(ordering: .relaxed)
        switch connections.withLock({ $0.answered(slot, connectionKept: kept, stopping: stopping) }) {
        case .watch:
            // Idle from now (marked before it is watched, since once watched another worker may take it).
            if CLinux_epoll_watch(epoll, request.pointee.ipcFd, UInt64(slot + 1)) != 0 {
                closeConnection(slot, epoll: epoll)
            }
        case .close:
            // One that came in while finishing, or is being evicted, is closed now that its request is answered
            // (nginx sends the next one on another connection).
            closeConnection(slot, epoll: epoll)
        case .ignore:
            break
        }
    }
}
