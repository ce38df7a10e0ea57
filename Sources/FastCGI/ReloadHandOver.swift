import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The signal thread's work: SIGTERM or SIGINT stop the loop; SIGHUP hands the listening socket to a new process
/// (``ProcessReplacement``) and stops this one once the new one serves.
///
/// Queued connections wait for whichever process accepts next; nginx sends a request that finds its cached
/// connection closed again on a new one, so no click is lost at the hand-over.
final class ReloadHandOver: Sendable {
    private let listenFD: Int32
    /// How to start the next process; nil: SIGHUP is logged and ignored.
    private let replacement: ProcessReplacement?
    private let log: @Sendable (String) -> Void
    private let replaced = Atomic(false)

    init(listenFD: Int32, replacement: ProcessReplacement?, log: @escaping @Sendable (String) -> Void) {
        self.listenFD = listenFD
        self.replacement = replacement
        self.log = log
    }

    /// Whether a new process took over (the socket path is now the new process's: do not unlink it).
    var wasReplaced: Bool { replaced.load(ordering: .acquiring) }

    /// Waits for signals (blocked by ``WorkerSignals/prepare()``) until one means stop, or a reload hands over;
    /// `isStopping` says whether a stop was asked for otherwise (then a SIGTERM sent to end this wait is not
    /// logged as one received).
    func waitForStop(isStopping: () -> Bool) {
        var set = WorkerSignals.stopAndReload
        var received: Int32 = 0
        while sigwait(&set, &received) == 0, received == SIGHUP, !isStopping() {
            if reload() { return }
        }
        if !isStopping() {
            log("redirectd: received signal \(received), finishing requests in progress")
        }
    }

    /// Starts the next process on the listening socket; true once it serves and this one should stop.
    private func reload() -> Bool {
        guard let replacement else {
            log(
                "redirectd: SIGHUP ignored: the path this program was started from is unknown, so it cannot be "
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
}
