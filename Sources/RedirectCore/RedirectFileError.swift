/// A problem in a redirect file, with the place a person should look.
public struct RedirectFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// How bad the problem is: an error makes the file unusable; a warning (an unknown key) does not.
    public enum Severity: String, Sendable { case error, warning }

    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    public var severity: Severity

    public init(file: String, line: Int, column: Int, message: String, severity: Severity = .error) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.severity = severity
    }

    /// `file:line:column: message`, the form editors and CI annotations understand.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}
