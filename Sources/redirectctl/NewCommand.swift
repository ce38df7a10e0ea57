import ArgumentParser
import RedirectControl
import RedirectFiles
import SystemIO

/// `redirectctl new --url URL`: start a redirect file that passes `check`.
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a redirect file.",
        discussion: """
            Writes DIR/ID.toml with url (and name) set and the other keys as comments, never over an existing \
            file, then prints its path and, when a base URL is known, its link.
            """)

    @Option(help: "The target: an absolute http or https URL; placeholders such as {session} allowed.")
    var url: String

    @Option(help: "The redirect id. Default: a random 8-character id.")
    var id: String?

    @Option(help: "A name for people and reports.")
    var name: String?

    @Option(
        name: .customLong(RedirectStore.directorySetting.name), help: ArgumentHelp(RedirectStore.directorySetting.help))
    var redirectsDirectory: String?

    @Option(help: "The public link prefix, for the link printed. Default: base_url of _defaults.toml")
    var base: String?

    func validate() throws {
        if let id, let problem = RedirectLink.problem(id: id) { throw ValidationError(problem) }
        let problems = NewRedirectFile(url: url, name: name).problems()
        if !problems.isEmpty { throw ValidationError(problems.joined(separator: "\n")) }
        if let base, let problem = RedirectLink.problem(base: base) { throw ValidationError(problem) }
    }

    func run() throws {
        let settings = RedirectDirectorySettings(directory: CommandEnvironment.redirectsDirectory(redirectsDirectory))
        let linkBase = try? settings.linkBase(explicit: base)
        let created: (id: String, path: String)
        do {
            created = try NewRedirectFile(url: url, name: name).create(in: settings.directory, id: id) { id in
                linkBase.flatMap { try? RedirectLink(base: $0, id: id).description }
            }
        } catch {
            StandardError.log("redirectctl new: \(error)")
            throw ExitCode(1)
        }
        print(created.path)
        if let base = linkBase, let link = try? RedirectLink(base: base, id: created.id) { print(link) }
    }
}
