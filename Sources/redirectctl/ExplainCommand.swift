import ArgumentParser
import ClickSpool
import CountryCodes
import CountryLookup
import RedirectControl
import RedirectFiles
import SystemIO
import Timestamps

/// `redirectctl explain ID`: what redirectd would answer to one click, and why.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show which rule and variant a click would get, its answer and its event.",
        discussion: """
            Reads ID.toml and _defaults.toml as redirectd does and runs redirectd's own decision on the click the \
            options describe: prints the click's device, language, country and session, each rule tried with the \
            conditions that did not hold, the variant and what chose it, the status and Location, and the event \
            line redirectd would write. Writes nothing. Without --user-agent the click has no User-Agent header, \
            which redirectd flags as a bot. Exits 1, after printing the problem, when ID has no file or its file \
            (or _defaults.toml) has errors.
            """)

    @Argument(help: "The redirect id (the file name without .toml).")
    var id: String

    @Option(help: "The session in the link (/ID/SESSION).")
    var session: String?

    @Option(help: "The User-Agent header. Default: none sent.")
    var userAgent: String?

    @Option(help: "The Accept-Language header, e.g. de-AT,en;q=0.8.")
    var language: String?

    @Option(help: "The client address; looked up in --geoip when --country is not given.")
    var ip: String?

    @Option(help: "The country nginx passes (REDIRECT_COUNTRY); wins over the --geoip look-up.")
    var country: String?

    @Option(help: "The query string, without ?, e.g. utm_content=b.")
    var query: String = ""

    @Option(help: "The time of the click, RFC 3339 in UTC: 2026-03-01T12:00:00Z. Default: now.")
    var time: String?

    @Option(
        name: .customLong(RedirectStore.directorySetting.name), help: ArgumentHelp(RedirectStore.directorySetting.help))
    var redirectsDirectory: String?

    @Option(
        name: .customLong(CountryDatabaseFile.pathSetting.name),
        help: ArgumentHelp(CountryDatabaseFile.pathSetting.help))
    var geoip: String?

    @Option(help: "GET or HEAD (redirectd flags HEAD requests as previews).")
    var method: String = "GET"

    @Flag(help: "Send Sec-GPC: 1.")
    var gpc = false

    func validate() throws {
        if let problem = RedirectLink.problem(id: id) { throw ValidationError(problem) }
        // A slash would make the path name no redirect at all; other malformed sessions are the responder's to judge.
        if let session, session.isEmpty || session.contains("/") {
            throw ValidationError("--session must be one path segment, without /")
        }
        guard method == "GET" || method == "HEAD" else { throw ValidationError("--method must be GET or HEAD") }
        if let country, CountryCode(country) == nil {
            throw ValidationError("--country must be two letters, e.g. DE")
        }
        _ = try clickTime()
        _ = try databasePath()
    }

    func run() throws {
        let click = ClickExplanation.Click(
            session: session, userAgent: userAgent, acceptLanguage: language, address: ip, country: country,
            query: query.hasPrefix("?") ? String(query.dropFirst()) : query, time: try clickTime(), method: method,
            globalPrivacyControl: gpc)
        let explanation: ClickExplanation
        do {
            explanation = try ClickExplanation.explain(
                id: id, click: click, directory: CommandEnvironment.redirectsDirectory(redirectsDirectory),
                countryDatabase: try databasePath())
        } catch {
            StandardError.log("redirectctl explain: \(error)")
            throw ExitCode(1)
        }
        for line in explanation.lines { print(line) }
    }

    private func clickTime() throws -> Timestamp {
        guard let time else { return Timestamp(millisecondsSinceEpoch: SpoolClock.nowMilliseconds()) }
        guard let parsed = Timestamp(iso8601: time) else {
            throw ValidationError(
                "--time must be RFC 3339 in UTC, e.g. 2026-03-01T12:00:00Z or 2026-03-01T12:00:00.250Z")
        }
        return parsed
    }

    /// `--geoip`, else `REDIRECTD_GEOIP`, as for redirectd.
    private func databasePath() throws -> String? {
        do {
            return try CountryDatabaseFile.pathSetting.value(flag: geoip)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
