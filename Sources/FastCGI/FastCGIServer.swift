#if canImport(Glibc)
import Glibc
#endif
import CFastCGI
import CLinux
import Synchronization
import SystemIO

/// The FastCGI request loop: worker threads on one listening socket, each calling `FCGX_Accept_r`.
///
/// There is no accept mutex: on Linux the kernel hands each connection to one waiting thread, and with
/// nginx's `fastcgi_keep_conn on` a thread stays on its connection, so a shared lock would stall the rest.
/// One thread serves one kept-alive nginx connection at a time: give at least as many threads as nginx
/// workers × upstream `keepalive`, plus headroom.
///
/// Shutdown never cuts a request off: workers never block inside libfcgi. Each waits in `ppoll` on its
/// connection (or, without one, in `epoll_pwait` on the listening socket; in `ppoll` if its epoll could not be
/// made) with ``wakeSignal`` unblocked for just that wait;
/// SIGTERM or SIGINT, taken by a signal thread, sets `stopping` and sends every worker the wake-up signal,
/// and each finishes the request it has, closes its connection and exits.
///
/// Idle workers wait for a new connection each through an epoll of its own that watches the listening socket
/// with EPOLLEXCLUSIVE, so a connection wakes one of them, as a blocking `accept` would; with a plain `poll` on
/// the socket, every idle worker would wake for each connection and all but one would find nothing to accept.
///
/// The wait of a worker on a kept-alive connection covers that connection alone, so the hot path touches
/// no descriptor shared between threads. A monitor thread watches the listening socket instead: when a
/// connection has waited there for ``starvationMilliseconds`` (nginx opened more connections than free
/// threads), it sends the wake-up signal to the workers that idled on a kept-alive connection all that time;
/// each closes its connection unless a request has come on it or the queue is empty by then, and goes back to
/// wait on the listening socket, where one of the free workers takes the waiting connection (see
/// `releaseIdleConnectionIfStarving`). A worker that served a request during the look keeps its connection:
/// under a burst nginx keeps more connections waiting than there are threads, and the queue then moves as
/// nginx closes the connections its cache has no room for.
///
/// SIGHUP reloads: the signal thread starts the program again on the same listening socket
/// (``ProcessReplacement``) and, once the new process serves, stops as on SIGTERM. Queued connections wait for
/// whichever process accepts next; a worker closes its kept-alive connection only between requests, and nginx
/// sends a request that finds its cached connection closed again on a new one.
public final class FastCGIServer: Sendable {
    private let listenFD: Int32
    private let threadCount: Int
    private let stopping = Atomic(false)
    /// Bumped by the monitor each time a connection has waited too long in the listen queue.
    private let starvationAlerts = Atomic(0)
    /// A running worker (or the monitor), and its waits on a kept-alive connection.
    private final class Waiter: Sendable {
        let thread = pthread_self()
        /// Odd while the worker is idle on a kept-alive connection (waiting, or doing its idle housekeeping
        /// between waits), even otherwise; each idle spell has a new number, so the monitor can tell a worker
        /// that idled through a whole starvation time.
        let idleWait = Atomic(0)
        /// `idleWait` as the monitor read it at the start of its current look (the monitor's alone).
        let idleWaitSeen = Atomic(0)
    }

    /// Workers and the monitor that may be sent ``wakeSignal``: each is listed while it runs.
    private let wakeable = Locked<[Waiter]>([])
    private let log: @Sendable (String) -> Void
    /// How to start the next process at SIGHUP; nil: SIGHUP is logged and ignored.
    private let replacement: ProcessReplacement?
    private let replaced = Atomic(false)
    /// Whether a worker has logged that it could not make its epoll (logged once, not per worker).
    private let epollWarned = Atomic(false)

    /// Whether this process stopped because a new one took over at a reload (the socket path is now the new
    /// process's: do not unlink it).
    public var wasReplaced: Bool { replaced.load(ordering: .acquiring) }

    /// Descriptors a worker may hold at once: its kept-alive connection, its spool file, and the epoll it waits
    /// on while it has no connection.
    public static let descriptorsPerWorker = 3

    /// Makes sure this process may open what `threads` workers hold, plus `reserve` for the rest (the listening
    /// socket, redirect files being read, standard descriptors, the sealer): raises the soft limit of open
    /// files if it is lower (never above the hard limit). Returns why not, when the limit stays too low.
    public static func ensureDescriptorRoom(threads: Int, reserve: Int = 32) -> String? {
        let needed = rlim_t(threads * descriptorsPerWorker + reserve)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < needed else { return nil }
        if limit.rlim_max >= needed {
            var raised = limit
            raised.rlim_cur = needed
            if setrlimit(resource, &raised) == 0 { return nil }
        }
        return "\(threads) worker threads need up to \(needed) open files, and the limit is \(limit.rlim_cur) "
            + "(hard limit \(limit.rlim_max)): raise it (ulimit -n; LimitNOFILE= in a systemd unit) "
            + "or give fewer --threads"
    }

    /// The signal that interrupts a worker's wait (`ppoll` or `epoll_pwait`). Blocked everywhere else
    /// (``prepareSignals()``), so it never interrupts anything but that wait.
    static let wakeSignal = SIGUSR2

    public init(
        listenFD: Int32, threads: Int, replacement: ProcessReplacement? = nil, log: @escaping @Sendable (String) -> Void
    ) {
        self.listenFD = listenFD
        self.threadCount = max(1, threads)
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

        var workers: [pthread_t] = []
        for _ in 0..<threadCount {
            let thread = ThreadStarter.start { [self] in
                self.wakeably { me in
                    let (handler, idle) = makeWorker()
                    self.work(handler: handler, idle: idle, as: me)
                }
            }
            if let thread { workers.append(thread) } else { log("redirectd: cannot start a worker thread") }
        }
        let monitor = ThreadStarter.start { [self] in self.wakeably { _ in self.monitorListenQueue() } }
        let signalThread = ThreadStarter.start { [self] in self.waitForSignal() }
        whenServing()
        for worker in workers { pthread_join(worker, nil) }
        // The monitor runs until a stop; if the workers ended without one (they cannot, short of a bug), stop it.
        stop()
        if let monitor { pthread_join(monitor, nil) }
        if let signalThread {
            // If the workers ended without a signal (they cannot, short of a bug), stop the signal thread too.
            pthread_kill(signalThread, SIGTERM)
            pthread_join(signalThread, nil)
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
    private func wakeably(_ body: (Waiter) -> Void) {
        let me = Waiter()
        wakeable.withLock { $0.append(me) }
        body(me)
        wakeable.withLock { list in list.removeAll { $0 === me } }
    }

    /// Sends ``wakeSignal`` to every worker and the monitor: one in its wait returns at once, one busy
    /// elsewhere finds the signal pending when it next waits.
    private func wakeAll() {
        wakeable.withLock { list in
            for waiter in list { pthread_kill(waiter.thread, Self.wakeSignal) }
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

    /// How long a connection may wait in the listen queue, while this worker idles on a kept-alive
    /// connection, before the worker gives that connection up to take the waiting one.
    static let starvationMilliseconds: Int32 = 10

    /// This thread's signal mask with ``wakeSignal`` unblocked: the mask of its waits.
    private static func waitMask() -> sigset_t {
        var mask = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &mask)
        sigdelset(&mask, wakeSignal)
        return mask
    }

    /// `ppoll` with ``wakeSignal`` unblocked for the wait; `milliseconds` < 0 waits without a limit.
    /// Returns what `ppoll` returns (-1 with EINTR: woken by the signal).
    private static func wait(_ fds: inout pollfd, milliseconds: Int32, mask: inout sigset_t) -> Int32 {
        if milliseconds < 0 { return CLinux_ppoll(&fds, 1, nil, &mask) }
        var timeout = timespec(tv_sec: Int(milliseconds / 1000), tv_nsec: Int(milliseconds % 1000) * 1_000_000)
        return CLinux_ppoll(&fds, 1, &timeout, &mask)
    }

    private func work(handler: RequestHandler, idle: IdleHandler, as me: Waiter) {
        var request = FCGX_Request()
        FCGX_InitRequest(&request, listenFD, 0)
        var mask = Self.waitMask()
        var alertsSeen = starvationAlerts.load(ordering: .relaxed)
        // Our kept-alive connection, or the listening socket when we have none.
        var fd = pollfd(fd: -1, events: Int16(POLLIN), revents: 0)
        var drained = false
        // This worker's `idleWait`.
        var idleWait = 0
        // Where this worker waits while it has no connection; without it (no epoll), it polls the socket.
        let listenWait = CLinux_exclusive_epoll(listenFD)
        defer { if listenWait >= 0 { close(listenWait) } }
        if listenWait < 0 && !epollWarned.exchange(true, ordering: .relaxed) {
            log("redirectd: cannot make an epoll (\(String(cString: strerror(errno)))); workers without a connection "
                + "poll the listening socket, and each new connection wakes all of them")
        }
        // The worker's response buffer: emptied, not freed, between requests.
        var response: [UInt8] = []
        response.reserveCapacity(1024)
        while !stopping.load(ordering: .relaxed) || Self.requestWaiting(on: request.ipcFd, drained: &drained) {
            let kept = request.ipcFd >= 0
            fd.fd = kept ? request.ipcFd : listenFD
            fd.revents = 0
            if kept && idleWait & 1 == 0 {
                // An idle spell on the connection begins; the idle handler's timeouts do not end it.
                idleWait += 1
                me.idleWait.store(idleWait, ordering: .relaxed)
            }
            // While draining, the request is there already; a pending wake-up signal must not end the wait.
            let ready =
                if drained { Int32(1) }
                else if !kept && listenWait >= 0 { CLinux_epoll_wait_one(listenWait, idle(), &mask) }
                else { Self.wait(&fd, milliseconds: idle(), mask: &mask) }
            if ready == 0 { continue }  // the idle handler's time: it runs again before the next wait
            let spell = idleWait
            if kept {
                idleWait += 1
                me.idleWait.store(idleWait, ordering: .relaxed)
            }
            if ready < 0 {
                guard errno == EINTR else {
                    log("redirectd: waiting for a request failed: \(String(cString: strerror(errno)))")
                    break
                }
                // The wake-up signal: shut down (the loop condition), or a connection waits too long. The alert
                // is for this worker only if the monitor's look began during this idle spell (a signal sent just
                // as a request came stays pending until the next wait, which is a new spell).
                let alerts = starvationAlerts.load(ordering: .relaxed)
                if kept && alerts != alertsSeen && !stopping.load(ordering: .relaxed)
                    && me.idleWaitSeen.load(ordering: .relaxed) == spell
                {
                    // nginx may have opened more connections than there are threads; if no free worker
                    // takes the waiting one soon, it would wait forever behind idle connections. Give ours
                    // up (nginx retries a request on a cached connection that closed) and take it.
                    releaseIdleConnectionIfStarving(&request)
                }
                alertsSeen = alerts
                continue
            }
            let rc = FCGX_Accept_r(&request)
            if rc < 0 {
                // Another thread took the connection, or the kept-alive peer went away: wait again.
                if rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -ECONNABORTED || rc == -EINTR { continue }
                if stopping.load(ordering: .relaxed) { break }
                log("redirectd: accept failed: \(String(cString: strerror(-rc)))")
                usleep(10_000)
                continue
            }
            response.removeAll(keepingCapacity: true)
            handler(CGIParameters(entries: UnsafePointer(request.envp)), &response)
            response.withUnsafeBytes { raw in
                _ = raw.withMemoryRebound(to: CChar.self) { chars in
                    FCGX_PutStr(chars.baseAddress, Int32(chars.count), request.out)
                }
            }
            FCGX_Finish_r(&request)
        }
        if request.ipcFd >= 0 { FCGX_Free(&request, 1) }
    }

    /// At a stop, whether nginx already sent a request on the kept-alive connection `fd`, checked once per worker:
    /// serving it, rather than closing the connection under it, spares nginx a retry. A request sent after this
    /// look finds the connection closed, and nginx sends it again on another.
    private static func requestWaiting(on fd: Int32, drained: inout Bool) -> Bool {
        guard fd >= 0, !drained else { return false }
        drained = true
        var input = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&input, 1, 0) == 1 && input.revents & Int16(POLLIN) != 0
    }

    /// Unless a request has just come on the kept-alive connection, or no connection waits in the listen queue
    /// any more, closes the kept-alive connection. Returns true if it did.
    @discardableResult
    private func releaseIdleConnectionIfStarving(_ request: inout FCGX_Request) -> Bool {
        var mine = pollfd(fd: request.ipcFd, events: Int16(POLLIN), revents: 0)
        if poll(&mine, 1, 0) != 0 { return false }
        var queue = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
        guard poll(&queue, 1, 0) == 1 else { return false }  // another worker took it
        FCGX_Free(&request, 1)
        return true
    }

    /// Watches the listen queue for connections that no free worker takes, and alerts the workers.
    private func monitorListenQueue() {
        var mask = Self.waitMask()
        var queue = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
        while !stopping.load(ordering: .relaxed) {
            queue.revents = 0
            if Self.wait(&queue, milliseconds: -1, mask: &mask) < 0 {
                if errno == EINTR { continue }
                log("redirectd: poll failed: \(String(cString: strerror(errno)))")
                return
            }
            // A connection waits. A free worker normally takes it at once; give it the starvation time,
            // which also paces this loop while the queue is busy.
            wakeable.withLock { list in
                for waiter in list {
                    waiter.idleWaitSeen.store(waiter.idleWait.load(ordering: .relaxed), ordering: .relaxed)
                }
            }
            var none = pollfd(fd: -1, events: 0, revents: 0)
            _ = Self.wait(&none, milliseconds: Self.starvationMilliseconds, mask: &mask)
            queue.revents = 0
            if !stopping.load(ordering: .relaxed), poll(&queue, 1, 0) == 1 {
                // Only workers that idled on a kept-alive connection all this time can help; those serving
                // requests are not disturbed. One that turned idle meanwhile is found by the next look.
                starvationAlerts.add(1, ordering: .relaxed)
                wakeable.withLock { list in
                    for waiter in list {
                        let wait = waiter.idleWait.load(ordering: .relaxed)
                        if wait & 1 == 1 && wait == waiter.idleWaitSeen.load(ordering: .relaxed) {
                            pthread_kill(waiter.thread, Self.wakeSignal)
                        }
                    }
                }
            }
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
