import ArgumentParser
import RedirectControl
import RedirectCore
import RedirectFiles
import SystemIO

/// What names a link, shared by `redirectctl link` and `redirectctl qr` so that a code always holds exactly the
/// text `link` prints: the id, its session, the base and the directory the base and the id's file come from.
struct LinkOptions: ParsableArguments {
    @Argument(help: "The redirect id (the file name without .toml).")
    var id: String

    @Option(help: "A session id to append.")
    var session: String?

    @Flag(help: "Append the email-template placeholder {{session@id}}.")
    var sessionTemplate = false

    @Option(help: "The public link prefix, e.g. https://go.example.com/redirect. Default: base_url of _defaults.toml")
    var base: String?

    @Option(
        name: .customLong(RedirectStore.directorySetting.name), help: ArgumentHelp(RedirectStore.directorySetting.help))
    var redirectsDirectory: String?

    /// The link, every part checked; a bad part is a usage error.
    func link(via: ClickVia?, session forced: RedirectLink.Session? = nil) throws -> RedirectLink {
        if session != nil && sessionTemplate {
            throw ValidationError("pass either --session or --session-template, not both")
        }
        do {
            let base = try settings.linkBase(explicit: base)
            let sessionPart: RedirectLink.Session =
                forced ?? (sessionTemplate ? .template : session.map { .id($0) } ?? .none)
            return try RedirectLink(base: base, id: id, session: sessionPart, via: via)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Exits 1 with a message naming the missing file when ID.toml does not exist: a link to it would answer 404,
    /// so `command` prints nothing a script could paste.
    func requireRedirect(command: String, nothing: String) throws {
        guard settings.hasRedirect(id) else {
            StandardError.log("redirectctl \(command): \(settings.path(ofID: id)) does not exist: \(nothing)")
            throw ExitCode(1)
        }
    }

    /// The id's redirect file, parsed; nil when it is missing or has errors.
    func redirect() -> Redirect? {
        settings.redirect(id)
    }

    private var settings: RedirectDirectorySettings {
        RedirectDirectorySettings(directory: CommandEnvironment.redirectsDirectory(redirectsDirectory))
    }
}
