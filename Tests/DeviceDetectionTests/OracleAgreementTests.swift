import DeviceDetection
import Foundation
import TestSupport
import Testing

/// Agreement with two user-agent parsers from PyPI, run in the tests' virtual environment by
/// `Resources/oracle.py`: ua-parser for the operating system, user-agents (Tracardi's library) for the form, on
/// two corpora of real agents already in the repository for the bot tests: fake-useragent 2.2.0's browsers
/// (today's desktop and phone browsers) and the people's browsers of device-detector 6.5.1's fixtures (phones,
/// tablets, televisions and feature phones of hundreds of makers).
///
/// Left out, and counted in the printed figures: for the system, agents ua-parser does not know ("Other"); for
/// the form, agents user-agents gives no form, and the televisions, consoles, cars, wearables, smart speakers and
/// displays, cameras and peripherals of device-detector's fixtures, a kind user-agents has no name for (it calls
/// an Android TV a tablet and a Tizen TV a PC), where our answer is nil by design. Where ua-parser names a system
/// DeviceOS has no name for (Tizen, KaiOS, BlackBerry OS, webOS, ...), the right answer is nil and it counts.
@Suite struct OracleAgreementTests {
    static let corpora = ["Tests/BotPatternData/browsers.txt", "Tests/BotPatternData/device-detector-browsers.txt"]
    /// device-detector's kinds that are neither phone, tablet nor desktop.
    static let screenKinds: Set<Substring> = [
        "tv", "console", "car browser", "wearable", "smart speaker", "smart display", "camera", "peripheral",
        "portable media player",
    ]

    /// device-detector's kinds and the form we should give them (nil: none, for televisions and consoles).
    static let formOfKind: [Substring: FormFactor?] = [
        "smartphone": .mobile, "phablet": .mobile, "feature phone": .mobile, "tablet": .tablet, "desktop": .desktop,
        "tv": nil, "console": nil,
    ]

    /// One line of the oracle: its system and form in our names (`-`: no answer; `none`: a system we do not name),
    /// device-detector's kind, ua-parser's family and the agent.
    struct Verdict {
        var os: Substring
        var form: Substring
        var kind: Substring
        var family: Substring
        var agent: Substring
    }

    /// Synchronous: it runs the oracle, a process, to its end.
    @Test func agreesWithUaParserAndUserAgents() throws {
        let root = BuiltProducts.repositoryRoot
        let script = root.appendingPathComponent("Tests/DeviceDetectionTests/Resources/oracle.py").path
        let paths = Self.corpora.map { root.appendingPathComponent($0).path }
        let run = try ProcessRun.run(try TestPython.venvPython(), [script] + paths)
        try #require(run.status == 0, "oracle.py failed: \(run.stderr)")
        let verdicts = run.stdout.split(separator: "\n").compactMap { line -> Verdict? in
            let fields = line.split(separator: "\t", maxSplits: 4, omittingEmptySubsequences: false)
            guard fields.count == 5 else { return nil }
            return Verdict(os: fields[0], form: fields[1], kind: fields[2], family: fields[3], agent: fields[4])
        }
        try #require(verdicts.count > 30_000, "the oracle answered for \(verdicts.count) agents")

        var osCompared = 0
        var osAgreed = 0
        var osUnknown = 0
        var formCompared = 0
        var formAgreed = 0
        var formUnknown = 0
        var screens = 0
        var screensWithoutForm = 0
        // device-detector's own kind beside our form: a second opinion that knows device models.
        var kindAnswers: [Substring: (count: Int, agreed: Int)] = [:]
        var osMisses: [String] = []
        var formMisses: [String] = []
        for verdict in verdicts {
            let device = DeviceClassifier.classify(String(verdict.agent))
            let os = device.os?.rawValue ?? "none"
            let form = device.form?.rawValue ?? "-"
            if verdict.os == "-" {
                osUnknown += 1
            } else {
                osCompared += 1
                if verdict.os == os {
                    osAgreed += 1
                } else if osMisses.count < 15 {
                    osMisses.append("  ua-parser \(verdict.os) (\(verdict.family)), ours \(os): \(verdict.agent)")
                }
            }
            if let expected = Self.formOfKind[verdict.kind] {
                let agreed = device.form == expected ? 1 : 0
                kindAnswers[verdict.kind, default: (0, 0)].count += 1
                kindAnswers[verdict.kind, default: (0, 0)].agreed += agreed
            }
            if Self.screenKinds.contains(verdict.kind) {
                screens += 1
                if device.form == nil { screensWithoutForm += 1 }
            } else if verdict.form == "-" {
                formUnknown += 1
            } else {
                formCompared += 1
                if verdict.form == form {
                    formAgreed += 1
                } else if formMisses.count < 15 {
                    formMisses.append("  user-agents \(verdict.form) (\(verdict.kind)), ours \(form): \(verdict.agent)")
                }
            }
        }
        let osShare = Double(osAgreed) / Double(max(1, osCompared))
        let formShare = Double(formAgreed) / Double(max(1, formCompared))
        print(
            """
            device oracle over \(verdicts.count) agents:
              operating system: \(osAgreed)/\(osCompared) agree (\(percent(osShare))); \(osUnknown) unknown to ua-parser left out
              form factor: \(formAgreed)/\(formCompared) agree (\(percent(formShare))); \(formUnknown) without a form from \
            user-agents and \(screens) televisions, consoles and other screens left out (\(screensWithoutForm) of them \
            without a form here)
            device-detector's kinds answered as expected (mobile, tablet, desktop; none for tv and console): \
            \(kindLine(kindAnswers))
            first operating system disagreements:
            \(osMisses.joined(separator: "\n"))
            first form factor disagreements:
            \(formMisses.joined(separator: "\n"))
            """)
        #expect(osShare >= 0.98, "operating system agreement \(percent(osShare))")
        #expect(formShare >= 0.95, "form factor agreement \(percent(formShare))")
    }

    private func kindLine(_ answers: [Substring: (count: Int, agreed: Int)]) -> String {
        answers.sorted { $0.value.count > $1.value.count }.map { kind, answer in
            "\(kind) \(answer.agreed)/\(answer.count) (\(percent(Double(answer.agreed) / Double(answer.count))))"
        }.joined(separator: ", ")
    }

    private func percent(_ share: Double) -> String {
        let hundredths = Int((share * 10_000).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)%"
    }
}
