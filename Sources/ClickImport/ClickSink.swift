import ClickSpool

/// One HTTP request a sink wants sent for part of a batch.
public struct SinkRequest: Sendable {
    public var url: String
    public var body: [UInt8]
    public var contentType: String
    /// Ids of the events in the body, in body order, so an answer naming an index can be mapped to an event.
    public var eventIDs: [String]

    public init(url: String, body: [UInt8], contentType: String, eventIDs: [String]) {
        self.url = url
        self.body = body
        self.contentType = contentType
        self.eventIDs = eventIDs
    }
}

/// An answer the sender hands back to the sink: 2xx, 400 or 422 (every other status is an error already).
public struct SinkResponse: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// An event the sink will not take, and why, in the sink's words.
public struct SinkRejection: Sendable, Equatable {
    public var id: String
    public var reason: String
    /// The HTTP status that carried the rejection; nil when the importer itself could not make a request of it.
    public var status: Int?

    public init(id: String, reason: String, status: Int?) {
        self.id = id
        self.reason = reason
        self.status = status
    }
}

/// The requests for one batch, and the events that cannot be sent at all.
public struct SinkPlan: Sendable {
    public var requests: [SinkRequest] = []
    public var rejections: [SinkRejection] = []

    public init(requests: [SinkRequest] = [], rejections: [SinkRejection] = []) {
        self.requests = requests
        self.rejections = rejections
    }
}

/// A destination for click events: turns a batch into requests, and answers into rejections.
///
/// Both halves are pure, so payloads and answer handling are tested without a network; `SinkSender` does
/// the sending and the retries.
public protocol ClickSink: Sendable {
    /// `tracardi` or `ndjson`, for messages and `rejected/` entries.
    var name: String { get }
    /// Whether the sink takes `Content-Encoding: gzip` request bodies.
    var acceptsGzip: Bool { get }
    func plan(_ records: [SpoolRecord]) -> SinkPlan
    /// The events a 2xx, 400 or 422 answer rejects. Throws when a 400/422 names none of them.
    func interpret(_ response: SinkResponse, to request: SinkRequest) throws(SinkError) -> [SinkRejection]
}
