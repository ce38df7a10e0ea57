import ClickSpool
import CountryLookup
import FastCGI
import RedirectFiles
import Settings
import SystemIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The responder's settings, each defined once: `redirectd`'s flags and help, the environment of both
/// executables, and the docs' table (checked by a test) read them from here.
extension ResponderConfiguration {
    public static var redirectsSetting: Setting<String> { RedirectStore.directorySetting }
    public static let listenSetting = Setting<ListenAddress>(
        "listen", environment: "REDIRECTD_LISTEN", default: nil,
        defaultText: "fd 0 (spawn-fcgi) or fd 3 (systemd)",
        summary: "Listen on unix:PATH or tcp:HOST:PORT instead of an inherited socket.",
        expectation: "unix:PATH or tcp:HOST:PORT (unix:/run/redirectd.sock, tcp:127.0.0.1:9000)",
        parse: { ListenAddress($0) })
    public static let threadsSetting = Setting<Int>(
        "threads", environment: "REDIRECTD_THREADS", default: defaultThreads,
        defaultText: "the CPUs it may run on, at least 2",
        range: 1...maximumThreads,
        summary: "Worker threads (FastCGI); each serves any number of nginx connections.",
        why: ": each thread serves any number of connections, and more threads than CPUs only add wake-ups")
    public static let socketModeSetting = Setting<mode_t>(
        "socket-mode", environment: "REDIRECTD_SOCKET_MODE", default: 0o660, defaultText: "0660",
        summary: "Mode of the socket --listen unix: creates, in octal.",
        expectation: "an octal mode such as 0660", parse: socketMode)
    public static let socketGroupSetting = Setting<String>(
        "socket-group", environment: "REDIRECTD_SOCKET_GROUP", default: nil, defaultText: "redirectd's group",
        summary: "Group of the socket --listen unix: creates (nginx's group).",
        expectation: "a group of this system", parse: { ListeningSocket.groupID($0) == nil ? nil : $0 })
    public static let sealIntervalSetting = Setting<Int>(
        "seal-interval", environment: "REDIRECTD_SEAL_INTERVAL", default: 5, range: 0...86_400,
        summary: "Seconds between background sealing passes (0: off).")
    public static let cacheSizeSetting = Setting<Int>(
        "cache-size", environment: "REDIRECTD_CACHE_SIZE", default: 100_000, range: 1...100_000_000,
        summary: "Most redirect files kept parsed in memory.")

    /// Every setting of the responder, in the order the docs list them.
    public static let settings: [any SettingDescription] = [
        redirectsSetting, SpoolLayout.directorySetting, listenSetting, socketModeSetting, socketGroupSetting,
        threadsSetting, SpoolLayout.bucketSecondsSetting, SpoolLayout.maxFileSizeSetting, sealIntervalSetting,
        cacheSizeSetting, CountryDatabaseFile.pathSetting,
    ]

    /// The settings the environment gives, defaults for the rest: CGI mode, where the environment is all there is.
    ///
    /// A bad value is logged (once: this runs once per process) with the default used instead: in CGI a refusal
    /// would break every click.
    public static func fromEnvironment(log: (String) -> Void = StandardError.log) -> ResponderConfiguration {
        func logged(_ message: String) { log("redirectd: " + message) }
        var configuration = ResponderConfiguration(
            redirectsDirectory: redirectsSetting.valueOrDefault(log: logged) ?? "./redirects.d",
            spool: SpoolLayout(
                directory: SpoolLayout.directorySetting.valueOrDefault(log: logged) ?? "./clicks",
                bucketSeconds: SpoolLayout.bucketSecondsSetting.valueOrDefault(log: logged)
                    ?? SpoolLayout.defaultBucketSeconds,
                maxFileSize: SpoolLayout.maxFileSizeSetting.valueOrDefault(log: logged)
                    ?? SpoolLayout.defaultMaxFileSize),
            threads: threadsSetting.valueOrDefault(log: logged) ?? defaultThreads,
            listen: listenSetting.valueOrDefault(log: logged),
            cacheLimit: cacheSizeSetting.valueOrDefault(log: logged) ?? 100_000,
            sealInterval: sealIntervalSetting.valueOrDefault(log: logged) ?? 5)
        configuration.socketMode = socketModeSetting.valueOrDefault(log: logged) ?? 0o660
        configuration.socketGroup = socketGroupSetting.valueOrDefault(log: logged)
        configuration.geoip = CountryDatabaseFile.pathSetting.valueOrDefault(log: logged)
        return configuration
    }

    /// The flags' values where given (by setting name: `["threads": "8"]`), else the environment's, else the
    /// defaults; throws the first bad value: `redirectd` refuses to start on it.
    public static func resolve(flags: [String: String], environment: (String) -> String? = Setting<String>.environment)
        throws(SettingError) -> ResponderConfiguration
    {
        func value<T>(_ setting: Setting<T>) throws(SettingError) -> T? {
            try setting.value(flag: flags[setting.name], environment: environment)
        }
        var configuration = ResponderConfiguration(
            redirectsDirectory: try value(redirectsSetting) ?? "./redirects.d",
            spool: SpoolLayout(
                directory: try value(SpoolLayout.directorySetting) ?? "./clicks",
                bucketSeconds: try value(SpoolLayout.bucketSecondsSetting) ?? SpoolLayout.defaultBucketSeconds,
                maxFileSize: try value(SpoolLayout.maxFileSizeSetting) ?? SpoolLayout.defaultMaxFileSize),
            threads: try value(threadsSetting) ?? defaultThreads,
            listen: try value(listenSetting),
            cacheLimit: try value(cacheSizeSetting) ?? 100_000,
            sealInterval: try value(sealIntervalSetting) ?? 5)
        configuration.socketMode = try value(socketModeSetting) ?? 0o660
        configuration.socketGroup = try value(socketGroupSetting)
        configuration.geoip = try value(CountryDatabaseFile.pathSetting)
        return configuration
    }

    /// An octal permission mode such as `660` or `0660`; nil for anything else.
    @Sendable public static func socketMode(_ text: String) -> mode_t? {
        guard !text.isEmpty, text.count <= 4, let mode = mode_t(text, radix: 8), mode <= 0o777 else { return nil }
        return mode
    }
}
