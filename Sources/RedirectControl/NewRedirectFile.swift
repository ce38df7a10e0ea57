import RedirectCore
import SystemIO
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The file `redirectctl new` writes: `url` (and `name`), then every other key as a commented example.
public struct NewRedirectFile: Equatable, Sendable {
    public var url: String
    public var name: String?

    public init(url: String, name: String? = nil) {
        self.url = url
        self.name = name
    }

    /// The text of the file for `id`; `link` goes into the opening comment when known.
    public func text(id: String, link: String?) -> String {
        var lines = ["# Redirect \"\(id)\"" + (link.map { ": \($0)" } ?? "")]
        lines.append("# Placeholders in url and string properties: {session} {redirect} {click_id} {query.NAME}")
        lines.append("url = \(TOMLString.quoted(url))")
        lines.append(name.map { "name = \(TOMLString.quoted($0))" } ?? "# name = \"\"")
        lines += [
            "# description = \"\"",
            "# tags = []",
            "# status = 302                   # 301, 302, 303, 307 or 308",
            "# event_type = \"redirect\"        # default: event_type of _defaults.toml, else \"redirect\"",
            "# source = \"\"                    # Tracardi event-source id; default: source of _defaults.toml",
            "# forward_query = false          # true: add the click's query parameters (this file's win)",
            "# valid_from = 2026-01-01T00:00:00Z",
            "# valid_until = 2026-12-31T23:59:59Z",
            "# expired_url = \"https://www.example.com/\"   # outside the window; without it, 410 Gone",
            "# enabled = true                 # false answers 404",
            "",
            "# [properties]                   # event properties, any TOML values",
            "# campaign = \"\"",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The problems `check` would report in the file, as messages without a position; empty when it is good.
    public func problems() -> [String] {
        let result = RedirectFileParser.parseRedirect(text: text(id: "new", link: nil), id: "new", file: "new.toml")
        return result.problems.map(\.message)
    }

    /// Writes the file into `directory` as `<id>.toml`, never over an existing file, and returns its id and path.
    ///
    /// Without an `id`, random ids (``RandomRedirectID``) are drawn until one is free.
    public func create(
        in directory: String, id: String?, link: (String) -> String? = { _ in nil }
    ) throws(NewRedirectFileError) -> (id: String, path: String) {
        let settings = RedirectDirectorySettings(directory: directory)
        guard settings.exists else { throw .noDirectory(settings.directory) }
        if let id, !Identifiers.isRedirectID(id) { throw .invalidID(id) }
        for _ in 0..<100 {
            let chosen = id ?? RandomRedirectID.make()
            let path = settings.path(ofID: chosen)
            let file: FileDescriptor
            do throws(Errno) {
                file = try Errno.typed {
                    try FileDescriptor.open(
                        path, .writeOnly, options: [.create, .exclusiveCreate, .closeOnExec, .noFollow],
                        permissions: [.ownerReadWrite, .groupRead, .otherRead])
                }
            } catch {
                if error == .fileExists {
                    if id != nil { throw .exists(path) }
                    continue
                }
                throw .system(path, error)
            }
            do throws(Errno) {
                try Errno.typed { _ = try file.writeAll(text(id: chosen, link: link(chosen)).utf8) }
            } catch {
                try? file.close()
                unlink(path)
                throw .system(path, error)
            }
            try? file.close()
            return (chosen, path)
        }
        throw .noFreeID(settings.directory)
    }
}

/// Why `redirectctl new` wrote nothing.
public enum NewRedirectFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case noDirectory(String)
    case invalidID(String)
    case exists(String)
    case noFreeID(String)
    case system(String, Errno)

    public var description: String {
        switch self {
        case .noDirectory(let path): return "\(path) is not a directory (pass --redirects DIR)"
        case .invalidID(let id): return RedirectLinkError.invalidID(id).description
        case .exists(let path): return "\(path) already exists; choose another --id or edit that file"
        case .noFreeID(let path): return "no free random id found in \(path)"
        case .system(let path, let errno): return "cannot write \(path): \(errno)"
        }
    }
}
