/// One line `redirectctl deploy` prints: a step (for the log: stdout) or a finding that kept a commit from
/// going live (for a person: stderr, which cron mails).
public struct DeployLine: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// What was done: fetched, checked out, switched, pruned, already live.
        case step
        /// Why a commit was not deployed: `check`'s findings and the line saying so, once per rejected commit.
        case finding
    }

    public var kind: Kind
    public var text: String

    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }

    public var description: String { text }
}
