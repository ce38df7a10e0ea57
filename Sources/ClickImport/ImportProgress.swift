import RedirectCore

/// The progress bar on a terminal, or a plain line per shipped file otherwise.
final class ImportProgress {
    private let output: ImportOutput
    private let quiet: Bool
    private let totalBytes: Int64
    private var doneBytes: Int64 = 0
    private var events = 0
    private var lastDraw: ContinuousClock.Instant?
    private let started = ContinuousClock.now
    private var drawn = false

    init(output: ImportOutput, quiet: Bool, totalBytes: Int64) {
        self.output = output
        self.quiet = quiet
        self.totalBytes = max(1, totalBytes)
    }

    func advance(bytes: Int64, events: Int) {
        doneBytes += bytes
        self.events += events
        guard !quiet, let bar = output.progressBar else { return }
        let now = ContinuousClock.now
        if let lastDraw, now - lastDraw < .milliseconds(100) { return }
        lastDraw = now
        let fraction = min(1, Double(doneBytes) / Double(totalBytes))
        let width = 30
        let filled = Int(fraction * Double(width))
        let elapsed = Double((now - started).components.seconds) + Double((now - started).components.attoseconds) / 1e18
        let rate = elapsed > 0 ? Int(Double(self.events) / elapsed) : 0
        bar(
            "\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
                + "\(Int(fraction * 100))%  \(self.events) events  \(rate) events/s ")
        drawn = true
    }

    func fileShipped(_ name: String, events: Int, rejected: Int, bots: Int) {
        guard !quiet, output.progressBar == nil else { return }
        let counts = "\(events) events (\(rejected) rejected, \(bots) bots skipped)"
        output.line("\(name.escapingControlCharacters): shipped " + counts)
    }

    /// Clears the bar so the next line starts clean.
    func finish() {
        guard drawn, let bar = output.progressBar else { return }
        bar("\r" + String(repeating: " ", count: 79) + "\r")
        drawn = false
    }
}
