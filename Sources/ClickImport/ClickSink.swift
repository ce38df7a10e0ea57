import ClickSpool

/// One HTTP request a sink wants sent for part of a batch.
public struct SinkRequest: Sendable {
    public var url: String
    public var body: [UInt8]
    public var contentType: String
    /// Ids of the events in the body, in body order, so an answer naming an index can be mapped to an event.
    public var eventIDs: [String]
    /// Headers of this request alone (the visitor's IP for Tracardi), sent after the run's own headers.
    public var headers: [HTTPHeaderField]
    /// The event source the request is for, where the sink has such a thing (Tracardi), for messages.
    public var source: String?
    /// For a sink whose 5xx answers can be final: true for those no retry can change (see `SinkSender`).
    public var permanentServerError: (@Sendable (_ status: Int, _ body: [UInt8]) -> Bool)?

    public init(
        url: String, body: [UInt8], contentType: String, eventIDs: [String], headers: [HTTPHeaderField] = [],
        source: String? = nil
    ) {
        self.url = url
        self.body = body
        self.contentType = contentType
        self.eventIDs = eventIDs
        self.headers = headers
        self.source = source
    }
}

/// An answer the sender hands back to the sink: 2xx or a 4xx other than 408 and 429 (those are retried, like 5xx).
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
    /// What the sink objected to: the event itself, or something the event shares with others.
    public enum Cause: Sendable, Equatable {
        /// The event (its fields, its type): only a change of the event can help.
        case event
        /// The call's user agent parses as a bot at the sink (Tracardi's `DISALLOW_BOT_TRAFFIC`).
        case bot
        /// The sink refused the event source: unknown, disabled or of the wrong type. A fix at the sink helps,
        /// and the run exits 1 so that cron reports it.
        case source(String)
    }

    public var id: String
    public var reason: String
    /// The HTTP status that carried the rejection; nil when the importer itself could not make a request of it.
    public var status: Int?
    public var cause: Cause

    public init(id: String, reason: String, status: Int?, cause: Cause = .event) {
        self.id = id
        self.reason = reason
        self.status = status
        self.cause = cause
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
    /// `tracardi`, `ndjson` or `clickhouse`, for messages and `rejected/` entries.
    var name: String { get }
    /// Whether the sink takes `Content-Encoding: gzip` request bodies.
    var acceptsGzip: Bool { get }
    func plan(_ records: [SpoolRecord]) -> SinkPlan
    /// The events an answer rejects. Throws when the answer stops the run: a 400/422 that names no event, or a
    /// status that says the sink is set up wrong (401, 403, 404, …).
    func interpret(_ response: SinkResponse, to request: SinkRequest) throws(SinkError) -> [SinkRejection]
    /// The sink to ship a run with, after what it needs to know of the receiver has been asked (the default
    /// returns the sink itself); `query` sends one request as the batches are sent.
    func prepared(query: @Sendable (SinkRequest) async throws(SinkError) -> SinkResponse) async throws(ImportError)
        -> any ClickSink
}
