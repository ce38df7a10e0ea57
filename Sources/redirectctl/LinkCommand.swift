import ArgumentParser
import RedirectControl
import RedirectFiles
import SystemIO

/// `redirectctl link ID`: the link to put in a page or an email.
struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Print the link for a redirect id.",
        discussion: """
            Prints BASE/ID, BASE/ID/SESSION, or BASE/ID/{{session@id}} for email templates. BASE is --base, \
            else base_url in the directory's _defaults.toml. Exits 1, after printing, when ID.toml does not exist.
            """)

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
        print(link)
    }

    private func link() throws -> RedirectLink {
        let settings = RedirectDirectorySettings(directory: CommandEnvironment.redirectsDirectory(redirectsDirectory))
        do {
            let base = try settings.linkBase(explicit: base)
            let sessionPart: RedirectLink.Session = sessionTemplate ? .template : session.map { .id($0) } ?? .none
            return try RedirectLink(base: base, id: id, session: sessionPart)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
