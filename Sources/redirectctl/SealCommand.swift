import ArgumentParser
import ClickSpool
import RedirectControl
import RedirectCore
import SystemIO

/// `redirectctl seal`: move passed spool buckets into `ready/`, from cron or by hand.
struct SealCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seal",
        abstract: "Seal the click-log buckets whose time has passed.",
        discussion: "Exit status: 0 done (busy files are left for the next pass), 1 some file could not be sealed.")

    @OptionGroup var spool: SpoolOptions

    @Option(
        name: .customLong(SpoolLayout.bucketSecondsSetting.name),
        help: ArgumentHelp(SpoolLayout.bucketSecondsSetting.help))
    var bucketSeconds: String?

    func validate() throws {
        _ = try CommandEnvironment.bucketSeconds(bucketSeconds)
    }

    func run() throws {
        try spool.enter(command: "seal", refusal: 1)
        let summary = SpoolSealSummary.sealOnce(
            spoolDirectory: spool.directory,
            bucketSeconds: try CommandEnvironment.bucketSeconds(bucketSeconds))
        print(summary.summary)
        // The errors name files of current/, which the spool's writer names: escaped like the importer's output.
        for error in summary.errors { StandardError.log("redirectctl seal: \(error)".escapingControlCharacters) }
        if !summary.errors.isEmpty { throw ExitCode(1) }
    }
}
