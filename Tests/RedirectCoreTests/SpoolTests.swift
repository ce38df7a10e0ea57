import Foundation
import RedirectCore
import Testing
import Timestamps

@testable import ClickSpool

#if canImport(Glibc)
    import Glibc
#endif

func makeTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "redirectd-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct SpoolLayoutTests {
    let layout = SpoolLayout(directory: "/s", bucketSeconds: 60)
    let t = Timestamp(year: 2026, month: 11, day: 29, hour: 2, minute: 8, second: 14, millisecond: 431)

    @Test func bucketNames() {
        let bucket = layout.bucket(atMilliseconds: t.millisecondsSinceEpoch)
        #expect(layout.fileName(bucket: bucket) == "20261129T020800.jsonl")
        #expect(layout.fileName(bucket: bucket, part: 2) == "20261129T020800.2.jsonl")
        let seconds = SpoolLayout(directory: "/s", bucketSeconds: 1)
        #expect(
            seconds.fileName(bucket: seconds.bucket(atMilliseconds: t.millisecondsSinceEpoch))
                == "20261129T020814.jsonl")
        let hours = SpoolLayout(directory: "/s", bucketSeconds: 3600)
        #expect(
            hours.fileName(bucket: hours.bucket(atMilliseconds: t.millisecondsSinceEpoch)) == "20261129T020000.jsonl")
    }

    @Test(arguments: ["20261129T020800.jsonl", "20261129T020800.2.jsonl", "20261129T020800.r1.jsonl"])
    func namesParseBack(name: String) {
        #expect(
            layout.bucket(ofFileName: name) == Timestamp(year: 2026, month: 11, day: 29, hour: 2, minute: 8)
                .millisecondsSinceEpoch / 1000)
    }

    @Test(arguments: [
        "x.jsonl", "20261329T020800.jsonl", "20261129T020800.txt", "20261129T020800.x.jsonl", ".20261129T020800.jsonl",
    ])
    func foreignNamesAreIgnored(name: String) {
        #expect(layout.bucket(ofFileName: name) == nil)
    }

    @Test func sealingDecision() {
        let bucket = layout.bucket(atMilliseconds: t.millisecondsSinceEpoch)
        let end = (bucket + 60) * 1000
        #expect(!layout.hasPassed(bucket: bucket, nowMilliseconds: end - 1))
        #expect(layout.hasPassed(bucket: bucket, nowMilliseconds: end))
    }
}

@Suite struct SpoolWriterAndSealerTests {
    func lines(in directory: String) throws -> [String] {
        var result: [String] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory))?.sorted() ?? [] {
            result += try String(contentsOfFile: directory + "/" + name, encoding: .utf8).split(separator: "\n").map(
                String.init)
        }
        return result
    }

    @Test func writesIntoTheBucketOfTheClockAndSealsPassedBuckets() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = SpoolLayout(directory: dir + "/spool", bucketSeconds: 60)
        let writer = SpoolWriter(layout: layout)
        let base = Timestamp(year: 2026, month: 11, day: 29, hour: 2, minute: 8).millisecondsSinceEpoch
        #expect(writer.append(Array("{\"n\":1}\n".utf8), clock: { base + 1_000 }) == nil)
        #expect(writer.append(Array("{\"n\":2}\n".utf8), clock: { base + 59_999 }) == nil)
        #expect(writer.append(Array("{\"n\":3}\n".utf8), clock: { base + 60_000 }) == nil)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: layout.currentDirectory).sorted()
                == ["20261129T020800.jsonl", "20261129T020900.jsonl"])

        let sealer = SpoolSealer(layout: layout)
        let report = sealer.sealPassed(nowMilliseconds: base + 60_000)
        #expect(report.sealed == ["20261129T020800.jsonl"])
        #expect(report.errors.isEmpty)
        #expect(try lines(in: layout.readyDirectory) == ["{\"n\":1}", "{\"n\":2}"])
        #expect(try lines(in: layout.currentDirectory) == ["{\"n\":3}"])
        // Nothing passed yet: nothing more to seal.
        #expect(sealer.sealPassed(nowMilliseconds: base + 119_999).sealed.isEmpty)
    }

    @Test func aWriterHoldingTheLockMakesTheSealerWait() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = SpoolLayout(directory: dir, bucketSeconds: 60)
        let base = Timestamp(year: 2026, month: 1, day: 1).millisecondsSinceEpoch
        #expect(SpoolWriter(layout: layout).append(Array("{}\n".utf8), clock: { base }) == nil)
        let path = layout.currentDirectory + "/" + layout.fileName(bucket: base / 1000)
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        #expect(flock(fd, LOCK_SH) == 0)
        let busy = SpoolSealer(layout: layout).sealPassed(nowMilliseconds: base + 60_000)
        #expect(busy.sealed.isEmpty && busy.busy == 1)
        flock(fd, LOCK_UN)
        #expect(SpoolSealer(layout: layout).sealPassed(nowMilliseconds: base + 60_000).sealed.count == 1)
    }

    @Test func aWriterKeepsItsFileAndTheSealerWaitsUntilItMovesOn() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = SpoolLayout(directory: dir, bucketSeconds: 60)
        let base = Timestamp(year: 2026, month: 1, day: 1).millisecondsSinceEpoch
        let writer = SpoolWriter(layout: layout)
        #expect(writer.append(Array("{\"n\":1}\n".utf8), clock: { base }) == nil)
        #expect(writer.holdsFile)
        // The bucket has passed, but the writer is still in its file: the sealer leaves it for a later pass.
        let busy = SpoolSealer(layout: layout).sealPassed(nowMilliseconds: base + 60_000)
        #expect(busy.sealed.isEmpty && busy.busy == 1)
        // Its next line goes to the next bucket's file and lets go of the old one, which is then sealed.
        #expect(writer.append(Array("{\"n\":2}\n".utf8), clock: { base + 60_001 }) == nil)
        #expect(
            SpoolSealer(layout: layout).sealPassed(nowMilliseconds: base + 60_001).sealed == ["20260101T000000.jsonl"])
        #expect(try lines(in: layout.readyDirectory) == ["{\"n\":1}"])
        #expect(try lines(in: layout.currentDirectory) == ["{\"n\":2}"])
    }

    @Test func anIdleWriterReleasesItsFileOnceTheBucketHasPassed() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = SpoolLayout(directory: dir, bucketSeconds: 60)
        let base = Timestamp(year: 2026, month: 1, day: 1).millisecondsSinceEpoch
        let writer = SpoolWriter(layout: layout)
        #expect(writer.releaseIfPassed(nowMilliseconds: base) == -1)  // no file: no need to be asked again
        #expect(writer.append(Array("{\"n\":1}\n".utf8), clock: { base + 1_000 }) == nil)
        // While the bucket lasts, the writer asks to be called again within a second, or at the bucket's end.
        #expect(writer.releaseIfPassed(nowMilliseconds: base + 1_000) == 1000)
        #expect(writer.releaseIfPassed(nowMilliseconds: base + 59_750) == 250)
        #expect(writer.holdsFile)
        #expect(SpoolSealer(layout: layout).sealPassed(nowMilliseconds: base + 60_000).busy == 1)
        #expect(writer.releaseIfPassed(nowMilliseconds: base + 60_000) == -1)
        #expect(!writer.holdsFile)
        #expect(
            SpoolSealer(layout: layout).sealPassed(nowMilliseconds: base + 60_000).sealed == ["20260101T000000.jsonl"])
        // The next line starts the file of its own bucket.
        #expect(writer.append(Array("{\"n\":2}\n".utf8), clock: { base + 61_000 }) == nil)
        #expect(try lines(in: layout.readyDirectory) == ["{\"n\":1}"])
        #expect(try lines(in: layout.currentDirectory) == ["{\"n\":2}"])
    }

    @Test func aLateLineForASealedBucketStartsANewFileNotTheSealedOne() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = SpoolLayout(directory: dir, bucketSeconds: 60)
        let base = Timestamp(year: 2026, month: 1, day: 1).millisecondsSinceEpoch
        // A file of the bucket, sealed while no writer holds it; a writer of the same (late) bucket then
        // starts a new file under the name instead of writing into the sealed one.
        #expect(SpoolWriter(layout: layout).append(Array("{\"n\":1}\n".utf8), clock: { base }) == nil)
        #expect(SpoolSealer(layout: layout).sealPassed(nowMilliseconds: base + 60_000).sealed.count == 1)
        #expect(SpoolWriter(layout: layout).append(Array("{\"n\":2}\n".utf8), clock: { base + 59_999 }) == nil)
        #expect(try lines(in: layout.readyDirectory) == ["{\"n\":1}"])
        #expect(try lines(in: layout.currentDirectory) == ["{\"n\":2}"])
        // Sealed later under a name of its own: nothing in ready/ is overwritten.
        #expect(
            SpoolSealer(layout: layout).sealPassed(nowMilliseconds: base + 60_000).sealed == [
                "20260101T000000.r1.jsonl"
            ])
    }

    @Test func aWriterNeverStartsInAFileThatEndsInAFragment() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = SpoolLayout(directory: dir, bucketSeconds: 60)
        let base = Timestamp(year: 2026, month: 1, day: 1).millisecondsSinceEpoch
        try SpoolDirectories.create(layout)
        // What a short write (a full disk) or a process killed inside a long write leaves behind.
        let torn = layout.currentDirectory + "/20260101T000000.jsonl"
        #expect(FileManager.default.createFile(atPath: torn, contents: Data("{\"n\":0}\n{\"n\":1,\"pa".utf8)))
        #expect(SpoolWriter(layout: layout).append(Array("{\"n\":2}\n".utf8), clock: { base }) == nil)
        #expect(try String(contentsOfFile: torn, encoding: .utf8) == "{\"n\":0}\n{\"n\":1,\"pa")
        let next = layout.currentDirectory + "/20260101T000000.1.jsonl"
        #expect(try String(contentsOfFile: next, encoding: .utf8) == "{\"n\":2}\n")
    }

    @Test func sizeCapStartsANewPart() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = SpoolLayout(directory: dir, bucketSeconds: 60, maxFileSize: 4096)
        let writer = SpoolWriter(layout: layout)
        let line = Array((String(repeating: "x", count: 1000) + "\n").utf8)
        let base = Timestamp(year: 2026, month: 1, day: 1).millisecondsSinceEpoch
        // A part takes lines while it is under the cap: 5 lines of 1001 bytes, then the next part.
        for _ in 0..<12 { #expect(writer.append(line, clock: { base }) == nil) }
        let names = try FileManager.default.contentsOfDirectory(atPath: layout.currentDirectory).sorted()
        #expect(names == ["20260101T000000.1.jsonl", "20260101T000000.2.jsonl", "20260101T000000.jsonl"])
        #expect(try lines(in: layout.currentDirectory).count == 12)
    }

    /// After one line the writer has not mapped the shared counter yet (it does before its second line), after
    /// three it has: either way it must not write behind the fragment.
    @Test(arguments: [1, 3])
    func aWriterLeavesItsFileWhenAnotherProcessReportsAShortWrite(linesBefore: Int) throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = SpoolLayout(directory: dir, bucketSeconds: 60)
        let base = Timestamp(year: 2026, month: 1, day: 1).millisecondsSinceEpoch
        let writer = SpoolWriter(layout: layout)
        for n in 1...linesBefore { #expect(writer.append(Array("{\"n\":\(n)}\n".utf8), clock: { base }) == nil) }
        // Another process's short write: a fragment at the end of the file, and the spool's shared counter
        // bumped (this process's own counter is not).
        let path = layout.currentDirectory + "/20260101T000000.jsonl"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"n\":99,\"pa".utf8))
        try handle.close()
        if !FileManager.default.fileExists(atPath: dir + "/.short-writes") {
            #expect(FileManager.default.createFile(atPath: dir + "/.short-writes", contents: Data(count: 8)))
        }
        let counter = try #require(FileHandle(forUpdatingAtPath: dir + "/.short-writes"))
        let value = counter.readData(ofLength: 8).withUnsafeBytes { $0.loadUnaligned(as: Int.self) }
        try counter.seek(toOffset: 0)
        try counter.write(contentsOf: withUnsafeBytes(of: value + 1) { Data($0) })
        try counter.close()
        #expect(writer.append(Array("{\"n\":4}\n".utf8), clock: { base }) == nil)
        let before = (1...linesBefore).map { "{\"n\":\($0)}\n" }.joined()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == before + "{\"n\":99,\"pa")
        #expect(
            try String(contentsOfFile: layout.currentDirectory + "/20260101T000000.1.jsonl", encoding: .utf8)
                == "{\"n\":4}\n")
    }

    @Test func deletedSpoolIsRecreated() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = SpoolLayout(directory: dir + "/spool", bucketSeconds: 60)
        let writer = SpoolWriter(layout: layout)
        #expect(writer.append(Array("{\"n\":1}\n".utf8)) == nil)
        try FileManager.default.removeItem(atPath: layout.directory)
        // The responder's background sealer finds the directories gone, creates them again and sends the
        // writers of its process out of the deleted files.
        _ = SpoolSealer(layout: layout).sealPassed()
        #expect(writer.append(Array("{\"n\":2}\n".utf8)) == nil)
        #expect(try lines(in: layout.currentDirectory) == ["{\"n\":2}"])
    }

    @Test func theSizeCheckBudgetShrinksAsTheCapNears() {
        // Half of what is left, shared among the writers seen; nothing left: check before every line.
        #expect(SpoolWriter.sizeCheckBudget(remaining: 64 << 20, writersPerOwnByte: 64) == 512 << 10)
        #expect(SpoolWriter.sizeCheckBudget(remaining: 1000, writersPerOwnByte: 1) == 500)
        #expect(SpoolWriter.sizeCheckBudget(remaining: 1000, writersPerOwnByte: 0) == 500)
        #expect(SpoolWriter.sizeCheckBudget(remaining: 3, writersPerOwnByte: 4) == 0)
        #expect(SpoolWriter.sizeCheckBudget(remaining: -10, writersPerOwnByte: 1) == 0)
    }

    @Test func aWriterRightBelowTheCapStillWrites() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = SpoolLayout(directory: dir, bucketSeconds: 60, maxFileSize: 4096)
        let base = Timestamp(year: 2026, month: 1, day: 1).millisecondsSinceEpoch
        // A file 10 bytes below the cap: too little room for any size-check budget, room for a line.
        try SpoolDirectories.create(layout)
        let path = layout.currentDirectory + "/20260101T000000.jsonl"
        #expect(
            FileManager.default.createFile(
                atPath: path, contents: Data((String(repeating: "x", count: 4085) + "\n").utf8)))
        let writer = SpoolWriter(layout: layout)
        for n in 0..<3 { #expect(writer.append(Array("{\"n\":\(n)}\n".utf8), clock: { base }) == nil) }
        // Lines go in while the file is under the cap (4,086 and 4,094 bytes), the third to the next part.
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasSuffix("x\n{\"n\":0}\n{\"n\":1}\n"))
        #expect(
            try String(contentsOfFile: layout.currentDirectory + "/20260101T000000.1.jsonl", encoding: .utf8)
                == "{\"n\":2}\n")
    }

    @Test func manyWritersInOneFileStayNearTheCap() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cap: Int64 = 64 * 1024
        let layout = SpoolLayout(directory: dir, bucketSeconds: 60, maxFileSize: cap)
        let base = Timestamp(year: 2026, month: 1, day: 1).millisecondsSinceEpoch
        let writers = (0..<16).map { _ in SpoolWriter(layout: layout) }
        let line = Array((String(repeating: "x", count: 99) + "\n").utf8)
        for _ in 0..<200 {
            for writer in writers { #expect(writer.append(line, clock: { base }) == nil) }
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: layout.currentDirectory)
        var total: Int64 = 0
        for name in names {
            let size = try #require(
                FileManager.default.attributesOfItem(atPath: layout.currentDirectory + "/" + name)[.size] as? Int64)
            total += size
            // A soft cap: at most a few lines per writer beyond it.
            #expect(size < cap + 16 * 4 * 100, "\(name): \(size) bytes")
        }
        #expect(total == 16 * 200 * 100)
        #expect(names.count >= 5)
    }

    @Test func failuresAreReportedOncePerIntervalWithACount() {
        let messages = LockedMessages()
        let log = SpoolFailureLog(intervalMilliseconds: 60_000) { messages.append($0) }
        let error = SpoolError("write to", "/s/current/x.jsonl", .noSpace)
        for i in 0..<100 { log.failed(error, nowMilliseconds: Int64(i) * 100) }
        #expect(messages.all.count == 1)
        log.failed(error, nowMilliseconds: 60_000)
        #expect(messages.all.count == 2)
        #expect(messages.all.last?.contains("100 event(s) not recorded") == true)
        log.succeeded()
        #expect(messages.all.last == "redirectd: click log writable again")
        log.succeeded()
        #expect(messages.all.count == 3)
    }

    @Test func concurrentWritersAndSealersLoseNothing() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = SpoolLayout(directory: dir, bucketSeconds: 1)
        let threads = 8
        let perThread = 500
        let stop = LockedFlag()
        let sealerThread = Thread {
            while !stop.isSet {
                _ = SpoolSealer(layout: layout).sealPassed()
                usleep(2_000)
            }
        }
        sealerThread.start()
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let writer = SpoolWriter(layout: layout)
            for i in 0..<perThread {
                writer.append(Array("{\"t\":\(t),\"i\":\(i)}\n".utf8))
                if i % 100 == 0 { usleep(50_000) }
            }
        }
        stop.set()
        usleep(1_100_000)
        _ = SpoolSealer(layout: layout).sealPassed()
        let all = try lines(in: layout.readyDirectory) + lines(in: layout.currentDirectory)
        #expect(all.count == threads * perThread)
        #expect(Set(all).count == threads * perThread)
        #expect(all.allSatisfy { $0.hasPrefix("{\"t\":") && $0.hasSuffix("}") })
    }
}

final class LockedMessages: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func append(_ m: String) {
        lock.lock()
        messages.append(m)
        lock.unlock()
    }
    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return messages
    }
}

final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
