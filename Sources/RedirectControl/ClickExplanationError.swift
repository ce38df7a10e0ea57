/// Why `redirectctl explain` has no answer to give.
public enum ClickExplanationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The id cannot name a redirect (the message says why).
    case invalidID(String)
    /// No file for the id: redirectd answers the click as not found.
    case unknownID(String, String)
    /// The file (or `_defaults.toml`) cannot be read or parsed; the problems as redirectd logs them.
    case brokenFile(String, [String])
    /// The `--geoip` file cannot be opened.
    case countryDatabase(String)

    public var description: String {
        switch self {
        case .invalidID(let problem): return problem
        case .unknownID(let id, let file): return "no redirect \"\(id)\": \(file) does not exist"
        case .brokenFile(let file, let problems):
            if problems.isEmpty { return "\(file) cannot be used (run redirectctl check)" }
            return problems.joined(separator: "\n")
        case .countryDatabase(let problem): return problem
        }
    }
}
