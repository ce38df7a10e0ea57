import ArgumentParser
import BotDetection
import CampaignReport
import ClickSpool
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

    @Option(
        help: ArgumentHelp(
            "Split each redirect's clicks by rule, by variant, or by both (rule,variant): clicks, persons (not "
                + "flagged as bots) and clicks with a valid session per group, for reading an A/B test.",
            valueName: "rule|variant|rule,variant"))
    var by: String? = nil

    @OptionGroup var window: TimeWindowOptions

    @Option(name: .customLong("redirect"), help: ArgumentHelp("Only this redirect id (repeatable).", valueName: "id"))
    var redirects: [String] = []

    /// The clicks `--since`, `--until` and `--redirect` select, as `redirectctl report` selects them.
    func selection() throws -> ReportSelection {
        let (since, until) = try window.window()
        return ReportSelection(since: since, until: until, redirects: Set(redirects))
    }

    func validate() throws {
        guard (1...200).contains(slots) else { throw ValidationError("--slots must be between 1 and 200") }
        _ = try excludedCategories()
        _ = try groupings()
    }

    /// What `--by` names, in no particular order (the columns are always rule, then variant).
    func groupings() throws -> Set<ClickStatistics.Grouping> {
        guard let by else { return [] }
        var groupings: Set<ClickStatistics.Grouping> = []
        for name in by.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = String(name.filter { $0 != " " })
            guard let grouping = ClickStatistics.Grouping(rawValue: trimmed) else {
                throw ValidationError("--by: \"\(trimmed)\" is neither rule nor variant (e.g. --by rule,variant)")
            }
            groupings.insert(grouping)
        }
        return groupings
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
                    + "\(SpoolLayout.directorySetting.environmentName) (redirectd's --spool)")
            throw ExitCode(2)
        }
        try spool.enter(command: "stats", refusal: 2)
        let stats: ClickStatistics
        do {
            stats = try ClickStatistics.collect(
                spool: directory, slots: slots, excludingBots: excludedCategories(), groupingBy: groupings(),
                selection: selection())
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
        let groupings = try groupings()
        if !groupings.isEmpty {
            printGroups(stats.groups, by: groupings)
            report(stats)
            return
        }
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
        report(stats)
    }

    /// What was left out, on stderr.
    private func report(_ stats: ClickStatistics) {
        if stats.excludedBots > 0 {
            StandardError.log("left out \(stats.excludedBots) click(s) flagged as bots")
        }
        if stats.skippedLines > 0 {
            StandardError.log("skipped \(stats.skippedLines) line(s) that are not events")
        }
    }

    /// One line per redirect, rule and variant: clicks, persons, clicks with a session. "(none)": no rule took
    /// the click (or the line is older than rules), or no split chose a variant.
    private func printGroups(_ groups: [ClickStatistics.Group], by groupings: Set<ClickStatistics.Grouping>) {
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        func left(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        let none = "(none)"
        let idWidth = max(8, groups.map(\.redirect.count).max() ?? 8)
        let ruleWidth = max(6, groups.map { ($0.rule ?? none).count }.max() ?? 6)
        let variantWidth = max(7, groups.map { ($0.variant ?? none).count }.max() ?? 7)
        func line(_ redirect: String, _ rule: String, _ variant: String, _ figures: [String]) -> String {
            var columns = [pad(redirect, idWidth)]
            if groupings.contains(.rule) { columns.append(pad(rule, ruleWidth)) }
            if groupings.contains(.variant) { columns.append(pad(variant, variantWidth)) }
            columns += zip(figures, [7, 8, 9]).map { left($0, $1) }
            return columns.joined(separator: " ")
        }
        print(line("redirect", "rule", "variant", ["clicks", "persons", "sessions"]))
        for group in groups {
            print(
                line(
                    group.redirect, group.rule ?? none, group.variant ?? none,
                    ["\(group.clicks)", "\(group.persons)", "\(group.sessions)"]))
        }
    }
}
