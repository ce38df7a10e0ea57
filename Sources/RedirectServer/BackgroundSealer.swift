import ClickSpool
import Synchronization
import SystemIO

#if canImport(Glibc)
    import Glibc
#endif

/// Seals passed buckets every few seconds while a FastCGI responder runs, so `ready/` fills without cron.
///
/// The first pass runs at start-up, which also seals whatever a crashed predecessor left in `current/`.
final class BackgroundSealer: Sendable {
    private let sealer: SpoolSealer
    private let interval: Int
    private let stopping = Atomic(false)
    private let thread = Locked<pthread_t?>(nil)

    init(layout: SpoolLayout, interval: Int) {
        sealer = SpoolSealer(layout: layout)
        self.interval = interval
    }

    func start() {
        guard interval > 0 else { return }
        var t = pthread_t()
        let box = Unmanaged.passRetained(self).toOpaque()
        if pthread_create(
            &t, nil,
            { raw in
                guard let raw else { return nil }
                Unmanaged<BackgroundSealer>.fromOpaque(raw).takeRetainedValue().loop()
                return nil
            }, box) == 0
        {
            thread.withLock { $0 = t }
        } else {
            Unmanaged<BackgroundSealer>.fromOpaque(box).release()
        }
    }

    func stop() {
        stopping.store(true, ordering: .releasing)
        if let t = thread.withLock({ $0 }) { pthread_join(t, nil) }
        // A last pass: buckets that passed while we were stopping.
        _ = sealer.sealPassed()
    }

    private func loop() {
        var lastError = ""
        while !stopping.load(ordering: .acquiring) {
            let report = sealer.sealPassed()
            // Report a persistent error once, not every few seconds.
            let error = report.errors.first.map { "redirectd: sealing click logs: \($0)" } ?? ""
            if error != lastError, !error.isEmpty { StandardError.log(error) }
            lastError = error
            for _ in 0..<(interval * 10) where !stopping.load(ordering: .acquiring) { usleep(100_000) }
        }
    }
}
