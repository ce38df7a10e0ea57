import ArgumentParser
import ClickSpool
import FastCGI
import RedirectServer
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

/// `redirectd`: the FastCGI (or CGI) responder for `/redirect/<id>[/<session>]` links.
@main
struct RedirectdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redirectd",
        abstract: "Answer click-tracking links with a redirect and record each click.",
        discussion: """
            Modes: FastCGI when fd 0 is a listening socket (spawn-fcgi), with systemd socket activation, or \
            with --listen; CGI when started by a CGI host such as fcgiwrap (one request, then exit).
            Every option has an environment variable, which is all there is in CGI mode.
            """)

    @Option(name: .customLong("redirects"), help: "Directory of <id>.toml files. Env: REDIRECTS_DIR. Default: ./redirects.d")
    var redirectsDirectory: String?

    @Option(name: .customLong("spool"), help: "Click spool directory. Env: CLICK_LOG_DIR. Default: ./clicks")
    var spoolDirectory: String?

    @Option(help: "Listen on unix:PATH or tcp:HOST:PORT instead of an inherited socket. Env: REDIRECTD_LISTEN")
    var listen: String?

    @Option(help: "Worker threads (FastCGI), at most 320; each serves any number of nginx connections. Env: REDIRECTD_THREADS. Default: the CPUs it may run on, at least 2")
    var threads: Int?

    @Option(help: "Mode of the socket --listen unix: creates, in octal. Env: REDIRECTD_SOCKET_MODE. Default: 0660")
    var socketMode: String?

    @Option(help: "Group of the socket --listen unix: creates (nginx's group). Env: REDIRECTD_SOCKET_GROUP")
    var socketGroup: String?

    @Option(help: "Length of a click-log bucket in seconds. Env: CLICK_LOG_BUCKET_SECONDS. Default: 60")
    var bucketSeconds: Int?

    @Option(help: "Size in bytes at which a bucket file is split. Env: CLICK_LOG_MAX_BYTES. Default: 67108864")
    var maxFileSize: Int64?

    @Option(help: "Seconds between background sealing passes (0: off). Env: REDIRECTD_SEAL_INTERVAL. Default: 5")
    var sealInterval: Int?

    @Option(help: "Most redirect files kept parsed in memory. Env: REDIRECTD_CACHE_SIZE. Default: 100000")
    var cacheSize: Int?

    func validate() throws {
        if let threads, !(1...ResponderConfiguration.maximumThreads).contains(threads) {
            throw ValidationError(
                "--threads must be between 1 and \(ResponderConfiguration.maximumThreads): each thread serves any number "
                    + "of connections, and more threads than CPUs only add wake-ups")
        }
        if let socketMode, ResponderConfiguration.socketMode(socketMode) == nil {
            throw ValidationError("--socket-mode must be an octal mode such as 0660, found \"\(socketMode)\"")
        }
        if let socketGroup, ListeningSocket.groupID(socketGroup) == nil {
            throw ValidationError("--socket-group: no such group: \(socketGroup)")
        }
        if let listen = listen ?? Self.env("REDIRECTD_LISTEN"), ListenAddress(listen) == nil {
            throw ValidationError("--listen must look like unix:/run/redirectd.sock or tcp:127.0.0.1:9000, found \"\(listen)\"")
        }
        if let seconds = bucketSeconds ?? Self.env("CLICK_LOG_BUCKET_SECONDS").flatMap(Int.init), !(1...86_400).contains(seconds) {
            throw ValidationError("--bucket-seconds must be between 1 and 86400")
        }
    }

    /// CGI mode runs once per request, and parsing arguments costs more than the request: a CGI process
    /// with no arguments takes its settings from the environment directly.
    static func main() {
        if CommandLine.arguments.count == 1 && getenv("GATEWAY_INTERFACE") != nil {
            Glibc.exit(serve(Self.configuration()))
        }
        Self.main(nil as [String]?)
    }

    func run() throws {
        let listenText = listen ?? Self.env("REDIRECTD_LISTEN")
        var configuration = Self.configuration(
            redirects: redirectsDirectory, spool: spoolDirectory, listen: listenText.flatMap(ListenAddress.init),
            threads: threads, bucketSeconds: bucketSeconds, maxFileSize: maxFileSize, sealInterval: sealInterval,
            cacheSize: cacheSize)
        if let mode = socketMode.flatMap(ResponderConfiguration.socketMode) { configuration.socketMode = mode }
        if let socketGroup { configuration.socketGroup = socketGroup }
        let code = Self.serve(configuration)
        if code != 0 { throw ExitCode(code) }
    }

    /// Flags where given, else the environment, else the defaults.
    static func configuration(
        redirects: String? = nil, spool: String? = nil, listen: ListenAddress? = nil, threads: Int? = nil,
        bucketSeconds: Int? = nil, maxFileSize: Int64? = nil, sealInterval: Int? = nil, cacheSize: Int? = nil
    ) -> ResponderConfiguration {
        var configuration = ResponderConfiguration.fromEnvironment()
        configuration.redirectsDirectory = redirects ?? configuration.redirectsDirectory
        configuration.spool = SpoolLayout(
            directory: spool ?? configuration.spool.directory,
            bucketSeconds: bucketSeconds ?? configuration.spool.bucketSeconds,
            maxFileSize: maxFileSize ?? configuration.spool.maxFileSize)
        configuration.listen = listen ?? configuration.listen
        configuration.threads = threads ?? configuration.threads
        configuration.cacheLimit = cacheSize ?? configuration.cacheLimit
        configuration.sealInterval = sealInterval ?? configuration.sealInterval
        return configuration
    }

    /// Runs the responder; returns the exit status.
    static func serve(_ configuration: ResponderConfiguration) -> Int32 {
        do {
            return try RedirectApplication.run(configuration: configuration)
        } catch {
            StandardError.log("redirectd: \(error)")
            return 2
        }
    }

    static func env(_ name: String) -> String? { ResponderConfiguration.environment(name) }
}
