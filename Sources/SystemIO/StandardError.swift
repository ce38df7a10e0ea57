import SystemPackage

/// Messages for people on stderr: the terminal, the journal under systemd, nginx's error log in CGI mode.
///
/// The one stderr writer of every target. A message of a line goes out in one `write(2)` when the kernel
/// takes it whole (a pipe takes up to 4 KiB at once), so lines from threads and processes do not interleave;
/// the rest of a short write follows, and a failure is dropped: there is nowhere left to report it.
public enum StandardError {
    /// Writes `message` and a line end.
    @Sendable public static func log(_ message: String) {
        write(message + "\n")
    }

    /// Writes `text` as it is (a progress bar redraws without a line end).
    @Sendable public static func write(_ text: String) {
        _ = try? FileDescriptor.standardError.writeAll(text.utf8)
    }
}
