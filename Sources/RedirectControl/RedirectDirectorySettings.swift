import RedirectCore

/// What the CLI needs from a redirects directory besides the lint: its defaults and whether an id exists.
public struct RedirectDirectorySettings: Sendable {
    /// The redirects directory, without trailing slashes.
    public let directory: String

    public init(directory: String) {
        var path = directory
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.directory = path
    }

    /// The path of the file for `id`.
    public func path(ofID id: String) -> String { directory + "/" + id + ".toml" }

    /// Whether a file (or link) for `id` exists.
    public func hasRedirect(_ id: String) -> Bool {
        DirectoryEntryContents.kind(of: path(ofID: id)) != .missing
    }

    /// The file of `id` as the responder reads it; nil when it is missing or has errors.
    public func redirect(_ id: String) -> Redirect? {
        let file = path(ofID: id)
        guard case .text(let text) = DirectoryEntryContents.read(file) else { return nil }
        return RedirectFileParser.parseRedirect(text: text, id: id, file: file).value
    }

    /// Whether `directory` exists and is a directory.
    public var exists: Bool {
        DirectoryEntryContents.isDirectory(directory)
    }

    /// The public link prefix: `explicit` (from `--base`) when given, else `base_url` of `_defaults.toml`.
    public func linkBase(explicit: String?) throws(LinkBaseError) -> String {
        if let explicit { return explicit }
        let file = directory + "/" + RedirectFileParser.defaultsFileName
        switch DirectoryEntryContents.read(file) {
        case .text(let text):
            let result = RedirectFileParser.parseDefaults(text: text, file: file)
            if let defaults = result.value {
                if let base = defaults.baseURL { return base }
                throw .missing(file)
            }
            throw .defaultsInvalid(result.errors.map(\.description))
        case .symbolicLink, .problem:
            throw .missing(file)
        }
    }
}

/// Why no link prefix is known.
public enum LinkBaseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Neither `--base` nor `base_url` in this defaults file.
    case missing(String)
    /// `_defaults.toml` has errors, so its `base_url` is not used.
    case defaultsInvalid([String])

    public var description: String {
        switch self {
        case .missing(let file):
            return "no base URL: pass --base (e.g. --base https://go.example.com/redirect) or set base_url in \(file)"
        case .defaultsInvalid(let problems):
            return "no base URL: pass --base, or fix \(RedirectFileParser.defaultsFileName):\n"
                + problems.joined(separator: "\n")
        }
    }
}
