import CountryCodes
import Foundation
import RedirectCore
import TestSupport
import Testing

/// The embedded list of assigned ISO 3166-1 alpha-2 codes, against the list Debian's iso-codes has (as PyPI's
/// `pycountry` ships it, in the tests' virtual environment).
@Suite struct CountryCodeTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func assignedCodesAreThoseOfPycountry() throws {
        let venv = try ProcessRun.run(Self.packageRoot + "/scripts/test-python-env")
        try #require(venv.status == 0, "scripts/test-python-env: \(venv.stderr)")
        let python = venv.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let run = try ProcessRun.run(
            python, ["-c", "import pycountry; print(' '.join(sorted(c.alpha_2 for c in pycountry.countries)))"])
        try #require(run.status == 0, "\(run.stderr)")
        let theirs = run.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
        let ours = CountryCode.assignedCodes.split(whereSeparator: \.isWhitespace).map(String.init)
        #expect(ours == theirs)
        #expect(ours.count == 249)
    }

    @Test func codesAreCheckedAndNormalised() {
        #expect(CountryCode("de")?.description == "DE")
        #expect(CountryCode("de")?.isAssigned == true)
        #expect(CountryCode("UK")?.isAssigned == false)
        #expect(CountryCode("EU")?.isAssigned == false)
        #expect(CountryCode("XK")?.isAssigned == false)
        // Kosovo, as GeoIP databases write it: a click can have it, so a rule may name it.
        #expect(CountryCode("XK")?.isNameableInRules == true)
        #expect(CountryCode("ZZ")?.isNameableInRules == false)
        #expect(CountryCode("D") == nil)
        #expect(CountryCode("DEU") == nil)
        #expect(CountryCode("D1") == nil)
    }
}
