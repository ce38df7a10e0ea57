import ClickImport
import Foundation
import Testing

/// The first request of a ClickHouse run, the table's columns from `system.columns`, answered by a server that is
/// not ClickHouse (sink.py on a free loopback port).
@Suite struct ClickHouseColumnQueryTests {
    @Test(arguments: [
        "<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head><body>It works</body></html>",
        "OK\n", "{\"status\": \"ok\"}",
    ])
    func anAnswerThatIsNotClickHousesIsNamedSo(_ answer: String) async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        try setup.spool.writeEvents(files: 1...1, perFile: 3)
        try setup.sink.control(
            try String(
                decoding: JSONSerialization.data(withJSONObject: ["answer_text": answer]),
                as: UTF8.self))
        let url = setup.sink.baseURL + "/"
        let (code, _, output) = await setup.run(setup.options(.clickhouse(url: url, table: "clicks")))
        #expect(code == .misconfiguration)
        let message = try #require(output.warned.first, "nothing was said")
        #expect(
            message.contains("the server's answer is not a ClickHouse answer: \(url) answered HTTP 200: "),
            "\(message)")
        let excerpt = String(answer.prefix(15)).replacingOccurrences(of: "\n", with: " ")
        #expect(message.contains(excerpt.trimmingCharacters(in: .whitespaces)), "\(message)")
        #expect(!message.contains("does not exist"))
        #expect(setup.spool.names(in: "ready") == [TestSpool.fileName(1)])
        // The column query only (a loaded machine may time it out and send it again); no event was sent.
        let requests = try setup.sink.requests()
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { $0.body.contains("FROM system.columns") }, "\(requests.map(\.body))")
    }
}
