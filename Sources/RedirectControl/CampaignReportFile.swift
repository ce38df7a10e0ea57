import CampaignReport
import ClickImport
import ClickSpool
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The report's sources and its file: the I/O around `CampaignReport`'s pure counting and rendering.
public enum CampaignReportFile {
    /// The name of the page in the output directory.
    public static let pageName = "index.html"

    /// Counts the clicks of one host's spool (`shipped/`, `ready/`, `current/`) that `selection` includes,
    /// streaming: one line at a time is read.
    public static func tally(spool: String, selection: ReportSelection) throws(SpoolError) -> CampaignTally {
        var tally = CampaignTally()
        var unreadable = 0
        let counts = try SpoolEventStream(spool: spool).readEvents { record in
            guard let click = ClickFacts(record: record) else {
                unreadable += 1
                return
            }
            tally.add(click, if: selection)
        }
        tally.linesRead = counts.lines
        tally.skippedLines = counts.skipped + unreadable
        return tally
    }

    /// Writes `page` as `directory/index.html`, and gzipped beside it as `index.html.gz` for nginx's
    /// `gzip_static` (a hundred links' tables are mostly repeated markup: a tenth of the bytes on the wire).
    /// Each file is written atomically: into a temporary file in the same directory, flushed, then renamed over
    /// the old one, so a web server never serves half a page. The `.gz` goes first, so the plain page is never
    /// newer than it. Creates `directory` if missing.
    public static func write(_ page: [UInt8], to directory: String) throws(CampaignReportError) {
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw CampaignReportError("cannot create \(directory): \(Errno(rawValue: errno))")
        }
        if let gzipped = GzipEncoder.compress(page, level: 9) {
            try replace(directory + "/" + pageName + ".gz", with: gzipped)
        }
        try replace(directory + "/" + pageName, with: page)
    }

    /// Puts `bytes` at `path` by writing a temporary file beside it and renaming it.
    static func replace(_ path: String, with bytes: [UInt8]) throws(CampaignReportError) {
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        let directory = String(path[..<slash])
        let name = String(path[slash...])
        var template = Array((directory + "." + name + ".XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemp($0) } ?? -1
        }
        guard descriptor >= 0 else {
            throw CampaignReportError("cannot create a file in \(directory): \(Errno(rawValue: errno))")
        }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let file = FileDescriptor(rawValue: descriptor)
        do {
            // mkstemp makes the file 0600; the page is for the web server to read.
            guard fchmod(descriptor, 0o644) == 0 else { throw Errno(rawValue: errno) }
            _ = try file.writeAll(bytes)
            guard fsync(descriptor) == 0 else { throw Errno(rawValue: errno) }
            try file.close()
        } catch {
            try? file.close()
            unlink(temporary)
            throw CampaignReportError("cannot write \(temporary): \(error)")
        }
        guard rename(temporary, path) == 0 else {
            let failure = Errno(rawValue: errno)
            unlink(temporary)
            throw CampaignReportError("cannot rename \(temporary) to \(name): \(failure)")
        }
    }
}
