import ArgumentParser

/// `redirectctl`: everything people and cron run around `redirectd`.
@main
struct RedirectctlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redirectctl",
        abstract:
            "Lint redirect files, print and create links, seal the click spool, and ship clicks to Tracardi or a collector.",
        subcommands: [
            CheckCommand.self,
            LinkCommand.self,
            QRCommand.self,
            ExplainCommand.self,
            NewCommand.self,
            SealCommand.self,
            StatsCommand.self,
            ReportCommand.self,
            StatusCommand.self,
            ConvertTracardiCommand.self,
            ImportCommand.self,
            ClickHouseSchemaCommand.self,
            DeployCommand.self,
        ])
}
