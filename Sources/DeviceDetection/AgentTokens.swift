/// The tokens of a user agent that decide its device, found in one pass over its bytes.
///
/// A set of flags rather than positions: the decision (``DeviceClassifier``) only asks which tokens occur, and a
/// bit set keeps the scan free of allocations.
struct AgentTokens: OptionSet {
    let rawValue: UInt32

    /// `Android`, UC Browser's `Adr`.
    static let android = AgentTokens(rawValue: 1 << 0)
    /// `iPhone`, `iPod`, UC Browser's `iPh OS`: iOS on a phone.
    static let iPhone = AgentTokens(rawValue: 1 << 1)
    /// `iPad`.
    static let iPad = AgentTokens(rawValue: 1 << 2)
    /// `iOS` as a word of its own (apps' agents: `(iPhone15,3; iOS 17_4_1; ...)`, UC Browser's `(iOS; U; ...)`).
    static let iOS = AgentTokens(rawValue: 1 << 3)
    /// `Windows`, `Win64`, `Win32`, `WinNT`, `Win98`, `Win95`, `Win 9x`.
    static let windows = AgentTokens(rawValue: 1 << 4)
    /// `Windows Phone`, `Windows Mobile`, `Windows CE`, `IEMobile`, `WPDesktop`: Windows on a phone.
    static let windowsPhone = AgentTokens(rawValue: 1 << 5)
    /// `Macintosh`, `Mac OS X`, `Mac_PowerPC`, and a Mac app's `Darwin/20.6.0 (x86_64)` (an iOS app's
    /// `Darwin/23.4.0` names no architecture, and no system here).
    static let mac = AgentTokens(rawValue: 1 << 6)
    /// `CrOS`.
    static let chromeOS = AgentTokens(rawValue: 1 << 7)
    /// `Linux`.
    static let linux = AgentTokens(rawValue: 1 << 8)
    /// `X11`.
    static let x11 = AgentTokens(rawValue: 1 << 9)
    /// `Mobile` (`Mobile Safari`, `Mobile;`, `Mobile/15E148`, `Opera Mobi`, `Opera Mini`).
    static let mobile = AgentTokens(rawValue: 1 << 10)
    /// `Tablet`, except Windows' `Tablet PC`.
    static let tablet = AgentTokens(rawValue: 1 << 11)
    /// `Kindle`: Amazon's readers and early Fire tablets.
    static let kindle = AgentTokens(rawValue: 1 << 12)
    /// A system with no ``DeviceOS`` name: Tizen, KaiOS, BlackBerry, Symbian, webOS, the BSDs, Bada, BREW, ...
    static let otherSystem = AgentTokens(rawValue: 1 << 13)
    /// A phone by a token of its own: `Symbian`, `Series40`, `KAIOS`, `MIDP`, `J2ME`, `UP.Browser`, `WAP`,
    /// `MAUI`, `DoCoMo`, `Palm`, `Bada`, `BREW`, `MeeGo`, `Maemo`.
    static let phone = AgentTokens(rawValue: 1 << 14)
    /// A television, set-top box or games console: `TV` not followed by a letter (`SmartTV`, `SMART-TV`, `HbbTV`,
    /// `GoogleTV`, `Android TV`), Fire TV's `AFT` models, `BRAVIA`, `CrKey`, `Roku`, `AppleTV`, `tvOS`, `Web0S`, `Xbox`,
    /// `PlayStation`, `Nintendo`.
    static let screen = AgentTokens(rawValue: 1 << 15)
    /// `PlayBook`: BlackBerry's tablet.
    static let playBook = AgentTokens(rawValue: 1 << 16)
    /// `Silk`: Amazon's browser on Fire tablets (Fire OS, an Android) and Fire TV.
    static let silk = AgentTokens(rawValue: 1 << 17)
    /// `BlackBerry`, `BB10`: a phone, on BlackBerry's own system unless the agent also says `Android`.
    static let blackBerry = AgentTokens(rawValue: 1 << 18)
    /// `Dalvik`: the HTTP client of Android apps, not a browser; it does not follow the browsers' convention of
    /// `Mobile` on phones.
    static let dalvik = AgentTokens(rawValue: 1 << 19)
}
