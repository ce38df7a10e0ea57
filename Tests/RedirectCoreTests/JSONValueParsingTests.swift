import JSON
import RedirectCore
import Testing

@Suite struct JSONValueParsingTests {
    @Test func readsBackWhatTheWriterWrites() {
        let value = JSONValue.object([
            ("s", .string("say \"hi\"\n\t\\ caf\u{e9} \u{1F600} \u{2028}\u{0}")), ("i", .int(-42)), ("d", .double(2.5)),
            ("b", .bool(true)), ("n", .null), ("a", .array([.int(1), .array([]), .object([])])),
            ("o", .object([("z", .string("")), ("a", .int(0))])),
        ])
        #expect(JSONValue(parsing: value.jsonText) == value)
    }

    @Test(arguments: [
        (#"  {"a" : [1, -0.5e2, "x"] }  "#, JSONValue.object([("a", .array([.int(1), .double(-50), .string("x")]))])),
        (#""a\u0062c\"\ud83d\ude00\/""#, .string("abc\"😀/")),
        // A lone surrogate cannot be text: it becomes U+FFFD, and the escape after it stays itself.
        (#""\ud83d\u0041""#, .string("\u{FFFD}A")),
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
    ])
    func parsesValues(text: String, expected: JSONValue) {
        #expect(JSONValue(parsing: text) == expected)
    }

    @Test(arguments: [
        "", "{", #"{"a":1,}"#, "[1,]", "01", "1.", "-", "tru", #""\q""#, "\"a\u{1}\"", #"{"a" 1}"#, "1 2", #""\u12""#,
        String(repeating: "[", count: JSONCursor.maximumDepth + 1)
            + String(repeating: "]", count: JSONCursor.maximumDepth + 1),
    ])
    func refusesWhatIsNotOneJSONValue(text: String) {
        #expect(JSONValue(parsing: text) == nil)
    }

    @Test func nestsUpToTheLimit() {
        let depth = JSONCursor.maximumDepth
        #expect(JSONValue(parsing: String(repeating: "[", count: depth) + String(repeating: "]", count: depth)) != nil)
    }
}
