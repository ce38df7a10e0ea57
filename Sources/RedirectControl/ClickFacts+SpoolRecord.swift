import CampaignReport
import ClickSpool

extension ClickFacts {
    /// The facts of a spool line; nil when it has no RFC 3339 `time` (the line is then skipped and counted).
    public init?(record: SpoolRecord) {
        guard
            let facts = record.line.dropLast().withUnsafeBufferPointer({ line -> ClickFacts? in
                ClickFacts(line: line)
            })
        else { return nil }
        self = facts
    }
}
