#if canImport(Glibc)
import Glibc
#endif
import CFastCGI
import CLinux
import Synchronization
import SystemIO

/// The FastCGI request loop: a few worker threads share one epoll over the listening socket and every
/// connection nginx has open, and each takes whichever connection has a request.
///
/// With nginx's `fastcgi_keep_conn on` a connection carries one request after another. It is watched with
/// EPOLLONESHOT: once it is reported to one worker, no other sees it until that worker has answered the
/// request and watches it again, so a connection is served by one thread at a time and never waits for a
/// particular thread. A busy worker takes the next ready connection without sleeping in between, so under load
/// a click seldom has to wake a sleeping thread; more workers than CPUs would mostly sleep, and each request
/// would wake one of them. A worker reads a request only when epoll says it has arrived (nginx writes a
/// request in one piece); a connection that sends part of one and stops holds its worker until a read times
/// out (``receiveTimeoutSeconds``, per read, so a peer that trickles bytes holds it longer), and libfcgi's
/// close then waits up to 2 s more for the peer. Connections are limited to what the descriptors below 1024
/// allow (libfcgi calls `select()` when it closes one), less a reserve for the workers' spool files and redirect
/// files. At the limit, with a connection waiting in the listening socket's queue, the connection idle the
/// longest is closed to make room (``evictIdleConnection()``); when none is idle, or descriptors run out, the
/// listening socket is left unwatched for a while and further connections wait in its queue.
///
/// Shutdown never cuts a request off: workers wait in `epoll_pwait` with ``wakeSignal`` unblocked for just
/// that wait (elsewhere only in libfcgi's reads of a request that has come, and its close). SIGTERM or SIGINT,
/// taken by a signal thread, sets `stopping` and sends every worker the wake-up signal; each then stops
/// accepting, answers the requests that have already come (once per connection) and the first request of a
/// connection accepted just before (for up to ``receiveTimeoutSeconds``: nginx sends it right after
/// connecting, and would not send it again), closes connections as it finishes with them, and exits; the
/// connections left idle are closed after that.
///
/// SIGHUP reloads: the signal thread starts the program again on the same listening socket
/// (``ProcessReplacement``) and, once the new process serves, stops as on SIGTERM. Queued connections wait for
/// whichever process accepts next; nginx sends a request that finds its cached connection closed again on a
/// new one.
public final class FastCGIServer: Sendable {
    private let listenFD: Int32
    private let threadCount: Int
    private let stopping = Atomic(false)
    /// Workers and the signal thread's stop: the threads ``wakeSignal`` is sent to.
    private let wakeable = Locked<[pthread_t]>([])
    /// Open connections, by the address of their `FCGX_Request` (each allocated for its connection): counted
    /// against ``connectionLimit``, and closed when the workers are done.
    private let connections = Locked<Set<UInt>>([])
    private let log: @Sendable (String) -> Void
    /// How to start the next process at SIGHUP; nil: SIGHUP is logged and ignored.
    private let replacement: ProcessReplacement?
    private let replaced = Atomic(false)
    /// When a refused or failed accept, an eviction, and a connection left waiting at the limit were last logged
    /// (milliseconds of the coarse monotonic clock): one line of each a minute.
    private let acceptLogged = Atomic(0)
    private let evictionLogged = Atomic(0)
    private let fullLogged = Atomic(0)
    /// How many connections may be open: the descriptors below 1024, less the workers' spool files and a
    /// reserve for the redirect files, the sealer and the listening socket (1024 - 96 - threads). At the limit a
    /// connection that waits in the listening socket's queue takes the place of the one idle the longest.
    private let connectionLimit: Int
    /// Whether the listening socket is left unwatched (the limit, or the process is out of descriptors).
    private let listenPaused = Atomic(false)
    /// When it was left unwatched (milliseconds of the coarse monotonic clock): after ``pauseMilliseconds`` a
    /// worker watches it again, even if no connection closed.
    private let pausedAt = Atomic(0)
    /// Connections accepted whose first request has not been read yet: at a stop, workers wait for those
    /// (nginx sends a request right after it connects, and does not send it again on a new connection).
    private let unservedConnections = Atomic(0)

    /// Whether this process stopped because a new one took over at a reload (the socket path is now the new
    /// process's: do not unlink it).
    public var wasReplaced: Bool { replaced.load(ordering: .acquiring) }

    /// The epoll token of the listening socket; a connection's is the address of its `FCGX_Request`.
    private static let listenToken: UInt64 = 0

    /// A connection's state, kept behind its `FCGX_Request` (``connectionState(_:)``): the time it went idle
    /// (milliseconds of the coarse monotonic clock, watched for its next request, no worker has it), or one of
    /// these two.
    private static let taken = -1  // a worker has it, or its first request has not been read yet
    private static let evicting = -2  // idle, and its reading side shut to make room for a new connection
    private static let stateOffset = (MemoryLayout<FCGX_Request>.stride + MemoryLayout<Atomic<Int>>.alignment - 1)
        & ~(MemoryLayout<Atomic<Int>>.alignment - 1)

    /// How long the listening socket stays unwatched when the connections are at their limit and none is idle.
    static let pauseMilliseconds = 100

    /// The most ready connections a worker takes from one wait, then serves one after another: under load, fewer
    /// waits a click, and still few enough that the others wait no longer than a few requests.
    static let eventsPerWait = 4

    /// How long a worker waits for the rest of a request that came in part, before it closes the connection.
    static let receiveTimeoutSeconds: Int32 = 10

    /// The default number of workers: the CPUs this process may run on, at least two (so that one slow request
    /// never holds up every other).
    public static var defaultThreads: Int { max(2, Int(CLinux_available_cpus())) }

    /// Connections take descriptors below this (libfcgi's `select()` cannot take more); one above is closed.
    static let descriptorLimit = Int32(FD_SETSIZE)

    /// Makes sure this process may open what `threads` workers and their connections need: raises the soft
    /// limit of open files towards 1024 (what connections can use) if it is lower, never above the hard limit.
    /// Returns why not, when the limit stays below `threads` + `reserve` (each worker keeps a spool file open;
    /// the reserve is for the listening socket, the epoll, redirect files being read, the sealer) plus 64
    /// connections.
    public static func ensureDescriptorRoom(threads: Int, reserve: Int = 32) -> String? {
        let needed = rlim_t(threads + reserve + 64)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        let wanted = max(needed, rlim_t(descriptorLimit))
        if limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = min(wanted, limit.rlim_max)
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        if limit.rlim_cur >= needed { return nil }
        return "\(threads) worker threads need at least \(needed) open files, and the limit is \(limit.rlim_cur) "
            + "(hard limit \(limit.rlim_max)): raise it (ulimit -n; LimitNOFILE= in a systemd unit) "
            + "or give fewer --threads"
    }

    /// The signal that interrupts a worker's wait in `epoll_pwait`. Blocked everywhere else
    /// (``prepareSignals()``), so it never interrupts anything but that wait.
    static let wakeSignal = SIGUSR2

    public init(
        listenFD: Int32, threads: Int, replacement: ProcessReplacement? = nil, log: @escaping @Sendable (String) -> Void
    ) {
        self.listenFD = listenFD
        self.threadCount = max(1, threads)
        var limit = rlimit()
        let open = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0
            ? min(Int(limit.rlim_cur), Int(Self.descriptorLimit)) : Int(Self.descriptorLimit)
        self.connectionLimit = max(16, open - max(1, threads) - 96)
        self.replacement = replacement
        self.log = log
    }

    /// Blocks SIGTERM, SIGINT, SIGHUP and ``wakeSignal`` in every thread; call before starting any thread, so
    /// only the signal thread of ``run(makeHandler:whenServing:)`` receives the first three, and the wake-up
    /// signal arrives only inside a worker's wait. Also keeps libfcgi from installing its own handlers.
    public static func prepareSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGHUP)
        sigaddset(&set, wakeSignal)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
        signal(SIGUSR1, SIG_IGN)
        // A handler that does nothing: its only effect is to end the wait it interrupts with EINTR.
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(wakeSignal, &action, nil)
    }

    /// Serves until SIGTERM or SIGINT, or until a new process took over at SIGHUP, then returns once every worker
    /// has finished its request. `whenServing` runs once the workers wait for connections.
    public func run(makeHandler: @escaping @Sendable () -> RequestHandler, whenServing: () -> Void = {}) {
        run(makeWorker: { (makeHandler(), { -1 }) }, whenServing: whenServing)
    }

    /// ``run(makeHandler:whenServing:)`` with an ``IdleHandler`` per worker, which bounds each wait for a request.
    public func run(makeWorker: @escaping @Sendable () -> (RequestHandler, IdleHandler), whenServing: () -> Void = {}) {
        Self.prepareSignals()
        FCGX_Init()
        let flags = fcntl(listenFD, F_GETFL)
        _ = fcntl(listenFD, F_SETFL, flags | O_NONBLOCK)
        let epoll = CLinux_epoll_create()
        guard epoll >= 0, CLinux_epoll_watch(epoll, listenFD, Self.listenToken) == 0 else {
            log("redirectd: cannot wait for connections (epoll: \(String(cString: strerror(errno))))")
            if epoll >= 0 { close(epoll) }
            return
        }
        defer { close(epoll) }
        let tcp = Self.isTCP(listenFD)

        var workers: [pthread_t] = []
        for _ in 0..<threadCount {
            let thread = ThreadStarter.start { [self] in
                self.wakeably {
                    let (handler, idle) = makeWorker()
                    self.work(handler: handler, idle: idle, epoll: epoll, tcp: tcp)
                }
            }
            if let thread { workers.append(thread) } else { log("redirectd: cannot start a worker thread") }
        }
        let signalThread = ThreadStarter.start { [self] in self.waitForSignal() }
        whenServing()
        for worker in workers { pthread_join(worker, nil) }
        if let signalThread {
            // If the workers ended without a signal (they cannot, short of a bug), stop the signal thread too.
            pthread_kill(signalThread, SIGTERM)
            pthread_join(signalThread, nil)
        }
        // What is left is idle: no worker has it, and no request came on it while the workers finished.
        for address in connections.withLock({ $0 }) {
            if let request = UnsafeMutablePointer<FCGX_Request>(bitPattern: address) { closeConnection(request) }
        }
    }

    /// Asks the workers to finish; the same as receiving SIGTERM.
    public func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wakeAll()
    }

    /// Runs `body` with this thread in ``wakeable``: listed from before its first look at `stopping` (so a
    /// stop either finds it listed or is seen by it) until it is about to end (so no signal is sent to a
    /// thread that is gone).
    private func wakeably(_ body: () -> Void) {
        let me = pthread_self()
        wakeable.withLock { $0.append(me) }
        body()
        wakeable.withLock { list in list.removeAll { pthread_equal($0, me) != 0 } }
    }

    /// Sends ``wakeSignal`` to every worker: one in its wait returns at once, one busy elsewhere finds the
    /// signal pending when it next waits.
    private func wakeAll() {
        wakeable.withLock { list in
            for thread in list { pthread_kill(thread, Self.wakeSignal) }
        }
    }

    private func waitForSignal() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGHUP)
        var received: Int32 = 0
        while sigwait(&set, &received) == 0, received == SIGHUP, !stopping.load(ordering: .acquiring) {
            if reload() { break }
        }
        if !stopping.load(ordering: .acquiring) && !replaced.load(ordering: .acquiring) {
            log("redirectd: received signal \(received), finishing requests in progress")
        }
        stop()
    }

    /// Starts the next process on the listening socket; true once it serves and this one should stop.
    private func reload() -> Bool {
        guard let replacement else {
            log("redirectd: SIGHUP ignored: the path this program was started from is unknown, so it cannot be "
                + "started again; restart it instead")
            return false
        }
        log("redirectd: SIGHUP: starting \(replacement.executable) on the same socket")
        switch replacement.start(listenFD: listenFD) {
        case .serving(let pid):
            // Before this process ends, so that systemd follows the new one rather than counting a failure.
            ServiceNotifier.notify("MAINPID=\(pid)")
            replaced.store(true, ordering: .releasing)
            log("redirectd: reload: pid \(pid) is serving; pid \(getpid()) finishes requests in progress and exits")
            return true
        case .failed(let reason):
            log("redirectd: reload failed: \(reason); pid \(getpid()) keeps serving")
            return false
        }
    }

    /// This thread's signal mask with ``wakeSignal`` unblocked: the mask of its waits.
    private static func waitMask() -> sigset_t {
        var mask = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &mask)
        sigdelset(&mask, wakeSignal)
        return mask
    }

    /// Whether `fd` is a TCP socket (its connections then get TCP_NODELAY, as libfcgi gives those it accepts).
    private static func isTCP(_ fd: Int32) -> Bool {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let family = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        } == 0 ? Int32(address.ss_family) : -1
        return family == AF_INET || family == AF_INET6
    }

    private func work(handler: RequestHandler, idle: IdleHandler, epoll: Int32, tcp: Bool) {
        var mask = Self.waitMask()
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
                    let waiting = unservedConnections.load(ordering: .relaxed) > 0 && now < finishBy
                    timeout = waiting ? 50 : 0
                } else if listenPaused.load(ordering: .relaxed) {
                    // Under load a wait seldom times out: watch the socket again once the pause is over.
                    if Self.coarseMilliseconds() - pausedAt.load(ordering: .relaxed) >= Self.pauseMilliseconds {
                        resumeListening(epoll: epoll, force: true)
                    }
                    let pause = Int32(Self.pauseMilliseconds)
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
            guard let request = UnsafeMutablePointer<FCGX_Request>(bitPattern: UInt(token)) else { continue }
            // Taken from idle, unless it is being evicted; then wait until the evicting thread has shut it (it
            // holds `connections`), so that this worker never closes the descriptor before that.
            let state = Self.connectionState(request)
            let since = state.pointee.load(ordering: .relaxed)
            let evicted = since == Self.evicting || (since >= 0 && !state.pointee.compareExchange(
                expected: since, desired: Self.taken, ordering: .acquiring).exchanged)
            if evicted { connections.withLock { _ in } }
            // A new connection's first request is read now, or the connection closes: either way it no longer
            // waits (libfcgi sets the request id from nginx's first request, never 0).
            if request.pointee.requestId == 0 { unservedConnections.subtract(1, ordering: .relaxed) }
            // nginx closed a connection it kept (its cache had no room, or it stops): closed at once, where
            // libfcgi would read, shut down, wait and read again first.
            if hangUp != 0 && CLinux_nothing_to_read(request.pointee.ipcFd) != 0 {
                closeConnection(request, epoll: epoll)
                continue
            }
            if FCGX_Accept_r(request) < 0 {
                // nginx closed the connection (or sent what libfcgi cannot read, or stopped in the middle of a
                // request): libfcgi has closed it.
                closeConnection(request, epoll: epoll)
                continue
            }
            response.removeAll(keepingCapacity: true)
            handler(CGIParameters(entries: UnsafePointer(request.pointee.envp)), &response)
            response.withUnsafeBytes { raw in
                _ = raw.withMemoryRebound(to: CChar.self) { chars in
                    FCGX_PutStr(chars.baseAddress, Int32(chars.count), request.pointee.out)
                }
            }
            FCGX_Finish_r(request)
            // A connection nginx does not keep is closed by libfcgi; one that came in while finishing, or is being
            // evicted, is closed now that its request is answered (nginx sends the next one on another connection).
            if request.pointee.ipcFd < 0 || evicted || stopping.load(ordering: .relaxed) {
                closeConnection(request, epoll: epoll)
                continue
            }
            // Idle from now: marked before it is watched, since once watched another worker may take it.
            state.pointee.store(Self.coarseMilliseconds(), ordering: .releasing)
            if CLinux_epoll_watch(epoll, request.pointee.ipcFd, token) != 0 { closeConnection(request, epoll: epoll) }
        }
    }

    /// Accepts the connections that wait (a burst at most), watches each for its first request, then watches
    /// the listening socket again, unless the connections reached their limit or descriptors ran out (then a
    /// closing connection, or a worker a little later, watches it again). At the limit, with a connection
    /// waiting, the one idle the longest is evicted to make room.
    private func acceptConnections(epoll: Int32, tcp: Bool) {
        for _ in 0..<64 {
            if stopping.load(ordering: .relaxed) { return }  // the next process's, at a reload
            if connections.withLock({ $0.count }) >= connectionLimit {
                // Nothing waits: watched as before, and the next connection to come is dealt with then.
                guard connectionWaiting() else { break }
                // Paused first: the evicted connection's close (perhaps before the eviction returns) watches
                // the socket again.
                pauseListening()
                if evictIdleConnection() {
                    logOncePerMinute("redirectd: \(connectionLimit) connections are open, the most one process "
                        + "takes: closing the one idle longest for each new one (nginx has more open than that: lower "
                        + "worker_processes x keepalive, or run several processes)", evictionLogged)
                } else {
                    logOncePerMinute("redirectd: \(connectionLimit) connections are open, the most one process "
                        + "takes, and none is idle: new ones wait in the socket's queue (looked at again every "
                        + "\(Self.pauseMilliseconds) ms)", fullLogged)
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
            if fd >= Self.descriptorLimit {
                close(fd)
                logOncePerMinute("redirectd: refused a connection on descriptor \(fd) (libfcgi takes them below "
                    + "\(Self.descriptorLimit)): too many files are open", acceptLogged)
                continue
            }
            let request = Self.makeConnection()
            // No listening socket of its own: when the connection ends, libfcgi must not accept another in its place.
            FCGX_InitRequest(request, -1, 0)
            request.pointee.ipcFd = fd
            // Until nginx's first request says otherwise, the connection stays open between requests.
            request.pointee.keepConnection = 1
            let address = UInt(bitPattern: request)
            // Listed and counted before it is watched: a worker may take it at once.
            connections.withLock { _ = $0.insert(address) }
            unservedConnections.add(1, ordering: .relaxed)
            if CLinux_epoll_watch(epoll, fd, UInt64(address)) != 0 {
                logOncePerMinute(
                    "redirectd: cannot watch a connection: \(String(cString: strerror(errno)))", acceptLogged)
                unservedConnections.subtract(1, ordering: .relaxed)
                closeConnection(request, epoll: epoll)
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

    private func pauseListening() {
        pausedAt.store(Self.coarseMilliseconds(), ordering: .relaxed)
        listenPaused.store(true, ordering: .relaxed)
    }

    /// Whether a connection waits in the listening socket's queue.
    private func connectionWaiting() -> Bool {
        var entry = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 1
    }

    /// Makes room for a connection waiting in the queue: shuts the reading side of the connection that has been
    /// idle the longest, so the wake-up goes to a worker, which closes it. nginx reuses the connection it cached
    /// last first, so this is the one it is least likely to be sending on; a request it sent before the shutdown
    /// is still read and answered, and one it sends on a connection that turns out closed it sends again on
    /// another. Returns whether a connection was idle.
    private func evictIdleConnection() -> Bool {
        connections.withLock { open in
            // A worker may take the one found before it is marked: then look again (a few times at most).
            for _ in 0..<4 {
                var oldest: UnsafeMutablePointer<FCGX_Request>?
                var oldestSince = Int.max
                for address in open {
                    guard let request = UnsafeMutablePointer<FCGX_Request>(bitPattern: address) else { continue }
                    let since = Self.connectionState(request).pointee.load(ordering: .relaxed)
                    if since >= 0 && since < oldestSince {
                        oldest = request
                        oldestSince = since
                    }
                }
                guard let oldest else { return false }
                // Under the lock, and marked as no longer idle: no worker closes the descriptor before the shutdown.
                if Self.connectionState(oldest).pointee.compareExchange(
                    expected: oldestSince, desired: Self.evicting, ordering: .acquiring).exchanged
                {
                    shutdown(oldest.pointee.ipcFd, Int32(SHUT_RD))
                    return true
                }
            }
            return false
        }
    }

    /// Watches the listening socket again if it was left unwatched and (unless `force`, a worker's look once the
    /// pause is over: descriptors may be free again, or a connection idle) the connections are below their limit.
    private func resumeListening(epoll: Int32, force: Bool = false) {
        guard listenPaused.load(ordering: .relaxed), !stopping.load(ordering: .relaxed),
            force || connections.withLock({ $0.count }) < connectionLimit,
            listenPaused.compareExchange(expected: true, desired: false, ordering: .relaxed).exchanged
        else { return }
        watchListeningSocket(epoll: epoll)
    }

    /// Closes the connection of `request` if it is open (without waiting for nginx), and frees the request.
    /// With `epoll`, watches the listening socket again if it waited for a connection to close.
    private func closeConnection(_ request: UnsafeMutablePointer<FCGX_Request>, epoll: Int32? = nil) {
        // Closed under the lock, so an eviction never shuts a descriptor that was closed and given to another.
        connections.withLock { open in
            _ = open.remove(UInt(bitPattern: request))
            if request.pointee.ipcFd >= 0 {
                close(request.pointee.ipcFd)
                request.pointee.ipcFd = -1
            }
        }
        FCGX_Free(request, 0)
        Self.connectionState(request).deinitialize(count: 1)
        UnsafeMutableRawPointer(request).deallocate()
        if let epoll { resumeListening(epoll: epoll) }
    }

    /// A new connection's `FCGX_Request`, with its state behind it (``taken`` until its first request is read).
    private static func makeConnection() -> UnsafeMutablePointer<FCGX_Request> {
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: stateOffset + MemoryLayout<Atomic<Int>>.stride,
            alignment: max(MemoryLayout<FCGX_Request>.alignment, MemoryLayout<Atomic<Int>>.alignment))
        (raw + stateOffset).bindMemory(to: Atomic<Int>.self, capacity: 1).initialize(to: Atomic(taken))
        return raw.bindMemory(to: FCGX_Request.self, capacity: 1)
    }

    private static func connectionState(
        _ request: UnsafeMutablePointer<FCGX_Request>
    ) -> UnsafeMutablePointer<Atomic<Int>> {
        (UnsafeMutableRawPointer(request) + stateOffset).assumingMemoryBound(to: Atomic<Int>.self)
    }

    private static func coarseMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
        return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
    }

    private func logOncePerMinute(_ message: String, _ lastLogged: borrowing Atomic<Int>) {
        let now = Self.coarseMilliseconds()
        let last = lastLogged.load(ordering: .relaxed)
        if last == 0 || now - last >= 60_000, lastLogged.compareExchange(
            expected: last, desired: max(1, now), ordering: .relaxed).exchanged
        {
            log(message)
        }
    }
}

/// Starting a pthread that runs a Swift closure.
enum ThreadStarter {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    static func start(_ body: @escaping () -> Void) -> pthread_t? {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 512 * 1024)
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let rc = pthread_create(&thread, &attributes, { raw in
            guard let raw else { return nil }
            let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
            box.body()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            return nil
        }
        return thread
    }
}
