import Foundation
import RedirectCore
import SystemIO
import Testing

@testable import RedirectFiles

/// A redirects directory of its own, removed at the end, and what the store logged.
final class StoreFixture: Sendable {
    let directory: String
    let lines = Locked<[String]>([])

    init() throws {
        directory = NSTemporaryDirectory() + "redirect-store-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/" + name))
    }

    func remove(_ name: String) throws { try FileManager.default.removeItem(atPath: directory + "/" + name) }

    func store(cacheLimit: Int = RedirectStore.defaultCacheLimit) -> RedirectStore {
        RedirectStore(directory: directory, cacheLimit: cacheLimit) { line in self.lines.withLock { $0.append(line) } }
    }

    var log: [String] { lines.withLock { $0 } }
}

func found(_ lookup: RedirectLookup) -> Redirect? {
    if case .found(let redirect) = lookup { return redirect }
    return nil
}

/// The redirect as the parser reads it, without what the cache leaves out (name, description, tags).
func parsed(_ text: String, id: String) throws -> Redirect {
    var redirect = try #require(RedirectFileParser.parseRedirect(text: text, id: id, file: id + ".toml").value)
    redirect.name = nil
    redirect.description = nil
    redirect.tags = []
    return redirect
}

@Suite struct RedirectStoreTests {
    static let repositoryRedirects = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("redirects.d").path

    @Test(arguments: ["spring-sale", "welcome", "docs", "app"])
    func exampleFilesComeBackAsTheParserReadsThem(id: String) throws {
        let text = try String(contentsOfFile: Self.repositoryRedirects + "/" + id + ".toml", encoding: .utf8)
        let fixture = try StoreFixture()
        try fixture.write(id + ".toml", text)
        let store = fixture.store()
        // The first lookup parses the file, the second is served from the cache.
        #expect(found(store.lookup(id)) == (try parsed(text, id: id)))
        #expect(found(store.lookup(id)) == (try parsed(text, id: id)))
        #expect(fixture.log.isEmpty)
    }

    @Test func everyKindOfValueSurvivesTheCache() throws {
        let long = String(repeating: "é", count: 200)
        let text = """
            url = "https://e.com/{session}?q={query.q}"
            status = 308
            event_type = "t"
            forward_query = "override"
            enabled = false
            valid_from = 2026-01-01T00:00:00Z
            valid_until = 2027-01-01T00:00:00Z
            expired_url = "https://e.com/over"
            [properties]
            s = "\(long)"
            i = -9223372036854775808
            f = 1.5e300
            n = nan
            b = [true, false]
            when = 1979-05-27T07:32:00Z
            nested = { a = { b = [1, "two", { c = 3 }] }, empty = {} }
            """
        let fixture = try StoreFixture()
        try fixture.write("all.toml", text)
        let store = fixture.store()
        _ = store.lookup("all")
        let redirect = try #require(found(store.lookup("all")))
        #expect(redirect == (try parsed(text, id: "all")))
        #expect(redirect.validUntil != nil && redirect.expiredURL == "https://e.com/over" && !redirect.enabled)
        #expect(redirect.forwardQuery == .override)
    }

    @Test(arguments: [("false", ForwardQuery.off), ("true", .merge), ("\"override\"", .override)])
    func forwardQueryComesBackAsWritten(value: String, expected: ForwardQuery) throws {
        let fixture = try StoreFixture()
        try fixture.write("f.toml", "url = \"https://e.com/?a=1\"\nforward_query = \(value)\n")
        let store = fixture.store()
        _ = store.lookup("f")
        #expect(found(store.lookup("f"))?.forwardQuery == expected)
    }

    @Test func anEditShowsOnTheNextLookup() throws {
        let fixture = try StoreFixture()
        let store = fixture.store()
        try fixture.write("a.toml", "url = \"https://e.com/1\"\n")
        #expect(found(store.lookup("a"))?.url == "https://e.com/1")
        try fixture.write("a.toml", "url = \"https://e.com/two\"\n")
        #expect(found(store.lookup("a"))?.url == "https://e.com/two")
        try fixture.remove("a.toml")
        #expect(found(store.lookup("a")) == nil)
        #expect(store.cachedCount == 0)
    }

    /// A worker's recent redirects answer as the cache does: each id its own redirect, however many ids take
    /// turns in its four slots, and an edited or removed file on the very next click.
    @Test func recentRedirectsNeverServeAStaleOrWrongOne() throws {
        let fixture = try StoreFixture()
        let store = fixture.store()
        let recent = RecentRedirects()
        for n in 0..<6 { try fixture.write("r\(n).toml", "url = \"https://e.com/\(n)\"\n") }
        for round in 0..<3 {
            for n in [0, 1, 0, 2, 3, 4, 5, 0, 5] {
                #expect(found(store.lookup("r\(n)", recent: recent))?.url == "https://e.com/\(n)", "round \(round)")
            }
        }
        #expect(found(store.lookup("r0", recent: recent)) == found(store.lookup("r0")))
        try fixture.write("r0.toml", "url = \"https://e.com/zero\"\nsource = \"mail\"\n")
        let edited = found(store.lookup("r0", recent: recent))
        #expect(edited?.url == "https://e.com/zero")
        #expect(edited?.source == "mail")
        try fixture.remove("r0.toml")
        #expect(found(store.lookup("r0", recent: recent)) == nil)
        #expect(found(store.lookup("r5", recent: recent))?.url == "https://e.com/5")
    }

    @Test func theCacheHoldsNoMoreThanItsLimitAndEveryFileStillAnswers() throws {
        let fixture = try StoreFixture()
        for k in 0..<100 { try fixture.write("l\(k).toml", "url = \"https://e.com/\(k)\"\n") }
        let store = fixture.store(cacheLimit: 16)
        for round in 0..<3 {
            for k in 0..<100 {
                #expect(found(store.lookup("l\(k)"))?.url == "https://e.com/\(k)", "round \(round)")
            }
            #expect(store.cachedCount == 16)
        }
    }

    /// Deleted files leave the cache one by one (each removal shifts the table's later buckets back): every file
    /// still there keeps its own redirect, and a deleted one is not found, through growth and removals.
    @Test func deletedFilesLeaveTheOthersFound() throws {
        let fixture = try StoreFixture()
        for k in 0..<3000 { try fixture.write("d\(k).toml", "url = \"https://e.com/\(k)\"\n") }
        let store = fixture.store()
        for k in 0..<3000 { #expect(found(store.lookup("d\(k)"))?.url == "https://e.com/\(k)") }
        for k in stride(from: 0, to: 3000, by: 3) { try fixture.remove("d\(k).toml") }
        for k in 0..<3000 {
            let url = found(store.lookup("d\(k)"))?.url
            #expect(url == (k % 3 == 0 ? nil : "https://e.com/\(k)"), "d\(k)")
        }
        #expect(store.cachedCount == 2000)
        #expect(store.occupiedBucketsForTesting == 2000)
        for k in 0..<3000 where k % 3 != 0 { #expect(store.cachedEntryForTesting("d\(k)") != nil, "d\(k)") }
    }

    /// The entries inserted when the table grows (the 33rd, 65th, ...) have one bucket like the others: deleting
    /// one leaves no bucket behind pointing at it.
    @Test func anEntryAddedAsTheTableGrowsLeavesCleanly() throws {
        let fixture = try StoreFixture()
        for k in 0..<200 { try fixture.write("g\(k).toml", "url = \"https://e.com/\(k)\"\n") }
        let store = fixture.store()
        for k in 0..<200 { _ = store.lookup("g\(k)") }
        #expect(store.occupiedBucketsForTesting == 200)
        for k in [32, 64, 128] { try fixture.remove("g\(k).toml") }
        for _ in 0..<2 {
            for k in [32, 64, 128] { #expect(found(store.lookup("g\(k)")) == nil, "g\(k)") }
        }
        #expect(store.cachedCount == 197)
        #expect(store.occupiedBucketsForTesting == 197)
        for k in 0..<200 where ![32, 64, 128].contains(k) {
            #expect(found(store.lookup("g\(k)"))?.url == "https://e.com/\(k)", "g\(k)")
        }
    }

    @Test func aLinkInUseStaysCachedWhileThousandsOfOthersPassThrough() throws {
        let fixture = try StoreFixture()
        try fixture.write("hot.toml", "url = \"https://e.com/hot\"\n")
        for k in 0..<1000 { try fixture.write("c\(k).toml", "url = \"https://e.com/\(k)\"\n") }
        let store = fixture.store(cacheLimit: 16)
        let hot = try #require(found(store.lookup("hot")))
        #expect(hot.url == "https://e.com/hot")
        let first = try #require(store.cachedEntryForTesting("hot"))
        for k in 0..<1000 {
            _ = store.lookup("c\(k)")
            if k % 8 == 0 { _ = store.lookup("hot") }
        }
        // The same entry, never evicted and read again.
        #expect(store.cachedEntryForTesting("hot") === first)
        #expect(store.cachedCount == 16)
        // An id asked once is evicted by the next ones.
        #expect(store.cachedEntryForTesting("c0") == nil)
    }

    @Test func aBrokenFileKeepsServingAndItsRecoveryIsLoggedOnce() throws {
        let fixture = try StoreFixture()
        let store = fixture.store()
        try fixture.write("s.toml", "url = \"https://e.com/good\"\n")
        #expect(found(store.lookup("s"))?.url == "https://e.com/good")
        try fixture.write("s.toml", "url = \"https://e.com/broken\n")
        #expect(found(store.lookup("s"))?.url == "https://e.com/good")
        #expect(found(store.lookup("s"))?.url == "https://e.com/good")
        #expect(fixture.log.count == 1)
        #expect(fixture.log.first?.contains("s.toml:1:") == true)
        #expect(fixture.log.first?.hasSuffix("(serving the last good version)") == true)
        try fixture.write("s.toml", "url = \"https://e.com/fixed\"\n")
        #expect(found(store.lookup("s"))?.url == "https://e.com/fixed")
        #expect(found(store.lookup("s"))?.url == "https://e.com/fixed")
        #expect(fixture.log.count == 2)
        #expect(
            fixture.log.last == "redirectd: \(fixture.directory)/s.toml: valid again; this version serves from now on")
        // An edit of a healthy file logs nothing.
        try fixture.write("s.toml", "url = \"https://e.com/again\"\n")
        #expect(found(store.lookup("s"))?.url == "https://e.com/again")
        #expect(fixture.log.count == 2)
    }

    @Test func brokenDefaultsRecoverToo() throws {
        let fixture = try StoreFixture()
        let store = fixture.store()
        try fixture.write("_defaults.toml", "source = \"one\"\n")
        #expect(store.defaults().source == "one")
        try fixture.write("_defaults.toml", "source = \n")
        #expect(store.defaults().source == "one")
        try fixture.write("_defaults.toml", "source = \"three\"\n")
        #expect(store.defaults().source == "three")
        #expect(fixture.log.count == 2)
        #expect(
            fixture.log.last
                == "redirectd: \(fixture.directory)/_defaults.toml: valid again; this version serves from now on")
    }

    @Test func aFileThatNeverParsedIsNotFoundAndLoggedOnce() throws {
        let fixture = try StoreFixture()
        let store = fixture.store()
        try fixture.write("bad.toml", "url = 1\n")
        #expect(found(store.lookup("bad")) == nil)
        #expect(found(store.lookup("bad")) == nil)
        #expect(fixture.log.count == 1)
    }

    /// A target with a placeholder before its host ends is an invalid file to the responder too (it reads files
    /// with the parser `check` uses): never served with its braces; an edit to one keeps the last good version.
    @Test func aPlaceholderBeforeTheHostMakesTheFileInvalid() throws {
        let fixture = try StoreFixture()
        let store = fixture.store()
        try fixture.write("u.toml", "url = \"https://{query.u}@e.com/\"\n")
        #expect(found(store.lookup("u")) == nil)
        #expect(fixture.log.count == 1)
        #expect(fixture.log.first?.contains("u.toml:1:1: url must not take its user name or password") == true)

        try fixture.write("p.toml", "url = \"https://e.com/good\"\n")
        #expect(found(store.lookup("p"))?.url == "https://e.com/good")
        try fixture.write("p.toml", "url = \"https://e.com:{query.port}/\"\n")
        #expect(found(store.lookup("p"))?.url == "https://e.com/good")
        #expect(fixture.log.count == 2)
        #expect(fixture.log.last?.hasSuffix("(serving the last good version)") == true)
    }
}
