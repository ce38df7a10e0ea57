import CFastCGI
import CLinux
import Synchronization
import SystemIO

#if canImport(Glibc)
    import Glibc
#endif

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
/// close then waits up to 2 s more for the peer.
///
/// Where things live: each connection's state is a ``FastCGIConnectionState`` in the ``FastCGIConnectionTable``
/// (with the idle ones on an ``IdleConnectionQueue``); the worker loop is in `FastCGIServer+Worker.swift`; accepting,
/// eviction at the limit (``FileDescriptorLimit``) and pausing the listening socket in `FastCGIServer+Accept.swift`;
/// signals in ``WorkerSignals`` and ``ReloadHandOver``.
///
/// Shutdown never cuts a request off: workers wait in `epoll_pwait` with ``WorkerSignals/wake`` unblocked for
/// just that wait (elsewhere only in libfcgi's reads of a request that has come, and its close). SIGTERM or SIGINT,
/// taken by the signal thread, sets `stopping` and sends every worker the wake-up signal; each then stops
/// accepting, answers the requests that have already come (once per connection) and the first request of a
/// connection accepted just before (for up to ``receiveTimeoutSeconds``: nginx sends it right after
/// connecting, and would not send it again), closes connections as it finishes with them, and exits; the
/// connections left idle are closed after that. SIGHUP reloads (``ReloadHandOver``), then stops as on SIGTERM.
public final class FastCGIServer: Sendable {
    let listenFD: Int32
    private let threadCount: Int
    let stopping = Atomic(false)
    /// Workers and the signal thread's stop: the threads ``WorkerSignals/wake`` is sent to.
    private let wakeable = Locked<[pthread_t]>([])
    /// Every open connection's state, and the idle ones in the order they went idle. Taken twice a request (a
    /// worker takes a connection, then leaves it idle) for a few instructions, and around an accept, an eviction's
    /// `shutdown` and a `close`.
    let connections: Locked<FastCGIConnectionTable>
    /// Each connection slot's `FCGX_Request`, allocated once: a request is used by one thread at a time (the
    /// acceptor until the connection is watched, then the worker epoll reports it to), never freed while its slot
    /// is open, and its slot is not reused before it is freed.
    nonisolated(unsafe) let requests: UnsafeMutablePointer<FCGX_Request>
    let log: @Sendable (String) -> Void
    private let handOver: ReloadHandOver
    /// One line a minute of each: a refused or failed accept, an eviction, a connection left waiting at the limit.
    let acceptLogged = OncePerMinute()
    let evictionLogged = OncePerMinute()
    let fullLogged = OncePerMinute()
    /// How many connections may be open (``FileDescriptorLimit/connectionLimit(threads:)``). At the limit a
    /// connection that waits in the listening socket's queue takes the place of the one idle the longest.
    let connectionLimit: Int
    /// Whether the listening socket is left unwatched (the limit, or the process is out of descriptors).
    let listenPause = ListeningPause()

    /// Whether this process stopped because a new one took over at a reload (the socket path is now the new
    /// process's: do not unlink it).
    public var wasReplaced: Bool { handOver.wasReplaced }

    /// The epoll token of the listening socket; a connection's is its slot in ``connections`` plus one.
    static let listenToken: UInt64 = 0

    /// The most ready connections a worker takes from one wait, then serves one after another: under load, fewer
    /// waits a click, and still few enough that the others wait no longer than a few requests.
    static let eventsPerWait = 4

    /// How long a worker waits for the rest of a request that came in part, before it closes the connection.
    static let receiveTimeoutSeconds: Int32 = 10

    /// The default number of workers: the CPUs this process may run on, at least two (so that one slow request
    /// never holds up every other).
    public static var defaultThreads: Int { max(2, Int(CLinux_available_cpus())) }

    /// Makes sure this process may open what `threads` workers and their connections need
    /// (``FileDescriptorLimit/ensureRoom(threads:reserve:)``); returns why not.
    public static func ensureDescriptorRoom(threads: Int, reserve: Int = 32) -> String? {
        FileDescriptorLimit.ensureRoom(threads: threads, reserve: reserve)
    }

    public init(
        listenFD: Int32, threads: Int, replacement: ProcessReplacement? = nil, log: @escaping @Sendable (String) -> Void
    ) {
        self.listenFD = listenFD
        self.threadCount = max(1, threads)
        connectionLimit = FileDescriptorLimit.connectionLimit(threads: threads)
        connections = Locked(FastCGIConnectionTable(capacity: connectionLimit))
        requests = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: connectionLimit)
        handOver = ReloadHandOver(listenFD: listenFD, replacement: replacement, log: log)
        self.log = log
    }

    deinit { requests.deallocate() }

    /// Sets the signal mask every thread inherits (``WorkerSignals/prepare()``); call before starting any thread.
    public static func prepareSignals() { WorkerSignals.prepare() }

    /// Serves until SIGTERM or SIGINT, or until a new process took over at SIGHUP, then returns once every worker
    /// has finished its request. `whenServing` runs once the workers wait for connections.
    public func run(makeHandler: @escaping @Sendable () -> RequestHandler, whenServing: () -> Void = {}) {
        run(makeWorker: { (makeHandler(), { -1 }) }, whenServing: whenServing)
    }

    /// ``run(makeHandler:whenServing:)`` with an ``IdleHandler`` per worker, which bounds each wait for a request.
    public func run(makeWorker: @escaping @Sendable () -> (RequestHandler, IdleHandler), whenServing: () -> Void = {}) {
        WorkerSignals.prepare()
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
        let signalThread = ThreadStarter.start { [self] in
            self.handOver.waitForStop { self.stopping.load(ordering: .acquiring) }
            self.stop()
        }
        whenServing()
        for worker in workers { pthread_join(worker, nil) }
        if let signalThread {
            // If the workers ended without a signal (they cannot, short of a bug), stop the signal thread too.
            pthread_kill(signalThread, SIGTERM)
            pthread_join(signalThread, nil)
        }
        // What is left is idle: no worker has it, and no request came on it while the workers finished.
        for slot in connections.withLock({ $0.openSlots }) { closeConnection(slot) }
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

    /// Sends ``WorkerSignals/wake`` to every worker: one in its wait returns at once, one busy elsewhere finds the
    /// signal pending when it next waits.
    private func wakeAll() {
        wakeable.withLock { list in
            for thread in list { pthread_kill(thread, WorkerSignals.wake) }
        }
    }

    /// Whether `fd` is a TCP socket (its connections then get TCP_NODELAY, as libfcgi gives those it accepts).
    private static func isTCP(_ fd: Int32) -> Bool {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let family =
            withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            } == 0 ? Int32(address.ss_family) : -1
        return family == AF_INET || family == AF_INET6
    }

    static func coarseMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
        return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
    }

    func logOncePerMinute(_ message: String, _ limit: OncePerMinute) {
        if limit.allows(now: Self.coarseMilliseconds()) { log(message) }
    }
}
