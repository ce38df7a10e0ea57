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
        "socket-mode", environment: "REDIRECTD_SOCKET_MODE", default: defaultSocketMode, defaultText: "0660",
        summary: "Mode of the socket --listen unix: creates, in octal.",
        expectation: "an octal mode such as 0660", parse: socketMode)
    public static let socketGroupSetting = Setting<String>(
        "socket-group", environment: "REDIRECTD_SOCKET_GROUP", default: nil, defaultText: "redirectd's group",
        summary: "Group of the socket --listen unix: creates (nginx's group).",
        expectation: "a group of this system", parse: { ListeningSocket.groupID($0) == nil ? nil : $0 })
    public static let sealIntervalSetting = Setting<Int>(
        "seal-interval", environment: "REDIRECTD_SEAL_INTERVAL", default: defaultSealInterval, range: 0...86_400,
        summary: "Seconds between background sealing passes (0: off).")
    public static let cacheSizeSetting = Setting<Int>(
        "cache-size", environment: "REDIRECTD_CACHE_SIZE", default: defaultCacheLimit, range: 1...100_000_000,
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
    public static func fromEnvironment(log: @escaping (String) -> Void = StandardError.log) -> ResponderConfiguration {
        // Never throws: the environment lookup logs a bad value and gives the default.
        (try? make(EnvironmentLookup(log: { log("redirectd: " + $0) }))) ?? ResponderConfiguration()
    }

    /// The flags' values where given (by setting name: `["threads": "8"]`), else the environment's, else the
    /// defaults; throws the first bad value: `redirectd` refuses to start on it.
    public static func resolve(
        flags: [String: String], environment: @escaping (String) -> String? = Setting<String>.environment
    )
        throws(SettingError) -> ResponderConfiguration
    {
        try make(FlagLookup(flags: flags, environment: environment))
    }

    /// The configuration from each setting's value as `value` finds it (nil: the setting has no value and no
    /// default); the one place that says which setting fills which field.
    private static func make(_ lookup: some SettingLookup) throws(SettingError) -> ResponderConfiguration {
        var configuration = ResponderConfiguration()
        if let v = try lookup.value(redirectsSetting) { configuration.redirectsDirectory = v }
        configuration.spool = SpoolLayout(
            directory: try lookup.value(SpoolLayout.directorySetting) ?? SpoolLayout.defaultDirectory,
            bucketSeconds: try lookup.value(SpoolLayout.bucketSecondsSetting) ?? SpoolLayout.defaultBucketSeconds,
            maxFileSize: try lookup.value(SpoolLayout.maxFileSizeSetting) ?? SpoolLayout.defaultMaxFileSize)
        if let v = try lookup.value(threadsSetting) { configuration.threads = v }
        configuration.listen = try lookup.value(listenSetting)
        if let v = try lookup.value(cacheSizeSetting) { configuration.cacheLimit = v }
        if let v = try lookup.value(sealIntervalSetting) { configuration.sealInterval = v }
        if let v = try lookup.value(socketModeSetting) { configuration.socketMode = v }
        configuration.socketGroup = try lookup.value(socketGroupSetting)
        configuration.geoip = try lookup.value(CountryDatabaseFile.pathSetting)
        return configuration
    }

    /// An octal permission mode such as `660` or `0660`; nil for anything else.
    @Sendable public static func socketMode(_ text: String) -> mode_t? {
        guard !text.isEmpty, text.count <= 4, let mode = mode_t(text, radix: 8), mode <= 0o777 else { return nil }
        return mode
    }
}

/// Where ``ResponderConfiguration``'s settings take their values from.
private protocol SettingLookup {
    /// The setting's value; nil when it has none and no default.
    func value<T>(_ setting: Setting<T>) throws(SettingError) -> T?
}

/// The environment alone, a bad value logged and replaced by the default (CGI mode).
private struct EnvironmentLookup: SettingLookup {
    let log: (String) -> Void

    func value<T>(_ setting: Setting<T>) -> T? {
        setting.valueOrDefault(log: log)
    }
}

/// The flag, else the environment, else the default; a bad value throws (`redirectd` refuses to start).
private struct FlagLookup: SettingLookup {
    let flags: [String: String]
    let environment: (String) -> String?

    func value<T>(_ setting: Setting<T>) throws(SettingError) -> T? {
        try setting.value(flag: flags[setting.name], environment: environment)
    }
}
