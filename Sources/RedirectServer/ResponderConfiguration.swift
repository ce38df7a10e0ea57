import ClickSpool
import FastCGIResponder

/// Everything `redirectd` needs to know, from flags or the environment.
public struct ResponderConfiguration: Sendable {
    /// Directory of `<id>.toml` files (`REDIRECTS_DIR`, default `./redirects.d`).
    public var redirectsDirectory: String
    /// The click spool (`CLICK_LOG_DIR`, default `./clicks`).
    public var spool: SpoolLayout
    /// Worker threads in FastCGI mode.
    public var threads: Int
    /// Socket to open; nil uses the one handed over on fd 0 (spawn-fcgi) or fd 3 (systemd).
    public var listen: ListenAddress?
    /// Most parsed redirect files kept in memory.
    public var cacheLimit: Int
    /// How often, in seconds, a FastCGI responder seals passed buckets in the background; 0 turns it off.
    public var sealInterval: Int

    public static let defaultThreads = 64

    public init(
        redirectsDirectory: String = "./redirects.d", spool: SpoolLayout = SpoolLayout(directory: "./clicks"),
        threads: Int = defaultThreads, listen: ListenAddress? = nil, cacheLimit: Int = 20_000, sealInterval: Int = 5
    ) {
        self.redirectsDirectory = redirectsDirectory
        self.spool = spool
        self.threads = threads
        self.listen = listen
        self.cacheLimit = cacheLimit
        self.sealInterval = sealInterval
    }
}
