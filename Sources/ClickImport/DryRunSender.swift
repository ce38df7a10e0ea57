import ClickSpool
import SystemIO

/// The sender of `--dry-run`: builds each batch's requests as a run would, keeps them for the report and sends
/// nothing. Only the events a sink cannot take at all (its plan's rejections) come back as rejected.
final class DryRunSender: BatchSender {
    private let kept = Locked<[SinkRequest]>([])

    /// The requests a run would have sent, in order.
    var requests: [SinkRequest] { kept.withLock { $0 } }

    func send(_ records: [SpoolRecord], to sink: any ClickSink, deadline: ContinuousClock.Instant?) async
        -> Result<[SinkRejection], SinkError>
    {
        let plan = sink.plan(records)
        kept.withLock { $0 += plan.requests }
        return .success(plan.rejections)
    }
}
