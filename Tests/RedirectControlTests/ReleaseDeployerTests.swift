import Dispatch
import Foundation
import RedirectControl
import Synchronization
import SystemIO
import TestSupport
import Testing

/// `redirectctl deploy`'s work, on real git repositories and real directories: what goes live, what does not,
/// what is kept.
@Suite struct ReleaseDeployerTests {
    static let good = "url = \"https://shop.example.com/one\"\n"

    /// Runs one deploy of `repository`'s main branch; its outcome (or error) and the lines it printed.
    func deploy(
        _ repository: RedirectRepository, keep: Int = 5, commit: String? = nil
    ) -> (outcome: Result<DeployOutcome, DeployError>, lines: [String]) {
        let lines = Mutex<[String]>([])
        let deployer = ReleaseDeployer(
            options: DeployOptions(repository: repository.bare, root: repository.root, keep: keep, commit: commit)
        ) { line in lines.withLock { $0.append(line.text) } }
        let outcome = Result { () throws(DeployError) in try deployer.run() }
        return (outcome, lines.withLock { $0 })
    }

    func text(_ repository: RedirectRepository, _ name: String) throws -> String {
        try String(contentsOfFile: repository.root + "/redirects.d/" + name, encoding: .utf8)
    }

    @Test func firstDeployMakesTheLinkAndASecondRunChangesNothing() throws {
        let repository = try RedirectRepository()
        let commit = try repository.commit([
            "redirects.d/a.toml": Self.good, "redirects.d/_defaults.toml": "source = \"one\"\n", "README.md": "x",
        ])
        let first = deploy(repository)
        #expect(try first.outcome.get() == .deployed(commit: commit, previous: nil))
        #expect(repository.liveTarget == "releases/\(commit)/redirects.d")
        #expect(try text(repository, "a.toml") == Self.good)
        #expect(first.lines.contains("live: redirects.d -> releases/\(commit)/redirects.d"))
        #expect(first.lines.contains("checked \(repository.root)/releases/\(commit)/redirects.d: 2 files: no problems"))
        // Only the redirects folder is checked out.
        #expect(!FileManager.default.fileExists(atPath: repository.root + "/releases/\(commit)/README.md"))

        let second = deploy(repository)
        #expect(try second.outcome.get() == .alreadyLive(commit: commit))
        #expect(second.lines.last == "already live: \(commit)")
        #expect(repository.releases == [commit])
    }

    @Test func aNewCommitSwitchesTheLink() throws {
        let repository = try RedirectRepository()
        let one = try repository.commit(["redirects.d/a.toml": Self.good])
        _ = deploy(repository)
        let two = try repository.commit(["redirects.d/a.toml": "url = \"https://shop.example.com/two\"\n"])
        let run = deploy(repository)
        #expect(try run.outcome.get() == .deployed(commit: two, previous: one))
        #expect(repository.liveTarget == "releases/\(two)/redirects.d")
        #expect(try text(repository, "a.toml").contains("/two"))
        #expect(run.lines.contains("live: redirects.d -> releases/\(two)/redirects.d (was \(one))"))
        // The release switched from stays (a responder may still read it for a second).
        #expect(repository.releases == [one, two].sorted())
    }

    /// A commit that `redirectctl check` finds fault with: a TOML error, a file the responder would refuse,
    /// a warning.
    @Test(arguments: [
        ("redirects.d/a.toml", "url = \"https://shop.example.com/broken\n", "a.toml:1:"),
        ("redirects.d/Bad Name.toml", Self.good, "is not a redirect id"),
        ("redirects.d/b.toml", "url = \"https://e.com\"\nstatsu = 301\n", "b.toml:2:1:"),
    ])
    func aBrokenCommitIsNotDeployed(file: String, content: String, finding: String) throws {
        let repository = try RedirectRepository()
        let good = try repository.commit([
            "redirects.d/a.toml": Self.good, "redirects.d/_defaults.toml": "source = \"one\"\n",
        ])
        _ = deploy(repository)
        let broken = try repository.commit([file: content, "redirects.d/_defaults.toml": "source = \"two\"\n"])
        let run = deploy(repository)
        guard case .rejected(let commit, let live, let findings) = try run.outcome.get() else {
            Issue.record("not rejected: \(run.lines)")
            return
        }
        #expect(commit == broken && live == good)
        #expect(findings.contains { $0.contains(finding) }, "\(findings)")
        #expect(try run.outcome.get().exitCode == 1)
        #expect(run.lines.last == "rejected \(broken); live stays \(good)")
        // The live set is the good commit's, whole: its file and its defaults.
        #expect(repository.liveTarget == "releases/\(good)/redirects.d")
        #expect(try text(repository, "a.toml") == Self.good)
        #expect(try text(repository, "_defaults.toml") == "source = \"one\"\n")
        #expect(repository.releases == [good])
        // Rejected again on the next run (cron), in one line this time, still without touching the live set.
        let again = deploy(repository)
        #expect(try again.outcome.get() == .rejected(commit: broken, live: good, findings: []))
        #expect(again.lines.last?.hasPrefix("rejected before: \(broken)") == true, "\(again.lines)")
        #expect(repository.liveTarget == "releases/\(good)/redirects.d")
        // A fixed commit goes live.
        let fixed = try repository.commit([file: nil])
        #expect(try deploy(repository).outcome.get() == .deployed(commit: fixed, previous: good))
    }

    @Test func aCommitWithoutTheRedirectsFolderIsNotDeployed() throws {
        let repository = try RedirectRepository()
        let commit = try repository.commit(["other/a.toml": Self.good])
        let run = deploy(repository)
        #expect(
            try run.outcome.get()
                == .rejected(
                    commit: commit, live: nil, findings: ["redirects.d: no such directory in commit \(commit)"]))
        #expect(repository.liveTarget == nil)
    }

    @Test func pruningKeepsTheNewestReleasesAndTheOneSwitchedFrom() throws {
        let repository = try RedirectRepository()
        var commits: [String] = []
        for n in 1...4 {
            commits.append(try repository.commit(["redirects.d/a.toml": "url = \"https://e.com/\(n)\"\n"]))
            #expect(try deploy(repository, keep: 3).outcome.get().exitCode == 0)
        }
        // Releases that stopped being live within the last seconds are never pruned (a responder may still read
        // them): all four are there.
        #expect(repository.releases == commits.sorted())
        // As if each had stopped being live minutes apart, the first the longest ago.
        for (n, commit) in commits.enumerated() {
            let age = TimeInterval(600 - 60 * n)
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSinceNow: -age)],
                ofItemAtPath: repository.root + "/releases/" + commit)
        }
        commits.append(try repository.commit(["redirects.d/a.toml": "url = \"https://e.com/5\"\n"]))
        let run = deploy(repository, keep: 3)
        #expect(try run.outcome.get() == .deployed(commit: commits[4], previous: commits[3]))
        #expect(repository.releases == Array(commits[2...]).sorted())
        #expect(run.lines.contains("pruned releases/\(commits[0])"))
        #expect(run.lines.contains("pruned releases/\(commits[1])"))
    }

    @Test func aGivenCommitRollsBack() throws {
        let repository = try RedirectRepository()
        let one = try repository.commit(["redirects.d/a.toml": Self.good])
        _ = deploy(repository)
        let two = try repository.commit(["redirects.d/a.toml": "url = \"https://shop.example.com/two\"\n"])
        _ = deploy(repository)
        let back = deploy(repository, commit: String(one.prefix(10)))
        #expect(try back.outcome.get() == .deployed(commit: one, previous: two))
        #expect(back.lines.contains("using releases/\(one), checked out before"))
        #expect(try text(repository, "a.toml") == Self.good)
        // Pinned, it stays; without the pin, the branch's newest comes back.
        #expect(try deploy(repository, commit: one).outcome.get() == .alreadyLive(commit: one))
        #expect(try deploy(repository).outcome.get() == .deployed(commit: two, previous: one))
    }

    @Test func whatCannotRunLeavesTheLiveSetAlone() throws {
        let repository = try RedirectRepository()
        let commit = try repository.commit(["redirects.d/a.toml": Self.good])
        _ = deploy(repository)
        // A repository that is not there: git fails.
        let missing = ReleaseDeployer(
            options: DeployOptions(repository: repository.directory.path + "/nowhere.git", root: repository.root)
        ) { _ in }
        #expect(throws: DeployError.self) { try missing.run() }
        // A branch that does not exist, a commit that does not exist.
        let branch = ReleaseDeployer(
            options: DeployOptions(repository: repository.bare, branch: "nope", root: repository.root)
        ) { _ in }
        #expect(throws: DeployError.self) { try branch.run() }
        let unknown = ReleaseDeployer(
            options: DeployOptions(
                repository: repository.bare, root: repository.root, commit: String(repeating: "0", count: 40))
        ) { _ in }
        #expect(throws: DeployError.self) { try unknown.run() }
        #expect(repository.liveTarget == "releases/\(commit)/redirects.d")
        // A root that cannot be made (under a file).
        try repository.directory.create("file", .text("x"))
        let unwritable = ReleaseDeployer(
            options: DeployOptions(repository: repository.bare, root: repository.directory.path + "/file/root")
        ) { _ in }
        #expect(throws: DeployError.self) { try unwritable.run() }
    }

    @Test func aDirectoryInPlaceOfTheLinkIsLeftAlone() throws {
        let repository = try RedirectRepository()
        try repository.commit(["redirects.d/a.toml": Self.good])
        try FileManager.default.createDirectory(
            atPath: repository.root + "/redirects.d", withIntermediateDirectories: true)
        let run = deploy(repository)
        guard case .failure(let error) = run.outcome else {
            Issue.record("deployed over a directory: \(run.lines)")
            return
        }
        #expect(error.message.contains("is not a link made by deploy"))
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: repository.root + "/redirects.d", isDirectory: &isDirectory))
        #expect(isDirectory.boolValue)
    }

    @Test func theTopOfTheRepositoryCanBeTheRedirectsFolder() throws {
        let repository = try RedirectRepository()
        let commit = try repository.commit(["a.toml": Self.good])
        let lines = Mutex<[String]>([])
        let deployer = ReleaseDeployer(
            options: DeployOptions(repository: repository.bare, path: ".", root: repository.root)
        ) { line in lines.withLock { $0.append(line.text) } }
        #expect(try deployer.run() == .deployed(commit: commit, previous: nil))
        #expect(repository.liveTarget == "releases/\(commit)")
        #expect(try text(repository, "a.toml") == Self.good)
    }

    /// Two runs at once (cron and a person): one deploys, the other waits for it and finds the commit live;
    /// their steps do not interleave.
    @Test func twoRunsAtOnceAreSerialised() throws {
        let repository = try RedirectRepository()
        let commit = try repository.commit(["redirects.d/a.toml": Self.good])
        let results = Mutex<[(Int, Result<DeployOutcome, DeployError>)]>([])
        let lines = Mutex<[(Int, String)]>([])
        let (bare, root) = (repository.bare, repository.root)
        DispatchQueue.concurrentPerform(iterations: 2) { run in
            let deployer = ReleaseDeployer(options: DeployOptions(repository: bare, root: root)) { line in
                lines.withLock { $0.append((run, line.text)) }
            }
            let outcome = Result { () throws(DeployError) in try deployer.run() }
            results.withLock { $0.append((run, outcome)) }
        }
        let outcomes = try results.withLock { $0 }.map { try $0.1.get() }
        #expect(outcomes.filter { $0 == .deployed(commit: commit, previous: nil) }.count == 1, "\(outcomes)")
        #expect(outcomes.filter { $0 == .alreadyLive(commit: commit) }.count == 1, "\(outcomes)")
        // Apart from the note that it waits, each run's lines come in one piece.
        let steps = lines.withLock { $0 }.filter { !$1.hasPrefix("waiting for another deploy") }.map(\.0)
        let changes = zip(steps, steps.dropFirst()).filter { $0 != $1 }.count
        #expect(changes <= 1, "\(lines.withLock { $0 })")
        #expect(repository.releases == [commit])
    }
}
