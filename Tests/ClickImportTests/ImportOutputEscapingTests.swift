import ClickImport
import Foundation
import RedirectCore
import Testing

/// What the importer prints from outside, file names in `ready/` and a sink's answers, comes out with control
/// characters escaped: no forged lines, no terminal sequences.
@Suite struct ImportOutputEscapingTests {
    /// A `ready/` name that, printed raw, would forge a progress line and colour the terminal.
    static let forgedName = "20261129T190000.jsonl\n20261129T190000.jsonl: shipped 999 events \u{1B}[31m.jsonl"

    /// Whether `text` holds a character a terminal acts on rather than shows.
    static func hasControlCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    @Test(arguments: [
        "a\nb", "\u{1B}[2J", "tab\there", "crlf\r\n", "\u{9B}31m", "rtl\u{202E}txt", "plain", "back\\slash",
    ])
    func theEscapeIsReadableAndIdempotent(_ text: String) {
        let escaped = text.escapingControlCharacters
        #expect(!Self.hasControlCharacter(escaped) && !escaped.contains("\u{202E}"))
        #expect(escaped.escapingControlCharacters == escaped)
        if text == "\u{1B}[2J" { #expect(escaped == "\\u{1B}[2J") }
        if text == "a\nb" { #expect(escaped == "a\\nb") }
        if text == "plain" || text == "back\\slash" { #expect(escaped == text) }
    }

    @Test func aFileNameWithANewlineAndEscCannotForgeOrColourALine() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        let ids = try setup.spool.writeEvents(files: 1...1, perFile: 2)
        let forged = TestSpool.event(file: 2, n: 0)
        try Data(forged.jsonLine()).write(to: URL(fileURLWithPath: setup.spool.ready + "/" + Self.forgedName))
        // The sink refuses one event of the forged file's neighbour, so a warning names a file too; one of the
        // forged file's events is refused, so its name also appears in a warning.
        try setup.sink.control(#"{"reject_ids": ["\#(ids[1])", "\#(forged.id)"], "reject_style": "plain"}"#)
        let (code, summary, output) = await setup.run(setup.options(.ndjson(url: setup.sink.baseURL + "/ingest")))
        #expect(code == .success, "\(output.warned)")
        #expect(summary.files == 2 && summary.events == 1 && summary.rejected == 2)
        let everything = output.printed + output.warned
        #expect(!everything.contains { Self.hasControlCharacter($0) }, "\(everything)")
        #expect(!everything.contains { $0.hasPrefix("20261129T190000.jsonl: shipped 999") }, "\(everything)")
        let escapedName = "20261129T190000.jsonl\\n20261129T190000.jsonl: shipped 999 events \\u{1B}[31m.jsonl"
        #expect(
            output.printed.contains(escapedName + ": shipped 0 events (1 rejected, 0 bots skipped)"),
            "\(output.printed)")
        #expect(output.warned.contains { $0.contains("rejected 1 event of " + escapedName) }, "\(output.warned)")
    }

    @Test func aSinkAnswerWithEscSequencesIsPrintedEscaped() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        try setup.spool.writeEvents(files: 1...1, perFile: 1)
        try setup.sink.control(
            #"{"status": 500, "answer_text": "\u001b[2J\u001b[31mdisk full\u001b[0m\r\nnow: \u009b1m"}"#)
        let (code, _, output) = await setup.run(
            setup.options(.ndjson(url: setup.sink.baseURL + "/ingest")) {
                $0.retries = 1
            })
        #expect(code == .sinkUnavailable)
        #expect(!output.warned.contains { Self.hasControlCharacter($0) }, "\(output.warned)")
        #expect(
            output.warned.contains { $0.contains("HTTP 500: \\u{1B}[2J\\u{1B}[31mdisk full\\u{1B}[0m now: \\u{9B}1m") },
            "\(output.warned)")
    }
}
