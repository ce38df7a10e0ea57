import ArgumentParser
import ClickSpool
import RedirectControl
import SystemIO

/// `redirectctl status`: the spool's health for a cron check or a monitoring system.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract:
            "Report the spool's backlog, the last import, set-aside events and free space; exit 1 when unhealthy.",
        discussion: """
            Reports files waiting in current/ and ready/, the age of the oldest click not shipped yet, when \
            redirectctl import last succeeded (recorded in <spool>/import.status), the events in rejected/ and \
            skipped/, and the free space under the spool. Exit status: 0 healthy, 1 a threshold passed (each is \
            named), 2 the spool cannot be read. --format prometheus writes node_exporter textfile metrics.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, prometheus
    }

    @OptionGroup var spool: SpoolOptions

    @Option(help: "Output: text, json or prometheus.")
    var format = Format.text

    @Option(
        name: .customLong(SpoolLayout.bucketSecondsSetting.name),
        help: ArgumentHelp(SpoolLayout.bucketSecondsSetting.help))
    var bucketSeconds: String?

    @Option(help: "Unhealthy when the oldest unshipped click is older than this (seconds).")
    var maxUnshippedSeconds: Int64 = 900

    @Option(help: "Unhealthy when the last successful import is longer ago than this (seconds).")
    var maxSinceImportSeconds: Int64 = 3600

    @Option(help: "Unhealthy with less free space than this under the spool (MiB).")
    var minFreeMib: Int64 = 512

    @Option(help: "Unhealthy with more events than this in rejected/ (default: any number).")
    var maxRejected: Int?

    func validate() throws {
        guard maxUnshippedSeconds > 0, maxSinceImportSeconds > 0, minFreeMib >= 0 else {
            throw ValidationError("thresholds must be positive")
        }
        if let maxRejected, maxRejected < 0 { throw ValidationError("--max-rejected cannot be negative") }
        _ = try CommandEnvironment.bucketSeconds(bucketSeconds)
    }

    func run() throws {
        try spool.enter(command: "status", refusal: 2)
        let directory = spool.directory
        let bucket = try CommandEnvironment.bucketSeconds(bucketSeconds)
        let status: SpoolStatus
        do {
            status = try SpoolStatus.read(spool: directory, bucketSeconds: bucket)
        } catch {
            StandardError.log("redirectctl status: cannot read spool \(directory): \(error)")
            throw ExitCode(2)
        }
        var limits = SpoolStatus.Thresholds()
        limits.maxUnshippedSeconds = maxUnshippedSeconds
        limits.maxSinceImportSeconds = maxSinceImportSeconds
        limits.minFreeBytes = minFreeMib << 20
        limits.maxRejected = maxRejected
        switch format {
        case .text: print(status.text(limits), terminator: "")
        case .json: print(status.json(limits), terminator: "")
        case .prometheus: print(status.prometheus(limits), terminator: "")
        }
        if !status.problems(limits).isEmpty { throw ExitCode(1) }
    }
}
