import ClickSpool

/// Keeps a sink that refuses everything from moving the spool into `rejected/`, whatever the batch sizes.
///
/// A sink set up for something else (a wrong URL, table or format) refuses every event, one by one: on a quiet
/// site every file holds one event, and each would go to `rejected/`, where retention deletes it. So refused
/// events are held back, neither written to `rejected/` nor passed by the checkpoint, nor their file retired,
/// until the sink accepts an event of the run; once no event was accepted and two were refused, the run stops
/// with nothing moved. A single refusal is set aside at the first acceptance or at the end of the run.
///
/// Tracardi's refusal of bot traffic is no sign of a sink set up for something else: those events are held like
/// the others but not counted.
///
/// Pure: each mutating method returns what the importer is to do, and the importer does it.
struct RefusalGuard {
    typealias Entry = (record: SpoolRecord, rejection: SinkRejection)

    /// Refused events of one batch, and the `ready/` file they came from.
    struct Refusals {
        var file: String
        var entries: [Entry]
    }

    /// A `ready/` file read to its end, and what became of its events, for the progress line.
    struct FinishedFile {
        var file: ImportFiles.ReadyFile
        var events: Int
        var rejected: Int
        var bots: Int
    }

    enum Action {
        /// Write these refusals to `rejected/`, in order, then retire these files (finished while the refusals
        /// were held), before the checkpoint moves on.
        case setAside([Refusals], retire: [FinishedFile])
        /// Keep the batch back: nothing to `rejected/`, no checkpoint past it.
        case hold
        /// The sink refuses everything: stop with this error, nothing moved.
        case stop(ImportError)
    }

    /// Whether the sink accepted an event in this run, or the operator vouched for it (`--set-aside-refused`).
    private(set) var accepted = false
    /// Events the sink refused while none was accepted.
    private(set) var refused = 0
    private var lastRefusal: SinkRejection?
    private var held: [Refusals] = []
    private var heldFiles: [FinishedFile] = []

    /// A guard; `trustingTheSink` (`--set-aside-refused`) sets refusals aside at once, as after an acceptance.
    init(trustingTheSink: Bool = false) {
        accepted = trustingTheSink
    }

    /// Whether refusals are held back, so that no checkpoint may pass the batch just sent.
    var isHolding: Bool { !held.isEmpty }

    /// Counts events the sink took outside the shipping loop (`--retry-rejected`).
    mutating func noteAccepted(_ count: Int) {
        if count > 0 { accepted = true }
    }

    /// What to do with a batch's answer: `entries` are its events the sink (or the importer, status nil) would
    /// not take, `acceptedCount` the events the sink took.
    mutating func admit(_ entries: [Entry], acceptedCount: Int, file: String) -> Action {
        if acceptedCount > 0 { accepted = true }
        if !accepted {
            let byTheSink = entries.filter { $0.rejection.status != nil && $0.rejection.cause != .bot }
            refused += byTheSink.count
            lastRefusal = byTheSink.last?.rejection ?? lastRefusal
            if refused >= 2, let lastRefusal { return .stop(refusesEverything(lastRefusal)) }
            if refused > 0 {
                held.append(Refusals(file: file, entries: entries))
                return .hold
            }
        }
        return release(adding: entries.isEmpty ? [] : [Refusals(file: file, entries: entries)])
    }

    /// Whether a finished file may be retired now; false while refusals are held, which keeps it in `ready/`
    /// until they are set aside (`Action.setAside` hands it back).
    mutating func mayRetire(_ file: FinishedFile) -> Bool {
        guard isHolding else { return true }
        heldFiles.append(file)
        return false
    }

    /// At the end of a run that stopped for no error: a single refusal held so far is set aside now.
    mutating func finish() -> Action {
        release(adding: [])
    }

    /// The error a run ends with when the sender gives up on a batch that the sink refused whole (`records`
    /// events): while nothing was accepted, the sink refuses everything.
    func stopping(on error: SinkError, records: Int) -> ImportError {
        guard !accepted, case .refused(_, let status, let detail) = error else { return .sink(error) }
        let count = refused + records
        return .sinkRefusesEverything(refused: count, status: status, answer: detail)
    }

    private mutating func release(adding refusals: [Refusals]) -> Action {
        let action = Action.setAside(held + refusals, retire: heldFiles)
        held = []
        heldFiles = []
        return action
    }

    private func refusesEverything(_ rejection: SinkRejection) -> ImportError {
        var answer = rejection.reason
        if let status = rejection.status, answer.hasPrefix("HTTP \(status): ") {
            answer.removeFirst("HTTP \(status): ".count)
        }
        return .sinkRefusesEverything(refused: refused, status: rejection.status, answer: answer)
    }
}
