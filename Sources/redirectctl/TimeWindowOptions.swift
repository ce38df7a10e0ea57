import ArgumentParser
import CampaignReport

/// `--since` and `--until`: the time window `stats` and `report` count clicks in, said once for both.
struct TimeWindowOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Count clicks from this time on: 2026-12-01 or 2026-12-01T08:00:00Z (UTC).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Count clicks before this time (exclusive).", valueName: "time"))
    var until: String?

    func validate() throws {
        _ = try window()
    }

    /// The window in milliseconds since the epoch; nil ends are open.
    func window() throws -> (since: Int64?, until: Int64?) {
        func parse(_ text: String?, _ flag: String) throws -> Int64? {
            guard let text else { return nil }
            guard let value = ReportSelection.time(parsing: text) else {
                throw ValidationError("\(flag): \"\(text)\" is no time; use 2026-12-01 or 2026-12-01T08:00:00Z (UTC)")
            }
            return value
        }
        let since = try parse(since, "--since")
        let until = try parse(until, "--until")
        if let since, let until, since >= until { throw ValidationError("--since must be earlier than --until") }
        return (since, until)
    }
}
