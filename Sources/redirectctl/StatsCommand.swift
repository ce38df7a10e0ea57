import ArgumentParser
import BotDetection
import RedirectControl
import RedirectCore
import SystemIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `redirectctl stats`: clicks per redirect from the spool, with a small chart over time.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print clicks, unique sessions, bots, first and last click per redirect, from the spool.",
        discussion: "Reads every event in <spool>/shipped, ready and current. Torn lines are skipped and counted.")

    @OptionGroup var spool: SpoolOptions

    @Option(help: "Number of time slots in the chart.")
    var slots = 24

    @Option(
        name: .customLong("exclude-bots"), defaultAsFlag: "all", parsing: .next,
        help: ArgumentHelp(
            "Leave out clicks flagged as bots: all of them, or those of the categories given.",
            discussion: "Categories, separated by commas: "
                + BotCategory.allCases.map(\.rawValue).joined(separator: ", ") + ".",
            valueName: "categories"))
    var excludeBots: String? = nil

    func validate() throws {
        guard (1...200).contains(slots) else { throw ValidationError("--slots must be between 1 and 200") }
        _ = try excludedCategories()
    }

    /// The categories `--exclude-bots` names; every category when it names none.
    func excludedCategories() throws -> Set<BotCategory> {
        guard let excludeBots else { return [] }
        if excludeBots == "all" { return Set(BotCategory.allCases) }
        do {
            return try BotCategory.parseList(excludeBots)
        } catch {
            throw ValidationError("--exclude-bots: \(error)")
        }
    }

    func run() throws {
        let directory = spool.directory
        var isDirectory = stat()
        guard stat(directory, &isDirectory) == 0, isDirectory.st_mode & S_IFMT == S_IFDIR else {
            StandardError.log(
                "redirectctl stats: no spool directory at \(directory): pass --spool DIR or set "
                    + "CLICK_LOG_DIR (redirectd's --spool)")
            throw ExitCode(2)
        }
        try spool.enter(command: "stats", refusal: 2)
        let stats: ClickStatistics
        do {
            stats = try ClickStatistics.collect(spool: directory, slots: slots, excludingBots: excludedCategories())
        } catch {
            StandardError.log("redirectctl stats: \(error)")
            throw ExitCode(2)
        }
        guard !stats.rows.isEmpty else {
            print("no clicks in \(directory)")
            return
        }
        let idWidth = max(8, stats.rows.map(\.redirect.count).max() ?? 8)
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        func left(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        print(
            pad("redirect", idWidth), left("clicks", 7), left("sessions", 9), left("bots", 6),
            " first click              ",
            "last click               ", "over time")
        for row in stats.rows {
            print(
                pad(row.redirect, idWidth), left("\(row.clicks)", 7), left("\(row.uniqueSessions)", 9),
                left("\(row.bots)", 6), " " + pad(row.first ?? "-", 25), pad(row.last ?? "-", 25),
                ClickStatistics.sparkline(row.histogram))
        }
        if stats.excludedBots > 0 {
            StandardError.log("left out \(stats.excludedBots) click(s) flagged as bots")
        }
        if stats.skippedLines > 0 {
            StandardError.log("skipped \(stats.skippedLines) line(s) that are not events")
        }
    }
}
