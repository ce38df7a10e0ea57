import Foundation
import RedirectControl
import RedirectCore
import TestSupport
import Testing
import Timestamps

/// `redirectctl` and open pixels and `_via`: `check` findings, `link --html`, `explain`, `stats`.
@Suite struct PixelAndViaControlTests {
    func redirectctl(_ arguments: [String]) throws -> ProcessRun {
        var environment = ProcessInfo.processInfo.environment
        environment["REDIRECTS_DIR"] = nil
        return try ProcessRun.run(RepositoryPaths.redirectctl, arguments, environment: environment)
    }

    @Test func checkReportsPixelKeysAndTheReservedParameterWithPositions() throws {
        let dir = try TemporaryDirectory()
        try dir.create("open.toml", .text("kind = \"pixel\"\nsource = \"newsletter\"\n"))
        try dir.create("bad-pixel.toml", .text("kind = \"pixel\"\nurl = \"https://e.com/\"\n"))
        try dir.create("via.toml", .text("url = \"https://e.com/?from={query._via}\"\n"))
        try dir.create(
            "via-rule.toml",
            .text(
                "url = \"https://e.com/\"\n[[rules]]\nname = \"qr\"\nquery = { _via = \"qr\" }\nurl = \"https://e.com/q\"\n"
            ))
        let report = try RedirectDirectoryChecker(directory: dir.path).check()
        let lines = report.problems.map(\.description)
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.contains { $0.hasPrefix(dir.path + "/bad-pixel.toml:2:1: url is not allowed in a pixel") })
        #expect(lines.contains { $0.hasPrefix(dir.path + "/via.toml:1:1: url has the placeholder {query._via}") })
        #expect(lines.contains { $0.hasPrefix(dir.path + "/via-rule.toml:4:11: rule \"qr\": query._via: the query") })
        #expect(report.filesWithProblems == 3)

        let run = try redirectctl(["check", dir.path])
        #expect(run.status != 0)
        #expect(run.stdout.contains("\(dir.path)/bad-pixel.toml:2:1: url is not allowed in a pixel"))
    }

    @Test func linkHTMLPrintsAnImageForAPixelAndAnAnchorForALink() throws {
        let dir = try TemporaryDirectory()
        try dir.create("_defaults.toml", .text("base_url = \"https://go.example.com/redirect\"\n"))
        try dir.create("open.toml", .text("kind = \"pixel\"\n"))
        try dir.create("sale.toml", .text("url = \"https://shop.example.com/\"\nname = \"Tom & Jerry's <sale>\"\n"))
        try dir.create("plain.toml", .text("url = \"https://shop.example.com/\"\n"))

        let image = try redirectctl(["link", "open", "--html", "--redirects", dir.path])
        #expect(image.status == 0)
        #expect(
            image.stdout
                == "<img src=\"https://go.example.com/redirect/open/{{session@id}}\" width=\"1\" height=\"1\" alt=\"\" "
                + "style=\"display:block;width:1px;height:1px;border:0;margin:0;padding:0;opacity:0\">\n")
        let one = try redirectctl(["link", "open", "--html", "--session", "s-1", "--redirects", dir.path])
        #expect(one.stdout.hasPrefix("<img src=\"https://go.example.com/redirect/open/s-1\" width=\"1\""))

        let anchor = try redirectctl(["link", "sale", "--html", "--session-template", "--redirects", dir.path])
        #expect(
            anchor.stdout
                == "<a href=\"https://go.example.com/redirect/sale/{{session@id}}\">Tom &amp; Jerry&#39;s &lt;sale&gt;</a>\n"
        )
        let plain = try redirectctl(["link", "plain", "--html", "--redirects", dir.path])
        #expect(plain.stdout == "<a href=\"https://go.example.com/redirect/plain\">plain</a>\n")
        // Without --html a pixel's link is printed as any link.
        let bare = try redirectctl(["link", "open", "--redirects", dir.path])
        #expect(bare.stdout == "https://go.example.com/redirect/open\n")
    }

    @Test func htmlEscaping() throws {
        #expect(RedirectLink.htmlEscaped(#"a&b<c>"d'e"#) == "a&amp;b&lt;c&gt;&quot;d&#39;e")
        let link = try RedirectLink(base: "https://go.example.com/r", id: "a", session: .id("x~1"))
        #expect(link.anchorTag(text: "<b>") == "<a href=\"https://go.example.com/r/a/x~1\">&lt;b&gt;</a>")
    }

    @Test func explainTakesViaOutOfTheQueryAndShowsIt() throws {
        let dir = try TemporaryDirectory()
        try dir.create(
            "sale.toml",
            .text(
                "url = \"https://shop.example.com/\"\nforward_query = true\n[[rules]]\nname = \"b\"\n"
                    + "query = { utm_content = \"b\" }\nurl = \"https://shop.example.com/b\"\n"))
        try dir.create("open.toml", .text("kind = \"pixel\"\n"))
        let time = Timestamp(year: 2026, month: 3, day: 2, hour: 10)
        let explained = try ClickExplanation.explain(
            id: "sale", click: .init(userAgent: "Mozilla/5.0", query: "utm_content=b&_via=qr", time: time),
            directory: dir.path, countryDatabase: nil)
        #expect(explained.decision.event?.via == .qr)
        #expect(explained.decision.response.location == "https://shop.example.com/b?utm_content=b")
        #expect(explained.lines.contains("via       qr (_via taken out of the query before anything reads it)"))
        #expect(explained.lines.contains("rule 1    b: matches"))

        let pixel = try ClickExplanation.explain(
            id: "open", click: .init(userAgent: "Mozilla/5.0", time: time), directory: dir.path, countryDatabase: nil)
        #expect(pixel.lines.contains("link      open pixel: answers a 1x1 transparent GIF, the open is recorded"))
        #expect(pixel.lines.contains("→ 200 image/gif"))
    }

    @Test func statsCountsOpens() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path + "/ready", withIntermediateDirectories: true)
        let line = { (id: String, outcome: String) in
            #"{"v":1,"id":"\#(id)","time":"2026-11-19T08:26:40.000Z","outcome":"\#(outcome)","redirect":"open","#
                + #""session":"s-\#(id)","via":null,"bot":null,"bot_category":null}"# + "\n"
        }
        let text = line("a", "opened") + line("b", "opened") + line("c", "disabled")
        try text.write(toFile: dir.path + "/ready/20261119T082600.jsonl", atomically: true, encoding: .utf8)
        let run = try redirectctl(["stats", "--spool", dir.path])
        #expect(run.status == 0)
        #expect(run.stdout.split(separator: "\n").last?.split(separator: " ").prefix(3) == ["open", "3", "3"])
    }
}
