import RedirectControl
import Testing

/// Following a target's redirects as plain values: what is asked next, and how a chain ends.
@Suite struct TargetProbeTests {
    func probe(_ url: String) -> TargetProbe {
        TargetProbe(target: CheckedTarget(url: url, places: []))
    }

    func finished(_ step: TargetProbe.Step) -> TargetResult? {
        if case .finished(let result) = step { return result }
        return nil
    }

    @Test func relativeAndAbsoluteLocationsAreFollowedToTheEnd() throws {
        var probe = self.probe("https://a.example/x/1?q=1")
        let first = probe.answered(status: 302, location: "/x/2")
        #expect(first == .request)
        #expect(probe.url == "https://a.example/x/2")
        let second = probe.answered(status: 301, location: "3?r=1")
        #expect(second == .request)
        #expect(probe.url == "https://a.example/x/3?r=1")
        let third = probe.answered(status: 308, location: "//b.example/end")
        #expect(third == .request)
        #expect(probe.url == "https://b.example/end")
        #expect(probe.method == .head)
        let last = probe.answered(status: 200, location: nil)
        let result = try #require(finished(last))
        #expect(result.isHealthy)
        #expect(result.message == "200 after 3 redirects")
        #expect(
            result.chain
                == "https://a.example/x/1?q=1 302 → https://a.example/x/2 301 → https://a.example/x/3?r=1 308 → "
                + "https://b.example/end 200")
    }

    @Test(arguments: [405, 501, 403, 400])
    func refusedHeadIsAskedAgainWithGet(status: Int) throws {
        var probe = self.probe("https://a.example/")
        let refused = probe.answered(status: status, location: nil)
        #expect(refused == .request)
        #expect(probe.method == .get)
        #expect(probe.url == "https://a.example/")
        let last = probe.answered(status: 200, location: nil)
        let result = try #require(finished(last))
        #expect(result.isHealthy)
        #expect(result.headRefused == status)
        #expect(result.hops == [TargetHop(url: "https://a.example/", method: .get, status: 200)])
        #expect(result.message == "200 (HEAD refused with \(status); asked with GET)")
    }

    @Test func getAnsweringTheSameIsTheAnswer() throws {
        var probe = self.probe("https://a.example/")
        _ = probe.answered(status: 403, location: nil)
        let last = probe.answered(status: 403, location: nil)
        let result = try #require(finished(last))
        #expect(!result.isHealthy)
        #expect(result.outcome == .answered(status: 403))
    }

    @Test func aLoopEndsWhereItComesBack() throws {
        var probe = self.probe("http://a.example/a")
        let toB = probe.answered(status: 302, location: "/b")
        #expect(toB == .request)
        let last = probe.answered(status: 302, location: "http://a.example/a")
        let result = try #require(finished(last))
        #expect(result.outcome == .redirectLoop(to: "http://a.example/a"))
        #expect(result.chain == "http://a.example/a 302 → http://a.example/b 302 → http://a.example/a")
        #expect(!result.isHealthy)
    }

    @Test func fiveRedirectsAreFollowedButNotSix() throws {
        var probe = self.probe("http://a.example/0")
        for hop in 1...5 {
            let next = probe.answered(status: 302, location: "/\(hop)")
            #expect(next == .request)
        }
        let last = probe.answered(status: 302, location: "/6")
        let result = try #require(finished(last))
        #expect(result.outcome == .tooManyRedirects)
        #expect(result.hops.count == 6)

        var fine = self.probe("http://a.example/0")
        for hop in 1...5 { _ = fine.answered(status: 307, location: "/\(hop)") }
        let fineLast = fine.answered(status: 204, location: nil)
        #expect(finished(fineLast)?.isHealthy == true)
    }

    @Test func redirectsThatCannotBeFollowed() throws {
        var app = self.probe("https://a.example/app")
        let appLast = app.answered(status: 302, location: "itms-apps://apps.apple.com/x")
        let appResult = try #require(finished(appLast))
        #expect(appResult.outcome == .badRedirect(location: "itms-apps://apps.apple.com/x"))
        var bare = self.probe("https://a.example/")
        let bareLast = bare.answered(status: 301, location: nil)
        #expect(finished(bareLast)?.outcome == .badRedirect(location: nil))
        var notModified = self.probe("https://a.example/")
        let notModifiedLast = notModified.answered(status: 304, location: nil)
        #expect(finished(notModifiedLast)?.outcome == .answered(status: 304))
    }

    @Test func aFailureAfterRedirectsKeepsTheChain() {
        var probe = self.probe("http://a.example/")
        _ = probe.answered(status: 302, location: "http://b.example/")
        let result = probe.failed(.connectionRefused(host: "b.example", port: 80))
        #expect(result.hops.count == 1)
        #expect(result.message == "connection refused by b.example:80 at http://b.example/")
        #expect(result.outcome.name == "connection_refused")
    }
}
