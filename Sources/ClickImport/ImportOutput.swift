import SystemIO
import SystemPackage

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

    public init(
        line: @escaping @Sendable (String) -> Void, warning: @escaping @Sendable (String) -> Void,
        progressBar: (@Sendable (String) -> Void)? = nil
    ) {
        self.line = line
        self.warning = warning
        self.progressBar = progressBar
    }

    /// stdout and stderr; a progress bar only when stderr is a terminal.
    public static var standard: ImportOutput {
        ImportOutput(
            line: { text in _ = try? FileDescriptor.standardOutput.writeAll((text + "\n").utf8) },
            warning: StandardError.log,
            progressBar: isatty(2) != 0 ? StandardError.write : nil)
    }
}
