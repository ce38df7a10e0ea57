import ArgumentParser

/// `redirectctl`: everything people and cron run around `redirectd`.
@main
struct RedirectctlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redirectctl",
        abstract: "Lint redirect files, print and create links, and seal the click spool.",
        subcommands: [
            CheckCommand.self,
            LinkCommand.self,
            NewCommand.self,
            SealCommand.self,
            StatsCommand.self,
            ConvertTracardiCommand.self,
            // ImportCommand.self (ship spool files to Tracardi or an NDJSON sink) joins here.
        ])
}
