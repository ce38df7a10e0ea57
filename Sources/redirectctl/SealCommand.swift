import ArgumentParser
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

    @Option(help: "Length of a click-log bucket in seconds. Env: CLICK_LOG_BUCKET_SECONDS. Default: 60")
    var bucketSeconds: Int?

    func validate() throws {
        if let seconds = bucketSeconds ?? CommandEnvironment.value("CLICK_LOG_BUCKET_SECONDS").flatMap(Int.init),
            !(1...86_400).contains(seconds)
        {
            throw ValidationError("--bucket-seconds must be between 1 and 86400")
        }
    }

    func run() throws {
        try spool.enter(command: "seal", refusal: 1)
        let summary = SpoolSealSummary.sealOnce(
            spoolDirectory: spool.directory,
            bucketSeconds: bucketSeconds ?? CommandEnvironment.value("CLICK_LOG_BUCKET_SECONDS").flatMap(Int.init)
                ?? 60)
        print(summary.summary)
        // The errors name files of current/, which the spool's writer names: escaped like the importer's output.
        for error in summary.errors { StandardError.log("redirectctl seal: \(error)".escapingControlCharacters) }
        if !summary.errors.isEmpty { throw ExitCode(1) }
    }
}
