import ClickSpool
import FastCGI
import Foundation
import RedirectControl
import RedirectFiles
import RedirectServer
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The responder's own click handler (``ClickService``, as each redirectd worker runs it) answering clicks on
/// `DIR/redirects.d` while deploys switch the link back and forth between two releases: every click is
/// answered from one release, its redirect file and its `_defaults.toml` together.
@Suite struct DeploySwitchConsistencyTests {
    /// The files of release `name`: the link's target and a property of `_defaults.toml` both name it.
    static func release(_ name: String) -> [String: String?] {
        [
            "redirects.d/link.toml": "url = \"https://shop.example.com/\(name)\"\n",
            "redirects.d/_defaults.toml": "[properties]\nrelease = \"\(name)\"\n",
        ]
    }

    /// A click's CGI parameters as nginx passes them, in the C layout the handler reads.
    final class Parameters {
        let entries: [UnsafeMutablePointer<CChar>?]

        init(_ pairs: [(String, String)]) {
            entries = pairs.map { strdup($0 + "=" + $1) } + [nil]
        }

        deinit { for entry in entries { free(entry) } }

        func withParameters<R>(_ body: (CGIParameters) -> R) -> R {
            entries.withUnsafeBufferPointer { body(CGIParameters(entries: $0.baseAddress)) }
        }
    }

    @Test func everyClickSeesOneReleaseWhileDeploysSwitch() throws {
        let repository = try RedirectRepository()
        let one = try repository.commit(Self.release("one"))
        let two = try repository.commit(Self.release("two"))
        func deploy(_ commit: String) throws -> DeployOutcome {
            try ReleaseDeployer(
                options: DeployOptions(repository: repository.bare, root: repository.root, commit: commit)
            ) { _ in }.run()
        }
        #expect(try deploy(one).exitCode == 0)

        let spool = repository.directory.path + "/spool"
        let logged = Mutex<[String]>([])
        let service = ClickService(
            configuration: ResponderConfiguration(
                redirectsDirectory: repository.root + "/redirects.d", spool: SpoolLayout(directory: spool)),
            log: { line in logged.withLock { $0.append(line) } })
        let stop = Atomic(false)
        let answers = Mutex<[String: Int]>([:])
        let seen = Mutex<Set<String>>([])
        let clickers = 2
        let done = DispatchGroup()
        for worker in 0..<clickers {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                let handler = service.makeHandler(recent: RecentRedirects())
                let parameters = Parameters([
                    ("REQUEST_METHOD", "GET"), ("PATH_INFO", "/link/s-\(worker)"), ("QUERY_STRING", ""),
                    ("REMOTE_ADDR", "192.0.2.1"), ("HTTP_USER_AGENT", "Mozilla/5.0 (X11; Linux x86_64)"),
                ])
                var local: [String: Int] = [:]
                var response: [UInt8] = []
                while !stop.load(ordering: .relaxed) {
                    response.removeAll(keepingCapacity: true)
                    parameters.withParameters { handler($0, &response) }
                    let text = String(decoding: response, as: UTF8.self)
                    let lines = text.split(separator: "\r\n")
                    let status = lines.first { $0.hasPrefix("Status: ") }?.dropFirst(8).prefix(3) ?? "none"
                    let location = lines.first { $0.hasPrefix("Location: ") }?.dropFirst(10) ?? "none"
                    local[status + " " + location, default: 0] += 1
                    if status == "302" { seen.withLock { _ = $0.insert(String(location)) } }
                }
                answers.withLock { all in all.merge(local, uniquingKeysWith: +) }
            }
            thread.start()
        }

        // Switch back and forth until each worker (which looks at the link about once a second) has answered
        // from both releases; at most a minute on a busy machine.
        var switches = 0
        let deadline = Date(timeIntervalSinceNow: 60)
        while seen.withLock({ $0.count < 2 }) || switches < 6, Date() < deadline {
            let outcome = try deploy(switches % 2 == 0 ? two : one)
            #expect(outcome.exitCode == 0)
            switches += 1
            usleep(20_000)
        }
        stop.store(true, ordering: .relaxed)
        done.wait()

        let counted = answers.withLock { $0 }
        let oneAnswer = "302 https://shop.example.com/one"
        let twoAnswer = "302 https://shop.example.com/two"
        #expect(Set(counted.keys).isSubset(of: [oneAnswer, twoAnswer]), "\(counted)")
        #expect(counted[oneAnswer, default: 0] > 0 && counted[twoAnswer, default: 0] > 0, "\(counted)")

        // Every event: its target and the property from `_defaults.toml` name the same release.
        var events = 0
        var mixed: [String] = []
        let files = FileManager.default.enumerator(atPath: spool)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".jsonl") {
            let text = try String(contentsOfFile: spool + "/" + file, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let event = try #require(
                    try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let target = event["target"] as? String ?? ""
                let release = (event["properties"] as? [String: Any])?["release"] as? String ?? ""
                events += 1
                if target != "https://shop.example.com/" + release { mixed.append(String(line)) }
            }
        }
        #expect(events == counted.values.reduce(0, +))
        #expect(logged.withLock { $0 }.isEmpty, "\(logged.withLock { $0 })")
        #expect(mixed.isEmpty, "\(mixed.count) of \(events) events mix releases, e.g. \(mixed.prefix(2))")
    }
}
