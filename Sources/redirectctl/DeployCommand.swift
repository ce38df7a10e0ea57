import ArgumentParser
import RedirectControl
import SystemIO

#if canImport(Glibc)
    import Glibc
#endif

/// `redirectctl deploy`: make the newest commit of a git branch live, atomically, if it passes `check`.
struct DeployCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy a redirects directory from git: fetch, check, switch a link atomically.",
        discussion: """
            Fetches BRANCH of REPOSITORY into a bare mirror (ROOT/repository.git), checks its newest commit (or \
            --commit) out into ROOT/releases/<commit>, runs the checks of `redirectctl check` on its PATH folder \
            and, only if they find nothing, points ROOT/redirects.d at it with one rename(2). Start redirectd with \
            --redirects ROOT/redirects.d: it follows the switch within a second, serving every click from one \
            release. Prints one line per step on stdout; the findings that keep a commit out go to stderr, once \
            per commit (later runs say "rejected before" on stdout). Needs git on PATH. Exit status: 0 deployed \
            or already live, 1 the commit did not pass the checks (the live set is unchanged), 2 it could not run \
            (git failed, ROOT not writable).
            """)

    @Option(help: "A URL or path git can fetch the redirects repository from.")
    var repository: String

    @Option(help: "The branch to deploy.")
    var branch: String = DeployOptions.defaultBranch

    @Option(help: "The redirects folder inside the repository (\".\" for its top).")
    var path: String = DeployOptions.defaultPath

    @Option(help: "Where the mirror, the releases and the live link redirects.d are kept.")
    var root: String

    @Option(help: "Releases kept on disk, the live one included (the one switched from is always kept).")
    var keep: Int = DeployOptions.defaultKeep

    @Option(help: "Deploy this commit of the branch's history instead of its newest (to roll back or pin).")
    var commit: String?

    var options: DeployOptions {
        DeployOptions(repository: repository, branch: branch, path: path, root: root, keep: keep, commit: commit)
    }

    func validate() throws {
        if let problem = options.problem { throw ValidationError(problem) }
    }

    func run() throws {
        // Steps on stdout (a log), findings on stderr (what cron mails; once per rejected commit).
        let deployer = ReleaseDeployer(options: options) { line in
            switch line.kind {
            case .step:
                print(line.text)
                // Each line as it happens, also into a pipe (cron, the journal): nil flushes every stream.
                fflush(nil)
            case .finding:
                StandardError.log(line.text)
            }
        }
        do {
            let outcome = try deployer.run()
            if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
        } catch let error as DeployError {
            StandardError.log("redirectctl deploy: \(error)")
            throw ExitCode(2)
        }
    }
}
