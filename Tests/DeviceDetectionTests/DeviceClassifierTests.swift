import DeviceDetection
import Testing

/// One agent and the device a person reading it would name.
struct AgentCase: CustomTestStringConvertible, Sendable {
    var agent: String
    var os: DeviceOS?
    var form: FormFactor?
    var testDescription: String { "\(os?.rawValue ?? "nil")/\(form?.rawValue ?? "nil"): \(agent.prefix(70))" }

    init(_ agent: String, _ os: DeviceOS?, _ form: FormFactor?) {
        self.agent = agent
        self.os = os
        self.form = form
    }
}

@Suite struct DeviceClassifierTests {
    static let cases: [AgentCase] = [
        // Phones.
        AgentCase(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                + "Version/17.5 Mobile/15E148 Safari/604.1", .ios, .mobile),
        AgentCase(
            "Mozilla/5.0 (iPod touch; CPU iPhone OS 15_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                + "Version/15.6 Mobile/15E148 Safari/604.1", .ios, .mobile),
        AgentCase(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                + "Mobile/15E148 Instagram 330.0.3.21.91 (iPhone15,3; iOS 17_4_1; en_US; en; scale=3.00)", .ios, .mobile
        ),
        AgentCase(
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
                + "Mobile Safari/537.36", .android, .mobile),
        AgentCase(
            "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36", .android, .mobile),
        AgentCase("Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0", .android, .mobile),
        AgentCase(
            "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/460.0.0.48.109;]",
            .android, .mobile),
        AgentCase(
            "UCWEB/2.0 (Linux; U; Adr 2.3.5; en-US; Micromax_A36) U2/1.0.0 UCBrowser/8.2.0.242 U2/1.0.0 Mobile",
            .android, .mobile),
        AgentCase(
            "Mozilla/5.0 (Linux; Android 14; BlackBerry Key2) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Chrome/123.0.6345.223 Mobile Safari/537.36", .android, .mobile),
        // A crawler that sends a phone's agent is a phone here; bot flags are another question.
        AgentCase(
            "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Chrome/124.0.6367.201 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            .android, .mobile),
        // Windows Phone also says Android, iPhone and Mac OS X.
        AgentCase(
            "Mozilla/5.0 (Mobile; Windows Phone 8.1; Android 4.0; ARM; Trident/7.0; Touch; rv:11.0; IEMobile/11.0; "
                + "NOKIA; Lumia 635) like iPhone OS 7_0_3 Mac OS X AppleWebKit/537 (KHTML, like Gecko) Mobile Safari/537",
            .windows, .mobile),
        AgentCase(
            "Mozilla/5.0 (Mobile; LYF/F300B/LYF-F300B-001-01-15-130718-i; Android; rv:48.0) Gecko/48.0 Firefox/48.0 "
                + "KAIOS/2.5", nil, .mobile),
        AgentCase(
            "Mozilla/5.0 (BB10; Touch) AppleWebKit/537.35+ (KHTML, like Gecko) Version/10.3.3.2205 Mobile Safari/537.35+",
            nil, .mobile),
        AgentCase(
            "Mozilla/5.0 (SymbianOS/9.4; Series60/5.0 NokiaN97-1/12.0.024; Profile/MIDP-2.1 Configuration/CLDC-1.1; "
                + "en-us) AppleWebKit/525 (KHTML, like Gecko) BrowserNG/7.1.18124", nil, .mobile),
        AgentCase(
            "Opera/9.80 (J2ME/MIDP; Opera Mini/5.1.21214/28.2725; U; en) Presto/2.8.119 Version/11.10", nil, .mobile),
        // Tablets.
        AgentCase(
            "Mozilla/5.0 (iPad; CPU OS 18_3_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                + "EdgiOS/134.0.3124.95 Version/18.0 Mobile/15E148 Safari/604.1", .ios, .tablet),
        AgentCase(
            "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
                + "Safari/537.36", .android, .tablet),
        AgentCase("Mozilla/5.0 (Android 14; Tablet; rv:125.0) Gecko/125.0 Firefox/125.0", .android, .tablet),
        AgentCase(
            "Mozilla/5.0 (Linux; Android 10; HiPad X) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0.4240.198 "
                + "Safari/537.36", .android, .tablet),
        AgentCase(
            "Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/124.2.1 "
                + "like Chrome/124.0.6367.179 Safari/537.36", .android, .tablet),
        AgentCase(
            "Mozilla/5.0 (Linux; U; en-us; KFTT Build/IML74K) AppleWebKit/535.19 (KHTML, like Gecko) Silk/3.8 "
                + "Safari/535.19 Silk-Accelerated=true", .android, .tablet),
        AgentCase("Mozilla/4.0 (compatible; Linux 2.6.22) NetFront/3.4 Kindle/2.0 (screen 600x800)", nil, .tablet),
        AgentCase(
            "Mozilla/5.0 (PlayBook; U; RIM Tablet OS 2.1.0; en-US) AppleWebKit/536.2+ (KHTML, like Gecko) "
                + "Version/7.2.1.0 Safari/536.2+", nil, .tablet),
        // Desktops.
        AgentCase(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
                + "Safari/537.36 Edg/124.0.0.0", .windows, .desktop),
        AgentCase(
            "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1; WOW64; Trident/7.0; SLCC2; .NET CLR 2.0.50727; "
                + "Tablet PC 2.0)", .windows, .desktop),
        AgentCase("Mozilla/4.0 (compatible; MSIE 6.0; Windows 98)", .windows, .desktop),
        AgentCase(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
                + "Safari/537.36", .macos, .desktop),
        // iPadOS 13+ Safari asks for the desktop site with exactly a Mac's agent: no byte tells them apart.
        AgentCase(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
                + "Safari/605.1.15", .macos, .desktop),
        // ... except in an app's web view, which keeps `Mobile/15E148`: no Mac sends it.
        AgentCase(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3.1 "
                + "Mobile/15E148 Safari/604.1", .ios, .tablet),
        AgentCase("Podcasts/1.0 CFNetwork/1240.0.4 Darwin/20.6.0 (x86_64)", .macos, .desktop),
        AgentCase("Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", .linux, .desktop),
        AgentCase("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", .linux, .desktop),
        AgentCase(
            "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
                + "Safari/537.36", .chromeos, .desktop),
        // An Android app's HTTP client names the model only: a phone here, but it could as well be a tablet.
        AgentCase("Dalvik/2.1.0 (Linux; U; Android 9; SM-G960F Build/PPR1.180610.011)", .android, nil),
        AgentCase("Mozilla/5.0 (X11; FreeBSD amd64; rv:125.0) Gecko/20100101 Firefox/125.0", nil, .desktop),
        // Televisions and consoles: no form; the system when it is one of ours.
        AgentCase(
            "Mozilla/5.0 (Linux; Android 9; BRAVIA 4K UR2 Build/PTT1.190515.001.S52) AppleWebKit/537.36 "
                + "(KHTML, like Gecko) Chrome/116.0.0.0 Safari/537.36", .android, nil),
        AgentCase(
            "Mozilla/5.0 (Linux; Android 9; AFTMM Build/PS7233; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Version/4.0 Chrome/116.0.0.0 Safari/537.36", .android, nil),
        AgentCase("Dalvik/2.1.0 (Linux; U; Android 7.0; SHIELD Android TV Build/NRD90M)", .android, nil),
        AgentCase(
            "Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) 76.0.3809.146/6.0 "
                + "TV Safari/537.36", nil, nil),
        AgentCase(
            "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.79 "
                + "Safari/537.36 WebAppManager", nil, nil),
        AgentCase(
            "Mozilla/5.0 (X11; Linux armv7l) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0.5359.125 "
                + "Safari/537.36 CrKey/1.56.500000", nil, nil),
        AgentCase(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Chrome/124.0.0.0 Safari/537.36 Edge/44.18363.8131", .windows, nil),
        AgentCase(
            "Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0 "
                + "Safari/605.1.15", nil, nil),
        AgentCase(
            "Mozilla/5.0 (Nintendo Switch; WifiWebAuthApplet) AppleWebKit/606.4 (KHTML, like Gecko) NF/6.0.1.15.4 "
                + "NintendoBrowser/5.1.0.20393", nil, nil),
        AgentCase("Roku/DVP-9.10 (519.10E04111A)", nil, nil),
        // Apple TV says `like Mac OS X`, as iOS does.
        AgentCase("AppleCoreMedia/1.0.0.21L227 (Apple TV; U; CPU OS 17_4 like Mac OS X; en_us)", nil, nil),
        AgentCase("TVApp/17.4 (tvOS 17.4; AppleTV14,1)", nil, nil),
        // Palm's webOS phones; feature phones.
        AgentCase(
            "Mozilla/5.0 (webOS/2.2.4; U; en-US) AppleWebKit/534.6 (KHTML, like Gecko) webOSBrowser/221.56 Safari/534.6 "
                + "Pre/3.0", nil, nil),
        AgentCase("Samsung-SGH-A707/1.0 UP.Browser/6.2.3.3.c.1.101 (GUI) MMP/2.0", nil, .mobile),
        AgentCase("Nokia6300/2.0 (05.00) Profile/MIDP-2.0 Configuration/CLDC-1.1", nil, .mobile),
        // Nothing to tell: crawlers without a platform, tools, an iOS app's network stack, nothing at all.
        AgentCase("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", nil, nil),
        AgentCase("curl/8.5.0", nil, nil),
        AgentCase("MyApp/1 CFNetwork/1494.0.7 Darwin/23.4.0", nil, nil),
        AgentCase("", nil, nil),
    ]

    @Test(arguments: cases)
    func classifies(_ row: AgentCase) {
        #expect(DeviceClassifier.classify(row.agent) == Device(os: row.os, form: row.form))
    }

    @Test(arguments: cases)
    func byteAndStringEntriesAgree(_ row: AgentCase) {
        let bytes = Array(row.agent.utf8)
        let fromBytes = bytes.withUnsafeBufferPointer { DeviceClassifier.classify($0) }
        let fromRaw = bytes.withUnsafeBytes { DeviceClassifier.classify($0) }
        #expect(fromBytes == DeviceClassifier.classify(row.agent))
        #expect(fromRaw == fromBytes)
    }

    /// A header cut anywhere (inside `Android`, `Darwin/20.6.0 (x86_64`, ...) is read to its end and no further:
    /// the cut read inside the whole agent, where the bytes after the cut would complete a token, answers as the
    /// cut alone does.
    @Test func aCutAgentIsReadOnlyToItsEnd() {
        let agent = Array(
            ("Mozilla/5.0 (Mobile; Windows Phone 8.1; Android 4.0; iPad; Tablet PC; Darwin/20.6.0 (x86_64) SMART-TV "
                + "Macintosh Mac OS X KAIOS Silk/3 Kindle Adr AFTMM").utf8)
        agent.withUnsafeBufferPointer { whole in
            for length in 0...whole.count {
                let inside = DeviceClassifier.classify(UnsafeBufferPointer(rebasing: whole[..<length]))
                let alone = DeviceClassifier.classify(String(decoding: whole[..<length], as: UTF8.self))
                #expect(inside == alone, "cut at \(length)")
            }
        }
        #expect(
            DeviceClassifier.classify(UnsafeBufferPointer<UInt8>(start: nil, count: 0)) == Device(os: nil, form: nil))
    }
}
