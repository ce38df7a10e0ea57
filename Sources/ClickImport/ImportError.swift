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
    /// The sink refused every event of the run, two or more, and accepted none (`RefusalGuard`): it is set up for
    /// something else. `status` and `answer` are its last refusal's.
    case sinkRefusesEverything(refused: Int, status: Int?, answer: String)

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
        case .sinkRefusesEverything(let refused, let status, let answer):
            let last = (status.map { "HTTP \($0)" } ?? "no request") + (answer.isEmpty ? "" : ": " + answer)
            return "the sink refused all \(refused) events sent this run and accepted none; its answer: "
                + "\(last); nothing was moved to rejected/ and the checkpoint is as it was: check that the sink is set "
                + "up for these events (URL, table, format), then run again; if it is, and these events are ones it "
                + "rightly refuses, --set-aside-refused puts them in rejected/ and ships the rest"
        }
    }

    public var exitCode: ImportExitCode {
        switch self {
        case .anotherImportRunning: return .anotherImportRunning
        case .spool: return .failure
        case .badOption: return .misconfiguration
        case .sink(let error): return error.exitCode
        case .sinkRefusesEverything: return .misconfiguration
        }
    }
}
