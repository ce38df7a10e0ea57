import ClickImport
import ClickSpool
import Foundation
import RedirectCore
import SystemIO
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The importer against a spool whose writer is hostile: links, FIFOs and files of other users planted in the
/// spool must never be followed, read, written, moved or deleted, and root must not act in another user's spool.
///
/// The in-process runs act as whoever runs the tests, on a spool of their own; the runs of the built
/// `redirectctl` as root switch to `nobody` (`--user`), as root's cron would with the responder's user.
@Suite struct SpoolTrustTests {
    static let nobody = UserAccount.named("nobody")

    /// A file outside the spool that holds a line the importer would ship if it followed a link to it.
    static func secret(in spool: TestSpool, name: String = "secret") throws -> (path: String, id: String) {
        let event = TestSpool.event(file: 59, n: 7)
        let path = spool.root + "/" + name
        try Data(event.jsonLine()).write(to: URL(fileURLWithPath: path))
        return (path, event.id)
    }

    static func shippedIDs(_ sink: TestSink) throws -> [String] {
        try ImportEndToEndTests.ndjsonIDs(sink.accepted())
    }

    @Test func aLinkInReadyIsNeitherReadNorMoved() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        let ids = try setup.spool.writeEvents(files: 1...1, perFile: 3)
        let secret = try Self.secret(in: setup.spool)
        let link = setup.spool.ready + "/20200101T000000.jsonl"
        #expect(symlink(secret.path, link) == 0)

        let (code, summary, output) = await setup.run(setup.options(.ndjson(url: setup.sink.baseURL + "/in")))
        #expect(code == .success)
        #expect(try Self.shippedIDs(setup.sink) == ids)
        #expect(summary.unsafeEntries == 1)
        #expect(output.warned.contains { $0.contains("20200101T000000.jsonl is a symbolic link: left alone") })
        var s = stat()
        #expect(lstat(link, &s) == 0 && s.st_mode & S_IFMT == S_IFLNK)
        #expect(setup.spool.names(in: "shipped") == [TestSpool.fileName(1)])
    }

    @Test func aLinkInSkippedIsNeverWrittenThrough() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        try setup.spool.write(file: 1, events: [TestSpool.event(file: 1, n: 0, outcome: .notFound)])
        let target = setup.spool.root + "/profile.sh"
        try FileManager.default.createDirectory(
            atPath: setup.spool.directory + "/skipped",
            withIntermediateDirectories: true)
        #expect(symlink(target, setup.spool.directory + "/skipped/" + TestSpool.fileName(1)) == 0)

        let (code, _, output) = await setup.run(setup.options(.ndjson(url: setup.sink.baseURL + "/in")))
        #expect(code == .failure)
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(output.warned.contains { $0.contains("symbolic link, which the spool never follows") })
        // Nothing lost: the file stays in ready/ for a run after the link is gone.
        #expect(setup.spool.names(in: "ready") == [TestSpool.fileName(1)])
        #expect(unlink(setup.spool.directory + "/skipped/" + TestSpool.fileName(1)) == 0)
        #expect(await setup.run(setup.options(.ndjson(url: setup.sink.baseURL + "/in"))).code == .success)
        #expect(setup.spool.text(of: "skipped/" + TestSpool.fileName(1)).contains(TestSpool.id(1, 0)))
    }

    @Test func aLinkInRejectedIsNeverWrittenThrough() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        let ids = try setup.spool.writeEvents(files: 1...1, perFile: 3)
        try setup.sink.control(#"{"reject_ids": ["\#(ids[1])"], "reject_style": "named"}"#)
        let target = setup.spool.root + "/cron-line"
        try FileManager.default.createDirectory(
            atPath: setup.spool.directory + "/rejected",
            withIntermediateDirectories: true)
        #expect(symlink(target, setup.spool.directory + "/rejected/" + TestSpool.fileName(1)) == 0)

        let (code, _, _) = await setup.run(setup.options(.ndjson(url: setup.sink.baseURL + "/in")))
        #expect(code != .success)
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(setup.spool.names(in: "ready") == [TestSpool.fileName(1)])
    }

    @Test func aLinkAsTheLockCreatesNothing() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        try setup.spool.writeEvents(files: 1...1, perFile: 2)
        let target = setup.spool.root + "/created-by-the-importer"
        #expect(symlink(target, setup.spool.directory + "/import.lock") == 0)

        let (code, _, output) = await setup.run(setup.options(.ndjson(url: setup.sink.baseURL + "/in")))
        #expect(code == .failure)
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(output.warned.contains { $0.contains("import.lock: it is a symbolic link") })
        #expect(try setup.sink.requests().isEmpty)
    }

    @Test func readyAsALinkToAnotherDirectoryIsRefused() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        let elsewhere = setup.spool.root + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try setup.spool.write(file: 1, events: [TestSpool.event(file: 1, n: 0)])
        #expect(rename(setup.spool.ready + "/" + TestSpool.fileName(1), elsewhere + "/" + TestSpool.fileName(1)) == 0)
        #expect(rmdir(setup.spool.ready) == 0)
        #expect(symlink(elsewhere, setup.spool.ready) == 0)

        let (code, _, output) = await setup.run(setup.options(.ndjson(url: setup.sink.baseURL + "/in")))
        #expect(code == .failure)
        #expect(output.warned.contains { $0.contains("ready: it is a symbolic link") }, "\(output.warned)")
        #expect(FileManager.default.fileExists(atPath: elsewhere + "/" + TestSpool.fileName(1)))
        #expect(try setup.sink.requests().isEmpty)
        #expect(setup.spool.names(in: "shipped").isEmpty)
    }

    /// A directory its group may write lets others swap names under the importer: refused, nothing sent.
    @Test func aSpoolDirectoryOthersMayWriteIsRefused() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        try setup.spool.writeEvents(files: 1...1, perFile: 2)
        #expect(chmod(setup.spool.ready, 0o770) == 0)
        let (code, _, output) = await setup.run(setup.options(.ndjson(url: setup.sink.baseURL + "/in")))
        #expect(code == .failure)
        #expect(
            output.warned.contains { $0.contains("ready: its group or everyone may write it (mode 0770)") },
            "\(output.warned)")
        #expect(try setup.sink.requests().isEmpty)
        #expect(setup.spool.names(in: "ready") == [TestSpool.fileName(1)])
        #expect(chmod(setup.spool.ready, 0o750) == 0)
        #expect(await setup.run(setup.options(.ndjson(url: setup.sink.baseURL + "/in"))).code == .success)
    }

    @Test func retentionNeverDeletesThroughALink() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        let elsewhere = setup.spool.root + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let old = elsewhere + "/20200101T000000.jsonl"
        try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: old))
        var times = [timespec(tv_sec: 1_577_836_800, tv_nsec: 0), timespec(tv_sec: 1_577_836_800, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, old, &times, 0) == 0)
        #expect(symlink(elsewhere, setup.spool.directory + "/skipped") == 0)
        try FileManager.default.createDirectory(
            atPath: setup.spool.directory + "/shipped",
            withIntermediateDirectories: true)
        #expect(symlink(old, setup.spool.directory + "/shipped/20200101T000000.jsonl") == 0)

        let (code, _, output) = await setup.run(
            setup.options(.ndjson(url: setup.sink.baseURL + "/in")) {
                $0.keepShippedDays = 30
            })
        #expect(code == .success)
        #expect(FileManager.default.fileExists(atPath: old))
        #expect(
            output.warned.contains { $0.contains("pruning skipped/") && $0.contains("symbolic link") },
            "\(output.warned)")
        var s = stat()
        #expect(lstat(setup.spool.directory + "/shipped/20200101T000000.jsonl", &s) == 0)
        // Its modification time is the link target's, and retention never touched it.
        #expect(stat(old, &s) == 0 && s.st_mtim.tv_sec == 1_577_836_800)
    }

    @Test func aFIFOInReadyDoesNotBlockTheRun() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        let ids = try setup.spool.writeEvents(files: 2...2, perFile: 2)
        #expect(mkfifo(setup.spool.ready + "/" + TestSpool.fileName(1), 0o640) == 0)
        let run = try await Redirectctl.run(
            [
                "import", "--spool", setup.spool.directory, "--ndjson",
                setup.sink.baseURL + "/in", "--retries", "0",
            ], seconds: 20)
        #expect(!run.timedOut)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("is a FIFO: left alone"))
        #expect(try Self.shippedIDs(setup.sink) == ids)
    }

    /// The file type is checked on the open descriptor, so a file swapped for a FIFO after the listing is found
    /// out without blocking: the sink holds the first file's batch while the test swaps the second.
    @Test func aFIFOSwappedInAfterTheListingDoesNotBlockTheRun() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        let ids = try setup.spool.writeEvents(files: 1...2, perFile: 2)
        try setup.sink.control(#"{"hang_seconds": 3}"#)
        let spool = setup.spool
        let held = spool.root + "/control.json.held"
        // A thread of its own: the tests' cooperative threads may all be blocked waiting for processes.
        let swapped = Locked(false)
        let swapper = Thread {
            // The first request is held by now: the listing is done and file 2 not opened yet.
            let limit = Date().addingTimeInterval(20)
            while !FileManager.default.fileExists(atPath: held) && Date() < limit { usleep(5_000) }
            let second = spool.ready + "/" + TestSpool.fileName(2)
            let fifo = spool.ready + "/.fifo"
            swapped.withLock { $0 = mkfifo(fifo, 0o640) == 0 && rename(fifo, second) == 0 }
        }
        swapper.start()
        let run = try await Redirectctl.run(
            [
                "import", "--spool", setup.spool.directory, "--ndjson",
                setup.sink.baseURL + "/in", "--retries", "0", "--batch-size", "10",
            ],
            seconds: 30)
        #expect(swapped.withLock { $0 })
        #expect(!run.timedOut)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("skipped \(TestSpool.fileName(2))"))
        #expect(try Self.shippedIDs(setup.sink) == Array(ids.prefix(2)))
        #expect(setup.spool.names(in: "shipped") == [TestSpool.fileName(1)])
    }

    @Test func statsPassesOverFIFOsAndLinks() async throws {
        let spool = try TestSpool()
        defer { spool.remove() }
        try spool.writeEvents(files: 1...1, perFile: 3)
        let secret = try Self.secret(in: spool)
        #expect(symlink(secret.path, spool.ready + "/20200101T000000.jsonl") == 0)
        #expect(mkfifo(spool.ready + "/" + TestSpool.fileName(2), 0o640) == 0)
        let run = try await Redirectctl.run(["stats", "--spool", spool.directory], seconds: 20)
        #expect(!run.timedOut)
        #expect(run.status == 0, "\(run.stderr)")
        let row = run.stdout.split(separator: "\n").first { $0.hasPrefix("spring-sale") }.map(String.init) ?? ""
        #expect(row.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first == "3", "\(run.stdout)")
        #expect(!run.stdout.contains("(no id)") && !run.stdout.hasPrefix("x "))
    }

    @Test(.enabled(if: geteuid() == 0 && nobody != nil, "needs root to make a file of another user"))
    func aFileOfAnotherUserInReadyIsLeftAlone() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        let ids = try setup.spool.writeEvents(files: 1...2, perFile: 2)
        let foreign = setup.spool.ready + "/" + TestSpool.fileName(1)
        #expect(chown(foreign, Self.nobody?.uid ?? 0, Self.nobody?.gid ?? 0) == 0)

        let (code, summary, output) = await setup.run(setup.options(.ndjson(url: setup.sink.baseURL + "/in")))
        #expect(code == .success)
        #expect(summary.unsafeEntries == 1)
        #expect(output.warned.contains { $0.contains("owned by nobody") })
        #expect(try Self.shippedIDs(setup.sink) == Array(ids.suffix(2)))
        #expect(FileManager.default.fileExists(atPath: foreign))
    }

    @Test func shippedFilesKeepNoMoreThanOwnerWriteGroupRead() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        try setup.spool.writeEvents(files: 1...1, perFile: 2)
        #expect(chmod(setup.spool.ready + "/" + TestSpool.fileName(1), 0o644) == 0)
        let (code, _, _) = await setup.run(setup.options(.ndjson(url: setup.sink.baseURL + "/in")))
        #expect(code == .success)
        var s = stat()
        #expect(stat(setup.spool.directory + "/shipped/" + TestSpool.fileName(1), &s) == 0)
        #expect(s.st_mode & 0o777 == 0o640)
    }

    // MARK: - Root and the spool's owner (the built redirectctl)

    /// A spool that belongs to `nobody`, in a directory `nobody` can reach, with two ready files.
    static func nobodysSpool(_ setup: SinkSetup) throws -> [String] {
        let ids = try setup.spool.writeEvents(files: 1...2, perFile: 2)
        #expect(chmod(setup.spool.root, 0o755) == 0)
        for path in [setup.spool.directory, setup.spool.ready, setup.spool.directory + "/current"]
            + setup.spool.names(in: "ready").map({ setup.spool.ready + "/" + $0 })
        {
            #expect(chown(path, nobody?.uid ?? 0, nobody?.gid ?? 0) == 0)
        }
        return ids
    }

    @Test(.enabled(if: geteuid() == 0 && nobody != nil, "needs root"))
    func rootRefusesAnotherUsersSpoolUnlessToldWhoToBe() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        let ids = try Self.nobodysSpool(setup)
        let arguments = ["import", "--spool", setup.spool.directory, "--ndjson", setup.sink.baseURL + "/in"]
        for command in [
            arguments, ["seal", "--spool", setup.spool.directory],
            ["status", "--spool", setup.spool.directory], ["stats", "--spool", setup.spool.directory],
        ] {
            let refused = try await Redirectctl.run(command, seconds: 20)
            #expect(refused.status != 0, "\(command)")
            #expect(refused.stderr.contains("belongs to nobody (uid \(Self.nobody?.uid ?? 0))"), "\(refused.stderr)")
            #expect(refused.stderr.contains("--user nobody"), "\(refused.stderr)")
        }
        #expect(try setup.sink.requests().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: setup.spool.directory + "/import.lock"))

        let run = try await Redirectctl.run(arguments + ["--user", "nobody"], seconds: 30)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try Self.shippedIDs(setup.sink) == ids)
        // Everything the run made belongs to the spool's user, not to root.
        for path in [
            "import.lock", "import.checkpoint", "import.status", "shipped", "shipped/" + TestSpool.fileName(1),
        ]
        where FileManager.default.fileExists(atPath: setup.spool.directory + "/" + path) {
            var s = stat()
            #expect(lstat(setup.spool.directory + "/" + path, &s) == 0 && s.st_uid == Self.nobody?.uid, "\(path)")
        }
        let wrongUser = try await Redirectctl.run(arguments + ["--user", "root"], seconds: 20)
        #expect(wrongUser.status == 5)
        #expect(wrongUser.stderr.contains("not to root"))
    }

    @Test(.enabled(if: geteuid() == 0 && nobody != nil, "needs root to run as nobody"))
    func anUnreadableFileHoldsUpNoOther() async throws {
        let setup = try SinkSetup(model: "plain")
        defer { setup.finish() }
        let ids = try Self.nobodysSpool(setup)
        let first = setup.spool.ready + "/" + TestSpool.fileName(1)
        #expect(chmod(first, 0) == 0)
        let arguments = [
            "import", "--spool", setup.spool.directory, "--ndjson", setup.sink.baseURL + "/in",
            "--user", "nobody",
        ]
        let run = try await Redirectctl.run(arguments, seconds: 30)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("skipped \(TestSpool.fileName(1))"))
        #expect(run.stderr.contains("Permission denied"))
        #expect(try Self.shippedIDs(setup.sink) == Array(ids.suffix(2)))
        #expect(setup.spool.names(in: "ready") == [TestSpool.fileName(1)])

        #expect(chmod(first, 0o640) == 0)
        let again = try await Redirectctl.run(arguments, seconds: 30)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Self.shippedIDs(setup.sink) == Array(ids.suffix(2)) + Array(ids.prefix(2)))
    }
}
