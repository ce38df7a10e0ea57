extension ClickSink {
    /// Sinks that need to know nothing of the receiver ship as they are.
    public func prepared(query: @Sendable (SinkRequest) async throws(SinkError) -> SinkResponse)
        async throws(ImportError)
        -> any ClickSink
    {
        self
    }
}

extension ClickImporter {
    /// The sink fitted to its receiver (a ClickHouse table's columns), asked once per run before the first batch,
    /// within the run's time like any batch.
    func fitted(_ sink: any ClickSink, sender: SinkSender, deadline: ContinuousClock.Instant?) async throws(ImportError)
        -> any ClickSink
    {
        try await sink.prepared { request throws(SinkError) in
            try await sender.send(request, compress: false, deadline: deadline)
        }
    }
}
