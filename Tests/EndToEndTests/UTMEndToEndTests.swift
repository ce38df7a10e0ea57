import Foundation
import TestSupport
import Testing

/// `[utm]` through real nginx and redirectd: the `Location` a visitor gets and the event in the spool.
@Suite(.serialized) struct UTMEndToEndTests {
    static let files = [
        "_defaults.toml": """
        [properties]
        team = "growth"
        [utm]
        source = "newsletter"
        medium = "email"
        """,
        "spring.toml": """
        url = "https://shop.example.com/sale?utm_content=hero"
        forward_query = true
        [properties]
        utm_medium = "mail"
        [utm]
        campaign = "spring"
        """,
    ]

    /// FastCGI, and CGI (a process per click, which reads `_defaults.toml` before the link).
    @Test(arguments: [RedirectStack.Mode.fastCGI, .cgi])
    func theLocationCarriesTheUTMAndTheEventRecordsIt(mode: RedirectStack.Mode) throws {
        let stack = try RedirectStack(mode: mode, files: Self.files)
        defer { stack.stop() }
        // The visitor's utm_source comes after the file's and cannot replace it; its other parameters are added.
        let response = try stack.get(
            "/redirect/spring/s-7?utm_source=evil&ref=qr", headers: ["User-Agent: Mozilla/5.0 (X11; Linux x86_64)"])
        #expect(response.status == 302)
        #expect(
            response.header("Location")
                == "https://shop.example.com/sale?utm_content=hero&utm_source=newsletter&utm_medium=email"
                + "&utm_campaign=spring&ref=qr")
        let event = try #require(try stack.events().first)
        #expect(event["target"] as? String == response.header("Location"))
        let properties = try #require(event["properties"] as? [String: Any])
        #expect(properties["team"] as? String == "growth")
        #expect(properties["utm_source"] as? String == "newsletter")
        #expect(properties["utm_campaign"] as? String == "spring")
        // The file's explicit property wins over the [utm] one.
        #expect(properties["utm_medium"] as? String == "mail")
        #expect(properties.count == 4)
    }

    /// `redirectctl explain` runs the responder's decision, so it shows the same target.
    @Test func explainShowsTheTargetWithTheUTM() throws {
        let stack = try RedirectStack(files: Self.files, startResponder: false)
        defer { stack.stop() }
        let run = try ProcessRun.run(
            RedirectStack.redirectctl,
            ["explain", "spring", "--redirects", stack.redirects.path, "--query", "utm_source=evil&ref=qr"])
        let text = run.stdout
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            text.contains(
                "https://shop.example.com/sale?utm_content=hero&utm_source=newsletter&utm_medium=email"
                    + "&utm_campaign=spring&ref=qr"), "\(text)")
    }
}
