import ClickSpool

/// Delivers one batch of events to a sink and returns the events the sink rejected.
///
/// The importer's one shipping loop takes either kind: `SinkSender` sends over HTTP; `DryRunSender` sends nothing
/// and counts the requests it would have sent (`--dry-run`).
protocol BatchSender: Sendable {
    func send(_ records: [SpoolRecord], to sink: any ClickSink, deadline: ContinuousClock.Instant?) async
        -> Result<[SinkRejection], SinkError>
}
