import Foundation
import RedirectControl
import RedirectCore
import Testing

/// `redirectctl check` on `[utm]` and `[utm.allowed]`: each finding at the file, line and column of the value.
@Suite struct UTMCheckTests {
    static let defaults = """
        [utm]
        source = "newsletter"
        [utm.allowed]
        medium = ["email", "social"]
        campaign = ["spring", "summer", "{redirect}"]
        """

    @Test func valuesOutsideTheTeamsListsAreReportedWhereTheyAreWritten() throws {
        let dir = try TemporaryDirectory()
        try dir.create("_defaults.toml", .text(Self.defaults))
        try dir.create(
            "ok.toml", .text("url = \"https://e.com/\"\n[utm]\nmedium = \"email\"\ncampaign = \"{redirect}\"\n"))
        try dir.create(
            "fax.toml", .text("url = \"https://e.com/\"\n\n[utm]\nmedium = \"fax\"\ncampaign  = \"autumn\"\n"))
        try dir.create("inline.toml", .text("url = \"https://e.com/\"\nutm = { medium = \"Email\" }\n"))
        let report = try RedirectDirectoryChecker(directory: dir.path).check()
        #expect(
            report.problems.map(\.description) == [
                dir.path + "/fax.toml:4:10: utm.medium \"fax\" is not in [utm.allowed] of _defaults.toml "
                    + "(medium = [\"email\", \"social\"])",
                dir.path + "/fax.toml:5:13: utm.campaign \"autumn\" is not in [utm.allowed] of "
                    + "_defaults.toml (campaign = [\"spring\", \"summer\", \"{redirect}\"])",
                dir.path + "/inline.toml:2:18: utm.medium \"Email\" is not in [utm.allowed] of "
                    + "_defaults.toml (medium = [\"email\", \"social\"])",
            ])
        #expect(report.summary == "checked 4 files: 3 problems in 2 files")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [[String: Any]])
        #expect(json.map { $0["severity"] as? String } == ["warning", "warning", "warning"])
    }

    @Test func malformedUTMIsReportedPerFileAndOtherFilesAreUntouched() throws {
        let dir = try TemporaryDirectory()
        try dir.create("_defaults.toml", .text(Self.defaults))
        try dir.create("good.toml", .text("url = \"https://e.com/\"\n[utm]\nmedium = \"social\"\n"))
        try dir.create(
            "bad.toml",
            .text(
                "url = \"https://e.com/\"\n[utm]\nsource = [\"a\"]\nterm = \"\"\ncontnet = \"x\"\nmedium = \"{who}\"\n")
        )
        let report = try RedirectDirectoryChecker(directory: dir.path).check()
        #expect(
            report.problems.map(\.description) == [
                dir.path + "/bad.toml:3:1: utm.source must be a string, found an array",
                dir.path + "/bad.toml:4:8: utm.term must not be empty (leave the key out to add no utm_term)",
                dir.path + "/bad.toml:5:1: unknown key \"utm.contnet\" (known: source, medium, campaign, "
                    + "term, content) (did you mean \"content\"?)",
                dir.path + "/bad.toml:6:10: utm.medium has an unknown placeholder {who} (known: {session}, "
                    + "{redirect}, {click_id}, {query.NAME})",
            ])
    }

    @Test func theDefaultsOwnUTMIsCheckedInTheDefaultsFile() throws {
        let dir = try TemporaryDirectory()
        try dir.create("_defaults.toml", .text("[utm]\nmedium = \"print\"\n[utm.allowed]\nmedium = [\"email\"]\n"))
        try dir.create("a.toml", .text("url = \"https://e.com/\"\n"))
        let report = try RedirectDirectoryChecker(directory: dir.path).check()
        #expect(
            report.problems.map(\.description) == [
                dir.path + "/_defaults.toml:2:10: utm.medium \"print\" is not in [utm.allowed] of "
                    + "_defaults.toml (medium = [\"email\"])"
            ])
    }
}
