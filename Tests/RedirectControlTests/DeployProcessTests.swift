import Foundation
import TestSupport
import Testing

/// The built `redirectctl deploy`, run as cron runs it: exit statuses, steps on stdout, findings on stderr; and
/// the commands that read a redirects directory, on the link it makes.
@Suite struct DeployProcessTests {
    func redirectctl(_ arguments: [String]) throws -> ProcessRun {
        var environment = ProcessInfo.processInfo.environment
        environment["REDIRECTS_DIR"] = nil
        return try ProcessRun.run(RepositoryPaths.redirectctl, arguments, environment: environment)
    }

    @Test func exitStatusesAndOutputAsCronSeesThem() throws {
        let repository = try RedirectRepository()
        let one = try repository.commit([
            "redirects.d/sale.toml": "url = \"https://shop.example.com/sale\"\n",
            "redirects.d/_defaults.toml": "base_url = \"https://go.example.com/r\"\nsource = \"mail\"\n",
        ])
        let deploy = ["deploy", "--repository", repository.bare, "--root", repository.root]

        let first = try redirectctl(deploy)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr == "")
        let steps = first.stdout.split(separator: "\n").map(String.init)
        #expect(steps.first == "created the mirror \(repository.root)/repository.git")
        #expect(steps.contains("fetched main from \(repository.bare): \(one)"))
        #expect(steps.last == "live: redirects.d -> releases/\(one)/redirects.d")

        let again = try redirectctl(deploy)
        #expect(again.status == 0)
        #expect(again.stdout.hasSuffix("already live: \(one)\n"))

        // check, link and explain read the live set through the link.
        let live = repository.root + "/redirects.d"
        let check = try redirectctl(["check", live])
        #expect(check.status == 0 && check.stderr == "checked 2 files: no problems\n")
        let link = try redirectctl(["link", "sale", "--redirects", live])
        #expect(link.status == 0 && link.stdout == "https://go.example.com/r/sale\n")
        let explain = try redirectctl(["explain", "sale", "--redirects", live])
        #expect(explain.status == 0 && explain.stdout.contains("https://shop.example.com/sale"), "\(explain)")

        let broken = try repository.commit(["redirects.d/sale.toml": "url = 3\n"])
        let rejected = try redirectctl(deploy)
        #expect(rejected.status == 1)
        #expect(rejected.stderr.contains("releases/\(broken)/redirects.d/sale.toml:1:"), "\(rejected.stderr)")
        #expect(rejected.stderr.hasSuffix("rejected \(broken); live stays \(one)\n"))
        // Reported once: the next run says it on stdout, and cron mails nothing.
        let quiet = try redirectctl(deploy)
        #expect(quiet.status == 1 && quiet.stderr == "")
        #expect(quiet.stdout.contains("rejected before: \(broken)"))
        #expect(repository.liveTarget == "releases/\(one)/redirects.d")

        let unreachable = try redirectctl([
            "deploy", "--repository", repository.directory.path + "/missing.git", "--root", repository.root,
        ])
        #expect(unreachable.status == 2)
        #expect(unreachable.stderr.hasPrefix("redirectctl deploy: git fetch of main from "), "\(unreachable.stderr)")

        let badKeep = try redirectctl(deploy + ["--keep", "0"])
        #expect(badKeep.status == 64)
    }
}
