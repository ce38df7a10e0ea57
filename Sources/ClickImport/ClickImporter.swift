import BotDetection
import ClickSpool
import RedirectCore
import SystemIO
import SystemPackage

/// `redirectctl import`: ships sealed spool files to a sink, at least once.
///
/// One run: take `<spool>/import.lock`, seal passed buckets, prune `shipped/`, then for each `ready/` file,
/// oldest first, from the checkpoint on: read a batch, send it, and once the sink has acknowledged it, set aside
/// what it rejected (`rejected/`) and write the checkpoint; a finished file moves to `shipped/` (or is deleted).
/// The next batch is read while the current one is on the wire. A crash at any moment loses nothing: the next
/// run resends at most the batch that was in flight, with the same event ids.
public struct ClickImporter: Sendable {
    public let options: ImportOptions
    public let output: ImportOutput

    public init(options: ImportOptions, output: ImportOutput = .standard) {
        self.options = options
        self.output = output
    }

    /// Runs an import and returns its exit status (`ImportExitCode`).
    public static func run(_ options: ImportOptions, output: ImportOutput = .standard) async -> Int32 {
        await ClickImporter(options: options, output: output).run().code.rawValue
    }

    /// Runs an import; returns the exit status and what was done.
    public func run() async -> (code: ImportExitCode, summary: ImportSummary) {
        let started = ContinuousClock.now
        let sink: any ClickSink
        do {
            sink = try makeSink()
        } catch {
            warn("\(error)")
            return (error.exitCode, ImportSummary())
        }
        let layout = SpoolLayout(directory: options.spoolDirectory, bucketSeconds: options.bucketSeconds)
        if options.dryRun { return await dryRun(sink: sink, layout: layout, started: started) }

        let lock: ImportLock
        let spool: SpoolDirectory
        var state = RunState()
        state.refusals = RefusalGuard(trustingTheSink: options.setAsideRefused)
        do {
            (lock, spool) = try prepareSpool(layout, state: &state)
        } catch {
            warn("\(error)")
            return (error.exitCode, ImportSummary())
        }
        defer { lock.release() }

        let sender = SinkSender(options: options)
        var failure: ImportError?
        // No request starts after the deadline, so the run ends at the latest --timeout after it.
        let deadline = options.maxSeconds.map { started + .milliseconds(Int64($0 * 1000)) }
        do {
            let sink = try await fitted(sink, sender: sender, deadline: deadline)
            if options.retryRejected {
                try await retryRejected(sink: sink, sender: sender, layout: layout, deadline: deadline, state: &state)
                state.refusals.noteAccepted(state.summary.retried)
            }
            try await shipReadyFiles(sink: sink, sender: sender, layout: layout, deadline: deadline, state: &state)
            try perform(state.refusals.finish(), sink: sink, layout: layout, state: &state)
        } catch {
            failure = error
        }
        do {
            try await state.settleRetiring()
        } catch {
            if failure == nil { failure = error }
        }
        await sender.shutdown()
        state.progress?.finish()
        state.summary.seconds = Self.seconds(since: started)
        return report(state, failure: failure, spool: spool)
    }

    /// Makes the spool's folders, takes the import lock, seals passed buckets and prunes old files.
    private func prepareSpool(_ layout: SpoolLayout, state: inout RunState) throws(ImportError)
        -> (ImportLock, SpoolDirectory)
    {
        let spool: SpoolDirectory
        do throws(SpoolError) {
            spool = try SpoolDirectory.open(layout.directory, create: true)
            for folder in [SpoolLayout.Folder.current, .ready] { _ = try spool.subdirectory(folder, create: true) }
        } catch {
            throw .spool(error)
        }
        let lock = try ImportLock.acquire(in: spool)
        let sealed = SpoolSealer(layout: layout, checkingOwner: true).sealPassed()
        for error in sealed.errors { warn("warning: sealing: \(error)") }
        state.noteUnsafe(sealed.unsafe, importer: self)
        if let days = options.keepShippedDays {
            for subdirectory in [SpoolLayout.Folder.shipped, .skipped, .rejected] {
                do {
                    let (removed, unsafe) = try ImportFiles.prune(
                        subdirectory, of: layout, olderThanDays: days, nowSeconds: SpoolClock.nowMilliseconds() / 1000)
                    state.noteUnsafe(unsafe, importer: self)
                    if removed > 0 && !options.quiet {
                        output.line(
                            "removed \(removed) file\(removed == 1 ? "" : "s") from \(subdirectory.rawValue)/ "
                                + "older than \(days) days")
                    }
                } catch {
                    warn("warning: pruning \(subdirectory.rawValue)/: \(error)")
                }
            }
        }
        return (lock, spool)
    }

    /// The closing lines of a run, its exit status, and the record `redirectctl status` reads.
    private func report(_ state: RunState, failure: ImportError?, spool: SpoolDirectory)
        -> (code: ImportExitCode, summary: ImportSummary)
    {
        let summary = state.summary
        if let failure { warn("\(failure)") }
        if summary.orphansSkipped > 0 && !options.quiet {
            output.line(
                "skipped \(summary.orphansSkipped) events of unknown redirects (outcome not-found); "
                    + "--include-orphans ships them")
        }
        if summary.unsafeEntries > 0 {
            let count = summary.unsafeEntries
            warn(
                "warning: left alone \(count) name\(count == 1 ? "" : "s") in the spool "
                    + "that \(count == 1 ? "is" : "are") no regular file of "
                    + "\(UserAccount.describe(UserAccount.current)) (listed above): remove what you did not put there")
        }
        if summary.unreadableFiles > 0 {
            warn(
                "warning: could not read \(summary.unreadableFiles) file\(summary.unreadableFiles == 1 ? "" : "s") "
                    + "of ready/ (listed above); they stay there and the next run tries them again")
        }
        if summary.unreadableLines > 0 {
            warn(
                "warning: skipped \(summary.unreadableLines) unreadable line\(summary.unreadableLines == 1 ? "" : "s") "
                    + "(torn or not JSON; listed above)")
        }
        if !summary.refusedSources.isEmpty {
            let names = summary.refusedSources.map { "`\($0)`" }.joined(separator: ", ")
            warn(
                "the sink refused event source\(summary.refusedSources.count == 1 ? "" : "s") \(names): their events are "
                    + "in rejected/; fix the source at the sink (Tracardi: an enabled event source of type REST with that "
                    + "id), then run again with --retry-rejected")
        }
        if state.stoppedEarly && failure == nil {
            output.line(
                "stopped after --max-seconds \(Self.format(options.maxSeconds ?? 0)); "
                    + "\(state.filesLeft) file\(state.filesLeft == 1 ? "" : "s") left for the next run")
        }
        if options.retryRejected && !options.quiet {
            output.line("sent \(summary.retried) event\(summary.retried == 1 ? "" : "s") from rejected/ again")
        }
        output.line(summary.line)
        let code =
            failure?.exitCode
            ?? (summary.refusedSources.isEmpty && summary.unreadableFiles == 0 ? .success : .failure)
        do {
            try ImportRecord.save(
                in: spool, code: code, summary: summary,
                nowMilliseconds: SpoolClock.nowMilliseconds())
        } catch {
            warn("warning: cannot record the run for redirectctl status: \(error)")
        }
        return (code, summary)
    }

    // MARK: - Shipping

    /// Counters and progress of a run.
    struct RunState {
        var summary = ImportSummary()
        var progress: ImportProgress?
        var stoppedEarly = false
        var filesLeft = 0
        /// Refusals held back while the sink has accepted nothing.
        var refusals = RefusalGuard()
        /// The move of the last finished file out of `ready/`, running while the next file's first batch is sent.
        var retiring: Task<Result<Void, ImportError>, Never>?
        /// Names in the spool left alone and already reported, so each is reported once a run.
        var unsafeReported: Set<String> = []

        /// Reports each name of `entries` not reported yet in this run, and counts it.
        mutating func noteUnsafe(_ entries: [SpoolDirectory.UnsafeEntry], importer: ClickImporter) {
            for entry in entries where unsafeReported.insert(entry.path).inserted {
                importer.warn("warning: \(entry)")
                summary.unsafeEntries += 1
            }
        }

        /// Waits for the move of the last finished file. Called before the next checkpoint: once a checkpoint
        /// names another file, the finished one must be out of `ready/` for good, or a power loss could bring
        /// it back to be shipped again.
        mutating func settleRetiring() async throws(ImportError) {
            guard let task = retiring else { return }
            retiring = nil
            if case .failure(let error) = await task.value { throw error }
        }
    }

    /// Events read for one request round, and how far into the file they reach.
    struct Batch: Sendable {
        var records: [SpoolRecord] = []
        var bytes = 0
        /// Offset after the batch's last line (and any lines skipped after it): the checkpoint once acknowledged.
        var endOffset: Int64 = 0
        var startOffset: Int64 = 0
        var atEndOfFile = false
        var bots = 0
        var orphans = 0
        /// Bot and orphan events left out, kept in `skipped/` before the checkpoint passes them.
        var skipped: [SpoolRecord] = []
    }

    /// Ships the files of `ready/`, oldest first, from the checkpoint on. Under `--dry-run` the sender sends
    /// nothing and the spool is left as it is: no checkpoint, nothing moved or written.
    private func shipReadyFiles(
        sink: any ClickSink, sender: any BatchSender, layout: SpoolLayout,
        deadline: ContinuousClock.Instant?, state: inout RunState
    ) async throws(ImportError) {
        let spool = try ImportFiles.spool(layout)
        let (files, unsafe) = try ImportFiles.readyFiles(layout)
        state.noteUnsafe(unsafe, importer: self)
        let checkpoint = try ImportCheckpoint.load(in: spool)
        func resumeOffset(_ file: ImportFiles.ReadyFile) -> Int64 {
            guard let checkpoint, checkpoint.file == file.name, checkpoint.inode == file.inode,
                checkpoint.offset <= file.size
            else { return 0 }
            return checkpoint.offset
        }
        let total = files.reduce(Int64(0)) { $0 + $1.size - resumeOffset($1) }
        let progress = ImportProgress(output: output, quiet: options.quiet || options.dryRun, totalBytes: total)
        state.progress = progress

        for (index, file) in files.enumerated() {
            if let deadline, ContinuousClock.now >= deadline {
                state.stoppedEarly = true
                state.filesLeft = files.count - index
                return
            }
            let reader: SpoolReader
            do {
                let descriptor = try ImportFiles.openReady(file, layout: layout)
                do throws(SpoolError) {
                    reader = try SpoolReader(descriptor: descriptor, path: file.path, offset: resumeOffset(file))
                } catch {
                    throw ImportError.spool(error)
                }
            } catch {
                // One file that cannot be opened (unreadable, replaced) holds up no other: it stays in ready/, the
                // run goes on with the next and exits 1, and the next run tries it again.
                warn("warning: skipped \(file.name): \(error)")
                state.summary.unreadableFiles += 1
                continue
            }
            var reported = 0
            var fileEvents = 0
            var fileRejected = 0
            var fileBots = 0
            var pending: Batch? = try readBatch(reader, reported: &reported, state: &state)
            while let batch = pending {
                if batch.records.isEmpty {
                    // Only at the end of the file: the rest was filtered out or unreadable; nothing to send.
                    try keepSkipped(batch.skipped, file: file.name, layout: layout)
                    fileBots += batch.bots
                    state.summary.botsSkipped += batch.bots
                    state.summary.orphansSkipped += batch.orphans
                    progress.advance(bytes: batch.endOffset - batch.startOffset, events: 0)
                    break
                }
                if let deadline, ContinuousClock.now >= deadline {
                    state.stoppedEarly = true
                    state.filesLeft = files.count - index
                    return
                }
                async let shipping = sender.send(batch.records, to: sink, deadline: deadline)
                // Read the next batch while this one is on the wire.
                var next: Result<Batch?, ImportError> = .success(nil)
                if !batch.atEndOfFile {
                    do {
                        next = .success(try readBatch(reader, reported: &reported, state: &state))
                    } catch {
                        next = .failure(error)
                    }
                }
                let rejections: [SinkRejection]
                switch await shipping {
                case .success(let value): rejections = value
                case .failure(let error): throw state.refusals.stopping(on: error, records: batch.records.count)
                }
                let rejectedCount = try setAside(
                    rejections, of: batch.records, file: file.name, sink: sink,
                    layout: layout, state: &state)
                try keepSkipped(batch.skipped, file: file.name, layout: layout)
                try await state.settleRetiring()
                if !options.dryRun && !state.refusals.isHolding {
                    try ImportCheckpoint(file: file.name, inode: file.inode, offset: batch.endOffset)
                        .save(in: spool)
                }

                let shippedCount = batch.records.count - rejectedCount
                fileEvents += shippedCount
                fileRejected += rejectedCount
                fileBots += batch.bots
                state.summary.events += shippedCount
                state.summary.botsSkipped += batch.bots
                state.summary.orphansSkipped += batch.orphans
                progress.advance(bytes: batch.endOffset - batch.startOffset, events: shippedCount)
                switch next {
                case .success(let value): pending = value
                case .failure(let error): throw error
                }
            }
            try await state.settleRetiring()
            let finished = RefusalGuard.FinishedFile(
                file: file, events: fileEvents, rejected: fileRejected, bots: fileBots)
            guard state.refusals.mayRetire(finished) else { continue }
            if !options.dryRun {
                let delete = options.deleteShipped
                state.retiring = Task {
                    Result { () throws(ImportError) in try ImportFiles.retire(file, layout: layout, delete: delete) }
                }
            }
            state.summary.files += 1
            progress.fileShipped(file.name, events: fileEvents, rejected: fileRejected, bots: fileBots)
        }
    }

    /// The next batch of `reader`, with unreadable lines reported as they are met.
    private func readBatch(_ reader: SpoolReader, reported: inout Int, state: inout RunState) throws(ImportError)
        -> Batch
    {
        var batch = Batch()
        batch.startOffset = reader.offset
        let size = max(1, options.batchSize)
        while batch.records.count < size && batch.bytes < options.maxBatchBytes {
            let record: SpoolRecord?
            do {
                record = try reader.next()
            } catch {
                throw .spool(error)
            }
            guard let record else {
                batch.atEndOfFile = true
                break
            }
            if excludes(record) {
                batch.bots += 1
                batch.skipped.append(record)
                continue
            }
            if !options.includeOrphans && record.outcome == "not-found" {
                batch.orphans += 1
                batch.skipped.append(record)
                continue
            }
            batch.bytes += record.line.count
            batch.records.append(record)
        }
        batch.endOffset = reader.offset
        while reported < reader.skipped.count {
            warn("warning: \(reader.skipped[reported])")
            reported += 1
            state.summary.unreadableLines += 1
        }
        return batch
    }

    /// Whether `record` is a bot event of a category this run leaves out.
    func excludes(_ record: SpoolRecord) -> Bool {
        let excluded = options.excludedBotCategories
        guard record.bot != nil, !excluded.isEmpty else { return false }
        if excluded.count == BotCategory.allCases.count { return true }
        let category = BotCategory.of(bot: record.bot, category: record.botCategory, method: nil, userAgent: nil)
        return category.map(excluded.contains) ?? true
    }

    /// Keeps bot and orphan events left out of a batch in `skipped/<file>`, as the lines they were, so that nothing the
    /// responder recorded is lost even under `--delete`.
    func keepSkipped(_ records: [SpoolRecord], file: String, layout: SpoolLayout) throws(ImportError) {
        guard !records.isEmpty, !options.dryRun,
            let directory = try ImportFiles.subdirectory(.skipped, of: layout, create: true)
        else { return }
        var bytes: [UInt8] = []
        for record in records { bytes.append(contentsOf: record.line) }
        try ImportFiles.appendSynced(bytes, to: file, in: directory)
    }

    /// Writes rejected events to `rejected/`, or holds them back while the sink has accepted nothing
    /// (`RefusalGuard`); returns how many events of `records` they are.
    func setAside(
        _ rejections: [SinkRejection], of records: [SpoolRecord], file: String, sink: any ClickSink,
        layout: SpoolLayout, state: inout RunState
    ) throws(ImportError) -> Int {
        let entries = rejections.isEmpty ? [] : Self.rejected(records, by: rejections)
        let action = state.refusals.admit(entries, acceptedCount: records.count - entries.count, file: file)
        try perform(action, sink: sink, layout: layout, state: &state)
        return entries.count
    }

    /// Carries out what the refusal guard decided: refusals to `rejected/` (on disk before any checkpoint passes
    /// them), then the files that waited for them moved out of `ready/`; each counted once done.
    func perform(
        _ action: RefusalGuard.Action, sink: any ClickSink, layout: SpoolLayout, state: inout RunState
    ) throws(ImportError) {
        switch action {
        case .stop(let error):
            throw error
        case .hold:
            return
        case .setAside(let refusals, let files):
            state.summary.rejected += refusals.reduce(0) { $0 + $1.entries.count }
            guard !options.dryRun else { return }
            for refused in refusals where !refused.entries.isEmpty {
                let entries = refused.entries
                for entry in entries { state.summary.noteRefusedSource(of: entry.rejection) }
                let path = try RejectedEventLog.append(entries, file: refused.file, sink: sink.name, layout: layout)
                let first = entries[0].rejection
                let status = first.status.map { " (HTTP \($0))" } ?? ""
                let count = "\(entries.count) event\(entries.count == 1 ? "" : "s")"
                warn(
                    "warning: the sink rejected \(count) of \(refused.file), kept in \(path)\(status): \(first.reason)")
            }
            for finished in files {
                try ImportFiles.retire(finished.file, layout: layout, delete: options.deleteShipped)
                state.summary.files += 1
                state.progress?.fileShipped(
                    finished.file.name, events: finished.events, rejected: finished.rejected,
                    bots: finished.bots)
            }
        }
    }

    /// The records that `rejections` name, in record order, each with the first rejection naming it.
    static func rejected(_ records: [SpoolRecord], by rejections: [SinkRejection])
        -> [(record: SpoolRecord, rejection: SinkRejection)]
    {
        var reasons: [String: SinkRejection] = [:]
        for rejection in rejections where reasons[rejection.id] == nil { reasons[rejection.id] = rejection }
        return records.compactMap { record in reasons[record.id].map { (record, $0) } }
    }

    // MARK: - Dry run

    /// Reads what a run would ship and builds its requests, sending nothing and changing nothing: no lock, no
    /// sealing, no checkpoint. The same loop as a run, with a sender that only counts.
    private func dryRun(sink: any ClickSink, layout: SpoolLayout, started: ContinuousClock.Instant) async
        -> (code: ImportExitCode, summary: ImportSummary)
    {
        let sender = DryRunSender()
        var state = RunState()
        do {
            try await shipReadyFiles(sink: sink, sender: sender, layout: layout, deadline: nil, state: &state)
        } catch {
            warn("\(error)")
            return (error.exitCode, state.summary)
        }
        let unsealed = (try? SpoolDirectoryListing.names(in: layout.currentDirectory).count) ?? 0
        state.summary.seconds = Self.seconds(since: started)
        let s = state.summary
        let sent = sender.requests
        output.line(
            "dry run: would ship \(s.events) events from \(s.files) files in \(sent.count) requests "
                + "(\(s.rejected) not sendable, \(s.botsSkipped) bots skipped, \(s.orphansSkipped) orphans "
                + "skipped, \(s.unreadableLines) unreadable lines); \(unsealed) files in current/ not sealed yet")
        if let first = sent.first {
            output.line(
                "dry run: first request: POST \(first.url) (\(first.contentType), "
                    + "\(first.body.count) bytes, \(first.eventIDs.count) events)")
        }
        return (.success, s)
    }

    // MARK: - Helpers

    private func makeSink() throws(ImportError) -> any ClickSink {
        switch options.sink {
        case .tracardi(let base):
            try Self.checkURL(base, flag: "--tracardi")
            if options.gzip {
                throw .badOption("--gzip: Tracardi does not accept compressed request bodies; use it with --ndjson")
            }
            guard let header = HTTPHeaderField(parsing: options.forwardedIPHeader + ": x") else {
                throw .badOption("--forwarded-ip-header \(options.forwardedIPHeader): not a header name")
            }
            return TracardiSink(baseURL: base, defaultSource: options.tracardiSource, forwardedIPHeader: header.name)
        case .ndjson(let url):
            try Self.checkURL(url, flag: "--ndjson")
            if options.gzip && !GzipEncoder.isAvailable {
                throw .badOption("--gzip: zlib (libz.so.1) was not found on this system")
            }
            return NDJSONSink(url: url)
        case .clickhouse(let url, let table):
            try Self.checkURL(url, flag: "--clickhouse")
            guard ClickHouseSchema.isValidTableName(table) else {
                throw .badOption("--table \(table): a table name is letters, digits and _, optionally database.table")
            }
            return ClickHouseSink(url: url, table: table)
        }
    }

    /// An absolute http(s) URL with a host; anything else is a misconfiguration found before any work.
    static func checkURL(_ url: String, flag: String) throws(ImportError) {
        let lower = url.lowercased()
        let rest: Substring
        if lower.hasPrefix("http://") {
            rest = url.dropFirst(7)
        } else if lower.hasPrefix("https://") {
            rest = url.dropFirst(8)
        } else {
            throw .badOption("\(flag) \(url): not an http:// or https:// URL")
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@").last.map { $0.prefix { $0 != ":" || $0 == "[" } } ?? ""
        guard !host.isEmpty, !url.contains(where: { $0 == " " || $0 == "\n" || $0 == "\r" }) else {
            throw .badOption("\(flag) \(url): the URL has no host")
        }
    }

    /// Prints a warning or error; what it quotes from outside (file names, the sink's words) is escaped here, so
    /// no warning can forge a line or reach the terminal with a control sequence.
    func warn(_ message: String) {
        output.warning(("redirectctl import: " + message).escapingControlCharacters)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
