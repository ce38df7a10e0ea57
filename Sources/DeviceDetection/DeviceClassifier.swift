/// The operating system and form factor a user agent names, for redirect rules (`device = ["ios"]`,
/// `form = ["mobile"]`) and the click event's `device` and `form` fields.
///
/// One pass over the agent's bytes collects the tokens that matter (``AgentTokens``); a fixed order of questions
/// turns them into a ``Device``. What the agent claims is what counts: a crawler that sends a phone's agent is a
/// phone here (bot flags are a separate question), and an agent can be made to say anything.
///
/// Limits (docs/devices.md says more):
/// - iPadOS 13 and later send desktop Safari's agent by default (`Macintosh; Intel Mac OS X 10_15_7`), with no
///   token that tells an iPad from a Mac: those iPads are `macos`/`desktop`. Only a page's script (touch points)
///   can tell them apart. Apps' web views in desktop mode keep `Mobile/15E148`, which no Mac sends: `ios`/`tablet`.
/// - Televisions, set-top boxes and games consoles have no form factor (nil): a rule for `desktop` or `mobile`
///   should not catch a living-room screen. Their system is named when it is one of ``DeviceOS`` (Android TV and
///   Fire TV are `android`, an Xbox is `windows`, a television that says `Linux` is `linux`); TV platforms of
///   their own (Tizen, webOS, Roku, tvOS, Chromecast) have none.
/// - Android without `Mobile` is a tablet, as Chrome's own convention has it; an Android phone app's web view that
///   leaves `Mobile` out counts as a tablet too. Android apps' own HTTP client (`Dalvik/2.1.0 (Linux; U; Android
///   9; SM-G960F ...)`) follows no such convention: no form.
/// - Windows on a tablet or a touch laptop sends the desktop agent: `windows`/`desktop`.
public enum DeviceClassifier {
    /// The device `agent` (a User-Agent header's bytes) names.
    public static func classify(_ agent: UnsafeBufferPointer<UInt8>) -> Device {
        decide(AgentTokens(scanning: agent))
    }

    /// The device `agent` (a User-Agent header's bytes) names.
    public static func classify(_ agent: UnsafeRawBufferPointer) -> Device {
        classify(UnsafeBufferPointer(start: agent.baseAddress?.assumingMemoryBound(to: UInt8.self), count: agent.count))
    }

    /// The device `agent` names.
    public static func classify(_ agent: String) -> Device {
        var agent = agent
        return agent.withUTF8 { classify($0) }
    }

    /// The device the tokens name: the system first by the most specific token (Windows Phone agents also say
    /// `Android` and `iPhone`, iOS agents say `like Mac OS X`, Android agents say `Linux`), then the form.
    static func decide(_ tokens: AgentTokens) -> Device {
        // A Mac's agent that says `Mobile` (`Mobile/15E148`) is an iPad's desktop-mode agent in an app's web view:
        // macOS never sends it.
        if tokens.contains([.mac, .mobile]),
            tokens.isDisjoint(with: [.iPhone, .iPad, .iOS, .android, .windows, .windowsPhone, .linux, .otherSystem])
        {
            return Device(os: .ios, form: .tablet)
        }
        return Device(os: system(tokens), form: form(tokens))
    }

    /// Inlined, as ``form(_:)`` is: two calls cost a tenth of a classification once the scan got fast.
    @inline(__always)
    private static func system(_ tokens: AgentTokens) -> DeviceOS? {
        if tokens.contains(.windowsPhone) { return .windows }
        if tokens.contains(.otherSystem) { return nil }
        if !tokens.isDisjoint(with: [.iPhone, .iPad, .iOS]) { return .ios }
        if tokens.contains(.android) { return .android }
        if tokens.contains(.blackBerry) { return nil }
        if tokens.contains(.chromeOS) { return .chromeos }
        if tokens.contains(.windows) { return .windows }
        if tokens.contains(.mac) { return .macos }
        // Fire OS: Silk on a Fire tablet names no Android; a Kindle reader's Linux is not a desktop's.
        if tokens.contains(.silk) { return .android }
        if tokens.contains(.kindle) { return nil }
        if tokens.contains(.linux) { return .linux }
        return nil
    }

    @inline(__always)
    private static func form(_ tokens: AgentTokens) -> FormFactor? {
        // Feature phones' own tokens first: a model name such as `FLY_E141TV_PLUS` must not make one a television.
        if tokens.contains(.phone) { return .mobile }
        if tokens.contains(.screen) { return nil }
        if tokens.contains(.iPad) { return .tablet }
        if !tokens.isDisjoint(with: [.iPhone, .windowsPhone]) { return .mobile }
        if !tokens.isDisjoint(with: [.tablet, .kindle, .silk, .playBook]) { return .tablet }
        if tokens.contains(.blackBerry) { return .mobile }
        if tokens.contains(.android) {
            if tokens.contains(.mobile) { return .mobile }
            // An app's own HTTP client says no more than the model: phones and tablets look alike.
            return tokens.contains(.dalvik) ? nil : .tablet
        }
        if tokens.contains(.mobile) { return .mobile }
        if !tokens.isDisjoint(with: [.windows, .mac, .chromeOS]) { return .desktop }
        // X11 is a desktop's window system: Linux, the BSDs, Solaris.
        if tokens.contains(.x11) { return .desktop }
        return nil
    }
}
