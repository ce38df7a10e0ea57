import ClickSpool

/// A collector that takes the spool lines as they are: `POST` of NDJSON, any 2xx accepts the whole batch; a
/// 400/422 refuses it, and the importer halves it until the lines the collector objects to are found.
///
/// Vector's `http_server` source, Fluent Bit's `http` input and ClickHouse's `INSERT … FORMAT JSONEachRow`
/// all read this. The lines are never parsed on this path.
public struct NDJSONSink: ClickSink {
    public let url: String

    public init(url: String) {
        self.url = url
    }

    public var name: String { "ndjson" }
    public var acceptsGzip: Bool { true }

    public func plan(_ records: [SpoolRecord]) -> SinkPlan {
        guard !records.isEmpty else { return SinkPlan() }
        var body: [UInt8] = []
        body.reserveCapacity(records.reduce(0) { $0 + $1.line.count })
        var ids: [String] = []
        ids.reserveCapacity(records.count)
        for record in records {
            body.append(contentsOf: record.line)
            ids.append(record.id)
        }
        return SinkPlan(requests: [
            SinkRequest(url: url, body: body, contentType: "application/x-ndjson", eventIDs: ids)
        ])
    }

    public func interpret(_ response: SinkResponse, to request: SinkRequest) throws(SinkError) -> [SinkRejection] {
        if (200..<300).contains(response.status) { return [] }
        guard response.status == 400 || response.status == 422 else {
            throw .misconfigured(url: request.url, status: response.status, detail: SinkAnswer.excerpt(response.body))
        }
        // Collectors have no common way to name a bad line: the importer halves the batch to find it.
        throw .refused(url: request.url, status: response.status, detail: SinkAnswer.excerpt(response.body))
    }
}
