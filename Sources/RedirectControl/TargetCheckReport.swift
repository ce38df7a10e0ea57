import JSON

/// What `redirectctl check --targets` found: the lint, then one result per distinct target URL.
public struct TargetCheckReport: Equatable, Sendable {
    /// The findings of the plain `check`, which runs first.
    public var lint: RedirectCheckReport
    public var results: [TargetResult]
    /// URLs (or files) no request was made for, each with the reason.
    public var skipped: [RedirectFileNote]

    public init(lint: RedirectCheckReport, results: [TargetResult], skipped: [RedirectFileNote]) {
        self.lint = lint
        self.results = results
        self.skipped = skipped
    }

    /// Whether the lint found nothing and every target ends in a 2xx.
    public var isHealthy: Bool { lint.isClean && results.allSatisfy(\.isHealthy) }

    /// The results that are not healthy.
    public var failures: [TargetResult] { results.filter { !$0.isHealthy } }

    /// The text output: the lint's lines, a note per skipped URL, then one line per place of each unhealthy
    /// target: `file:line:column: KEY URL: MESSAGE`, and the redirect chain when there was one.
    public var text: String {
        var out = lint.text
        for note in skipped { out += note.description + "\n" }
        for result in failures {
            for place in result.target.places {
                out += "\(place.location): \(place.key) \(result.target.url): \(result.message)\n"
                if let chain = result.chain { out += "    \(chain)\n" }
            }
        }
        return out
    }

    /// The summary for stderr: `checked 4 files: no problems; 12 targets in 15 places: all answer 2xx`.
    public func summary(seconds: Double) -> String {
        let places = results.reduce(0) { $0 + $1.target.places.count }
        var text =
            lint.summary + "; requested " + Self.count(results.count, "target") + " (" + Self.count(places, "place")
            + ") in " + Self.seconds(seconds) + " s: "
        let failing = failures.count
        text += failing == 0 ? "all answer 2xx" : "\(failing) failing"
        if !skipped.isEmpty { text += ", " + Self.count(skipped.count, "URL") + " skipped" }
        return text
    }

    /// A JSON object: `problems` (the lint's findings, as `check --format json`), `targets` (every target:
    /// `url`, `ok`, `outcome`, `status`, `final_url`, `message`, `head_refused`, `chain` of `{url, method, status}`
    /// and `places` of `{file, line, column, key}`) and `skipped` (`{file, line, column, message}`).
    public var json: String {
        var out: [UInt8] = []
        out.reserveCapacity(results.count * 400 + lint.problems.count * 128 + 64)
        out.append(contentsOf: Array("{\n\"problems\": ".utf8))
        out.append(contentsOf: Array(lint.json.utf8.dropLast()))
        out.append(contentsOf: Array(",\n\"targets\": [".utf8))
        for (index, result) in results.enumerated() {
            out.append(contentsOf: Array((index == 0 ? "\n  " : ",\n  ").utf8))
            JSONWriter.writeObject(Self.fields(of: result), to: &out)
        }
        out.append(contentsOf: Array((results.isEmpty ? "],\n" : "\n],\n").utf8))
        out.append(contentsOf: Array("\"skipped\": [".utf8))
        for (index, note) in skipped.enumerated() {
            out.append(contentsOf: Array((index == 0 ? "\n  " : ",\n  ").utf8))
            JSONWriter.writeObject(
                [
                    ("file", .string(note.file)), ("line", .int(note.line)), ("column", .int(note.column)),
                    ("message", .string(note.message)),
                ], to: &out)
        }
        out.append(contentsOf: Array((skipped.isEmpty ? "]\n}\n" : "\n]\n}\n").utf8))
        return String(decoding: out, as: UTF8.self)
    }

    static func fields(of result: TargetResult) -> [(key: String, value: JSONValue)] {
        let chain = result.hops.map { hop -> JSONValue in
            .object([("url", .string(hop.url)), ("method", .string(hop.method.rawValue)), ("status", .int(hop.status))])
        }
        let places = result.target.places.map { place -> JSONValue in
            .object([
                ("file", .string(place.file)), ("line", .int(place.line)), ("column", .int(place.column)),
                ("key", .string(place.key)),
            ])
        }
        return [
            ("url", .string(result.target.url)), ("ok", .bool(result.isHealthy)),
            ("outcome", .string(result.outcome.name)), ("status", result.finalStatus.map { .int($0) } ?? .null),
            ("final_url", .string(result.finalURL)), ("message", .string(result.message)),
            ("head_refused", result.headRefused.map { .int($0) } ?? .null), ("chain", .array(chain)),
            ("places", .array(places)),
        ]
    }

    static func count(_ n: Int, _ noun: String) -> String { RedirectCheckReport.count(n, noun) }

    /// Seconds with at most one decimal (`0.5`, `3`, `12.3`).
    static func seconds(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)"
    }
}
