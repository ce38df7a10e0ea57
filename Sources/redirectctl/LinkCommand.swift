import ArgumentParser
import RedirectControl
import RedirectCore
import RedirectFiles
import SystemIO

/// `redirectctl link ID`: the link to put in a page or an email.
struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Print the link for a redirect id.",
        discussion: """
            Prints BASE/ID, BASE/ID/SESSION, or BASE/ID/{{session@id}} for email templates. BASE is --base, \
            else base_url in the directory's _defaults.toml. With --html, prints an HTML tag instead: for an open \
            pixel (kind = "pixel") a hidden 1x1 <img> whose src has {{session@id}} unless --session is given, \
            for a link an <a> around the file's name (else its id). Exits 1, without printing, when ID.toml does \
            not exist.
            """)

    @Argument(help: "The redirect id (the file name without .toml).")
    var id: String

    @Option(help: "A session id to append.")
    var session: String?

    @Flag(help: "Append the email-template placeholder {{session@id}}.")
    var sessionTemplate = false

    @Flag(help: "Print an HTML tag: <img> for an open pixel, <a> for a link (HTML-escaped).")
    var html = false

    @Option(help: "The public link prefix, e.g. https://go.example.com/redirect. Default: base_url of _defaults.toml")
    var base: String?

    @Option(
        name: .customLong(RedirectStore.directorySetting.name), help: ArgumentHelp(RedirectStore.directorySetting.help))
    var redirectsDirectory: String?

    func validate() throws {
        if session != nil && sessionTemplate {
            throw ValidationError("pass either --session or --session-template, not both")
        }
        _ = try link()
    }

    func run() throws {
        let link = try link()
        let settings = RedirectDirectorySettings(directory: CommandEnvironment.redirectsDirectory(redirectsDirectory))
        // A link to a redirect that does not exist would answer 404: print nothing a script could paste.
        guard settings.hasRedirect(id) else {
            StandardError.log("redirectctl link: \(settings.path(ofID: id)) does not exist: no link printed")
            throw ExitCode(1)
        }
        guard html else {
            print(link)
            return
        }
        // The file decides the tag; one with errors is printed as a link, which `check` explains.
        let redirect = settings.redirect(id)
        if redirect?.kind == .pixel {
            // A pixel goes into a mail, where the template fills in the recipient's session.
            let pixel = session == nil && !sessionTemplate ? try self.link(session: .template) : link
            print(pixel.imageTag)
        } else {
            print(link.anchorTag(text: redirect?.name ?? id))
        }
    }

    private func link(session forced: RedirectLink.Session? = nil) throws -> RedirectLink {
        let settings = RedirectDirectorySettings(directory: CommandEnvironment.redirectsDirectory(redirectsDirectory))
        do {
            let base = try settings.linkBase(explicit: base)
            let sessionPart: RedirectLink.Session =
                forced ?? (sessionTemplate ? .template : session.map { .id($0) } ?? .none)
            return try RedirectLink(base: base, id: id, session: sessionPart)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
