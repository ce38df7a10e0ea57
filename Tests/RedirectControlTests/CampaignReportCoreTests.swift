import CampaignReport
import Testing
import Timestamps

/// The pure pieces of the report: referrer hosts, time buckets, escaping and numbers.
@Suite struct CampaignReportCoreTests {
    @Test(
        arguments: [
            ("https://News.Example.com:443/x?y", "news.example.com"),
            ("http://user:pw@host.example/", "host.example"),
            ("https://[2001:DB8::1]:8080/", "[2001:db8::1]"),
            ("android-app://com.slack/", "com.slack"),
            ("https://example.org", "example.org"),
            ("not a url", nil),
            ("https:///path", nil),
            ("", nil),
            ("//example.org/", nil),
        ] as [(String, String?)])
    func referrerHost(referer: String, host: String?) {
        #expect(ReferrerHost.of(referer) == host)
    }

    @Test func bucketsAreHoursUpToFourDaysElseDays() throws {
        let start = try #require(Timestamp(iso8601: "2026-11-01T05:00:00.000Z")).millisecondsSinceEpoch / 1000
        let hourly = TimelineBuckets(hours: [start, start + 95 * 3600])
        #expect(hourly.size == .hour && hourly.starts.count == 96)
        let daily = TimelineBuckets(hours: [start, start + 96 * 3600])
        #expect(daily.size == .day && daily.starts.count == 5)
        #expect(TimelineBuckets.key(daily.starts[0]) == "2026-11-01T00:00:00Z")
        #expect(daily.label(daily.starts[0]) == "2026-11-01" && hourly.label(start) == "11-01 05:00")
        let counts = daily.counts([start: .init(clicks: 2, persons: 1), start + 3600: .init(clicks: 1, persons: 1)])
        #expect(counts == [daily.starts[0]: .init(clicks: 3, persons: 2)])
        #expect(TimelineBuckets(hours: []).starts.isEmpty)
    }

    @Test func escapesAndFormats() {
        #expect(HTMLText.escape(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(HTMLText.attribute("data-key", "2026-11-01T00:00:00Z") == "data-key=2026-11-01T00:00:00Z")
        #expect(HTMLText.attribute("data-key", "(none)") == #"data-key="(none)""#)
        #expect(HTMLText.attribute("data-key", "a b\"") == #"data-key="a b&quot;""#)
        #expect(HTMLText.attribute("data-key", "") == #"data-key="""#)
        #expect(HTMLText.grouped(1_234_567) == "1,234,567" && HTMLText.grouped(999) == "999")
        #expect(HTMLText.percent(1, of: 3) == "33.3%" && HTMLText.percent(0, of: 0) == "–")
    }
}
