#if canImport(Glibc)
import Glibc
#endif
import CFastCGI
import Synchronization

/// The FastCGI request loop: worker threads on one listening socket, each calling `FCGX_Accept_r`.
///
/// There is no accept mutex: on Linux the kernel hands each connection to one waiting thread, and with
/// nginx's `fastcgi_keep_conn on` a thread stays on its connection, so a shared lock would stall the rest.
/// One thread serves one kept-alive nginx connection at a time: give at least as many threads as nginx
/// workers × upstream `keepalive`, plus headroom.
///
/// Shutdown never cuts a request off: workers never block inside libfcgi. Each waits in `poll` on its
/// connection (or the listening socket) and a wake-up descriptor; SIGTERM or SIGINT, taken by a signal
/// thread, makes the wake-up descriptor readable, and each worker finishes the request it has, closes its
/// connection and exits.
public final class FastCGIServer: Sendable {
    private let listenFD: Int32
    private let threadCount: Int
    /// Read and write ends of a pipe: one byte written on stop keeps it readable for every worker.
    private let wakeFD: Int32
    private let wakeWriteFD: Int32
    private let stopping = Atomic(false)
    private let log: @Sendable (String) -> Void

    public init(listenFD: Int32, threads: Int, log: @escaping @Sendable (String) -> Void) {
        self.listenFD = listenFD
        self.threadCount = max(1, threads)
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        }
        self.wakeFD = ends[0]
        self.wakeWriteFD = ends[1]
        self.log = log
    }

    /// Blocks SIGTERM and SIGINT in every thread; call before starting any thread, so only the signal
    /// thread of ``run(makeHandler:)`` receives them. Also keeps libfcgi from installing its own handlers.
    public static func prepareSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
        signal(SIGUSR1, SIG_IGN)
    }

    /// Serves until SIGTERM or SIGINT, then returns once every worker has finished its request.
    public func run(makeHandler: @escaping @Sendable () -> RequestHandler) {
        Self.prepareSignals()
        FCGX_Init()
        let flags = fcntl(listenFD, F_GETFL)
        _ = fcntl(listenFD, F_SETFL, flags | O_NONBLOCK)

        var workers: [pthread_t] = []
        for _ in 0..<threadCount {
            let thread = ThreadStarter.start { [self] in self.work(handler: makeHandler()) }
            if let thread { workers.append(thread) } else { log("redirectd: cannot start a worker thread") }
        }
        let signalThread = ThreadStarter.start { [self] in self.waitForSignal() }
        for worker in workers { pthread_join(worker, nil) }
        if let signalThread {
            // If the workers ended without a signal (they cannot, short of a bug), stop the signal thread too.
            pthread_kill(signalThread, SIGTERM)
            pthread_join(signalThread, nil)
        }
    }

    /// Asks the workers to finish; the same as receiving SIGTERM.
    public func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var one: UInt8 = 1
        _ = write(wakeWriteFD, &one, 1)
    }

    private func waitForSignal() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        var received: Int32 = 0
        sigwait(&set, &received)
        if !stopping.load(ordering: .acquiring) {
            log("redirectd: received signal \(received), finishing requests in progress")
        }
        stop()
    }

    /// How long a connection may wait in the listen queue, while this worker idles on a kept-alive
    /// connection, before the worker gives that connection up to take the waiting one.
    static let starvationMilliseconds: Int32 = 10

    private func work(handler: RequestHandler) {
        var request = FCGX_Request()
        FCGX_InitRequest(&request, listenFD, 0)
        let readable = Int16(POLLIN)
        // [own connection or listening socket, wake-up, listening socket while on a kept-alive connection]
        var fds = [
            pollfd(fd: -1, events: readable, revents: 0), pollfd(fd: wakeFD, events: readable, revents: 0),
            pollfd(fd: listenFD, events: readable, revents: 0),
        ]
        while !stopping.load(ordering: .relaxed) {
            let kept = request.ipcFd >= 0
            fds[0].fd = kept ? request.ipcFd : listenFD
            fds[0].revents = 0
            fds[1].revents = 0
            fds[2].revents = 0
            if poll(&fds, kept ? 3 : 2, -1) < 0 {
                if errno == EINTR { continue }
                log("redirectd: poll failed: \(String(cString: strerror(errno)))")
                break
            }
            if fds[0].revents == 0 {
                if fds[1].revents != 0 { break }  // the wake-up descriptor: shut down
                // A new connection waits while we idle on a kept-alive one. nginx may have opened more
                // connections than there are threads; if no free worker takes it soon, it would wait
                // forever behind idle connections. Give ours up (nginx retries a request on a cached
                // connection that closed) and take the waiting one.
                releaseIdleConnectionIfStarving(&request)
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
            let envp = request.envp
            let response = handler { name in
                FCGX_GetParam(name, envp).map { String(cString: $0) }
            }
            response.withUnsafeBytes { raw in
                _ = raw.withMemoryRebound(to: CChar.self) { chars in
                    FCGX_PutStr(chars.baseAddress, Int32(chars.count), request.out)
                }
            }
            FCGX_Finish_r(&request)
        }
        if request.ipcFd >= 0 { FCGX_Free(&request, 1) }
    }

    /// Waits briefly for a request on the kept-alive connection; if none comes and a connection still
    /// waits in the listen queue, closes the kept-alive connection. Returns true if it did.
    @discardableResult
    private func releaseIdleConnectionIfStarving(_ request: inout FCGX_Request) -> Bool {
        let readable = Int16(POLLIN)
        var mine = [pollfd(fd: request.ipcFd, events: readable, revents: 0), pollfd(fd: wakeFD, events: readable, revents: 0)]
        if poll(&mine, 2, Self.starvationMilliseconds) != 0 { return false }  // a request came, or shutdown
        var queue = pollfd(fd: listenFD, events: readable, revents: 0)
        guard poll(&queue, 1, 0) == 1 else { return false }  // another worker took it
        FCGX_Free(&request, 1)
        return true
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
