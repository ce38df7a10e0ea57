import ClickSpool
import CountryCodes
import CountryLookup
import FastCGI
import RedirectCore
import RedirectFiles
import Timestamps

/// Joins the pieces for one request: files → core decision → spool → response bytes.
public final class ClickService: Sendable {
    public let store: RedirectStore
    public let spool: SpoolLayout
    /// The country database (`--geoip`), shared by every worker; nil when none is configured.
    public let countries: CountryDatabaseFile?
    private let failures: SpoolFailureLog

    public init(configuration: ResponderConfiguration, log: @escaping @Sendable (String) -> Void) {
        store = RedirectStore(
            directory: configuration.redirectsDirectory, cacheLimit: configuration.cacheLimit, log: log)
        spool = configuration.spool
        failures = SpoolFailureLog(log: log)
        countries = configuration.geoip.map { CountryDatabaseFile(path: $0, log: log) }
    }

    /// The visitor's country: nginx's `REDIRECT_COUNTRY` when it sent one, else the database's answer for the
    /// address (looked up before anything anonymises it), else nil.
    static func country(of request: ClickRequest, in countries: CountryDatabaseFile?) -> CountryCode? {
        if let given = request.country { return given }
        guard let countries else { return nil }
        return request.fields.withBytes(of: ClickRequest.Parameter.remoteAddress.rawValue) { address in
            address.flatMap { countries.country(forAddress: $0) }
        }
    }

    /// How long a worker answers from one release (the redirects directory, a link resolved, and the settings
    /// of its `_defaults.toml`) before it asks the store again (an `lstat` of each, and resolving a link).
    ///
    /// Redirect files are revalidated on every request, so an edit shows on the next click; `_defaults.toml`
    /// applies to every click, and checking it on each would double the `lstat`s of the hot path. An edit of
    /// it, or a deploy's switch of the link, shows within this time instead (in CGI mode, where every process
    /// starts afresh, at once). A click reads its file from the release its defaults came from.
    static let defaultsRevalidationMilliseconds: Int64 = 1000

    /// A FastCGI worker's handler and its idle handler, which leaves the spool file of a passed bucket while
    /// the worker waits for requests (so an idle process never holds up sealing for more than a second).
    public func makeWorker() -> (RequestHandler, IdleHandler) {
        let writer = SpoolWriter(layout: spool, failures: failures)
        return (makeHandler(writer: writer, recent: RecentRedirects()), { writer.releaseIfPassed() })
    }

    /// A handler for one thread (or one CGI process), with its own spool writer, id generator and copy of the
    /// defaults (so that reading them takes no lock shared with other threads).
    ///
    /// `recent` keeps the redirects this thread unpacked last (a FastCGI worker's); a CGI process, which serves
    /// one click, goes without (making one costs it more than it could save).
    public func makeHandler(writer: SpoolWriter? = nil, recent: RecentRedirects? = nil) -> RequestHandler {
        let writer = writer ?? SpoolWriter(layout: spool, failures: failures)
        let store = self.store
        let countries = self.countries
        let worker = WorkerState(release: store.release(), checkedAt: SpoolClock.nowMilliseconds())
        return { parameters, response in
            let request = ClickRequest(eachParameter: { parameters.forEach($0) })
            let now = Timestamp(millisecondsSinceEpoch: SpoolClock.nowMilliseconds())
            // Wall-clock time: a clock set back makes the difference negative, which also revalidates.
            let sinceCheck = now.millisecondsSinceEpoch - worker.defaultsCheckedAt
            if sinceCheck < 0 || sinceCheck >= Self.defaultsRevalidationMilliseconds {
                worker.use(store.release())
                worker.defaultsCheckedAt = now.millisecondsSinceEpoch
            }
            let clickID = ClickID.make(at: now, using: &worker.generator)
            let release = worker.release
            let decision = ClickDecider.decide(
                for: request, defaults: worker.defaults, now: now, clickID: clickID,
                country: Self.country(of: request, in: countries)
            ) { id in
                if let recent { store.lookup(id, in: release, recent: recent) } else { store.lookup(id, in: release) }
            }
            // The line is written before the response goes out; a failure is logged, never shown to the visitor.
            // Read in place through the optional (`if let` would copy the event, retaining its every field).
            if let length = decision.event?.writeJSONLine(into: &worker.line) {
                worker.line.withUnsafeBytes { line in
                    _ = writer.appendLine(UnsafeRawBufferPointer(rebasing: line[..<length]))
                }
            }
            decision.response.writeCGI(to: &response, includeBody: !request.isHead)
        }
    }
}

/// What one worker's handler keeps from click to click. Only that worker's thread touches it, one click at a
/// time, so its properties skip the run-time exclusivity checks that captured variables would pay per click.
private final class WorkerState {
    @exclusivity(unchecked) var generator = ClickIDGenerator()
    /// The release clicks are answered from, and a copy of its defaults (read per click without going
    /// through it).
    @exclusivity(unchecked) private(set) var release: RedirectRelease
    @exclusivity(unchecked) private(set) var defaults: RedirectDefaults
    @exclusivity(unchecked) var defaultsCheckedAt: Int64
    /// The event line's buffer: written from its start for each click, lengthened when a line needs more.
    @exclusivity(unchecked) var line: [UInt8] = []

    init(release: RedirectRelease, checkedAt: Int64) {
        self.release = release
        self.defaults = release.defaults
        self.defaultsCheckedAt = checkedAt
    }

    /// Answers from `release` from now on: its files and its defaults together.
    func use(_ release: RedirectRelease) {
        guard release !== self.release else { return }
        self.release = release
        defaults = release.defaults
    }
}
