import ArgumentParser
import RedirectControl
import RedirectFiles
import SystemIO

/// `redirectctl check [DIR]`: lint a redirects directory, for people and CI; with `--targets`, also request every
/// target URL.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Lint a redirects directory.",
        discussion: """
            Prints each problem as file:line:column: message (warnings such as unknown keys too) and a summary \
            on stderr. Exit status: 0 clean, 1 problems found, 2 the directory cannot be read.

            Keys: url (required, unless kind = "pixel"), status (301, 302, 303, 307, 308), event_type, source, name, \
            description, tags, [properties], forward_query, valid_from, valid_until, expired_url, enabled, \
            [[rules]], [[variants]], [utm], kind ("redirect", or "pixel": an open pixel, which answers a 1x1 GIF and \
            has no url, status, forward_query, expired_url, rules or variants). forward_query = true adds \
            the click's query parameters to the target, the file's own parameters winning on the same name (so \
            nobody can rewrite a campaign's utm_* values); forward_query = "override" lets the visitor's win; the \
            file's parameters always go out as written. [utm] (source, medium, campaign, term, content) adds \
            utm_* parameters to every target of a file (_defaults.toml's to every file); a value outside \
            _defaults.toml's [utm.allowed] lists is reported as a warning.

            --targets also requests every distinct URL a visitor can be sent to (url, expired_url, not_found_url, \
            the URLs of rules and variants) with HEAD (GET where HEAD is refused with 400, 403, 405 or 501), \
            following up to 5 redirects, and prints each one that does not end in a 2xx at every place it is \
            written. Placeholders are filled with sample values: {session} sample-session, {redirect} the file's \
            id (sample-missing-id in _defaults.toml), {click_id} 00000000-0000-7000-8000-000000000000, \
            {query.NAME} empty. Exit status: 0 clean and every target answers 2xx, 1 problems or a failing target, \
            2 the directory cannot be read.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: ArgumentHelp(RedirectStore.directorySetting.help))
    var directory: String?

    @Option(help: "Output format: text (file:line:column: message) or json (an array; with --targets, an object).")
    var format: Format = .text

    @Flag(help: "Also request every target URL (HEAD, GET where HEAD is refused) and report those not ending in 2xx.")
    var targets = false

    @Option(help: "With --targets: requests in flight at once (default \(TargetCheckOptions.defaultConcurrency)).")
    var concurrency: Int?

    @Option(help: "With --targets: requests in flight to one host (default \(TargetCheckOptions.defaultPerHost)).")
    var perHost: Int?

    @Option(
        help: ArgumentHelp(
            "With --targets: seconds per request until the answer's head (default "
                + "\(Int(TargetCheckOptions.defaultTimeoutSeconds))).", valueName: "seconds"))
    var timeout: Double?

    func validate() throws {
        if !targets && (concurrency != nil || perHost != nil || timeout != nil) {
            throw ValidationError("--concurrency, --per-host and --timeout go with --targets")
        }
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if let perHost, perHost < 1 { throw ValidationError("--per-host must be at least 1") }
        if let timeout, !(timeout > 0 && timeout <= 3600) {
            throw ValidationError("--timeout must be more than 0 and at most 3600 seconds")
        }
    }

    func run() async throws {
        if targets { return try await runWithTargets() }
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

    /// The lint, then a request for every target; one report of both.
    private func runWithTargets() async throws {
        let directory = CommandEnvironment.redirectsDirectory(self.directory)
        let lint: RedirectCheckReport
        let collection: TargetCollection
        do {
            lint = try RedirectDirectoryChecker(directory: directory).check()
            collection = try TargetCollector.collect(directory: directory)
        } catch {
            StandardError.log("redirectctl check: \(error)")
            throw ExitCode(2)
        }
        let options = TargetCheckOptions(
            concurrency: concurrency ?? TargetCheckOptions.defaultConcurrency,
            perHost: perHost ?? TargetCheckOptions.defaultPerHost,
            timeoutSeconds: timeout ?? TargetCheckOptions.defaultTimeoutSeconds)
        let clock = ContinuousClock()
        let start = clock.now
        let results = await TargetChecker(options: options).check(collection)
        let elapsed = start.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let report = TargetCheckReport(lint: lint, results: results, skipped: collection.skipped)
        switch format {
        case .text: print(report.text, terminator: "")
        case .json: print(report.json, terminator: "")
        }
        StandardError.log(report.summary(seconds: seconds))
        if !report.isHealthy { throw ExitCode(1) }
    }
}
