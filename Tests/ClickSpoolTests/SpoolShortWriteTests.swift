import Foundation
import RedirectCore
import TestSupport
import Testing
import Timestamps

@testable import ClickSpool

#if canImport(Glibc)
    import Glibc
#endif

/// A full disk, for real: a tiny tmpfs. Needs root (CI runs the tests as root); without it the test fails
/// with a message instead of passing without having run.
@Suite(.serialized) struct SpoolShortWriteTests {
    /// A click line of `size` bytes with an id the reader accepts.
    func line(_ n: Int, size: Int = 3000) -> [UInt8] {
        let head = "{\"v\":1,\"id\":\"line-\(n)\",\"pad\":\""
        let tail = "\"}\n"
        return Array((head + String(repeating: "x", count: size - head.utf8.count - tail.utf8.count) + tail).utf8)
    }

    @Test func aShortWriteCostsNoOtherClick() throws {
        guard geteuid() == 0 else {
            Issue.record("this test mounts a tmpfs to fill it up and needs root; run the tests as root (CI does)")
            return
        }
        let dir = NSTemporaryDirectory() + "redirectd-shortwrite-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let mounted = try ProcessRun.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]).status
        try #require(mounted == 0, "mount -t tmpfs -o size=64k tmpfs \(dir) failed with status \(mounted)")
        defer { _ = try? ProcessRun.run("/bin/umount", ["-l", dir]) }

        let layout = SpoolLayout(directory: dir + "/spool", bucketSeconds: 60)
        try SpoolDirectories.create(layout)
        let now = Timestamp(year: 2026, month: 1, day: 1, hour: 12).millisecondsSinceEpoch
        let clock = { now }

        var recorded: [[UInt8]] = []
        func append(_ writer: SpoolWriter, _ n: Int) -> SpoolError? {
            let text = line(n)
            let error = writer.append(text, clock: clock)
            if error == nil { recorded.append(text) }
            return error
        }
        let a = SpoolWriter(layout: layout)
        let b = SpoolWriter(layout: layout)
        // The first line takes 3,000 bytes of the file's first page.
        #expect(append(a, 1) == nil)

        // Fill the file system page by page.
        let ballast = dir + "/ballast"
        let fd = open(ballast, O_WRONLY | O_CREAT, 0o644)
        try #require(fd >= 0)
        let page = [UInt8](repeating: 0x61, count: 4096)
        while page.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == page.count {}
        close(fd)

        // The next line gets the rest of the first page and no second one: a fragment of 1,096 bytes.
        let first = layout.currentDirectory + "/" + layout.fileName(bucket: layout.bucket(atMilliseconds: now))
        #expect(append(b, 2)?.errno == .noSpace)
        let fragmentEnd = try #require(FileManager.default.attributesOfItem(atPath: first)[.size] as? Int64)
        try #require(
            fragmentEnd == 4096, "expected a short write to end at the page boundary, file has \(fragmentEnd) bytes")
        // Still full: writer a leaves the file with the fragment (it learns of the short write in this
        // process) and fails in the next part.
        #expect(append(a, 3) != nil)

        // Space again, as when someone cleans up: every writer, old or new, writes complete lines.
        #expect(unlink(ballast) == 0)
        let c = SpoolWriter(layout: layout)  // a writer that never saw the short write, as another process
        for n in 4..<10 {
            #expect(append([a, b, c][n % 3], n) == nil)
        }

        // Nothing was written behind the fragment, and the readers find every recorded line exactly once.
        #expect(try FileManager.default.attributesOfItem(atPath: first)[.size] as? Int64 == fragmentEnd)
        var found: [[UInt8]] = []
        var skipped: [SpoolSkippedLine] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: layout.currentDirectory).sorted() {
            let reader = try SpoolReader(path: layout.currentDirectory + "/" + name)
            found += try reader.readAll().map { Array($0.line) }
            skipped += reader.skipped
        }
        #expect(recorded.count == 7)  // 1, and 4 to 9
        #expect(
            found.sorted { $0.lexicographicallyPrecedes($1) } == recorded.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(skipped.map(\.reason) == [.torn])
        #expect(skipped.first?.length == 4096 - 3000)
    }
}
