import Foundation
import RedirectControl
import Testing

/// Which URLs `check --targets` requests, filled how, and where each is written.
@Suite struct TargetCollectorTests {
    @Test func everyTargetOfAFileWithItsPlace() {
        let text = """
            url = "https://shop.example/app?s={session}"
            expired_url = "https://shop.example/over/{redirect}"

            [[rules]]
            name = "ios"
            device = ["ios"]
            url = "https://apps.apple.com/app/id1?c={click_id}"

            [[rules]]
            language = ["de"]
              [[rules.variants]]
              name = "x"
              weight = 1
              url = "https://shop.example/de?q={query.q}"

            [[variants]]
            name = "b"
            weight = 50
            url = "https://shop.example/app?landing=b"
            """
        let (found, skipped) = TargetCollector.targets(inText: text, id: "app", file: "d/app.toml")
        #expect(skipped.isEmpty)
        #expect(
            found.map { "\($0.place.location) \($0.place.key) \($0.url)" } == [
                "d/app.toml:1:7 url https://shop.example/app?s=sample-session",
                "d/app.toml:2:15 expired_url https://shop.example/over/app",
                "d/app.toml:7:7 rule \"ios\" url https://apps.apple.com/app/id1?c=00000000-0000-7000-8000-000000000000",
                "d/app.toml:14:9 rule 2 variant \"x\" url https://shop.example/de?q=",
                "d/app.toml:19:7 variant \"b\" url https://shop.example/app?landing=b",
            ])
    }

    @Test func defaultsGiveNotFoundURLOnly() {
        let text = "url = \"https://ignored.example/\"\nnot_found_url = \"https://www.example/{redirect}\"\n"
        let (found, _) = TargetCollector.targets(inText: text, id: nil, file: "d/_defaults.toml")
        #expect(found.map(\.url) == ["https://www.example/sample-missing-id"])
        #expect(found.map(\.place.key) == ["not_found_url"])
    }

    @Test func unusableURLsAreSkippedWithANote() {
        let text =
            "url = 42\nexpired_url = \"https://{query.host}/\"\n[[variants]]\nname = \"a\"\nurl = \"/relative\"\n"
        let (found, skipped) = TargetCollector.targets(inText: text, id: "x", file: "x.toml")
        #expect(found.isEmpty)
        #expect(
            skipped.map(\.description) == [
                "x.toml:1:7: url not requested: it is not a string",
                "x.toml:2:15: expired_url not requested: it is not a valid target",
                "x.toml:5:7: variant \"a\" url not requested: it is not a valid target",
            ])
        let (none, broken) = TargetCollector.targets(inText: "url = \"https://a/\nx", id: "y", file: "y.toml")
        #expect(none.isEmpty)
        #expect(broken.count == 1 && broken[0].message == "targets not requested: the file is not valid TOML")
    }

    @Test func aDirectoryGivesEachURLOnceWithAllItsPlaces() throws {
        let dir = try TemporaryDirectory()
        try dir.create("a.toml", .text("url = \"https://x.example/\"\n"))
        try dir.create("b.toml", .text("url = \"https://y.example/\"\nexpired_url = \"https://x.example/\"\n"))
        try dir.create("_defaults.toml", .text("not_found_url = \"https://x.example/\"\n"))
        try dir.create("README.md", .text("url = \"https://readme.example/\"\n"))
        try dir.create("bad name.toml", .text("url = \"https://bad.example/\"\n"))
        try dir.create("c.toml", .symbolicLink("b.toml"))
        let collection = try TargetCollector.collect(directory: dir.path)
        #expect(collection.targets.map(\.url) == ["https://x.example/", "https://y.example/"])
        #expect(
            collection.targets[0].places.map(\.location) == [
                "\(dir.path)/_defaults.toml:1:17", "\(dir.path)/a.toml:1:7", "\(dir.path)/b.toml:2:15",
                "\(dir.path)/c.toml:2:15",
            ])
    }
}
