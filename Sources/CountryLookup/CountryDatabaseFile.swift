import CountryCodes
import Synchronization
import SystemIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The country database at a path, for every worker thread at once, opened again when the file is replaced.
///
/// At most once per `checkInterval` (a second), the look-up that finds the interval over makes one `stat` of
/// the path; ``reload()`` makes one at once. When device, inode, size, modification or change time differ from
/// the version last looked at, the file is opened again; look-ups go on with the old database meanwhile, and
/// the old one is unmapped when the last look-up using it is done. Replace the file by renaming a new one over
/// it (as `geoipupdate` does): a file changed in place can be caught half-written, and one copied over is cut
/// short under the look-ups that map it.
///
/// Problems are logged once per change, never per click:
/// - no file: look-ups answer nil until one is there (removing the file turns country look-ups off);
/// - a version that cannot be opened (not a MaxMind DB, cut short, unreadable): look-ups go on with the version
///   opened before, if any, else answer nil, until the file changes again.
/// A version opened after a problem, or in place of an older one, is logged too; the first one is not, so the
/// CGI responder, which opens it in every process, writes nothing on a healthy click.
public final class CountryDatabaseFile: Sendable {
    /// How often the file is looked at unless told otherwise.
    public static let defaultCheckInterval: Duration = .seconds(1)

    /// What the last check saw; changed under its lock, by one check at a time.
    private struct CheckState {
        /// The version last looked at, opened or not (nil: no file could be seen).
        var identity: FileIdentity?
        /// The problem last logged (nil: none since the last version opened).
        var problem: CountryDatabaseError?
        /// Whether any check ran yet: the first version opened is not logged.
        var checked = false
    }

    public let path: String
    private let interval: Int64
    private let now: @Sendable () -> Int64
    private let log: @Sendable (String) -> Void
    private let slot = DatabaseSlot()
    /// When (on `now`'s clock) the next look-up makes a check; the look-up that moves it on is the one that
    /// checks, so threads never queue for a check.
    private let nextCheck: Atomic<Int64>
    private let state = Locked(CheckState())

    /// Opens the database at `path` now, if it is there.
    ///
    /// - Parameters:
    ///   - checkInterval: the least time between two looks at the file.
    ///   - now: the clock the interval is measured on, in nanoseconds (tests pass one they move by hand).
    ///   - log: where problems and new versions are reported (redirectd's stderr).
    public init(
        path: String, checkInterval: Duration = defaultCheckInterval,
        now: @escaping @Sendable () -> Int64 = CountryDatabaseFile.monotonicNanoseconds,
        log: @escaping @Sendable (String) -> Void = StandardError.log
    ) {
        self.path = path
        let (seconds, attoseconds) = checkInterval.components
        interval = max(0, seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000)
        self.now = now
        self.log = log
        nextCheck = Atomic(now() &+ interval)
        check()
    }

    /// The country of the address spelled by `text` (`REMOTE_ADDR`'s bytes); nil when it is no address, the
    /// database has no country for it, or no database is open.
    public func country(forAddress text: UnsafeBufferPointer<UInt8>) -> CountryCode? {
        guard let address = IPAddress(text) else { return nil }
        return country(for: address)
    }

    /// The country of the address spelled by `text`, as the look-up from bytes answers it.
    public func country(forAddress text: String) -> CountryCode? {
        guard let address = IPAddress(text) else { return nil }
        return country(for: address)
    }

    /// The country of `address`; nil when the database has none for it or no database is open.
    public func country(for address: IPAddress) -> CountryCode? {
        checkIfDue()
        return slot.read { $0?.country(for: address) }
    }

    /// Looks at the file now (on SIGHUP, say) and opens it if it changed; the next timed check is a whole
    /// interval away.
    public func reload() {
        nextCheck.store(now() &+ interval, ordering: .relaxed)
        check()
    }

    /// The database look-ups use now (nil: none is open); it stays open while the caller keeps it.
    public var database: CountryDatabase? { slot.current() }

    /// `CLOCK_MONOTONIC_COARSE` in nanoseconds: read without a system call, to a few milliseconds, which is
    /// plenty for a once-a-second check made on every click.
    @Sendable public static func monotonicNanoseconds() -> Int64 {
        var t = timespec()
        #if os(Linux)
            clock_gettime(CLOCK_MONOTONIC_COARSE, &t)
        #else
            clock_gettime(CLOCK_MONOTONIC, &t)
        #endif
        return Int64(t.tv_sec) &* 1_000_000_000 &+ Int64(t.tv_nsec)
    }

    private func checkIfDue() {
        let due = nextCheck.load(ordering: .relaxed)
        let time = now()
        guard time >= due else { return }
        guard nextCheck.compareExchange(expected: due, desired: time &+ interval, ordering: .relaxed).exchanged
        else { return }
        check()
    }

    /// One look at the file: a `stat`, and when the version is new, an open.
    private func check() {
        let message = state.withLock { state -> String? in
            let first = !state.checked
            state.checked = true
            var s = stat()
            guard stat(path, &s) == 0 else {
                let statErrno = errno
                state.identity = nil
                if statErrno == ENOENT || statErrno == ENOTDIR {
                    slot.replace(with: nil)
                    return report(CountryDatabaseError(path: path, kind: .missing, reason: "no such file"), &state)
                }
                let error = CountryDatabaseError(
                    path: path, kind: .unreadable, reason: String(cString: strerror(statErrno)))
                return report(error, &state)
            }
            let identity = FileIdentity(s)
            guard identity != state.identity else { return nil }
            state.identity = identity
            let database: CountryDatabase
            do throws(CountryDatabaseError) {
                database = try CountryDatabase(path: path)
            } catch {
                // A new version, so a new report even when it fails as the last one did.
                state.problem = nil
                return report(error, &state)
            }
            let replacing = slot.current() != nil
            slot.replace(with: database)
            let recovered = state.problem != nil
            state.problem = nil
            guard !first, replacing || recovered else { return nil }
            return "redirectd: country database \(path): opened \(replacing ? "a new version" : "it")"
                + " (\(Self.describe(database)))"
        }
        if let message { log(message) }
    }

    /// The line for `error` if it is not the one logged last.
    private func report(_ error: CountryDatabaseError, _ state: inout CheckState) -> String? {
        guard state.problem != error else { return nil }
        state.problem = error
        let consequence =
            slot.current() != nil
            ? "the version opened before serves on"
            : "clicks get no country until \(error.kind == .missing ? "it is there" : "it is replaced")"
        return "redirectd: \(error); \(consequence)"
    }

    /// "GeoLite2-Country, built 2026-12-01".
    private static func describe(_ database: CountryDatabase) -> String {
        var seconds = time_t(clamping: database.buildEpoch)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return database.databaseType }
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let date = "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
        return "\(database.databaseType.isEmpty ? "unnamed" : database.databaseType), built \(date)"
    }
}
