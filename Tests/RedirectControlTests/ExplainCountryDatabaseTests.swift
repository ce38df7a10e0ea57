import Foundation
import TestSupport
import Testing

/// `redirectctl explain --ip` with a country database made by mmdb-writer (the tests' virtual environment):
/// the look-up redirectd would do, `REDIRECTD_GEOIP` as its default, and `--country` winning over it.
@Suite struct ExplainCountryDatabaseTests {
    static let windows =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        + "Safari/537.36"

    /// A directory with `geo.toml` (a rule for DE and AT) and a database that puts 81.2.69.0/24 in DE.
    func setUp() throws -> (dir: TemporaryDirectory, database: String) {
        let dir = try TemporaryDirectory()
        try dir.create(
            "geo.toml",
            .text(
                """
                url = "https://shop.example.com/"
                [[rules]]
                name = "dach"
                country = ["DE", "AT"]
                url = "https://shop.example.com/de/"

                """))
        let database = dir.path + "/countries.mmdb"
        let script = BuiltProducts.repositoryRoot.appendingPathComponent(
            "Tests/CountryLookupTests/Resources/make_country_db.py"
        ).path
        let made = try ProcessRun.run(try TestPython.venvPython(), [script, database, "81.2.69.0/24=DE"])
        #expect(made.status == 0, "\(made.stderr)")
        return (dir, database)
    }

    func explain(_ arguments: [String], dir: TemporaryDirectory, geoip: String? = nil) throws -> ProcessRun {
        var environment = ProcessInfo.processInfo.environment
        environment["REDIRECTS_DIR"] = nil
        environment["REDIRECTD_GEOIP"] = geoip
        return try ProcessRun.run(
            RepositoryPaths.redirectctl,
            ["explain", "geo", "--redirects", dir.path, "--user-agent", Self.windows] + arguments,
            environment: environment)
    }

    func line(_ label: String, in run: ProcessRun) -> String? {
        run.stdout.split(separator: "\n").map(String.init).first { $0.hasPrefix(label + " ") }
    }

    @Test func theAddressIsLookedUpAsRedirectdWould() throws {
        let (dir, database) = try setUp()
        let found = try explain(["--ip", "81.2.69.160", "--geoip", database], dir: dir)
        #expect(found.status == 0, "\(found.stderr)")
        #expect(line("country", in: found) == "country   DE (81.2.69.160 in \(database))")
        #expect(line("rule 1", in: found) == "rule 1    dach: matches")
        #expect(found.stdout.contains(#""country":"DE""#))

        // REDIRECTD_GEOIP, as for redirectd, when --geoip is not given.
        let fromEnvironment = try explain(["--ip", "81.2.69.160"], dir: dir, geoip: database)
        #expect(line("country", in: fromEnvironment) == "country   DE (81.2.69.160 in \(database))")

        let elsewhere = try explain(["--ip", "192.0.2.7", "--geoip", database], dir: dir)
        #expect(line("country", in: elsewhere) == "country   unknown (192.0.2.7 is not in \(database))")
        #expect(line("rule 1", in: elsewhere) == #"rule 1    dach: no, country is unknown, not one of "DE", "AT""#)
    }

    @Test func aGivenCountryWinsOverTheDatabase() throws {
        let (dir, database) = try setUp()
        let run = try explain(["--ip", "81.2.69.160", "--geoip", database, "--country", "FR"], dir: dir)
        #expect(line("country", in: run) == "country   FR (--country, as nginx's REDIRECT_COUNTRY)")
        #expect(line("rule 1", in: run) == #"rule 1    dach: no, country is "FR", not one of "DE", "AT""#)
    }

    @Test func aMissingDatabaseExitsOne() throws {
        let dir = try TemporaryDirectory()
        try dir.create("geo.toml", .text("url = \"https://shop.example.com/\"\n"))
        let run = try explain(["--ip", "81.2.69.160", "--geoip", dir.path + "/none.mmdb"], dir: dir)
        #expect(run.status == 1)
        #expect(run.stderr == "redirectctl explain: country database \(dir.path)/none.mmdb: no such file\n")
    }
}
