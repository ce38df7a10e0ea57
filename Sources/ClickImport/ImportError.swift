import ClickSpool
import RedirectCore

/// Why an import run stopped before shipping everything.
public enum ImportError: Error, Sendable, CustomStringConvertible {
    /// Another run holds the lock.
    case anotherImportRunning(lockPath: String)
    /// The spool (lock, directories, files, checkpoint) could not be read or written.
    case spool(SpoolError)
    /// An option that cannot work, found when the run starts (a URL that does not parse, say).
    case badOption(String)
    /// The sink did not take a batch.
    case sink(SinkError)

    /// The message, with control characters in what it quotes from outside (a sink's answer, a file name, a
    /// header) escaped: it goes to a terminal or to cron's mail.
    public var description: String { message.escapingControlCharacters }

    private var message: String {
        switch self {
        case .anotherImportRunning(let lockPath):
            return "another import is running (\(lockPath) is locked); this run exits without doing anything"
        case .spool(let error):
            return "spool: \(error)"
        case .badOption(let message):
            return message
        case .sink(let error):
            return error.description
        }
    }

    public var exitCode: ImportExitCode {
        switch self {
        case .anotherImportRunning: return .anotherImportRunning
        case .spool: return .failure
        case .badOption: return .misconfiguration
        case .sink(let error): return error.exitCode
        }
    }
}
