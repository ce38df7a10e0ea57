import ArgumentParser
import BotDetection
import ClickImport
import ClickSpool
import RedirectCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `redirectctl import`: ship sealed click-log files to Tracardi or an NDJSON collector, from cron.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Ship sealed click-log files to Tracardi, an NDJSON collector or ClickHouse, at least once.",
        discussion: """
            Takes <spool>/import.lock, seals passed buckets, then sends ready/ files oldest first in batches. \
            After each batch the sink acknowledged, <spool>/import.checkpoint records the file and offset; a \
            shipped file moves to shipped/ (or is deleted with --delete). Events the sink rejects (a 400/422 naming \
            them; for Tracardi also a refused event source or bot traffic) go to rejected/ with the sink's reason; \
            --retry-rejected sends them again once the cause is fixed. Bot events are skipped by default for \
            Tracardi (--include-bots sends them), on request for NDJSON (--exclude-bots); skipped events are kept \
            in skipped/. Events of unknown redirects (outcome not-found) are skipped unless --include-orphans.

            Headers: --header, REDIRECTCTL_IMPORT_HEADERS (one "Name: value" a line), REDIRECTCTL_IMPORT_TOKEN \
            (sent as "Authorization: Bearer TOKEN").

            Exit status: 0 all shipped (or stopped cleanly at --max-seconds), 1 the sink refused an event source \
            (the rest was shipped) or another error, 3 another import is running, 4 sink unavailable or \
            --max-seconds cut a request (try later; nothing unacknowledged moved), 5 misconfiguration (401, 403, \
            404, a redirect, a bad URL, a sink that refused two or more events and accepted none: nothing is \
            moved to rejected/ then; or a spool of another user: see --user).
            """)

    @OptionGroup var spool: SpoolOptions

    @Option(help: ArgumentHelp("Tracardi API base URL: events go to URL/track.", valueName: "url"))
    var tracardi: String?

    @Option(
        help: ArgumentHelp(
            "NDJSON collector endpoint: raw lines, Content-Type application/x-ndjson.",
            valueName: "url"))
    var ndjson: String?

    @Option(
        help: ArgumentHelp(
            "ClickHouse HTTP endpoint, e.g. http://127.0.0.1:8123/: one row per event in --table.",
            valueName: "url"))
    var clickhouse: String?

    @Option(help: "ClickHouse table (see `redirectctl clickhouse-schema`).")
    var table = "clicks"

    @Option(help: ArgumentHelp("Tracardi event source id for events that carry none.", valueName: "id"))
    var tracardiSource: String?

    @Option(help: "Events per batch (one checkpoint per batch; the most a crash can resend).")
    var batchSize = 1000

    @Option(
        name: .customLong("header"),
        help: ArgumentHelp(
            "A request header, e.g. \"Authorization: Bearer X\". Repeatable.",
            valueName: "name: value"))
    var headers: [String] = []

    @Option(help: "Seconds to wait for a connection.")
    var connectTimeout: Double = 10

    @Option(
        help: ArgumentHelp(
            "Seconds for one request, from connect to the last byte of the answer; a slower answer is a timeout, "
                + "retried as one."))
    var timeout: Double = 30

    @Option(help: "Retries of a request after network errors, timeouts, 408, 429 and 5xx.")
    var retries = 5

    @Option(help: "Seconds before the first retry; doubled each retry (with jitter), at most 30.")
    var retryDelay = 0.5

    @Flag(help: "Send request bodies gzip-compressed (--ndjson only).")
    var gzip = false

    @Flag(help: "Read and count what would be shipped; send nothing, change nothing.")
    var dryRun = false

    @Option(
        help: ArgumentHelp(
            "Start no new request after this many seconds: the run ends by --max-seconds + --timeout, nothing lost "
                + "and the checkpoint as it was for what was not acknowledged; the rest waits for the next run. "
                + "Exit 4 when a request had to be cut, else 0."))
    var maxSeconds: Double?

    @Option(
        name: .customLong("exclude-bots"), defaultAsFlag: "all", parsing: .next,
        help: ArgumentHelp(
            "Skip bot events, keeping them in skipped/: all of them (the default for --tracardi), or those of the "
                + "categories given.",
            discussion: "Categories, separated by commas: "
                + BotCategory.allCases.map(\.rawValue).joined(separator: ", ") + ".",
            valueName: "categories"))
    var excludeBots: String? = nil

    @Flag(help: "Send bot events too (Tracardi refuses a call whose user agent parses as a bot).")
    var includeBots = false

    @Flag(help: "Send the events kept in rejected/ again first (after fixing what the sink refused).")
    var retryRejected = false

    @Option(
        help: ArgumentHelp(
            "HTTP header that carries the visitor's IP to Tracardi (its USE_X_FORWARDED_IP).",
            valueName: "name"))
    var forwardedIPHeader = "X-Forwarded-For"

    @Flag(help: "Also ship events of unknown redirects (outcome not-found).")
    var includeOrphans = false

    @Flag(
        help: ArgumentHelp(
            "Set refused events aside in rejected/ even when the sink accepts none this run "
                + "(after checking that the sink is the right one: without it such a run stops, exit 5)."))
    var setAsideRefused = false

    @Flag(help: "Delete shipped files instead of moving them to shipped/.")
    var delete = false

    @Option(
        help: ArgumentHelp(
            "Delete files in shipped/, skipped/ and rejected/ written more than N days ago (they "
                + "hold visitors' IPs); 0 keeps them forever.", valueName: "n"))
    var keepShippedDays = 30

    @Option(
        name: .customLong(SpoolLayout.bucketSecondsSetting.name),
        help: ArgumentHelp(SpoolLayout.bucketSecondsSetting.help))
    var bucketSeconds: String?

    @Flag(help: "Print only warnings, errors and the summary line.")
    var quiet = false

    func validate() throws {
        guard [tracardi, ndjson, clickhouse].compactMap({ $0 }).count == 1 else {
            throw ValidationError("pass exactly one of --tracardi URL, --ndjson URL or --clickhouse URL")
        }
        if gzip && tracardi != nil {
            throw ValidationError("--gzip works with --ndjson only: Tracardi takes plain JSON")
        }
        if excludeBots != nil && includeBots {
            throw ValidationError("pass --exclude-bots or --include-bots, not both")
        }
        _ = try excludedCategories()
        guard HTTPHeaderField(parsing: forwardedIPHeader + ": x") != nil else {
            throw ValidationError("--forwarded-ip-header \(forwardedIPHeader): not a header name")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard connectTimeout > 0, timeout > 0 else { throw ValidationError("timeouts must be more than 0 seconds") }
        guard retries >= 0, retryDelay >= 0 else {
            throw ValidationError("--retries and --retry-delay cannot be negative")
        }
        if let maxSeconds, maxSeconds <= 0 { throw ValidationError("--max-seconds must be more than 0") }
        if keepShippedDays < 0 { throw ValidationError("--keep-shipped-days cannot be negative") }

        _ = try CommandEnvironment.bucketSeconds(bucketSeconds)
        let (_, invalid) = CommandEnvironment.headerFields(flags: headers)
        if let bad = invalid.first { throw ValidationError("not a header (expected \"Name: value\"): \(bad)") }
    }

    func run() async throws {
        let sink: ImportOptions.Sink =
            tracardi.map { .tracardi(baseURL: $0) }
            ?? clickhouse.map { .clickhouse(url: $0, table: table) } ?? .ndjson(url: ndjson ?? "")
        // Before anything touches the spool or the HTTP client starts its threads. The Swift runtime's threads
        // already run: glibc applies setgroups, setgid and setuid to every thread of the process.
        try spool.enter(command: "import", refusal: ImportExitCode.misconfiguration.rawValue)
        var options = ImportOptions(spoolDirectory: spool.directory, sink: sink)
        options.bucketSeconds = try CommandEnvironment.bucketSeconds(bucketSeconds)
        options.batchSize = batchSize
        options.headers = CommandEnvironment.headerFields(flags: headers).headers
        options.connectTimeoutSeconds = connectTimeout
        options.requestTimeoutSeconds = timeout
        options.retries = retries
        options.retryDelaySeconds = retryDelay
        options.gzip = gzip
        options.dryRun = dryRun
        options.maxSeconds = maxSeconds
        options.excludeBots = includeBots ? [] : try excludedCategories()
        options.retryRejected = retryRejected
        options.forwardedIPHeader = forwardedIPHeader
        options.includeOrphans = includeOrphans
        options.setAsideRefused = setAsideRefused
        options.deleteShipped = delete
        options.keepShippedDays = keepShippedDays == 0 ? nil : keepShippedDays
        options.tracardiSource = tracardiSource
        options.quiet = quiet
        let code = await ClickImporter.run(options)
        if code != 0 { throw ExitCode(code) }
    }

    /// The categories `--exclude-bots` names (every one when it names none); nil without the flag.
    func excludedCategories() throws -> Set<BotCategory>? {
        guard let excludeBots else { return nil }
        if excludeBots == "all" { return Set(BotCategory.allCases) }
        do {
            return try BotCategory.parseList(excludeBots)
        } catch {
            throw ValidationError("--exclude-bots: \(error)")
        }
    }
}
