/// How a `redirectctl deploy` run ended, when it could run at all (``DeployError`` when it could not).
public enum DeployOutcome: Equatable, Sendable {
    /// `commit` is live now, in place of `previous` (nil: nothing was live before).
    case deployed(commit: String, previous: String?)
    /// `commit` was live already; nothing changed.
    case alreadyLive(commit: String)
    /// `commit` did not pass the checks; `live` (nil: nothing) stays live. `findings` are `check`'s lines.
    case rejected(commit: String, live: String?, findings: [String])

    /// The exit status of `redirectctl deploy`: 0 deployed or already live, 1 rejected.
    public var exitCode: Int32 {
        switch self {
        case .deployed, .alreadyLive: return 0
        case .rejected: return 1
        }
    }
}
