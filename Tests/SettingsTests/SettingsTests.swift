import ClickSpool
import Foundation
import RedirectServer
import Settings
import TestSupport
import Testing

/// The settings table: one definition each, the same message for a bad value from a flag or the environment, CGI
/// mode's fallback, and the docs' table checked against it.
@Suite struct SettingsTests {
    static let bucket = SpoolLayout.bucketSecondsSetting

    @Test func aFlagWinsOverTheEnvironmentWhichWinsOverTheDefault() throws {
        let environment = ["CLICK_LOG_BUCKET_SECONDS": "30"]
        #expect(try Self.bucket.value(flag: "10", environment: { environment[$0] }) == 10)
        #expect(try Self.bucket.value(flag: nil, environment: { environment[$0] }) == 30)
        #expect(try Self.bucket.value(flag: nil, environment: { _ in nil }) == 60)
    }

    @Test func aBadValueGetsOneMessageNamingTheSettingWhereverItCameFrom() {
        #expect(throws: SettingError.self) { try Self.bucket.value(flag: "a minute", environment: { _ in nil }) }
        do {
            _ = try Self.bucket.value(flag: "a minute", environment: { _ in nil })
        } catch {
            #expect(error.description == #"--bucket-seconds "a minute" is not a whole number from 1 to 86400"#)
        }
        do {
            _ = try Self.bucket.value(flag: nil, environment: { _ in "0" })
        } catch {
            #expect(error.description == #"CLICK_LOG_BUCKET_SECONDS="0" is not a whole number from 1 to 86400"#)
        }
    }

    /// CGI mode: the message once, and the default, since a refusal there would break every click.
    @Test func cgiModeLogsABadValueAndUsesTheDefault() {
        var logged: [String] = []
        let value = Self.bucket.valueOrDefault(log: { logged.append($0) }, environment: { _ in "a minute" })
        #expect(value == 60)
        #expect(logged == [#"CLICK_LOG_BUCKET_SECONDS="a minute" is not a whole number from 1 to 86400; using 60"#])
    }

    @Test func theResponderRefusesABadValueFromTheEnvironment() {
        let environment = ["REDIRECTD_CACHE_SIZE": "lots"]
        #expect(throws: SettingError.self) {
            try ResponderConfiguration.resolve(flags: [:], environment: { environment[$0] })
        }
        let configuration = try? ResponderConfiguration.resolve(
            flags: ["threads": "3", "listen": "tcp:127.0.0.1:9000"], environment: { environment[$0] == nil ? nil : nil }
        )
        #expect(configuration?.threads == 3)
        #expect(configuration?.listen == .tcp(host: "127.0.0.1", port: 9000))
        #expect(configuration?.cacheLimit == 100_000)
    }

    /// The rows of the table in docs/deploy.md, as the settings say they should read.
    static var rows: [String] {
        ResponderConfiguration.settings.map { setting in
            "| \(setting.summary) | `--\(setting.name)` | `\(setting.environmentName)` | \(setting.defaultText) |"
        }
    }

    @Test func theDocsTableListsEverySettingAsItIsDefined() throws {
        let docs = try String(
            contentsOf: BuiltProducts.repositoryRoot.appendingPathComponent("docs/deploy.md"), encoding: .utf8)
        let table = docs.split(separator: "\n").map(String.init).filter { $0.hasPrefix("| ") && $0.contains("`--") }
        #expect(
            table == Self.rows, Comment(rawValue: "docs/deploy.md should read:\n" + Self.rows.joined(separator: "\n")))
        let names = ResponderConfiguration.settings.map(\.environmentName)
        #expect(Set(names).count == names.count)
    }
}
