import Dispatch
import RedirectCore
import SystemIO
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Lints a redirects directory: every file through the parser, plus what only the directory shows.
///
/// Directory-level problems are names the responder would never serve or would refuse: files that are not
/// `.toml`, names that are not ids, ids that differ only in case (one file hides the other on a
/// case-insensitive file system, e.g. a Mac checkout), links that leave the directory, files over the size
/// limit, anything that is not a regular file, and text that is not UTF-8. Dotfiles (`.gitkeep`) and README
/// files are left alone.
///
/// The work per file is independent, so files are checked on all cores; the only cross-file check (case
/// collisions) is one dictionary pass, so 100,000 files cost 100,000 times one file.
public struct RedirectDirectoryChecker: Sendable {
    /// The directory as named by the user, without trailing slashes; messages name files as `directory/name`.
    public let directory: String

    public init(directory: String) {
        var path = directory
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.directory = path
    }

    /// Checks every file and returns all problems found, or throws when the directory cannot be listed.
    ///
    /// The directory is opened once, and listed and read through that descriptor: a link to it that is
    /// switched meanwhile (`redirectctl deploy`) does not mix two releases in one report.
    public func check() throws(RedirectDirectoryError) -> RedirectCheckReport {
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw RedirectDirectoryError(path: directory, errno: Errno(rawValue: errno)) }
        defer { close(directoryFD) }
        let entries = try listEntries(directoryFD).filter { Self.isChecked($0.name) }.sorted { $0.name < $1.name }
        let names = entries.map(\.name)
        let defaults =
            names.contains(RedirectFileParser.defaultsFileName) ? readDefaults(directoryFD) : RedirectDefaults()
        var perFile = checkFiles(entries, directoryFD: directoryFD, defaults: defaults)
        for (index, message) in Self.caseCollisions(names) {
            perFile[index].insert(problem(names[index], message), at: 0)
        }
        var problems: [RedirectFileError] = []
        for fileProblems in perFile where !fileProblems.isEmpty {
            problems += fileProblems.enumerated().sorted { a, b in
                (a.element.line, a.element.column, a.offset) < (b.element.line, b.element.column, b.offset)
            }.map(\.element)
        }
        return RedirectCheckReport(directory: directory, filesChecked: names.count, problems: problems)
    }

    /// Whether `name` is looked at: everything but dotfiles and README files.
    static func isChecked(_ name: String) -> Bool {
        if name.hasPrefix(".") { return false }
        if !name.hasSuffix(".toml") && name.lowercased().hasPrefix("readme") { return false }
        return true
    }

    /// The problems of the directory entry `name` (of `readdir` type `type`) in the directory open as
    /// `directoryFD`, as positioned messages.
    func problems(
        inFile name: String, type: UInt8, directoryFD: Int32, buffer: inout DirectoryEntryContents.ReadBuffer,
        defaults: RedirectDefaults = RedirectDefaults()
    ) -> [RedirectFileError] {
        guard name.hasSuffix(".toml") else {
            let message =
                "not a .toml file; a redirects directory holds <id>.toml files, _defaults.toml, README and dotfiles"
            return [problem(name, message)]
        }
        let isDefaults = name == RedirectFileParser.defaultsFileName
        let id = String(name.dropLast(5))
        var problems: [RedirectFileError] = []
        if !isDefaults, let message = Self.idProblem(id) { problems.append(problem(name, message)) }
        switch DirectoryEntryContents.read(name: name, in: directoryFD, type: type, buffer: &buffer) {
        case .text(let text):
            problems += parse(text, as: name, defaults: defaults)
        case .symbolicLink(let target):
            if let message = linkProblem(target) {
                problems.append(problem(name, message))
            } else if isDefaults != (target == RedirectFileParser.defaultsFileName) {
                // The target is checked under its own name, but read here in another role: check that too.
                if case .text(let text) = DirectoryEntryContents.read(path(of: target)) {
                    problems += parse(text, as: name, defaults: defaults)
                }
            }
        case .problem(let line, let column, let message):
            problems.append(RedirectFileError(file: path(of: name), line: line, column: column, message: message))
        }
        return problems
    }

    /// Why `id` (a file name without `.toml`) is not a redirect id, or nil when it is one.
    static func idProblem(_ id: String) -> String? {
        if Identifiers.isRedirectID(id) { return nil }
        if id.hasPrefix("_") {
            return "\"\(id)\" is not a redirect id: names starting with \"_\" are reserved "
                + "(only _defaults.toml is read)"
        }
        if id.utf8.count > Identifiers.maxRedirectIDLength {
            return "\"\(id)\" is not a redirect id: longer than \(Identifiers.maxRedirectIDLength) bytes"
        }
        return "\"\(id)\" is not a redirect id: use 1-128 of A-Z a-z 0-9 . _ - (not starting with . or _)"
    }

    /// Files whose ids equal an earlier id but for case, by index into `names` (sorted), with the message.
    static func caseCollisions(_ names: [String]) -> [(Int, String)] {
        var first: [String: String] = [:]
        var collisions: [(Int, String)] = []
        for (index, name) in names.enumerated()
        where name.hasSuffix(".toml") && name != RedirectFileParser.defaultsFileName {
            let id = String(name.dropLast(5))
            let key = id.lowercased()
            if let earlier = first[key] {
                let message =
                    "id \"\(id)\" differs from \"\(earlier)\" only in case; "
                    + "on a case-insensitive file system one file hides the other"
                collisions.append((index, message))
            } else {
                first[key] = id
            }
        }
        return collisions
    }

    /// The responder follows a link only to a `.toml` file named plainly in the same directory, and only one
    /// link deep (`RedirectFileReader`): say why this one would not be followed, or nil when it would.
    func linkProblem(_ target: String) -> String? {
        guard !target.contains("/"), target.hasSuffix(".toml"), !target.hasPrefix(".") else {
            return "symbolic link to \"\(target)\", which is not a redirect file in the same directory"
        }
        switch DirectoryEntryContents.kind(of: path(of: target)) {
        case .regular: return nil
        case .missing: return "symbolic link to \"\(target)\", which does not exist"
        case .symbolicLink:
            return "symbolic link to \"\(target)\", which is itself a symbolic link (only one link is followed)"
        case .other: return "symbolic link to \"\(target)\", which is not a regular file"
        }
    }

    private func parse(_ text: String, as name: String, defaults: RedirectDefaults) -> [RedirectFileError] {
        if name == RedirectFileParser.defaultsFileName {
            return RedirectFileParser.parseDefaults(text: text, file: path(of: name)).problems
        }
        return RedirectFileParser.parseRedirect(
            text: text, id: String(name.dropLast(5)), file: path(of: name), defaults: defaults
        ).problems
    }

    /// `_defaults.toml` as every redirect file is checked under it (its `[utm]` and `[utm.allowed]`): what it
    /// parses to, else the built-in defaults (its own problems are reported as it is checked as a file).
    private func readDefaults(_ directoryFD: Int32) -> RedirectDefaults {
        var buffer = DirectoryEntryContents.ReadBuffer()
        var name = RedirectFileParser.defaultsFileName
        if case .symbolicLink(let link) = DirectoryEntryContents.read(
            name: name, in: directoryFD, type: UInt8(DT_UNKNOWN), buffer: &buffer),
            linkProblem(link) == nil
        {
            name = link
        }
        guard
            case .text(let text) = DirectoryEntryContents.read(
                name: name, in: directoryFD, type: UInt8(DT_UNKNOWN), buffer: &buffer)
        else { return RedirectDefaults() }
        return RedirectFileParser.parseDefaults(text: text, file: path(of: name)).value ?? RedirectDefaults()
    }

    private func path(of name: String) -> String { directory + "/" + name }

    private func problem(_ name: String, _ message: String) -> RedirectFileError {
        RedirectFileError(file: path(of: name), line: 1, column: 1, message: message)
    }

    /// The problems of each entry, in the order of `entries`, computed in chunks on every core. Files are
    /// opened relative to one descriptor of the directory, and each chunk reads into one buffer.
    private func checkFiles(
        _ entries: [(name: String, type: UInt8)], directoryFD: Int32, defaults: RedirectDefaults
    ) -> [[RedirectFileError]] {
        let chunkSize = 128
        let chunks = (entries.count + chunkSize - 1) / chunkSize
        let results = Locked([[RedirectFileError]](repeating: [], count: entries.count))
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = (chunk * chunkSize)..<min(entries.count, (chunk + 1) * chunkSize)
            var buffer = DirectoryEntryContents.ReadBuffer()
            let found = range.map {
                problems(
                    inFile: entries[$0].name, type: entries[$0].type, directoryFD: directoryFD, buffer: &buffer,
                    defaults: defaults)
            }
            results.withLock { all in
                for (offset, problems) in found.enumerated() where !problems.isEmpty {
                    all[range.lowerBound + offset] = problems
                }
            }
        }
        return results.withLock { $0 }
    }

    /// Every entry in the directory but `.` and `..`, with its `d_type`, unsorted: the directory opened once.
    func listEntries() throws(RedirectDirectoryError) -> [(name: String, type: UInt8)] {
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw RedirectDirectoryError(path: directory, errno: Errno(rawValue: errno)) }
        defer { close(directoryFD) }
        return try listEntries(directoryFD)
    }

    /// Every entry in the directory open as `directoryFD` but `.` and `..`, with its `d_type`, unsorted.
    func listEntries(_ directoryFD: Int32) throws(RedirectDirectoryError) -> [(name: String, type: UInt8)] {
        // A descriptor of its own: closedir closes it.
        let listed = fcntl(directoryFD, F_DUPFD_CLOEXEC, 0)
        guard listed >= 0, let dir = fdopendir(listed) else {
            let error = Errno(rawValue: errno)
            if listed >= 0 { close(listed) }
            throw RedirectDirectoryError(path: directory, errno: error)
        }
        defer { closedir(dir) }
        var entries: [(name: String, type: UInt8)] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw RedirectDirectoryError(path: directory, errno: Errno(rawValue: errno)) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { entries.append((name, entry.pointee.d_type)) }
        }
        return entries
    }
}
