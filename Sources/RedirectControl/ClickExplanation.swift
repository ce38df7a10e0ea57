import BotDetection
import CountryCodes
import CountryLookup
import DeviceDetection
import RedirectCore
import RedirectFiles
import SystemIO
import Timestamps

/// What redirectd would answer to one imagined click, and why: for `redirectctl explain`.
///
/// The answer is the responder's own: the redirect and `_defaults.toml` are read through ``RedirectStore`` as
/// redirectd reads them, the request is built from the CGI parameters nginx would pass, and the response and
/// event come from ``ClickDecider/decide(for:defaults:now:clickID:country:lookup:)``. Only the reasons for the
/// rules that did not hold are worked out beside it, by ``RuleEvaluator/explain(_:in:)`` on the context the
/// decider builds. Nothing is written: no spool, no log.
public struct ClickExplanation: Sendable {
    /// The click to imagine, as a person describes it on the command line.
    public struct Click: Sendable {
        /// The session in the link's path (`/<id>/<session>`); nil: a link without one.
        public var session: String?
        /// `User-Agent`; nil: the header is not sent (redirectd flags such clicks as bots).
        public var userAgent: String?
        /// `Accept-Language`, as the browser sends it (`de-AT,en;q=0.8`).
        public var acceptLanguage: String?
        /// The client address (`REMOTE_ADDR`).
        public var address: String?
        /// The country as nginx would pass it (`REDIRECT_COUNTRY`); wins over the database, as in redirectd.
        public var country: String?
        /// The query string, without `?`.
        public var query: String
        public var time: Timestamp
        /// `GET` or `HEAD`.
        public var method: String
        /// `Sec-GPC: 1`.
        public var globalPrivacyControl: Bool

        public init(
            session: String? = nil, userAgent: String? = nil, acceptLanguage: String? = nil, address: String? = nil,
            country: String? = nil, query: String = "", time: Timestamp, method: String = "GET",
            globalPrivacyControl: Bool = false
        ) {
            self.session = session
            self.userAgent = userAgent
            self.acceptLanguage = acceptLanguage
            self.address = address
            self.country = country
            self.query = query
            self.time = time
            self.method = method
            self.globalPrivacyControl = globalPrivacyControl
        }
    }

    /// Where the click's country came from.
    public enum CountrySource: Equatable, Sendable {
        /// `--country`, standing for nginx's `REDIRECT_COUNTRY`.
        case given
        /// The database at this path knows the address.
        case database(String)
        /// The database at this path does not know the address.
        case notInDatabase(String)
        /// A database but no address to look up.
        case noAddress
        /// Neither a country nor a database.
        case none
    }

    /// What chose the variant, when a split applied.
    public enum SplitSource: Equatable, Sendable {
        /// The session's hash: the same variant on every click with this session.
        case session(String)
        /// The hash of the address's network and the user agent: the same visitor keeps the variant.
        case visitor
        /// A fresh draw for this click: a privacy signal was honoured and there was no session.
        case random
    }

    public var id: String
    /// The redirect file's path, as the directory was given.
    public var file: String
    /// The request redirectd would see.
    public var request: ClickRequest
    public var device: Device?
    public var language: PrimaryLanguage?
    public var country: CountryCode?
    public var countrySource: CountrySource
    public var bot: BotMatch?
    /// Whether `Sec-GPC` was sent and `_defaults.toml` says to honour it.
    public var honorsPrivacySignal: Bool
    public var splitSource: SplitSource
    /// The redirect as the store read it.
    public var redirect: Redirect
    /// The reasons, for a click the link redirects and that has rules or variants to choose by; nil otherwise.
    public var rules: RuleExplanation?
    /// The responder's answer and event.
    public var decision: ClickDecision
    /// The event line redirectd would append to the spool, without its newline.
    public var eventLine: String

    /// Explains `click` on the redirect `id` of `directory`; `countryDatabase` is the `--geoip` file, opened only
    /// when an address is to be looked up.
    public static func explain(
        id: String, click: Click, directory: String, countryDatabase: String?
    ) throws(ClickExplanationError) -> ClickExplanation {
        if let problem = RedirectLink.problem(id: id) { throw .invalidID(problem) }
        let settings = RedirectDirectorySettings(directory: directory)
        let logged = Locked<[String]>([])
        let store = RedirectStore(directory: settings.directory, cacheLimit: 16) { message in
            logged.withLock { $0.append(message) }
        }
        // One release for the defaults and the file, as the responder does, even while a deploy switches a link.
        let release = store.release()
        let defaults = release.defaults
        let defaultsProblems = logged.withLock { $0 }
        if !defaultsProblems.isEmpty {
            throw .brokenFile(settings.directory + "/" + RedirectFileParser.defaultsFileName, defaultsProblems)
        }
        let file = settings.path(ofID: id)
        guard case .found(let redirect) = store.lookup(id, in: release) else {
            let problems = logged.withLock { $0 }
            if settings.hasRedirect(id) || !problems.isEmpty { throw .brokenFile(file, problems) }
            throw .unknownID(id, file)
        }

        let request = makeRequest(id: id, click: click)
        var country = request.country
        var countrySource = CountrySource.none
        if country != nil {
            countrySource = .given
        } else if let countryDatabase {
            if let address = click.address {
                let database: CountryDatabase
                do {
                    database = try CountryDatabase(path: countryDatabase)
                } catch {
                    throw .countryDatabase(error.description)
                }
                country = database.country(forAddress: address)
                countrySource = country == nil ? .notInDatabase(countryDatabase) : .database(countryDatabase)
            } else {
                countrySource = .noAddress
            }
        }

        var generator = ClickIDGenerator()
        let clickID = ClickID.make(at: click.time, using: &generator)
        let decision = ClickDecider.decide(
            for: request, defaults: defaults, now: click.time, clickID: clickID, country: country
        ) { store.lookup($0, in: release) }

        // The context the decider builds for the rules, to ask for the reasons beside its answer.
        let session = decision.event?.sessionStatus == .valid ? decision.event?.session : nil
        let honors = ClickDecider.honorsPrivacySignal(request, defaults)
        let device = click.userAgent.map(DeviceClassifier.classify)
        let bot = BotClassifier.classify(request)
        var rules: RuleExplanation? = nil
        if decision.event?.outcome == .redirected, redirect.hasRulesOrVariants {
            // The rules see the query as the decider gives it to them: without `_via`.
            var query = QueryString(parsing: request.query)
            _ = ClickVia.strip(&query, raw: request.query)
            let context = ClickDecider.ruleContext(
                for: request, linkID: redirect.id, session: session, defaults: defaults, clickID: clickID,
                device: device, bot: bot, country: country, query: query, now: click.time)
            rules = RuleEvaluator.explain(redirect, in: context)
        }
        let splitSource: SplitSource = session.map { .session($0) } ?? (honors ? .random : .visitor)
        let line = decision.event.map { String(decoding: $0.jsonLine(), as: UTF8.self) } ?? ""
        return ClickExplanation(
            id: id, file: file, request: request, device: device, language: request.firstChoiceLanguage,
            country: country, countrySource: countrySource, bot: bot, honorsPrivacySignal: honors,
            splitSource: splitSource, redirect: redirect, rules: rules, decision: decision,
            eventLine: line.hasSuffix("\n") ? String(line.dropLast()) : line)
    }

    /// The request as nginx would pass it, in the CGI parameters the responder reads.
    static func makeRequest(id: String, click: Click) -> ClickRequest {
        var parameters: [(name: String, value: String)] = [
            ("REQUEST_METHOD", click.method), ("PATH_INFO", "/" + id + (click.session.map { "/" + $0 } ?? "")),
            ("QUERY_STRING", click.query),
        ]
        if let address = click.address { parameters.append(("REMOTE_ADDR", address)) }
        if let agent = click.userAgent { parameters.append(("HTTP_USER_AGENT", agent)) }
        if let language = click.acceptLanguage { parameters.append(("HTTP_ACCEPT_LANGUAGE", language)) }
        if let country = click.country { parameters.append(("REDIRECT_COUNTRY", country)) }
        if click.globalPrivacyControl { parameters.append(("HTTP_SEC_GPC", "1")) }
        return ClickRequest(parameters: parameters.map { ($0.name, Array($0.value.utf8)) })
    }
}
