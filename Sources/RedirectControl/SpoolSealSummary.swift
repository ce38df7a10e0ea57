import ClickSpool

/// What one `redirectctl seal` pass did, in the words the command prints.
public struct SpoolSealSummary: Equatable, Sendable {
    public var sealed: Int
    public var busy: Int
    /// One message per failure, e.g. `cannot fsync /var/spool/clicks/current/…: Input/output error`.
    public var errors: [String]

    /// Seals every passed bucket of the spool in `directory` once (``SpoolSealer/sealPassed(nowMilliseconds:)``).
    public static func sealOnce(spoolDirectory directory: String, bucketSeconds: Int) -> SpoolSealSummary {
        let layout = SpoolLayout(directory: directory, bucketSeconds: bucketSeconds)
        let report = SpoolSealer(layout: layout, checkingOwner: true).sealPassed()
        return SpoolSealSummary(
            sealed: report.sealed.count, busy: report.busy,
            errors: report.errors.map(\.description) + report.unsafe.map(\.description))
    }

    /// `sealed 3 files (1 busy)`.
    public var summary: String {
        "sealed \(RedirectCheckReport.count(sealed, "file")) (\(busy) busy)"
    }
}
