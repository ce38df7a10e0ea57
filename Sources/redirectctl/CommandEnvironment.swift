#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Settings that come from the environment when no flag gives them.
enum CommandEnvironment {
    /// The value of `name`, or nil when it is unset or empty.
    static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `--redirects`, else `$REDIRECTS_DIR`, else `./redirects.d` (the responder's rule).
    static func redirectsDirectory(_ flag: String?) -> String {
        flag ?? value("REDIRECTS_DIR") ?? "./redirects.d"
    }
}
