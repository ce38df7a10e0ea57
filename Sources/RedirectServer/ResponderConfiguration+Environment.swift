import ClickSpool
import FastCGI
import SystemIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ResponderConfiguration {
    /// The settings the environment gives, defaults for the rest: all there is in CGI mode, and what
    /// `redirectd`'s flags override.
    ///
    /// A value that is not a number in its range is logged (once: this runs once per process) with its name and
    /// the default used instead, rather than ignored in silence. In CGI mode the environment is all there is.
    public static func fromEnvironment(log: (String) -> Void = StandardError.log) -> ResponderConfiguration {
        func number<T: FixedWidthInteger>(_ name: String, _ range: ClosedRange<T>, default value: T) -> T {
            guard let text = environment(name) else { return value }
            if let parsed = T(text), range.contains(parsed) { return parsed }
            log("redirectd: \(name)=\"\(text)\" is not a whole number from \(range.lowerBound) to \(range.upperBound); "
                + "using \(value)")
            return value
        }
        let spool = SpoolLayout(
            directory: environment("CLICK_LOG_DIR") ?? "./clicks",
            bucketSeconds: number("CLICK_LOG_BUCKET_SECONDS", 1...86_400, default: SpoolLayout.defaultBucketSeconds),
            maxFileSize: number("CLICK_LOG_MAX_BYTES", 4096...(Int64(1) << 40), default: SpoolLayout.defaultMaxFileSize))
        var listen: ListenAddress?
        if let text = environment("REDIRECTD_LISTEN") {
            listen = ListenAddress(text)
            if listen == nil {
                log("redirectd: REDIRECTD_LISTEN=\"\(text)\" is not unix:PATH or tcp:HOST:PORT; ignored")
            }
        }
        var configuration = ResponderConfiguration(
            redirectsDirectory: environment("REDIRECTS_DIR") ?? "./redirects.d",
            spool: spool,
            threads: number("REDIRECTD_THREADS", 1...maximumThreads, default: defaultThreads),
            listen: listen,
            cacheLimit: number("REDIRECTD_CACHE_SIZE", 1...100_000_000, default: 100_000),
            sealInterval: number("REDIRECTD_SEAL_INTERVAL", 0...86_400, default: 5))
        if let text = environment("REDIRECTD_SOCKET_MODE") {
            if let mode = socketMode(text) {
                configuration.socketMode = mode
            } else {
                log("redirectd: REDIRECTD_SOCKET_MODE=\"\(text)\" is not an octal mode such as 0660; using 0660")
            }
        }
        configuration.socketGroup = environment("REDIRECTD_SOCKET_GROUP")
        return configuration
    }

    /// An octal permission mode such as `660` or `0660`; nil for anything else.
    public static func socketMode(_ text: String) -> mode_t? {
        guard !text.isEmpty, text.count <= 4, let mode = mode_t(text, radix: 8), mode <= 0o777 else { return nil }
        return mode
    }

    /// The variable `name`, or nil when it is unset or empty.
    public static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}
