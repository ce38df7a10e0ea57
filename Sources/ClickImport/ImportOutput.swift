#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a run reports: lines for stdout, warnings and errors for stderr, and a progress bar when stderr is a
/// terminal. Tests pass closures that collect the text.
public struct ImportOutput: Sendable {
    /// Progress lines and the summary (stdout).
    public var line: @Sendable (String) -> Void
    /// Warnings and errors (stderr).
    public var warning: @Sendable (String) -> Void
    /// Redraws the progress bar (text without a newline, starting with `\r`); nil when stderr is no terminal.
    public var progressBar: (@Sendable (String) -> Void)?

    public init(line: @escaping @Sendable (String) -> Void, warning: @escaping @Sendable (String) -> Void,
                progressBar: (@Sendable (String) -> Void)? = nil) {
        self.line = line
        self.warning = warning
        self.progressBar = progressBar
    }

    /// stdout and stderr; a progress bar only when stderr is a terminal.
    public static var standard: ImportOutput {
        var bar: (@Sendable (String) -> Void)?
        if isatty(2) != 0 {
            bar = { @Sendable text in ImportOutput.writeAll(2, text) }
        }
        return ImportOutput(
            line: { text in ImportOutput.writeAll(1, text + "\n") },
            warning: { text in ImportOutput.writeAll(2, text + "\n") },
            progressBar: bar)
    }

    static func writeAll(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + written }, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            written += n
        }
    }
}
