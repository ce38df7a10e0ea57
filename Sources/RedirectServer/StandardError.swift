#if canImport(Glibc)
import Glibc
#endif

/// Messages for people: stderr, which nginx (FastCGI) and fcgiwrap (CGI) put in the error log.
public enum StandardError {
    /// Writes `message` and a newline in one `write(2)`, so lines from threads do not interleave.
    @Sendable public static func log(_ message: String) {
        let bytes = Array((message + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
