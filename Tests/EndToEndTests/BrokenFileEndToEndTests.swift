import Foundation
import Testing

/// A redirect file broken by an edit and fixed again, as an operator sees it: the link keeps working, and
/// redirectd's stderr says once what is wrong and once that it is fixed.
@Suite(.serialized) struct BrokenFileEndToEndTests {
    @Test func aBrokenFileServesItsLastGoodVersionAndItsRecoveryIsLogged() throws {
        let stack = try RedirectStack(files: ["sale.toml": "url = \"https://shop.example.com/good\"\n"])
        defer { stack.stop() }
        #expect(try stack.get("/redirect/sale/s-1").header("Location") == "https://shop.example.com/good")

        try stack.write("sale.toml", "url = \"https://shop.example.com/broken\n")
        for click in 0..<3 {
            #expect(try stack.get("/redirect/sale/s-\(click)").header("Location") == "https://shop.example.com/good")
        }
        try stack.write("sale.toml", "url = \"https://shop.example.com/fixed\"\n")
        #expect(try stack.get("/redirect/sale/s-9").header("Location") == "https://shop.example.com/fixed")
        #expect(try stack.get("/redirect/sale/s-10").header("Location") == "https://shop.example.com/fixed")

        try stack.waitFor(seconds: 5, "for the recovery line") { stack.responderStderr().contains("valid again") }
        let lines = stack.responderStderr().split(separator: "\n").filter { $0.contains("sale.toml") }
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.first?.hasSuffix("(serving the last good version)") == true, "\(lines)")
        #expect(
            lines.last?.hasSuffix("/redirects.d/sale.toml: valid again; this version serves from now on") == true,
            "\(lines)")
    }
}
