import Foundation
import RedirectControl
import TestSupport
import Testing

/// The built `redirectctl`, run as a user or CI would: exit codes, stdout and stderr.
@Suite struct RedirectctlProcessTests {
    /// Runs the built `redirectctl` with `arguments`, without `REDIRECTS_DIR` from the tests' environment.
    func redirectctl(_ arguments: [String]) throws -> ProcessRun {
        var environment = ProcessInfo.processInfo.environment
        environment["REDIRECTS_DIR"] = nil
        return try ProcessRun.run(RepositoryPaths.redirectctl, arguments, environment: environment)
    }

    /// The README's `$ redirectctl …` lines, run in the repository as a reader would, print what the README
    /// shows under them.
    @Test func readmeCommandsPrintWhatTheReadmeSays() throws {
        let readme = try String(
            contentsOf: BuiltProducts.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var commands: [(arguments: [String], expected: [String])] = []
        // A command's output is the indented lines under it, up to the end of its block (a line of text).
        var collecting = false
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("    ") else {
                if !line.isEmpty { collecting = false }
                continue
            }
            let text = String(line.dropFirst(4))
            if text.hasPrefix("$ redirectctl ") {
                commands.append((text.dropFirst(14).split(separator: " ").map(String.init), []))
                collecting = true
            } else if collecting, !text.hasPrefix("$") {
                commands[commands.count - 1].expected.append(text)
            }
        }
        #expect(commands.count >= 2)
        var environment = ProcessInfo.processInfo.environment
        environment["REDIRECTS_DIR"] = nil
        for command in commands {
            let run = try ProcessRun.run(
                RepositoryPaths.redirectctl, command.arguments, environment: environment,
                directory: BuiltProducts.repositoryRoot)
            #expect(run.status == 0, "redirectctl \(command.arguments): \(run.stderr)")
            // What a terminal shows: findings and links on stdout, the closing line of `check` on stderr.
            let printed = (run.stdout + run.stderr).split(separator: "\n").map(String.init)
            #expect(printed == command.expected, "redirectctl \(command.arguments)")
        }
    }

    @Test func checkBrokenDirectory() throws {
        let dir = try TemporaryDirectory()
        try dir.create("welcome.toml", .text("url = \"https://www.example.com/\"\n"))
        try dir.create("status.toml", .text("url = \"https://e.com/\"\nstatus = \"302\"\n"))
        try dir.create("passwd.toml", .symbolicLink("/etc/passwd"))
        try dir.create("notes.txt", .text("x\n"))
        let run = try redirectctl(["check", dir.path])
        #expect(run.status == 1)
        #expect(
            run.stdout == """
                \(dir.path)/notes.txt:1:1: not a .toml file; a redirects directory holds <id>.toml files, _defaults.toml, \
                README and dotfiles
                \(dir.path)/passwd.toml:1:1: symbolic link to "/etc/passwd", which is not a redirect file in the same \
                directory
                \(dir.path)/status.toml:2:1: status must be an integer, found a string

                """)
        #expect(run.stderr == "checked 4 files: 3 problems in 3 files\n")

        let json = try redirectctl(["check", dir.path, "--format", "json"])
        #expect(json.status == 1)
        let objects = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(objects?.count == 3)
    }

    @Test func checkRepositoryRedirects() throws {
        let run = try redirectctl(["check", RepositoryPaths.redirects])
        #expect(run.status == 0)
        #expect(run.stdout == "")
        #expect(run.stderr.hasSuffix("files: no problems\n"))
    }

    @Test func checkUnreadableDirectory() throws {
        let dir = try TemporaryDirectory()
        let run = try redirectctl(["check", dir.path + "/missing"])
        #expect(run.status == 2)
        #expect(
            run.stderr == "redirectctl check: cannot read directory \(dir.path)/missing: No such file or directory\n")
    }

    @Test func linkAndNew() throws {
        let dir = try TemporaryDirectory()
        try dir.create("_defaults.toml", .text("base_url = \"https://go.example.com/redirect\"\n"))
        let arguments = ["new", "--url", "https://www.example.com/", "--id", "promo", "--redirects", dir.path]
        let new = try redirectctl(arguments)
        #expect(new.status == 0)
        #expect(new.stdout == "\(dir.path)/promo.toml\nhttps://go.example.com/redirect/promo\n")

        let again = try redirectctl(arguments)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists"))

        let link = try redirectctl(["link", "promo", "--session-template", "--redirects", dir.path])
        #expect(link.status == 0)
        #expect(link.stdout == "https://go.example.com/redirect/promo/{{session@id}}\n")

        let missing = try redirectctl(["link", "other", "--session", "s1", "--redirects", dir.path])
        #expect(missing.status == 1)
        #expect(missing.stdout.isEmpty)
        #expect(missing.stderr.contains("other.toml does not exist: no link printed"))

        let noBase = try redirectctl(["link", "promo", "--redirects", dir.path + "/missing"])
        #expect(noBase.status == 64)
        #expect(noBase.stderr.contains("pass --base"))

        let check = try redirectctl(["check", dir.path])
        #expect(check.status == 0)
    }

    @Test func statsExcludesBotsByCategory() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path + "/ready", withIntermediateDirectories: true)
        func line(_ id: String, _ bot: String?, _ category: String?) -> String {
            let quoted = { (s: String?) in s.map { "\"\($0)\"" } ?? "null" }
            return #"{"v":1,"id":"\#(id)","time":"2026-11-19T08:26:40.000Z","outcome":"redirected","redirect":"x","#
                + #""session":null,"bot":\#(quoted(bot)),"bot_category":\#(quoted(category))}"# + "\n"
        }
        let text = line("a", nil, nil) + line("b", "curl", "library") + line("c", "head-request", "preview")
        try text.write(toFile: dir.path + "/ready/20261119T082600.jsonl", atomically: true, encoding: .utf8)

        let all = try redirectctl(["stats", "--spool", dir.path])
        #expect(all.status == 0)
        #expect(all.stdout.split(separator: "\n").last?.split(separator: " ").prefix(4) == ["x", "3", "0", "2"])
        let previews = try redirectctl(["stats", "--exclude-bots", "preview", "--spool", dir.path])
        #expect(previews.stdout.split(separator: "\n").last?.split(separator: " ").prefix(4) == ["x", "2", "0", "1"])
        #expect(previews.stderr == "left out 1 click(s) flagged as bots\n")
        let none = try redirectctl(["stats", "--spool", dir.path, "--exclude-bots"])
        #expect(none.stdout.split(separator: "\n").last?.split(separator: " ").prefix(4) == ["x", "1", "0", "0"])
        let wrong = try redirectctl(["stats", "--exclude-bots", "robots", "--spool", dir.path])
        #expect(wrong.status == 64)
        #expect(wrong.stderr.hasPrefix("Error: --exclude-bots: unknown bot category \"robots\""))
    }

    @Test func statsWithoutASpoolSaysWhereToPointIt() throws {
        let dir = try TemporaryDirectory()
        let run = try redirectctl(["stats", "--spool", dir.path + "/clicks"])
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(
            run.stderr == "redirectctl stats: no spool directory at \(dir.path)/clicks: pass --spool DIR or set "
                + "CLICK_LOG_DIR (redirectd's --spool)\n")
    }

    /// Runs `convert-tracardi` on `export` into a fresh directory; every file it wrote must pass `check`.
    func convertTracardi(_ export: String, _ flags: [String] = []) throws -> (run: ProcessRun, dir: TemporaryDirectory)
    {
        let dir = try TemporaryDirectory()
        let input = dir.path + "/export.json"
        try Data(export.utf8).write(to: URL(fileURLWithPath: input))
        try dir.create("out", .directory)
        let run = try redirectctl(
            ["convert-tracardi", input, "--redirects", dir.path + "/out", "--source", "rest"] + flags)
        let report = try RedirectDirectoryChecker(directory: dir.path + "/out").check()
        #expect(report.problems.map(\.description) == [])
        return (run, dir)
    }

    /// `{"x?":1,"x":2}` gave a file with `x` twice and exit 0; now that redirect is not written, the others are.
    @Test func convertTracardiRefusesAKeyGivenTwice() throws {
        let export =
            #"[{"id":"a","url":"https://e.com/a","props":{"x?":1,"x":2}},"#
            + #"{"id":"b","url":"https://e.com/b","props":{"deal":{"k":1,"k":2}}},{"id":"c","url":"https://e.com/c"}]"#
        let (run, dir) = try convertTracardi(export)
        let out = dir.path + "/out"
        #expect(run.status == 1)
        #expect(
            run.stderr == """
                \(out)/a.toml: redirect #1: property x is given twice (as "x?" and "x"); a trailing ? only marks a key \
                optional; not written
                \(out)/b.toml: redirect #2: property deal.k is given twice; not written

                """)
        #expect(run.stdout == "\(out)/c.toml\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["c.toml"])
    }

    /// Two redirects with one id: none written (the second no longer passes for an existing file); with --force
    /// the last is, and both say which won.
    @Test func convertTracardiReportsRedirectsSharingAnID() throws {
        let export =
            #"[{"id":"s","url":"https://e.com/1"},{"id":"t","url":"https://e.com/t"},"#
            + #"{"id":"s","url":"https://e.com/2"}]"#
        let (run, dir) = try convertTracardi(export)
        let out = dir.path + "/out"
        #expect(run.status == 1)
        #expect(
            run.stderr == """
                \(out)/s.toml: redirect #1: id "s" is also the id of redirect #3 (with --force, the last one would be \
                written); not written
                \(out)/s.toml: redirect #3: id "s" is also the id of redirect #1 (with --force, the last one would be \
                written); not written

                """)
        #expect(run.stdout == "\(out)/t.toml\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["t.toml"])

        let (forced, forcedDir) = try convertTracardi(export, ["--force"])
        let forcedOut = forcedDir.path + "/out"
        #expect(forced.status == 1)
        #expect(
            forced.stderr == """
                \(forcedOut)/s.toml: redirect #1: id "s" is also the id of redirect #3; redirect #3 is kept (--force keeps \
                the last that can be written); not written
                \(forcedOut)/s.toml: redirect #3: id "s" is also the id of redirect #1; this one is kept (--force keeps \
                the last that can be written)

                """)
        #expect(forced.stdout == "\(forcedOut)/t.toml\n\(forcedOut)/s.toml\n")
        #expect(try String(contentsOfFile: forcedOut + "/s.toml", encoding: .utf8).contains("https://e.com/2"))
    }
}
