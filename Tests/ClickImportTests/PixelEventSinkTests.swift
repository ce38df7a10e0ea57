import JSON
import RedirectCore
import Testing
import Timestamps

@testable import ClickImport

/// An open pixel's event, and a scanned click's, as the sinks take them: `opened` and `via` pass through.
@Suite struct PixelEventSinkTests {
    static func event(outcome: ClickEvent.Outcome, via: ClickVia?) -> JSONValue {
        let event = ClickEvent(
            id: "0190b5a0-0001-7000-8000-000000000002",
            time: Timestamp(year: 2026, month: 12, day: 7, hour: 9), outcome: outcome, redirect: "open",
            session: "s-1", sessionStatus: .valid, source: "newsletter", type: "email-open", properties: [],
            target: nil, status: 200,
            request: .init(
                method: "GET", ip: "203.0.113.7", userAgent: "Mozilla/5.0", referer: nil, acceptLanguage: nil,
                host: "go.example.com", query: ""),
            bot: nil, via: via)
        return JSONValue(parsing: event.jsonLine().dropLast())!
    }

    @Test(arguments: [ClickEvent.Outcome.opened, .disabled, .expired])
    func clickHouseAndTracardiTakeAnOpen(outcome: ClickEvent.Outcome) throws {
        let line = Self.event(outcome: outcome, via: .qr)
        guard case .success(let row) = ClickHouseSink(url: "http://h:8123/").row(from: line, id: "x") else {
            Issue.record("no row")
            return
        }
        #expect(row["outcome"] == .string(outcome.rawValue))
        #expect(row["via"] == .string("qr"))
        #expect(row["target"] == .null)
        #expect(row["status"] == .int(200))
        let tracardi = TracardiSink.event(from: line, id: "x")
        #expect(tracardi["type"] == .string("email-open"))
        #expect(tracardi["context"]?["redirect"]?["outcome"] == .string(outcome.rawValue))
        #expect(tracardi["context"]?["redirect"]?["via"] == .string("qr"))
    }

    @Test func aPlainClickHasNoVia() throws {
        let line = Self.event(outcome: .redirected, via: nil)
        guard case .success(let row) = ClickHouseSink(url: "http://h:8123/").row(from: line, id: "x") else {
            Issue.record("no row")
            return
        }
        #expect(row["via"] == .null)
        #expect(TracardiSink.event(from: line, id: "x")["context"]?["redirect"]?["via"] == .null)
    }
}
