/// What a redirect file answers with (`kind` in the file).
public enum RedirectKind: String, Sendable, CaseIterable {
    /// A link: the visitor is sent on to `url` (the default).
    case redirect
    /// An open pixel for mails: every request is answered with a 1×1 transparent GIF
    /// (``TransparentGIF``) and recorded with outcome `opened`. It has no target, so the keys that shape one
    /// (`url`, `status`, `forward_query`, `expired_url`, rules, variants) are refused in a pixel's file.
    case pixel

    /// The event type of a pixel's event when its file names none. The defaults' `event_type` is the clicks'
    /// and does not apply: an open counted as a click would inflate every click figure.
    public static let pixelEventType = "email-open"
}
