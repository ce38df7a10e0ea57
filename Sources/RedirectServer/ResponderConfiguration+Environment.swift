import ClickSpool
import FastCGIResponder

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ResponderConfiguration {
    /// The settings the environment gives, defaults for the rest: all there is in CGI mode, and what
    /// `redirectd`'s flags override.
    public static func fromEnvironment() -> ResponderConfiguration {
        let spool = SpoolLayout(
            directory: environment("CLICK_LOG_DIR") ?? "./clicks",
            bucketSeconds: environment("CLICK_LOG_BUCKET_SECONDS").flatMap(Int.init)
                ?? SpoolLayout.defaultBucketSeconds,
            maxFileSize: environment("CLICK_LOG_MAX_BYTES").flatMap { Int64($0) } ?? SpoolLayout.defaultMaxFileSize)
        return ResponderConfiguration(
            redirectsDirectory: environment("REDIRECTS_DIR") ?? "./redirects.d",
            spool: spool,
            threads: environment("REDIRECTD_THREADS").flatMap(Int.init) ?? defaultThreads,
            listen: environment("REDIRECTD_LISTEN").flatMap(ListenAddress.init),
            cacheLimit: environment("REDIRECTD_CACHE_SIZE").flatMap(Int.init) ?? 20_000,
            sealInterval: environment("REDIRECTD_SEAL_INTERVAL").flatMap(Int.init) ?? 5)
    }

    /// The variable `name`, or nil when it is unset or empty.
    public static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}
