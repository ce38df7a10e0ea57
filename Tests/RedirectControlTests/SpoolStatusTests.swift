import ClickImport
import Foundation
import RedirectCore
import Testing
import Timestamps

@testable import RedirectControl

/// `redirectctl status`: thresholds and formats from plain values, and the command on a real spool.
@Suite struct SpoolStatusTests {
    static let now = Timestamp(year: 2026, month: 12, day: 1, hour: 15).millisecondsSinceEpoch

    func status(oldestMinutesAgo: Int64?, lastSuccessMinutesAgo: Int64?, freeMiB: Int64, rejected: Int) -> SpoolStatus {
        var s = SpoolStatus(spool: "/var/spool/redirectd", nowMilliseconds: Self.now)
        s.ready = .init(files: 2, bytes: 2048)
        s.oldestUnshippedBucket = oldestMinutesAgo.map { Self.now / 1000 - $0 * 60 }
        s.lastImport.lastSuccessAt = lastSuccessMinutesAgo.map {
            Timestamp(millisecondsSinceEpoch: Self.now - $0 * 60_000).iso8601
        }
        s.freeBytes = freeMiB << 20
        s.rejected = .init(files: 1, bytes: 100, lines: rejected)
        s.skipped = .init(files: 1, bytes: 100, lines: 4)
        return s
    }

    @Test func thresholds() {
        var limits = SpoolStatus.Thresholds()
        #expect(
            status(oldestMinutesAgo: 2, lastSuccessMinutesAgo: 1, freeMiB: 4096, rejected: 3).problems(limits).isEmpty)
        let late = status(oldestMinutesAgo: 20, lastSuccessMinutesAgo: 90, freeMiB: 100, rejected: 3).problems(limits)
        #expect(late.count == 3)
        #expect(late[0].hasPrefix("the oldest unshipped click is 20 min old"))
        #expect(late[1].hasPrefix("the last successful import was 90 min ago"))
        #expect(late[2].hasPrefix("100.0 MiB free under the spool"))
        limits.maxRejected = 0
        #expect(
            status(oldestMinutesAgo: nil, lastSuccessMinutesAgo: nil, freeMiB: 4096, rejected: 3).problems(limits)
                == ["3 events in rejected/ (limit 0): see why, fix, then import --retry-rejected"])
    }

    /// Refusals the import put in `rejected/` with no event accepted since: the sink may refuse everything.
    @Test func rejectedEventsSinceTheSinkLastAcceptedOneAreAProblem() {
        var s = status(oldestMinutesAgo: nil, lastSuccessMinutesAgo: 1, freeMiB: 4096, rejected: 1)
        let limits = SpoolStatus.Thresholds()
        #expect(s.problems(limits).isEmpty)
        s.lastImport.rejectedSinceAccepted = 1
        #expect(
            s.problems(limits) == [
                "the import put 1 event in rejected/ since the sink last accepted one: is the sink set up for these "
                    + "events? See rejected/, fix the sink, then import --retry-rejected"
            ])
        // Emptied by hand: nothing left to look at.
        s.rejected.lines = 0
        #expect(s.problems(limits).isEmpty)
    }

    @Test func formats() throws {
        let s = status(oldestMinutesAgo: 20, lastSuccessMinutesAgo: 1, freeMiB: 4096, rejected: 0)
        let limits = SpoolStatus.Thresholds()
        let text = s.text(limits)
        #expect(text.contains("ready/     2 files, 2.0 KiB"))
        #expect(text.contains("oldest unshipped bucket: 2026-12-01T14:40:00.000Z (20 min ago)"))
        #expect(text.contains("last successful import: 2026-12-01T14:59:00.000Z (60 s ago)"))
        #expect(
            text.hasSuffix("status: the oldest unshipped click is 20 min old (limit 15 min): is the import running?\n"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(s.json(limits).utf8)) as? [String: Any])
        #expect(json["ok"] as? Bool == false)
        #expect(json["oldest_unshipped_seconds"] as? Int == 1200)
        #expect((json["skipped"] as? [String: Any])?["events"] as? Int == 4)
        let metrics = s.prometheus(limits)
        #expect(metrics.contains("redirectd_spool_oldest_unshipped_seconds{spool=\"/var/spool/redirectd\"} 1200\n"))
        #expect(metrics.contains("redirectd_spool_healthy{spool=\"/var/spool/redirectd\"} 0\n"))
        #expect(
            metrics.contains(
                "redirectd_spool_last_import_success_timestamp_seconds{spool=\"/var/spool/redirectd\"} "
                    + "\(Self.now / 1000 - 60)\n"))
    }

    @Test func timestampsReadBack() {
        let t = Timestamp(year: 2026, month: 11, day: 29, hour: 2, minute: 8, second: 14, millisecond: 431)
        #expect(Timestamp(iso8601: t.iso8601) == t)
        #expect(Timestamp(iso8601: "2026-11-29T02:08:14Z")?.millisecondsSinceEpoch == t.millisecondsSinceEpoch - 431)
        #expect(Timestamp(iso8601: "2026-13-29T02:08:14Z") == nil)
        #expect(Timestamp(iso8601: "yesterday") == nil)
    }

    @Test func commandOnARealSpool() throws {
        let dir = try TemporaryDirectory()
        let spool = dir.path + "/spool"
        for sub in ["current", "ready", "rejected"] {
            try FileManager.default.createDirectory(atPath: spool + "/" + sub, withIntermediateDirectories: true)
        }
        let line = "{\"v\":1,\"id\":\"x\"}\n"
        // A bucket from long ago still waits in ready/, and one entry waits in rejected/.
        try line.write(toFile: spool + "/ready/20261129T020800.jsonl", atomically: false, encoding: .utf8)
        try (line + line).write(toFile: spool + "/rejected/20261129T020700.jsonl", atomically: false, encoding: .utf8)
        let run = try RedirectctlProcessTests().redirectctl(["status", "--spool", spool])
        #expect(run.status == 1)
        #expect(run.stdout.contains("ready/     1 file, 17 B"))
        #expect(run.stdout.contains("oldest unshipped bucket: 2026-11-29T02:08:00.000Z"))
        #expect(run.stdout.contains("last successful import: none recorded"))
        #expect(run.stdout.contains("rejected/  2 events in 1 file"))
        #expect(run.stdout.contains("status: the oldest unshipped click is"))

        // Shipped (the importer's record says when), nothing waits: healthy.
        try FileManager.default.removeItem(atPath: spool + "/ready/20261129T020800.jsonl")
        let recent = Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000) - 30_000).iso8601
        try "{\"last_run\":{\"finished_at\":\"\(recent)\",\"exit\":0,\"events\":1},\"last_success\":\"\(recent)\"}\n"
            .write(toFile: spool + "/import.status", atomically: false, encoding: .utf8)
        let healthy = try RedirectctlProcessTests().redirectctl(["status", "--spool", spool, "--format", "json"])
        #expect(healthy.status == 0, "\(healthy.stdout)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(healthy.stdout.utf8)) as? [String: Any])
        #expect(json["ok"] as? Bool == true)
        #expect(json["last_success"] as? String == recent)
        let strict = try RedirectctlProcessTests().redirectctl(["status", "--spool", spool, "--max-rejected", "1"])
        #expect(strict.status == 1 && strict.stdout.contains("2 events in rejected/ (limit 1)"))

        // A directory its group may write: whoever is in the group can plant files for the importer.
        #expect(chmod(spool + "/ready", 0o770) == 0)
        let writable = try RedirectctlProcessTests().redirectctl(["status", "--spool", spool])
        #expect(writable.status == 1)
        #expect(
            writable.stdout.contains("writable by other users than the spool's owner: \(spool)/ready"),
            "\(writable.stdout)")
        #expect(chmod(spool + "/ready", 0o750) == 0)
        #expect(try RedirectctlProcessTests().redirectctl(["status", "--spool", spool]).status == 0)

        let missing = try RedirectctlProcessTests().redirectctl(["status", "--spool", dir.path + "/nope"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read spool"))
    }
}
