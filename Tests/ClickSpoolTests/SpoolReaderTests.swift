import Foundation
import RedirectCore
import Testing
import Timestamps

@testable import ClickSpool

private func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "redirectd-reader-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A click line exactly as the responder writes it.
private func clickLine(
    _ n: Int, session: String? = "s1", bot: String? = nil, outcome: ClickEvent.Outcome = .redirected,
    id: String? = nil
) -> [UInt8] {
    let event = ClickEvent(
        id: id ?? String(format: "0190b5a0-0000-7000-8000-%012d", n),
        time: Timestamp(year: 2026, month: 11, day: 29, hour: 2, minute: 8, second: n % 60),
        outcome: outcome, redirect: "r\(n)", session: session, sessionStatus: session == nil ? .absent : .valid,
        source: "email", type: "redirect", properties: [("n", .int(n)), ("text", .string("a \"quoted\"\nline"))],
        target: "https://example.com/\(n)", status: 302,
        request: .init(
            method: "GET", ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11) ünïcode", referer: nil,
            acceptLanguage: "en", host: "go.example.com", query: "a=1"),
        bot: bot)
    return event.jsonLine()
}

private func write(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

@Suite struct SpoolReaderTests {
    @Test func readsEveryLineWithIDAndOffsets() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lines = (0..<50).map {
            clickLine($0, bot: $0 == 7 ? "head-request" : nil, outcome: $0 == 9 ? .notFound : .redirected)
        }
        let path = dir + "/20261129T020800.jsonl"
        try write(lines.flatMap { $0 }, to: path)

        let reader = try SpoolReader(path: path, chunkSize: 100)  // smaller than a line: lines span chunks
        let records = try reader.readAll()
        #expect(records.count == 50)
        #expect(reader.skipped.isEmpty)
        var offset: Int64 = 0
        for (n, record) in records.enumerated() {
            #expect(Array(record.line) == lines[n])
            #expect(record.id == String(format: "0190b5a0-0000-7000-8000-%012d", n))
            #expect(record.offset == offset)
            offset += Int64(lines[n].count)
            #expect(record.endOffset == offset)
            #expect(record.lineNumber == n + 1)
            #expect(record.bot == (n == 7 ? "head-request" : nil))
            #expect(record.outcome == (n == 9 ? "not-found" : "redirected"))
        }
        #expect(reader.offset == offset)
    }

    @Test func resumesFromAnOffset() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lines = (0..<10).map { clickLine($0) }
        let path = dir + "/f.jsonl"
        try write(lines.flatMap { $0 } + Array("{torn\n".utf8), to: path)
        let resume = Int64(lines[0..<4].reduce(0) { $0 + $1.count })

        let reader = try SpoolReader(path: path, offset: resume)
        let records = try reader.readAll()
        #expect(records.map(\.lineNumber) == Array(5...10))
        #expect(records.first?.offset == resume)
        // Line numbers count the lines before the resume point too.
        #expect(
            reader.skipped == [
                SpoolSkippedLine(
                    file: "f.jsonl", lineNumber: 11, offset: reader.offset - 6, length: 6, reason: .notJSON)
            ])
    }

    @Test func skipsTornAndForeignLinesAndGoesOn() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = (0..<4).map { clickLine($0) }
        let torn = Array(clickLine(90).prefix(37))
        var bytes: [UInt8] = []
        bytes += good[0]
        bytes += torn + [0x0A]  // a torn line ended by a newline (as writers before the short-write fix did)
        bytes += good[1]
        bytes += Array("not json at all\n".utf8)
        bytes += Array("\n".utf8)  // an empty line: nothing to ship, nothing to report
        bytes += Array("{\"v\":1,\"time\":\"x\"}\n".utf8)
        bytes += good[2]
        bytes += good[3]
        bytes += Array(clickLine(91).prefix(100))  // the last line, without its newline
        let path = dir + "/20261129T020900.jsonl"
        try write(bytes, to: path)

        let reader = try SpoolReader(path: path, chunkSize: 64)
        let records = try reader.readAll()
        #expect(records.map(\.id) == (0..<4).map { String(format: "0190b5a0-0000-7000-8000-%012d", $0) })
        #expect(reader.skipped.map(\.lineNumber) == [2, 4, 6, 9])
        #expect(reader.skipped.map(\.reason) == [.notJSON, .notJSON, .noID, .torn])
        #expect(
            reader.skipped.last?.description
                == "20261129T020900.jsonl:9: skipped 100 bytes: torn line (no newline at the end of the file)")
        #expect(reader.offset == Int64(bytes.count))
        #expect(try reader.next() == nil)
    }

    /// A line longer than the limit is skipped and counted like a torn one, whether it spans many chunks or fits in
    /// one; the lines around it are read, and every offset stays exact (the importer checkpoints `offset`).
    @Test(arguments: [16, 64, 4096])
    func aLineLongerThanTheLimitIsSkippedAndReadingGoesOn(chunkSize: Int) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = (0..<3).map { clickLine($0) }
        let limit = good.map(\.count).max().map { $0 + 10 } ?? 0
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 3 * limit) + [0x0A]
        let atTheLimit = [UInt8](repeating: UInt8(ascii: "y"), count: limit) + [0x0A]
        let lines = [good[0], long, good[1], atTheLimit, good[2]]
        let path = dir + "/20261129T021000.jsonl"
        try write(lines.flatMap { $0 }, to: path)

        let reader = try SpoolReader(path: path, chunkSize: chunkSize, maxLineLength: limit)
        let first = try reader.next()
        #expect(first.map { Array($0.line) } == good[0])
        #expect(reader.offset == Int64(good[0].count))
        let second = try reader.next()
        #expect(second.map { Array($0.line) } == good[1])
        #expect(second?.lineNumber == 3)
        let longOffset = Int64(good[0].count)
        #expect(second?.offset == longOffset + Int64(long.count))
        #expect(
            reader.skipped == [
                SpoolSkippedLine(
                    file: "20261129T021000.jsonl", lineNumber: 2, offset: longOffset, length: long.count,
                    reason: .tooLong(limit: limit))
            ])
        #expect(
            reader.skipped.first?.description
                == "20261129T021000.jsonl:2: skipped \(long.count) bytes: longer than \(limit) bytes")
        let third = try reader.next()
        #expect(third.map { Array($0.line) } == good[2])
        #expect(third?.lineNumber == 5)
        #expect(try reader.next() == nil)
        // A line of exactly the limit is no event but not too long either.
        #expect(reader.skipped.map(\.reason) == [.tooLong(limit: limit), .notJSON])
        #expect(reader.offset == Int64(lines.reduce(0) { $0 + $1.count }))

        // Resuming after the long line, as from a checkpoint, counts lines before it and reads the rest.
        let resumed = try SpoolReader(path: path, offset: longOffset, chunkSize: chunkSize, maxLineLength: limit)
        #expect(try resumed.readAll().map(\.lineNumber) == [3, 5])
        #expect(resumed.skipped.map(\.lineNumber) == [2, 4])
    }

    /// A file that is one long line with no newline: one skipped line, nothing returned, the offset at the end.
    @Test func aFileOfOneLongLineWithoutNewline() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/x.jsonl"
        try write([UInt8](repeating: UInt8(ascii: "{"), count: 100_000), to: path)
        let reader = try SpoolReader(path: path, chunkSize: 1024, maxLineLength: 4096)
        #expect(try reader.readAll().isEmpty)
        #expect(
            reader.skipped == [
                SpoolSkippedLine(
                    file: "x.jsonl", lineNumber: 1, offset: 0, length: 100_000, reason: .tooLong(limit: 4096))
            ])
        #expect(reader.skipped.first?.description == "x.jsonl:1: skipped 100000 bytes: longer than 4 KiB")
        #expect(reader.offset == 100_000)
        #expect(try reader.next() == nil)
        #expect(reader.skipped.count == 1)
    }

    @Test func theDefaultLimitIsOneMiB() {
        #expect(SpoolReader.defaultMaxLineLength == 1 << 20)
        #expect(
            SpoolSkippedLine.Reason.tooLong(limit: SpoolReader.defaultMaxLineLength).description
                == "longer than 1 MiB")
    }

    @Test func emptyFileAndOffsetAtTheEnd() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/e.jsonl"
        try write([], to: path)
        #expect(try SpoolReader(path: path).readAll().isEmpty)
        let line = clickLine(1)
        try write(line, to: path)
        let reader = try SpoolReader(path: path, offset: Int64(line.count))
        #expect(try reader.readAll().isEmpty)
        #expect(reader.skipped.isEmpty)
    }

    @Test func missingFileIsASpoolError() {
        #expect(throws: SpoolError.self) { try SpoolReader(path: "/nonexistent/redirectd/x.jsonl") }
    }

    @Test func escapedIDsAreDecoded() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/x.jsonl"
        try write(Array(#"{"id":"a\u0062c\"\ud83d\ude00","bot":null,"outcome":"expired"}"#.utf8) + [0x0A], to: path)
        let records = try SpoolReader(path: path).readAll()
        #expect(records.first?.id == "abc\"😀")
        #expect(records.first?.bot == nil)
        #expect(records.first?.outcome == "expired")
    }

    @Test(arguments: [
        #"{"id":"x""#, #"{"id":"x",}"#, #"[1]"#, #"{"id":"x"} tail"#, #"{"id":"a\q"}"#, "{\"id\":\"a\u{01}\"}",
        #"{"id":"x","n":01}"#, #"{"id":"x","n":1.}"#, #"{"id":"x","n":-}"#, #"{"id":"x","a":[1,]}"#,
        #"{"id":"x","a":tru}"#, #"{"id":"x" "a":1}"#, #"{"id":"x","a":{"b"}}"#, #"{"id":"x","u":"\u12"}"#,
        String(repeating: "[", count: 70) + String(repeating: "]", count: 70),
    ])
    func invalidLinesAreSkipped(line: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/x.jsonl"
        try write(Array(line.utf8) + [0x0A] + clickLine(1), to: path)
        let reader = try SpoolReader(path: path)
        #expect(try reader.readAll().count == 1)
        #expect(reader.skipped.map(\.lineNumber) == [1])
    }

    @Test(arguments: [
        #"{"id":"x"}"#, #" { "id" : "x" , "n" : -1.5e+3 , "a" : [ true , false , null , { } , [ ] ] } "#,
        #"{"a":{"id":"nested"},"id":"x","s":"\/\b\f\n\r\t\\"}"#,
    ])
    func validLinesAreRead(line: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/x.jsonl"
        try write(Array(line.utf8) + [0x0A], to: path)
        let reader = try SpoolReader(path: path)
        #expect(try reader.readAll().map(\.id) == ["x"])
        #expect(reader.skipped.isEmpty)
    }
}
