import BotDetection
import RedirectCore

/// Everything one `redirectctl import` run needs to know; `redirectctl` fills it from flags and environment.
public struct ImportOptions: Sendable {
    /// Where the events go.
    public enum Sink: Sendable, Equatable {
        /// Tracardi's API base URL: events are POSTed to `{base}/track`.
        case tracardi(baseURL: String)
        /// A collector endpoint that takes NDJSON (Vector, Fluent Bit, ClickHouse, …).
        case ndjson(url: String)
        /// ClickHouse's HTTP interface and the table the rows go to (`ClickHouseSchema`).
        case clickhouse(url: String, table: String)
    }

    public var spoolDirectory: String
    public var sink: Sink
    /// Bucket length of the spool, needed to know which buckets in `current/` have passed and can be sealed.
    public var bucketSeconds: Int = 60
    /// Events per batch: one checkpoint per batch, and the most a crash can make the sink receive twice.
    public var batchSize: Int = 1000
    /// A batch also ends once its lines reach this many bytes.
    public var maxBatchBytes: Int = 32 << 20
    /// Extra request headers (authentication), in order.
    public var headers: [HTTPHeaderField] = []
    public var connectTimeoutSeconds: Double = 10
    /// Time for one request attempt, from connect to the last byte of the answer (`SinkSender`).
    public var requestTimeoutSeconds: Double = 30
    /// Retries of one request after network errors, timeouts, 408, 429 and 5xx.
    public var retries: Int = 5
    /// First retry delay; doubled each retry up to `maximumRetryDelaySeconds`, with jitter.
    public var retryDelaySeconds: Double = 0.5
    public var maximumRetryDelaySeconds: Double = 30
    /// Send request bodies gzip-compressed (NDJSON sinks only; Tracardi takes plain JSON).
    public var gzip = false
    /// Read and count, send nothing, change nothing.
    public var dryRun = false
    /// Start no new request after this many seconds; what is left waits for the next run, which therefore ends
    /// at the latest `requestTimeoutSeconds` after this.
    public var maxSeconds: Double?
    /// Skip bot events of these categories, keeping them in `skipped/`; nil takes the sink's default
    /// (``excludedBotCategories``).
    public var excludeBots: Set<BotCategory>?
    /// Send the events in `rejected/` again before the run ships `ready/`.
    public var retryRejected = false
    /// The HTTP header that carries the visitor's IP to Tracardi (its `USE_X_FORWARDED_IP` setting).
    public var forwardedIPHeader = "X-Forwarded-For"
    /// Set refused events aside in `rejected/` even while the sink has accepted none in this run: for events the
    /// sink rightly refuses at the head of `ready/`, once the operator has checked that the sink is the right one.
    public var setAsideRefused = false
    /// Also ship events of unknown redirects (`outcome` `not-found`), which are skipped by default.
    public var includeOrphans = false
    /// Delete shipped files instead of moving them to `shipped/`.
    public var deleteShipped = false
    /// Delete files in `shipped/`, `skipped/` and `rejected/` written more than this many days ago (they hold
    /// visitors' IPs); nil keeps them.
    public var keepShippedDays: Int? = 30
    /// Event source id for Tracardi when an event has none.
    public var tracardiSource: String?
    /// Print only warnings, errors and the summary line.
    public var quiet = false

    public init(spoolDirectory: String, sink: Sink) {
        self.spoolDirectory = spoolDirectory
        self.sink = sink
    }

    /// The bot categories this run skips: by default all for Tracardi, which refuses a whole call whose user
    /// agent parses as a bot, and none for collectors, which take everything.
    public var excludedBotCategories: Set<BotCategory> {
        if let excludeBots { return excludeBots }
        if case .tracardi = sink { return Set(BotCategory.allCases) }
        return []
    }
}

/// One request header given by flag or environment, e.g. `Authorization: Bearer X`.
public struct HTTPHeaderField: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Parses `Name: value`; nil when there is no colon or the name is not a header name.
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let name = text[..<colon].trimmingSpaces
        let value = text[text.index(after: colon)...].trimmingSpaces
        let allowed = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        guard !name.isEmpty, name.allSatisfy({ allowed.contains($0) }),
            !value.contains(where: { $0 == "\r" || $0 == "\n" })
        else { return nil }
        self.name = name
        self.value = value
    }

    /// The header with its value hidden, for messages.
    public var description: String { "\(name): …" }

    /// Headers from flags and the environment: `REDIRECTCTL_IMPORT_HEADERS` (one `Name: value` a line) and
    /// `REDIRECTCTL_IMPORT_TOKEN` (sent as `Authorization: Bearer TOKEN` unless a flag or the headers variable
    /// already sets `Authorization`). Flags come first; a bad entry is returned in `invalid`.
    public static func collect(flags: [String], environment: [String: String]) -> (
        headers: [HTTPHeaderField], invalid: [String]
    ) {
        var headers: [HTTPHeaderField] = []
        var invalid: [String] = []
        var entries = flags
        if let list = environment["REDIRECTCTL_IMPORT_HEADERS"] {
            entries += list.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
                .filter { !$0.trimmingSpaces.isEmpty }
        }
        for entry in entries {
            if let header = HTTPHeaderField(parsing: entry) { headers.append(header) } else { invalid.append(entry) }
        }
        if let token = environment["REDIRECTCTL_IMPORT_TOKEN"], !token.isEmpty,
            !headers.contains(where: { $0.name.lowercased() == "authorization" })
        {
            headers.append(HTTPHeaderField(name: "Authorization", value: "Bearer " + token))
        }
        return (headers, invalid)
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
