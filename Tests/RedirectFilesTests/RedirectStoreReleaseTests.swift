import Foundation
import RedirectCore
import SystemIO
import Testing

@testable import RedirectFiles

/// A redirects directory that is a symbolic link switched between releases (as `redirectctl deploy` does):
/// the store answers from one release at a time, its files and its defaults together.
@Suite struct RedirectStoreReleaseTests {
    /// `fixture/releases/<name>/` with `link.toml` and `_defaults.toml` naming the release, and the link
    /// `fixture/redirects.d` switched to one of them with a rename, as deploy does.
    final class Releases {
        let fixture: StoreFixture
        var link: String { fixture.directory + "/redirects.d" }

        init(_ names: [String]) throws {
            fixture = try StoreFixture()
            for name in names {
                let directory = fixture.directory + "/releases/" + name
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try Data("url = \"https://e.com/\(name)\"\n".utf8).write(
                    to: URL(fileURLWithPath: directory + "/link.toml"))
                try Data("source = \"\(name)\"\n".utf8).write(to: URL(fileURLWithPath: directory + "/_defaults.toml"))
            }
        }

        func switchTo(_ name: String) throws {
            let temporary = fixture.directory + "/.tmp-link"
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.createSymbolicLink(atPath: temporary, withDestinationPath: "releases/" + name)
            #expect(rename(temporary, link) == 0)
        }

        func store() -> RedirectStore {
            let fixture = self.fixture
            return RedirectStore(directory: link) { line in fixture.lines.withLock { $0.append(line) } }
        }
    }

    @Test func aSwitchShowsInTheNextReleaseWithItsDefaultsAtOnce() throws {
        let releases = try Releases(["a", "b"])
        try releases.switchTo("a")
        let store = releases.store()
        let a = store.release()
        #expect(a.directory.hasSuffix("/releases/a"))
        #expect(a.defaults.source == "a")
        #expect(found(store.lookup("link", in: a))?.url == "https://e.com/a")

        try releases.switchTo("b")
        // A click answered from the release it resolved reads that release's file, whatever the link says now.
        #expect(found(store.lookup("link", in: a))?.url == "https://e.com/a")
        #expect(found(store.lookup("link", in: a, recent: RecentRedirects()))?.url == "https://e.com/a")
        let b = store.release()
        #expect(b.directory.hasSuffix("/releases/b"))
        #expect(b.defaults.source == "b")
        #expect(found(store.lookup("link", in: b))?.url == "https://e.com/b")
        // Unchanged, the same release comes back (a worker keeps its copy of the defaults).
        #expect(store.release() === b)
        #expect(releases.fixture.log.isEmpty)
    }

    @Test func aPlainDirectoryIsUsedAsGiven() throws {
        let fixture = try StoreFixture()
        try fixture.write("link.toml", "url = \"https://e.com/1\"\n")
        try fixture.write("_defaults.toml", "source = \"one\"\n")
        let store = fixture.store()
        let release = store.release()
        #expect(release.directory == fixture.directory)
        #expect(release.defaults.source == "one")
        #expect(store.release() === release)
        // An edit of _defaults.toml is read again; a file that no longer parses leaves the last good version.
        try fixture.write("_defaults.toml", "source = \"two\"\n")
        #expect(store.release().defaults.source == "two")
        try fixture.write("_defaults.toml", "source = [\n")
        #expect(store.release().defaults.source == "two")
        #expect(fixture.log.count == 1 && fixture.log[0].contains("serving the last good version"), "\(fixture.log)")
        try fixture.remove("_defaults.toml")
        #expect(store.release().defaults.source == nil)
    }

    @Test func aLinkThatLeadsNowhereAnswersNotFound() throws {
        let releases = try Releases(["a"])
        try releases.switchTo("gone")
        let store = releases.store()
        let release = store.release()
        #expect(release.directory == releases.link)
        #expect(found(store.lookup("link", in: release)) == nil)
        try releases.switchTo("a")
        #expect(found(store.lookup("link", in: store.release()))?.url == "https://e.com/a")
    }
}
