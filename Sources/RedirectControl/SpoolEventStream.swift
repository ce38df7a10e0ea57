import ClickSpool

/// Every event line of one host's spool, file by file: `shipped/`, then `ready/`, then `current/`, each in name
/// (time) order. The one reader behind `redirectctl stats` and `redirectctl report`.
///
/// Lines are read as the importer reads them (`SpoolReader`, in chunks): one line at a time is in memory, never the
/// spool. Links, FIFOs, other users' files and other non-files are passed over, never followed or waited on.
public struct SpoolEventStream: Sendable {
    public let spool: String

    /// Lines seen by one pass.
    public struct Counts: Sendable, Equatable {
        /// Lines read, events and lines that are none.
        public var lines = 0
        /// Lines that are no event (torn by a crash, not JSON, no id), skipped.
        public var skipped = 0
    }

    public init(spool: String) {
        self.spool = spool
    }

    /// Calls `body` with each event line, in file order; throws when the spool cannot be read at all.
    @discardableResult
    public func readEvents(_ body: (SpoolRecord) -> Void) throws(SpoolError) -> Counts {
        var counts = Counts()
        let top = try SpoolDirectory.open(spool, create: false)
        for folder in [SpoolLayout.Folder.shipped, .ready, .current] {
            // A missing folder has no events; a file sealed away from current/ since the listing has none here.
            guard let directory = try? top.subdirectory(folder, create: false),
                let names = try? directory.list().files.map(\.name)
            else { continue }
            for name in names.sorted() {
                guard let file = try? directory.openFile(name, .read),
                    let reader = try? SpoolReader(descriptor: file, path: directory.path + "/" + name)
                else { continue }
                while let record = try reader.next() {
                    counts.lines += 1
                    body(record)
                }
                counts.lines += reader.skipped.count
                counts.skipped += reader.skipped.count
            }
        }
        return counts
    }
}
