/// Why a report could not be built or written, as a person can act on it.
public struct CampaignReportError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
