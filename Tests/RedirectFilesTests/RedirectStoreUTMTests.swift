import Foundation
import RedirectCore
import Testing

@testable import RedirectFiles

/// `[utm]` through the store: merged into the cached targets once, and read again when `_defaults.toml`'s
/// `[utm]` changes.
@Suite struct RedirectStoreUTMTests {
    @Test func theDefaultsUTMIsInTheCachedTarget() throws {
        let fixture = try StoreFixture()
        try fixture.write("_defaults.toml", "[utm]\nsource = \"newsletter\"\n")
        try fixture.write("sale.toml", "url = \"https://shop.example.com/sale\"\n[utm]\ncampaign = \"spring\"\n")
        let store = fixture.store()
        _ = store.defaults()
        let first = try #require(found(store.lookup("sale")))
        #expect(first.url == "https://shop.example.com/sale?utm_source=newsletter&utm_campaign=spring")
        // Served from the cache: the same entry, no second parse.
        let entry = try #require(store.cachedEntryForTesting("sale"))
        #expect(found(store.lookup("sale"))?.url == first.url)
        #expect(store.cachedEntryForTesting("sale") === entry)
        #expect(fixture.log.isEmpty)
    }

    @Test func anEditOfTheDefaultsUTMReachesCachedFiles() throws {
        let fixture = try StoreFixture()
        try fixture.write("_defaults.toml", "[utm]\nsource = \"newsletter\"\n")
        try fixture.write("sale.toml", "url = \"https://shop.example.com/sale\"\n")
        let store = fixture.store()
        _ = store.defaults()
        #expect(found(store.lookup("sale"))?.url == "https://shop.example.com/sale?utm_source=newsletter")
        let entry = try #require(store.cachedEntryForTesting("sale"))

        // An edit that leaves [utm] alone keeps the cached file.
        try fixture.write("_defaults.toml", "source = \"web\"\n[utm]\nsource = \"newsletter\"\n")
        _ = store.defaults()
        #expect(found(store.lookup("sale"))?.url == "https://shop.example.com/sale?utm_source=newsletter")
        #expect(store.cachedEntryForTesting("sale") === entry)

        try fixture.write("_defaults.toml", "[utm]\nsource = \"mailing\"\nmedium = \"email\"\n")
        _ = store.defaults()
        #expect(found(store.lookup("sale"))?.url == "https://shop.example.com/sale?utm_source=mailing&utm_medium=email")

        try fixture.remove("_defaults.toml")
        _ = store.defaults()
        #expect(found(store.lookup("sale"))?.url == "https://shop.example.com/sale")
        #expect(fixture.log.isEmpty)
    }

    @Test func aMalformedUTMRefusesOnlyItsFile() throws {
        let fixture = try StoreFixture()
        try fixture.write("_defaults.toml", "[utm]\nmedium = \"email\"\n[utm.allowed]\nmedium = [\"social\"]\n")
        try fixture.write("bad.toml", "url = \"https://shop.example.com/bad\"\n[utm]\nsource = 42\n")
        try fixture.write("good.toml", "url = \"https://shop.example.com/good\"\n[utm]\nsource = \"x\"\n")
        let store = fixture.store()
        _ = store.defaults()
        #expect(found(store.lookup("bad")) == nil)
        // A value outside [utm.allowed] is for `check`: the responder serves it.
        #expect(found(store.lookup("good"))?.url == "https://shop.example.com/good?utm_source=x&utm_medium=email")
        #expect(fixture.log.count == 1)
        #expect(fixture.log.first?.contains("bad.toml:3:1: utm.source must be a string, found an integer") == true)
    }

    @Test func aMalformedDefaultsUTMKeepsTheLastGoodDefaults() throws {
        let fixture = try StoreFixture()
        try fixture.write("_defaults.toml", "[utm]\nsource = \"newsletter\"\n")
        try fixture.write("sale.toml", "url = \"https://shop.example.com/sale\"\n")
        let store = fixture.store()
        _ = store.defaults()
        #expect(found(store.lookup("sale"))?.url == "https://shop.example.com/sale?utm_source=newsletter")
        try fixture.write("_defaults.toml", "[utm]\nsource = \"\"\n")
        #expect(store.defaults().utm.source == "newsletter")
        #expect(found(store.lookup("sale"))?.url == "https://shop.example.com/sale?utm_source=newsletter")
        #expect(fixture.log.count == 1)
    }
}
