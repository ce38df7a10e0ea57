/// One place in a redirects directory where a target URL is written, for the findings of `check --targets`.
public struct TargetPlace: Equatable, Hashable, Sendable {
    public var file: String
    /// Where the URL's string starts (its opening quote), so that an editor lands on the URL itself.
    public var line: Int
    public var column: Int
    /// The key that holds the URL, as a person finds it in the file: `url`, `expired_url`, `not_found_url`,
    /// `rule "ios" url`, `variant "a" url`, `rule "ios" variant "b" url`.
    public var key: String

    public init(file: String, line: Int, column: Int, key: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
    }

    /// `file:line:column`, the form editors and CI annotations understand.
    public var location: String { "\(file):\(line):\(column)" }
}
