import ClickSpool
import JSON
import RedirectCore
import Timestamps

extension ClickImporter {
    /// `--retry-rejected`: sends the events kept in `rejected/` once more, for when the cause is fixed (a
    /// Tracardi event source created or enabled, a collector's schema changed).
    ///
    /// Each file of `rejected/` is read whole and its events sent in batches; once every batch has an answer,
    /// the file is replaced by the entries the sink still rejects (with the new reason), or removed when there
    /// are none. A crash before that leaves the file as it was, so its events are sent again by the next
    /// retry: at least once, like everything else the importer does. Bot events are moved to `skipped/` when
    /// this run leaves bots out.
    func retryRejected(
        sink: any ClickSink, sender: SinkSender, layout: SpoolLayout, deadline: ContinuousClock.Instant?,
        state: inout RunState
    ) async throws(ImportError) {
        guard let directory = try ImportFiles.subdirectory(.rejected, of: layout, create: false) else { return }
        let names: [String]
        do {
            let listing = try directory.list()
            state.noteUnsafe(listing.unsafe, importer: self)
            names = listing.files.map(\.name).sorted()
        } catch {
            throw .spool(error)
        }
        let now = Timestamp(millisecondsSinceEpoch: SpoolClock.nowMilliseconds()).iso8601
        for name in names {
            guard let bytes = try ImportFiles.readAll(name, in: directory) else { continue }
            let entries = Self.rejectedEntries(bytes)
            var kept: [UInt8] = []
            var records: [SpoolRecord] = []
            var origins: [String: (file: String, line: Int)] = [:]
            var bots: [String: [SpoolRecord]] = [:]
            for entry in entries {
                guard let record = entry.record else {
                    kept.append(contentsOf: entry.raw)  // not ours to judge: left as it is
                    continue
                }
                if excludes(record) {
                    let file =
                        entry.file.isEmpty || entry.file.hasPrefix(".") || entry.file.contains("/") ? name : entry.file
                    bots[file, default: []].append(record)
                    continue
                }
                records.append(record)
                origins[record.id] = (entry.file, record.lineNumber)
            }
            var rejections: [SinkRejection] = []
            var start = 0
            let size = max(1, options.batchSize)
            while start < records.count {
                let batch = Array(records[start..<min(start + size, records.count)])
                start += batch.count
                switch await sender.send(batch, to: sink, deadline: deadline) {
                case .success(let rejected): rejections += rejected
                case .failure(let error): throw .sink(error)
                }
            }
            for (file, skipped) in bots.sorted(by: { $0.key < $1.key }) {
                try keepSkipped(skipped, file: file, layout: layout)
            }
            let still = Self.rejected(records, by: rejections)
            for (record, rejection) in still {
                let origin = origins[record.id] ?? (name, record.lineNumber)
                RejectedEventLog.entry(
                    record.line.dropLast(), line: origin.line, file: origin.file,
                    rejection: rejection, sink: sink.name, now: now, to: &kept)
                state.summary.noteRefusedSource(of: rejection)
            }
            let stillRejected = still.count
            try ImportFiles.replace(name, in: directory, with: kept)
            let accepted = records.count - stillRejected
            state.summary.retried += accepted
            state.summary.events += accepted
            state.summary.botsSkipped += bots.values.reduce(0) { $0 + $1.count }
            if !options.quiet {
                output.line(
                    "rejected/\(name.escapingControlCharacters): sent \(records.count) events again, "
                        + "\(accepted) taken, \(stillRejected) still rejected")
            }
        }
    }

    /// One line of a `rejected/` file: the event as a record to send, where it came from, and the line as it was.
    struct RejectedEntry {
        var raw: ArraySlice<UInt8>
        var record: SpoolRecord?
        var file: String
    }

    /// The entries of a `rejected/` file. A line that is not an entry with an event and its id has no record.
    static func rejectedEntries(_ bytes: [UInt8]) -> [RejectedEntry] {
        var entries: [RejectedEntry] = []
        var start = 0
        var number = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
            let raw = bytes[start..<end]
            start = end
            number += 1
            guard let entry = JSONValue(parsing: raw.last == 0x0A ? raw.dropLast() : raw),
                let event = entry["event"], let id = event["id"]?.stringValue
            else {
                var line = raw
                if line.last != 0x0A { line = ArraySlice(Array(line) + [0x0A]) }
                entries.append(RejectedEntry(raw: line, record: nil, file: ""))
                continue
            }
            var line: [UInt8] = []
            event.write(to: &line)
            line.append(0x0A)
            let record = SpoolRecord(
                line: line[...], id: id, outcome: event["outcome"]?.stringValue ?? "",
                bot: event["bot"]?.stringValue, offset: 0, endOffset: 0,
                lineNumber: entry["line"].flatMap { if case .int(let n) = $0 { n } else { nil } } ?? number)
            entries.append(RejectedEntry(raw: raw, record: record, file: entry["file"]?.stringValue ?? ""))
        }
        return entries
    }
}
