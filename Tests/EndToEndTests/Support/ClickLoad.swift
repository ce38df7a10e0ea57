import Foundation
import Synchronization
import SystemIO

#if canImport(Glibc)
    import Glibc
#endif

/// Clients clicking through nginx as fast as they can, each on its own thread, until ``finish()``.
///
/// Click `n` of client `c` is `/redirect/<id>/c<c>-<n>`: the session names the click, so the spool can be checked
/// for every click exactly once.
final class ClickLoad: Sendable {
    /// One click as the client saw it.
    struct Click: Sendable {
        var session: String
        var status: Int?  // nil: no HTTP answer at all
        var location: String?
        var failure: String?
        var seconds: Double
    }

    private let clicks = Locked<[Click]>([])
    private let running = Atomic(true)
    private let finished = Atomic(0)
    private let clients: Int

    init(port: Int, redirect: String, clients: Int) {
        self.clients = clients
        for client in 0..<clients {
            let thread = Thread { [self] in
                var n = 0
                while running.load(ordering: .relaxed) {
                    let session = "c\(client)-\(n)"
                    n += 1
                    let start = Date()
                    var click = Click(session: session, seconds: 0)
                    do {
                        let response = try RawHTTP.request(
                            port: port, path: "/redirect/\(redirect)/\(session)", headers: ["User-Agent: Mozilla/5.0"])
                        click.status = response.status
                        click.location = response.header("Location")
                    } catch {
                        click.failure = "\(error)"
                    }
                    click.seconds = Date().timeIntervalSince(start)
                    clicks.withLock { $0.append(click) }
                }
                finished.add(1, ordering: .releasing)
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Stops the clients and waits for the clicks in flight; returns every click.
    func finish() -> [Click] {
        running.store(false, ordering: .relaxed)
        let deadline = Date().addingTimeInterval(30)
        while finished.load(ordering: .acquiring) < clients && Date() < deadline { usleep(10_000) }
        return clicks.withLock { $0 }
    }

    /// Clicks so far.
    var count: Int { clicks.withLock { $0.count } }
}

/// What the clients saw and what the spool holds, in the figures the reload tests print and check.
struct ClickTally: CustomStringConvertible {
    var sent = 0
    var redirected = 0
    var wrong: [String] = []
    var inSpool = 0
    var missing: [String] = []
    var twice: [String] = []
    var eventIDsRepeated = 0
    var longest = 0.0

    /// Compares the clicks with the spool's events: a click counts as redirected when it got `status` with
    /// `location`, and must be in the spool exactly once (by session), with no event id seen twice.
    init(clicks: [ClickLoad.Click], events: [[String: Any]], status: Int = 302, location: String) {
        sent = clicks.count
        for click in clicks {
            longest = max(longest, click.seconds)
            if click.status == status && click.location == location {
                redirected += 1
            } else {
                wrong.append(
                    "\(click.session): \(click.status.map(String.init) ?? "no answer") "
                        + "\(click.location ?? click.failure ?? "")")
            }
        }
        var bySession: [String: Int] = [:]
        var ids = Set<String>()
        for event in events {
            if let session = event["session"] as? String { bySession[session, default: 0] += 1 }
            if let id = event["id"] as? String, !ids.insert(id).inserted { eventIDsRepeated += 1 }
        }
        inSpool = events.count
        for click in clicks {
            switch bySession[click.session] ?? 0 {
            case 0: missing.append(click.session)
            case 1: break
            default: twice.append(click.session)
            }
        }
    }

    var description: String {
        "clicks sent \(sent), redirected \(redirected), other answers \(wrong.count), events in spool \(inSpool), "
            + "missing \(missing.count), recorded twice \(twice.count), repeated event ids \(eventIDsRepeated), "
            + "longest click \(Int(longest * 1000)) ms"
    }
}
