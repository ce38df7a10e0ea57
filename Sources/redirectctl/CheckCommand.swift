import ArgumentParser
import RedirectControl

/// `redirectctl check [DIR]`: lint a redirects directory, for people and CI.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Lint a redirects directory.",
        discussion: """
            Prints each problem as file:line:column: message (warnings such as unknown keys too) and a summary \
            on stderr. Exit status: 0 clean, 1 problems found, 2 the directory cannot be read.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "The redirects directory. Env: REDIRECTS_DIR. Default: ./redirects.d")
    var directory: String?

    @Option(help: "Output format: text (file:line:column: message) or json (an array of objects).")
    var format: Format = .text

    func run() throws {
        let checker = RedirectDirectoryChecker(directory: CommandEnvironment.redirectsDirectory(directory))
        let report: RedirectCheckReport
        do {
            report = try checker.check()
        } catch {
            CommandEnvironment.printError("redirectctl check: \(error)")
            throw ExitCode(2)
        }
        switch format {
        case .text: print(report.text, terminator: "")
        case .json: print(report.json, terminator: "")
        }
        CommandEnvironment.printError(report.summary)
        if !report.isClean { throw ExitCode(1) }
    }
}
