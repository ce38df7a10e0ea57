import ArgumentParser
import CampaignReport
import ClickImport
import ClickSpool
import RedirectControl
import SystemIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `redirectctl report`: the campaign report as one static page, from the spool or from ClickHouse.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a static campaign report: DIR/index.html, one self-contained page.",
        discussion: """
            Counts the clicks of one host's spool (shipped/, ready/ and current/) or of the ClickHouse table the \
            importer fills (--clickhouse, one report for a fleet): clicks over time, persons and bots, outcomes, \
            links, referrers, countries, devices, rules and variants, for all links, per tag and per link. The \
            page is written to a temporary file and renamed, so a web server never serves half of it.
            """)

    @Option(help: ArgumentHelp("Directory to write index.html to (created if missing).", valueName: "dir"))
    var out: String

    @OptionGroup var spool: SpoolOptions

    @Option(
        help: ArgumentHelp(
            "Read the clicks from ClickHouse's HTTP interface instead of the spool, e.g. http://127.0.0.1:8123/.",
            valueName: "url"))
    var clickhouse: String?

    @Option(help: "ClickHouse table (with --clickhouse).")
    var table = "clicks"

    @Option(
        name: .customLong("header"),
        help: ArgumentHelp(
            "With --clickhouse: a request header, e.g. \"X-ClickHouse-User: report\". Repeatable. Env: "
                + "REDIRECTCTL_IMPORT_HEADERS, REDIRECTCTL_IMPORT_TOKEN, as for the import.",
            valueName: "name: value"))
    var headers: [String] = []

    /// `--header` flags, then `REDIRECTCTL_IMPORT_HEADERS` and `REDIRECTCTL_IMPORT_TOKEN`, as the importer reads them.
    private var headerFields: (headers: [HTTPHeaderField], invalid: [String]) {
        CommandEnvironment.headerFields(flags: headers)
    }

    @Option(
        name: .customLong("redirects"),
        help: ArgumentHelp(
            "Redirect files, for their tags (default: $REDIRECTS_DIR, else ./redirects.d).", valueName: "dir"))
    var redirectsDirectory: String?

    @OptionGroup var window: TimeWindowOptions

    @Option(
        name: .customLong("tag"),
        help: ArgumentHelp("Only links whose file has this tag (repeatable).", valueName: "tag"))
    var tags: [String] = []

    @Option(name: .customLong("redirect"), help: ArgumentHelp("Only this redirect id (repeatable).", valueName: "id"))
    var redirects: [String] = []

    @Option(help: "The page's title.")
    var title = "Campaign report"

    func validate() throws {
        if clickhouse != nil && spool.spoolDirectory != nil {
            throw ValidationError("pass either --spool DIR or --clickhouse URL, not both")
        }
        if clickhouse == nil { try spool.validate() }
        if !ClickHouseSchema.isValidTableName(table) {
            throw ValidationError("--table: \"\(table)\" is no table name (letters, digits, _; database.table)")
        }
        if out.isEmpty { throw ValidationError("--out needs a directory") }
        if clickhouse == nil && !headers.isEmpty { throw ValidationError("--header goes with --clickhouse URL") }
        if clickhouse != nil, let bad = headerFields.invalid.first {
            throw ValidationError("not a header (expected \"Name: value\"): \(bad)")
        }
    }

    /// A failed ClickHouse query in the report's words: the importer's messages speak of runs and batches.
    static func message(_ error: ImportError) -> String {
        switch error {
        case .sink(.unavailable(let url, let attempts, let lastProblem)):
            return "ClickHouse unavailable: \(url): \(lastProblem) (\(attempts) attempt\(attempts == 1 ? "" : "s"))"
                .escapingControlCharacters
        case .sink(.misconfigured(let url, let status, let detail)):
            let answer = status.map { "HTTP \($0)" } ?? "bad URL"
            let advice =
                status == 401 || status == 403
                ? "check the credentials (--header, REDIRECTCTL_IMPORT_HEADERS, REDIRECTCTL_IMPORT_TOKEN)"
                : "check the URL and --table"
            return "ClickHouse refused the query: \(url): \(answer)\(detail.isEmpty ? "" : ": " + detail); \(advice)"
                .escapingControlCharacters
        default:
            return error.description
        }
    }

    func run() async throws {
        let (since, until) = try window.window()
        var selection = ReportSelection(since: since, until: until, redirects: Set(redirects), tags: Set(tags))
        let redirectsDirectory = CommandEnvironment.redirectsDirectory(redirectsDirectory)
        var isDirectory = stat()
        if stat(redirectsDirectory, &isDirectory) == 0 && isDirectory.st_mode & S_IFMT == S_IFDIR {
            do {
                selection.tagsByRedirect = try RedirectTags.read(directory: redirectsDirectory)
            } catch {
                StandardError.log("redirectctl report: \(error)")
                throw ExitCode(2)
            }
        } else if !tags.isEmpty {
            StandardError.log(
                "redirectctl report: --tag needs the redirect files, and \(redirectsDirectory) is no directory: "
                    + "pass --redirects DIR")
            throw ExitCode(2)
        }
        let tally: CampaignTally
        let source: String
        if let clickhouse {
            source = "ClickHouse \(ClickHouseReportSource.redacted(clickhouse)), table \(table)"
            do {
                tally = try await ClickHouseReportSource(url: clickhouse, table: table, headers: headerFields.headers)
                    .tally(selection: selection)
            } catch {
                StandardError.log("redirectctl report: \(Self.message(error)); no page written, the last one stays")
                throw ExitCode(2)
            }
        } else {
            let directory = spool.directory
            var info = stat()
            guard stat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                StandardError.log(
                    "redirectctl report: no spool directory at \(directory): pass --spool DIR or set "
                        + "\(SpoolLayout.directorySetting.environmentName) (redirectd's --spool), or --clickhouse URL")
                throw ExitCode(2)
            }
            try spool.enter(command: "report", refusal: 2)
            source = "spool \(directory)"
            do {
                tally = try CampaignReportFile.tally(spool: directory, selection: selection)
            } catch {
                StandardError.log("redirectctl report: \(error)")
                throw ExitCode(2)
            }
        }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let page = ReportPage(
            title: title, builtAt: Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000, source: source,
            selection: selection, tally: tally)
        do {
            try CampaignReportFile.write(page.render(), to: out)
        } catch {
            StandardError.log("redirectctl report: \(error)")
            throw ExitCode(1)
        }
        if tally.skippedLines > 0 {
            StandardError.log("skipped \(tally.skippedLines) line(s) that are not events")
        }
    }
}
