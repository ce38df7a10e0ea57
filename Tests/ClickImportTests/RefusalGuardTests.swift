import ClickSpool
import Testing

@testable import ClickImport

/// `RefusalGuard` as plain values: what the importer is told to do with each batch's answer.
@Suite struct RefusalGuardTests {
    static func entry(_ id: String, status: Int? = 400) -> RefusalGuard.Entry {
        let line = Array("{\"id\":\"\(id)\"}\n".utf8)
        let record = SpoolRecord(
            line: line[...], id: id, outcome: "redirected", bot: nil, offset: 0,
            endOffset: Int64(line.count), lineNumber: 1)
        return (record, SinkRejection(id: id, reason: "HTTP 400: no such format", status: status))
    }

    static let file = RefusalGuard.FinishedFile(
        file: ImportFiles.ReadyFile(
            name: "20261129T020100.jsonl", path: "/spool/ready/20261129T020100.jsonl", inode: 7, size: 10),
        events: 0, rejected: 1, bots: 0)

    /// The files and event ids an action sets aside, or nil for another action.
    static func setAside(_ action: RefusalGuard.Action) -> (files: [String], ids: [String], retire: [String])? {
        guard case .setAside(let refusals, let retire) = action else { return nil }
        return (refusals.map(\.file), refusals.flatMap { $0.entries.map(\.record.id) }, retire.map(\.file.name))
    }

    @Test func twoRefusalsBeforeAnyAcceptanceStopWithTheSinksAnswer() throws {
        var refusals = RefusalGuard()
        guard case .hold = refusals.admit([Self.entry("a")], acceptedCount: 0, file: "1.jsonl") else {
            Issue.record("the first refusal is not held")
            return
        }
        #expect(refusals.isHolding)
        let retired = refusals.mayRetire(Self.file)
        #expect(!retired)
        guard case .stop(let error) = refusals.admit([Self.entry("b")], acceptedCount: 0, file: "2.jsonl") else {
            Issue.record("the second refusal does not stop the run")
            return
        }
        #expect(error.exitCode == .misconfiguration)
        #expect(error.description.contains("refused all 2 events"))
        #expect(error.description.contains("HTTP 400: no such format"))
    }

    @Test func aHeldRefusalIsSetAsideAtTheFirstAcceptanceWithTheFilesItKeptBack() throws {
        var refusals = RefusalGuard()
        _ = refusals.admit([Self.entry("a")], acceptedCount: 0, file: "1.jsonl")
        let retired = refusals.mayRetire(Self.file)
        #expect(!retired)
        // Events the importer could not send (no status) are held with it, and count as no refusal of the sink.
        guard case .hold = refusals.admit([Self.entry("b", status: nil)], acceptedCount: 0, file: "2.jsonl") else {
            Issue.record("a batch after a held refusal is not held")
            return
        }
        let released = try #require(Self.setAside(refusals.admit([Self.entry("c")], acceptedCount: 3, file: "3.jsonl")))
        #expect(released.files == ["1.jsonl", "2.jsonl", "3.jsonl"] && released.ids == ["a", "b", "c"])
        #expect(released.retire == [Self.file.file.name])
        let retiredNow = refusals.mayRetire(Self.file)
        #expect(!refusals.isHolding && retiredNow)
        // Once the sink took an event, refusals are set aside at once, as many as there are.
        let later = try #require(
            Self.setAside(
                refusals.admit(
                    [Self.entry("d"), Self.entry("e")], acceptedCount: 0,
                    file: "4.jsonl")))
        #expect(later.ids == ["d", "e"])
    }

    @Test func aSingleRefusalIsSetAsideAtTheEndOfTheRun() throws {
        var refusals = RefusalGuard()
        _ = refusals.admit([Self.entry("a")], acceptedCount: 0, file: "1.jsonl")
        _ = refusals.mayRetire(Self.file)
        let released = try #require(Self.setAside(refusals.finish()))
        #expect(released.ids == ["a"] && released.retire == [Self.file.file.name])
    }

    @Test func aWholeBatchRefusedBeforeAnyAcceptanceIsAMisconfiguration() {
        let refused = SinkError.refused(url: "http://127.0.0.1:9/x", status: 400, detail: "bad format")
        var refusals = RefusalGuard()
        #expect(refusals.stopping(on: refused, records: 4).exitCode == .misconfiguration)
        refusals.noteAccepted(1)
        #expect(refusals.stopping(on: refused, records: 4).exitCode == .failure)
    }
}
