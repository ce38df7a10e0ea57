import Testing

@testable import RedirectCore

@Suite struct RequestPathTests {
    static let cases: [(String, RequestPath?)] = [
        ("/spring-sale", RequestPath(id: "spring-sale", session: .none)),
        ("/spring-sale/", RequestPath(id: "spring-sale", session: .none)),
        ("/spring-sale/s-1", RequestPath(id: "spring-sale", session: .valid("s-1"))),
        ("/a.b_c-D9/Ab~9._-", RequestPath(id: "a.b_c-D9", session: .valid("Ab~9._-"))),
        ("/12345/67890", RequestPath(id: "12345", session: .valid("67890"))),
        ("/x/has space", RequestPath(id: "x", session: .malformed)),
        ("/x/caf\u{e9}", RequestPath(id: "x", session: .malformed)),
        ("/x/a%2Fb", RequestPath(id: "x", session: .malformed)),
        (
            "/x/" + String(repeating: "s", count: 256),
            RequestPath(id: "x", session: .valid(String(repeating: "s", count: 256)))
        ),
        ("/x/" + String(repeating: "s", count: 257), RequestPath(id: "x", session: .malformed)),
        ("/" + String(repeating: "i", count: 128), RequestPath(id: String(repeating: "i", count: 128), session: .none)),
        ("/" + String(repeating: "i", count: 129), nil),
        ("", nil),
        ("/", nil),
        ("//s", nil),
        ("spring-sale", nil),
        ("/a/b/c", nil),
        ("/a/b/", nil),
        ("/..", nil),
        ("/../etc/passwd", nil),
        ("/.hidden", nil),
        ("/_defaults", nil),
        ("/a%2e%2e", nil),
        ("/a\\b", nil),
        ("/a\u{0}b", nil),
        ("/a\r\nLocation: x", nil),
        ("/\u{ff}", nil),
    ]

    @Test(arguments: cases)
    func parse(path: String, expected: RequestPath?) {
        #expect(RequestPath.parse(path) == expected)
    }
}
