import ClickSpool
import FastCGI
import RedirectFiles

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything `redirectd` needs to know, from flags or the environment.
public struct ResponderConfiguration: Sendable {
    /// Directory of `<id>.toml` files (`REDIRECTS_DIR`, default `./redirects.d`).
    public var redirectsDirectory: String
    /// The click spool (`CLICK_LOG_DIR`, default `./clicks`).
    public var spool: SpoolLayout
    /// Worker threads in FastCGI mode; each serves whichever connection has a request.
    public var threads: Int
    /// Socket to open; nil uses the one handed over on fd 0 (spawn-fcgi) or fd 3 (systemd).
    public var listen: ListenAddress?
    /// Most parsed redirect files kept in memory.
    public var cacheLimit: Int
    /// How often, in seconds, a FastCGI responder seals passed buckets in the background; 0 turns it off.
    public var sealInterval: Int
    /// Permissions of a unix socket redirectd creates itself (`--listen unix:`).
    public var socketMode: mode_t = defaultSocketMode
    /// Group of that socket (nginx's group, so its workers can connect); nil keeps the process's group.
    public var socketGroup: String?
    /// A MaxMind-format country database (`--geoip`, `REDIRECTD_GEOIP`) for the event's `country` and
    /// `country` rules; nil looks up nothing (nginx's `REDIRECT_COUNTRY` still counts).
    public var geoip: String?

    /// The CPUs the process may run on, at least two (``FastCGIServer/defaultThreads``).
    public static var defaultThreads: Int { FastCGIServer.defaultThreads }
    /// The most worker threads one process can have. Each keeps a spool file open and serves any number of
    /// connections; more threads than CPUs only add wake-ups.
    public static let maximumThreads = 320
    /// Most redirect files kept parsed (`--cache-size`).
    public static let defaultCacheLimit = RedirectStore.defaultCacheLimit
    /// Seconds between background sealing passes (`--seal-interval`).
    public static let defaultSealInterval = 5
    /// Mode of a unix socket redirectd creates (`--socket-mode`).
    public static let defaultSocketMode: mode_t = 0o660

    public init(
        redirectsDirectory: String = RedirectStore.defaultDirectory,
        spool: SpoolLayout = SpoolLayout(directory: SpoolLayout.defaultDirectory), threads: Int = defaultThreads,
        listen: ListenAddress? = nil, cacheLimit: Int = defaultCacheLimit, sealInterval: Int = defaultSealInterval
    ) {
        self.redirectsDirectory = redirectsDirectory
        self.spool = spool
        self.threads = threads
        self.listen = listen
        self.cacheLimit = cacheLimit
        self.sealInterval = sealInterval
    }
}
