import Foundation
import TestSupport
import Testing

/// `redirectctl check --targets`, the built binary run against a local server (Resources/target-server.py), as CI
/// would run it: exit codes, the findings at file:line:column, the JSON fields.
@Suite struct TargetCheckProcessTests {
    func redirectctl(_ arguments: [String]) throws -> ProcessRun {
        var environment = ProcessInfo.processInfo.environment
        environment["REDIRECTS_DIR"] = nil
        return try ProcessRun.run(RepositoryPaths.redirectctl, arguments, environment: environment)
    }

    /// A redirect file whose only key is `url`; the URL's string starts at line 1, column 7.
    func urlFile(_ url: String) -> DirectoryEntry { .text("url = \"\(url)\"\n") }

    @Test func failingTargetsAreReportedAtEveryPlace() throws {
        let dir = try TemporaryDirectory()
        let server = try TargetServer(directory: dir.path, slow: 5)
        let redirects = dir.path + "/redirects"
        try FileManager.default.createDirectory(atPath: redirects, withIntermediateDirectories: false)
        let files: [(String, String)] = [
            ("ok", server.url("/ok?s={session}&id={redirect}")),
            ("missing", server.url("/missing")),
            ("error", server.url("/error")),
            ("slow", server.url("/slow")),
            ("chain", server.url("/chain/1")),
            ("loop", server.url("/loop/a")),
            ("nohead", server.url("/no-head")),
            ("refused", "http://127.0.0.1:\(server.refusedPort)/"),
            ("tls", "https://127.0.0.1:\(server.port)/ok"),
        ]
        for (id, url) in files { try dir.create("redirects/\(id).toml", urlFile(url)) }
        try dir.create(
            "redirects/_defaults.toml",
            .text("base_url = \"https://go.example.com/r\"\nnot_found_url = \"\(server.url("/ok"))\"\n"))
        // The same 404 as missing.toml, from a rule: one request, two places. A broken URL: a note, no request.
        try dir.create(
            "redirects/app.toml",
            .text(
                """
                url = "\(server.url("/ok"))"
                expired_url = "ftp://example.com/"

                [[rules]]
                name = "ios"
                device = ["ios"]
                url = "\(server.url("/missing"))"

                """))
        let run = try redirectctl(["check", "--targets", "--timeout", "2", redirects])
        #expect(run.status == 1, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let url = server.url
        let expected = [
            "\(redirects)/app.toml:2:1: expired_url must be an absolute http or https URL, found \"ftp://example.com/\"",
            "\(redirects)/app.toml:2:15: expired_url not requested: it is not a valid target",
            "\(redirects)/app.toml:7:7: rule \"ios\" url \(url("/missing")): 404",
            "\(redirects)/missing.toml:1:7: url \(url("/missing")): 404",
            "\(redirects)/error.toml:1:7: url \(url("/error")): 500",
            "\(redirects)/slow.toml:1:7: url \(url("/slow")): timed out (no answer within 2 s)",
            "\(redirects)/loop.toml:1:7: url \(url("/loop/a")): redirect loop back to \(url("/loop/a"))",
            "    \(url("/loop/a")) 302 → \(url("/loop/b")) 302 → \(url("/loop/a"))",
            "\(redirects)/refused.toml:1:7: url http://127.0.0.1:\(server.refusedPort)/: "
                + "connection refused by 127.0.0.1:\(server.refusedPort)",
        ]
        for line in expected { #expect(lines.contains(line), "missing: \(line)\nin:\n\(run.stdout)") }
        let tls = lines.first { $0.hasPrefix("\(redirects)/tls.toml:1:7: url https://127.0.0.1:\(server.port)/ok: ") }
        #expect(tls?.hasSuffix("TLS failure: WRONG_VERSION_NUMBER in the handshake") == true, "\(run.stdout)")
        // Healthy targets are not listed: the chain ending 200, the GET after a refused HEAD, the defaults' target.
        for id in ["ok", "chain", "nohead", "_defaults"] {
            #expect(!run.stdout.contains("/\(id).toml:"), "\(run.stdout)")
        }
        #expect(run.stderr.contains("requested 10 targets (12 places)"), "\(run.stderr)")
        #expect(run.stderr.contains("6 failing, 1 URL skipped"), "\(run.stderr)")
    }

    @Test func healthyTargetsExitZeroAndJSONHasEveryField() throws {
        let dir = try TemporaryDirectory()
        let server = try TargetServer(directory: dir.path)
        try dir.create("redirects", .directory)
        try dir.create("redirects/chain.toml", urlFile(server.url("/chain/1")))
        try dir.create("redirects/nohead.toml", urlFile(server.url("/no-head")))
        try dir.create("redirects/forbidden.toml", urlFile(server.url("/forbidden-head")))
        try dir.create(
            "redirects/split.toml",
            .text(
                """
                url = "\(server.url("/ok?id={redirect}&click={click_id}&s={session}&q={query.q}"))"

                [[variants]]
                name = "a"
                weight = 1
                url = "\(server.url("/chain/1"))"

                """))
        let run = try redirectctl(
            [
                "check", "--targets", "--format", "json", "--concurrency", "2", "--per-host", "1",
                dir.path + "/redirects",
            ])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
        #expect((object["problems"] as? [Any])?.isEmpty == true)
        #expect((object["skipped"] as? [Any])?.isEmpty == true)
        let targets = object["targets"] as? [[String: Any]] ?? []
        let byURL = Dictionary(targets.map { ($0["url"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(targets.count == 4)

        let chain = try #require(byURL[server.url("/chain/1")])
        #expect(chain["ok"] as? Bool == true)
        #expect(chain["outcome"] as? String == "answered")
        #expect(chain["status"] as? Int == 200)
        #expect(chain["final_url"] as? String == server.url("/ok"))
        #expect(chain["message"] as? String == "200 after 3 redirects")
        let hops = (chain["chain"] as? [[String: Any]] ?? []).map {
            "\($0["method"] as? String ?? "") \($0["url"] as? String ?? "") \($0["status"] as? Int ?? 0)"
        }
        #expect(
            hops == [
                "HEAD \(server.url("/chain/1")) 302", "HEAD \(server.url("/chain/2")) 301",
                "HEAD \(server.url("/chain/3")) 307", "HEAD \(server.url("/ok")) 200",
            ])
        let places = (chain["places"] as? [[String: Any]] ?? []).map {
            "\($0["file"] as? String ?? ""):\($0["line"] as? Int ?? 0):\($0["column"] as? Int ?? 0) \($0["key"] as? String ?? "")"
        }
        #expect(
            places == [
                "\(dir.path)/redirects/chain.toml:1:7 url", "\(dir.path)/redirects/split.toml:6:7 variant \"a\" url",
            ])

        let noHead = try #require(byURL[server.url("/no-head")])
        #expect(noHead["ok"] as? Bool == true)
        #expect(noHead["head_refused"] as? Int == 405)
        #expect((noHead["chain"] as? [[String: Any]])?.first?["method"] as? String == "GET")
        let forbidden = try #require(byURL[server.url("/forbidden-head")])
        #expect(forbidden["ok"] as? Bool == true)
        #expect(forbidden["head_refused"] as? Int == 403)
        // Placeholders: {redirect} the id, {click_id} the zero UUIDv7, {session} sample-session, {query.q} empty.
        let filled = server.url("/ok?id=split&click=00000000-0000-7000-8000-000000000000&s=sample-session&q=")
        #expect(byURL[filled]?["ok"] as? Bool == true, "\(byURL.keys.sorted())")
        #expect(run.stderr.contains("all answer 2xx"), "\(run.stderr)")
    }

    @Test func failuresInJSON() throws {
        let dir = try TemporaryDirectory()
        let server = try TargetServer(directory: dir.path)
        try dir.create("redirects", .directory)
        try dir.create("redirects/missing.toml", urlFile(server.url("/missing")))
        try dir.create("redirects/refused.toml", urlFile("http://127.0.0.1:\(server.refusedPort)/x"))
        let run = try redirectctl(["check", "--targets", "--format", "json", dir.path + "/redirects"])
        #expect(run.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
        let targets = object["targets"] as? [[String: Any]] ?? []
        let outcomes = targets.map {
            "\($0["outcome"] as? String ?? "") \($0["ok"] as? Bool ?? true) \($0["status"] as? Int ?? -1)"
        }
        #expect(outcomes == ["answered false 404", "connection_refused false -1"])
    }

    @Test func perHostBoundsTheRequestsToOneHost() throws {
        let dir = try TemporaryDirectory()
        let server = try TargetServer(directory: dir.path)
        try dir.create("redirects", .directory)
        for n in 1...12 { try dir.create("redirects/p\(n).toml", urlFile(server.url("/pause/\(n)"))) }
        let run = try redirectctl([
            "check", "--targets", "--concurrency", "8", "--per-host", "3", dir.path + "/redirects",
        ])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stderr.contains("requested 12 targets (12 places)"), "\(run.stderr)")
        // Each answer takes 0.2 s, so requests overlap; the server never had more than --per-host at once.
        #expect((1...3).contains(server.mostInFlight), "most in flight: \(server.mostInFlight)")
    }

    @Test func missingDirectoryExitsTwo() throws {
        let dir = try TemporaryDirectory()
        let run = try redirectctl(["check", "--targets", dir.path + "/nothing-here"])
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("redirectctl check: "), "\(run.stderr)")
    }

    @Test func targetOptionsNeedTargets() throws {
        let run = try redirectctl(["check", "--concurrency", "4", "/nonexistent"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--concurrency, --per-host and --timeout go with --targets"), "\(run.stderr)")
    }
}
