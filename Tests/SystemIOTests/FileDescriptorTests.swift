import Foundation
import SystemIO
import SystemPackage
import Testing

/// The system layer on real files and pipes.
@Suite struct FileDescriptorTests {
    /// A file of `count` bytes (0, 1, 2, … wrapping at 251, so a misplaced chunk shows) in a fresh directory.
    func file(of count: Int) throws -> (path: String, bytes: [UInt8]) {
        let directory = NSTemporaryDirectory() + "systemio-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let bytes = (0..<count).map { UInt8($0 % 251) }
        let path = directory + "/data"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }

    func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }

    @Test(arguments: [0, 1, 4096, 65_536, 65_537, 300_000])
    func readToEndReadsTheWholeFile(count: Int) throws {
        let (path, bytes) = try file(of: count)
        defer { remove(path) }
        let fd = try FileDescriptor.open(path, .readOnly)
        defer { try? fd.close() }
        #expect(try fd.readToEnd() == bytes)
    }

    @Test(arguments: [(10, 0), (10, 9), (10, 10), (10, 11), (200_000, 65_537), (200_000, 150_000)])
    func readToEndStopsAtTheLimit(count: Int, limit: Int) throws {
        let (path, bytes) = try file(of: count)
        defer { remove(path) }
        let fd = try FileDescriptor.open(path, .readOnly)
        defer { try? fd.close() }
        #expect(try fd.readToEnd(maxCount: limit) == Array(bytes.prefix(limit)))
    }

    @Test func readToEndReadsAPipeUntilItsWriterCloses() throws {
        let (reader, writer) = try FileDescriptor.pipe()
        defer { try? reader.close() }
        let bytes = (0..<100_000).map { UInt8($0 % 7) }
        // More than a pipe holds: the writer blocks until the reader drains it.
        let thread = Thread {
            _ = try? writer.writeAll(bytes)
            try? writer.close()
        }
        thread.start()
        #expect(try reader.readToEnd() == bytes)
    }

    @Test func readToEndOnAClosedDescriptorThrowsItsErrno() throws {
        let (reader, writer) = try FileDescriptor.pipe()
        try reader.close()
        try writer.close()
        #expect(throws: Errno.badFileDescriptor) { try reader.readToEnd() }
    }

    @Test func anExclusiveLockKeepsOthersOutUntilItIsReleased() throws {
        let (path, _) = try file(of: 1)
        defer { remove(path) }
        let first = try FileDescriptor.open(path, .readOnly)
        let second = try FileDescriptor.open(path, .readOnly)
        defer {
            try? first.close()
            try? second.close()
        }
        try first.lock(.exclusive, waiting: false)
        #expect(throws: Errno.wouldBlock) { try second.lock(.shared, waiting: false) }
        #expect(throws: Errno.wouldBlock) { try second.lock(.exclusive, waiting: false) }
        first.unlock()
        try second.lock(.shared, waiting: false)
        #expect(throws: Errno.wouldBlock) { try first.lock(.exclusive, waiting: false) }
        try first.lock(.shared, waiting: false)
    }
}

@Suite struct LockedTests {
    @Test func incrementsFromManyThreadsAreNotLost() {
        let counter = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<10_000 { counter.withLock { $0 += 1 } }
        }
        #expect(counter.withLock { $0 } == 80_000)
    }

    @Test func anErrorThrownInsideReleasesTheLock() {
        struct Refused: Error, Equatable {}
        let value = Locked([1])
        #expect(throws: Refused()) {
            try value.withLock { (list: inout [Int]) throws(Refused) in
                list.append(2)
                throw Refused()
            }
        }
        #expect(value.withLock { $0 } == [1, 2])
    }
}
