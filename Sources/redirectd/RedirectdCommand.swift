import ArgumentParser
import ClickSpool
import CountryLookup
import FastCGI
import RedirectServer
import Settings
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

    @Option(name: .customLong(Config.redirectsSetting.name), help: ArgumentHelp(Config.redirectsSetting.help))
    var redirectsDirectory: String?

    @Option(name: .customLong(SpoolLayout.directorySetting.name), help: ArgumentHelp(SpoolLayout.directorySetting.help))
    var spoolDirectory: String?

    @Option(name: .customLong(Config.listenSetting.name), help: ArgumentHelp(Config.listenSetting.help))
    var listen: String?

    @Option(name: .customLong(Config.threadsSetting.name), help: ArgumentHelp(Config.threadsSetting.help))
    var threads: String?

    @Option(name: .customLong(Config.socketModeSetting.name), help: ArgumentHelp(Config.socketModeSetting.help))
    var socketMode: String?

    @Option(name: .customLong(Config.socketGroupSetting.name), help: ArgumentHelp(Config.socketGroupSetting.help))
    var socketGroup: String?

    @Option(
        name: .customLong(SpoolLayout.bucketSecondsSetting.name),
        help: ArgumentHelp(SpoolLayout.bucketSecondsSetting.help))
    var bucketSeconds: String?

    @Option(
        name: .customLong(SpoolLayout.maxFileSizeSetting.name),
        help: ArgumentHelp(SpoolLayout.maxFileSizeSetting.help))
    var maxFileSize: String?

    @Option(name: .customLong(Config.sealIntervalSetting.name), help: ArgumentHelp(Config.sealIntervalSetting.help))
    var sealInterval: String?

    @Option(name: .customLong(Config.cacheSizeSetting.name), help: ArgumentHelp(Config.cacheSizeSetting.help))
    var cacheSize: String?

    @Option(
        name: .customLong(CountryDatabaseFile.pathSetting.name),
        help: ArgumentHelp(CountryDatabaseFile.pathSetting.help))
    var geoip: String?

    /// The flags given, by setting name.
    var flags: [String: String] {
        var flags: [String: String] = [:]
        let given: [(String, String?)] = [
            (Config.redirectsSetting.name, redirectsDirectory), (SpoolLayout.directorySetting.name, spoolDirectory),
            (Config.listenSetting.name, listen), (Config.threadsSetting.name, threads),
            (Config.socketModeSetting.name, socketMode), (Config.socketGroupSetting.name, socketGroup),
            (SpoolLayout.bucketSecondsSetting.name, bucketSeconds), (SpoolLayout.maxFileSizeSetting.name, maxFileSize),
            (Config.sealIntervalSetting.name, sealInterval), (Config.cacheSizeSetting.name, cacheSize),
            (CountryDatabaseFile.pathSetting.name, geoip),
        ]
        for (name, value) in given { if let value { flags[name] = value } }
        return flags
    }

    /// Every setting from its flag, the environment or its default; a bad value, wherever it came from, stops
    /// `redirectd` before it starts (in CGI mode it is logged and the default used instead).
    func validate() throws {
        do {
            _ = try Config.resolve(flags: flags)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// CGI mode runs once per request, and parsing arguments costs more than the request: a CGI process
    /// with no arguments takes its settings from the environment directly.
    static func main() {
        if CommandLine.arguments.count == 1 && getenv("GATEWAY_INTERFACE") != nil {
            Glibc.exit(serve(ResponderConfiguration.fromEnvironment()))
        }
        Self.main(nil as [String]?)
    }

    func run() throws {
        let configuration: ResponderConfiguration
        do {
            configuration = try Config.resolve(flags: flags)
        } catch {
            throw ValidationError(error.description)
        }
        let code = Self.serve(configuration)
        if code != 0 { throw ExitCode(code) }
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
}

private typealias Config = ResponderConfiguration
