#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Settings that come from the environment when no flag gives them, and stderr output.
enum CommandEnvironment {
    /// The value of `name`, or nil when it is unset or empty.
    static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `--redirects`, else `$REDIRECTS_DIR`, else `./redirects.d` (the responder's rule).
    static func redirectsDirectory(_ flag: String?) -> String {
        flag ?? value("REDIRECTS_DIR") ?? "./redirects.d"
    }

    /// Writes `message` and a newline to stderr.
    static func printError(_ message: String) {
        let bytes = Array((message + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(2, $0.baseAddress.map { $0 + written }, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            written += n
        }
    }
}
