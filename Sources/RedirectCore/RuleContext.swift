import CountryCodes
import DeviceDetection
import Timestamps

/// What rules are matched against: the facts of one click, each already reduced to the form rules name.
///
/// Every field is a small value (the query is the one the click already parsed), so making a context and
/// evaluating a redirect with it allocates nothing.
public struct RuleContext: Sendable {
    /// The visitor's operating system, when the user agent names one.
    public var device: DeviceOS?
    public var form: FormFactor?
    /// The primary subtag of the visitor's first-choice language (``AcceptLanguage/firstChoice(bytes:)``).
    public var language: PrimaryLanguage?
    public var country: CountryCode?
    /// The click's query, percent-decoded.
    public var query: QueryString
    /// The time of the click.
    public var now: Timestamp
    /// Whether the click's event is flagged as a bot.
    public var isBot: Bool
    /// Chooses among variants (``SplitDraw/forClick(_:linkID:session:honorsPrivacySignal:random:)``).
    public var draw: SplitDraw

    public init(
        device: DeviceOS? = nil, form: FormFactor? = nil, language: PrimaryLanguage? = nil,
        country: CountryCode? = nil, query: QueryString = QueryString(), now: Timestamp, isBot: Bool = false,
        draw: SplitDraw
    ) {
        self.device = device
        self.form = form
        self.language = language
        self.country = country
        self.query = query
        self.now = now
        self.isBot = isBot
        self.draw = draw
    }

    /// The context of a click as ``ClickDecider`` has it: the first-choice language read from the request's
    /// `Accept-Language` in place, and the draw from the session, the privacy signal and `random`
    /// (``SplitDraw/forClick(_:linkID:session:honorsPrivacySignal:random:)``).
    public static func forClick(
        _ request: ClickRequest, linkID: String, session: String?, honorsPrivacySignal: Bool, random: UInt64,
        device: DeviceOS?, form: FormFactor?, country: CountryCode?, query: QueryString, now: Timestamp,
        isBot: Bool
    ) -> RuleContext {
        RuleContext(
            device: device, form: form, language: request.firstChoiceLanguage, country: country, query: query,
            now: now, isBot: isBot,
            draw: .forClick(
                request, linkID: linkID, session: session, honorsPrivacySignal: honorsPrivacySignal, random: random))
    }
}
