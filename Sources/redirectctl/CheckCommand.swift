import ArgumentParser
import RedirectControl
import RedirectFiles
import SystemIO

/// `redirectctl check [DIR]`: lint a redirects directory, for people and CI.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Lint a redirects directory.",
        discussion: """
            Prints each problem as file:line:column: message (warnings such as unknown keys too) and a summary \
            on stderr. Exit status: 0 clean, 1 problems found, 2 the directory cannot be read.

            Keys: url (required), status (301, 302, 303, 307, 308), event_type, source, name, description, tags, \
            [properties], forward_query, valid_from, valid_until, expired_url, enabled. forward_query = true adds \
            the click's query parameters to the target, the file's own parameters winning on the same name (so \
            nobody can rewrite a campaign's utm_* values); forward_query = "override" lets the visitor's win; the \
            file's parameters always go out as written. [utm] (source, medium, campaign, term, content) adds             utm_* parameters to every target of a file (_defaults.toml's to every file); a value outside             _defaults.toml's [utm.allowed] lists is reported as a warning.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: ArgumentHelp(RedirectStore.directorySetting.help))
    var directory: String?

    @Option(help: "Output format: text (file:line:column: message) or json (an array of objects).")
    var format: Format = .text

    func run() throws {
        let checker = RedirectDirectoryChecker(directory: CommandEnvironment.redirectsDirectory(directory))
        let report: RedirectCheckReport
        do {
            report = try checker.check()
        } catch {
            StandardError.log("redirectctl check: \(error)")
            throw ExitCode(2)
        }
        switch format {
        case .text: print(report.text, terminator: "")
        case .json: print(report.json, terminator: "")
        }
        StandardError.log(report.summary)
        if !report.isClean { throw ExitCode(1) }
    }
}
