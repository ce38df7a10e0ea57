import Foundation
import TestSupport
import Testing

@testable import BotDetection

/// The test data `scripts/update-bot-patterns` writes next to the generated tables.
enum BotPatternData {
    static let directory = String(#filePath).components(separatedBy: "/Tests/")[0] + "/Tests/BotPatternData/"

    /// Lines of a data file, without comments.
    static func lines(_ name: String) throws -> [String] {
        try String(contentsOfFile: directory + name, encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }

    /// Every example instance of the crawler-user-agents list: (the list's pattern, the instance).
    static func listInstances() throws -> [(pattern: String, instance: String)] {
        try lines("crawler-user-agents.tsv").map { line in
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            return (String(fields[1]), String(fields[2]))
        }
    }

    /// fake-useragent's browser user agents.
    static func browsers() throws -> [String] { try lines("browsers.txt") }

    /// The people's browsers of Matomo Device Detector's fixtures (device-detector 6.5.1): old and new phones,
    /// feature phones, tablets, TVs, consoles, cars, e-readers, in-app web views.
    static func deviceDetectorBrowsers() throws -> [String] { try lines("device-detector-browsers.txt") }

    /// The list's patterns that `scripts/bot-patterns/own-patterns.tsv` drops (its `drop` rows, with the reasons).
    static func droppedListPatterns() throws -> Set<String> {
        let own = directory.replacingOccurrences(of: "/Tests/BotPatternData/", with: "/scripts/bot-patterns/")
        let text = try String(contentsOfFile: own + "own-patterns.tsv", encoding: .utf8)
        return Set(
            text.split(separator: "\n").compactMap { line in
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                return fields.count == 2 && fields[0] == "drop" ? String(fields[1]) : nil
            })
    }
}

@Suite struct BotClassifierTests {
    static let userAgents: [(String, String, BotCategory)] = [
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "slack-preview", .preview),
        ("Slack-ImgProxy (+https://api.slack.com/robots)", "slack-preview", .preview),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "facebook-preview", .preview),
        ("meta-externalagent/1.1", "facebook-preview", .preview),
        ("Twitterbot/1.0", "twitter-preview", .preview),
        ("TelegramBot (like TwitterBot)", "telegram-preview", .preview),
        (
            "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", "linkedin-preview",
            .preview
        ),
        ("WhatsApp/2.23.20.0", "whatsapp-preview", .preview),
        ("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "discord-preview", .preview),
        ("Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5", "skype-preview", .preview),
        (
            "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b", "bing-preview",
            .preview
        ),
        ("Iframely/1.3.1", "iframely-preview", .preview),
        ("Mattermost-Bot/1.1", "mattermost-preview", .preview),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "googlebot", .crawler),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "bingbot", .crawler),
        ("AdsBot-Google (+http://www.google.com/adsbot.html)", "adsbot-google", .crawler),
        ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "ahrefsbot", .crawler),
        (
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
            "gptbot", .ai
        ),
        ("Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", "uptimerobot", .monitor),
        ("Feedly/1.0 (+http://www.feedly.com/fetcher.html; like FeedFetcher-Google)", "feedly", .feed),
        ("Barracuda Sentinel (EE)", "barracuda-scanner", .scanner),
        ("Proofpoint URL Defense", "proofpoint-scanner", .scanner),
        ("Mimecast URL Protect", "mimecast-scanner", .scanner),
        ("curl/7.88.1", "curl", .library),
        ("Wget/1.21.3", "wget", .library),
        ("python-requests/2.31.0", "python-requests", .library),
        ("Python-urllib/3.11", "python-urllib", .library),
        ("Go-http-client/1.1", "go-http-client", .library),
        ("Java/17.0.2", "java", .library),
        ("okhttp/4.12.0", "okhttp", .library),
        ("axios/1.6.2", "axios", .library),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0.0.0 Safari/537.36",
            "headless-browser", .library
        ),
        // Generic words catch agents no list has seen.
        ("SomeNewBot/1.0", "bot", .crawler),
        ("Example-Crawler 2.0", "crawler", .crawler),
        ("Mozilla/5.0 (compatible; Acme site checker; +https://acme.example/about)", "checker", .monitor),
        ("Mozilla/5.0 (compatible; Acme/2.1; +https://acme.example/about)", "agent-with-url", .crawler),
        ("Ruby", "ruby", .library),
        ("rest-client/2.1.0 (linux-gnu x86_64) ruby/3.0.2p107", "ruby", .library),
        ("Mozilla/5.0 (compatible; FooBot; +https://foo.example/bot)", "bot", .crawler),
        ("Mozilla/5.0 (X11; Linux x86_64) Chrome/117.0.0.0 Safari/537.36 Acme-Webhook/1.0", "webhook", .library),
    ]

    @Test(arguments: userAgents)
    func knownAgents(userAgent: String, label: String, category: BotCategory) {
        let expected = BotMatch(label: label, category: category)
        #expect(BotClassifier.classify(method: "GET", userAgent: userAgent) == expected)
    }

    @Test(arguments: [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
        "Mozilla/5.0 (Linux; Android 12; CUBOT X50) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0.0.33.117;FBBV/556277964;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.1;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]",
        "Mozilla/5.0 (Linux; Android 13; SM-S911B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36 Instagram 309.1.0.41.113 Android",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    ])
    func browsersAreNotBots(userAgent: String) {
        #expect(BotClassifier.classify(method: "GET", userAgent: "\"" + userAgent + "\"") == nil)
        #expect(BotClassifier.classify(method: "GET", userAgent: userAgent) == nil)
    }

    /// People whose agents matched no pattern but were flagged for not starting like a desktop browser's, or
    /// matched a crawler's word inside a device model or build id: feature phones, old Android, UC Browser, in-app
    /// HTTP stacks, device names. None is a bot.
    @Test(arguments: [
        "UCWEB/2.0 (MIDP-2.0; U; Adr 2.3.4; ru; JXD_S601WIFI) U2/1.0.0 UCBrowser/9.9.1.554 U2/1.0.0 Mobile",
        "UCWEB/2.0(Linux; U; Opera Mini/7.1.32052/30.3697; en-US; HM NOTE 1S Build/KTU84P) U2/1.0.0 UCBrowser/10.5.2.582 Mobile",
        "SAMSUNG-GT-C3262 Opera/9.80 (J2ME/MIDP; Opera Mini/7.0.30281/34.1000; U; en) Presto/2.8.119 Version/11.10",
        "SonyEricssonP910i/R3A SEMC-Browser/Symbian/3.0 Profile/MIDP-2.0 Configuration/CLDC-1.0",
        "BenQ-CF61/1.00/WAP2.0/MIDP2.0/CLDC1.0 UP.Browser/6.3.0.4.c.1.102 (GUI) MMP/2.0",
        "Mozilla/4.0 (Brew MP 1.0.4; U; en-us; Kyocera; NetFront/4.1/AMB) Sprint S2151-BST",
        "NGM_Coffee/ObigoInternetBrowser/QO3C Profile/MIDP2.0 Configuration/CLDC-1.1",
        "SAMSUNG-GT-S3850/S3850CXKD1 SHP/VPP/R5 Dolfin/2.0 NexPlayer/3.0 SMM-MMS/1.2.0 profile/MIDP-2.1 configuration/CLDC-1.1 OPN-B",
        "Mozilla/5.0 (Series40; Nokia306/03.63; Profile/MIDP-2.1 Configuration/CLDC-1.1) Gecko/20100401 S40OviBrowser/3.9.0.0.22",
        "Mozilla/5.0 (SymbianOS/9.2;U; Series60/5.0 SonyEricssonU1i/1.00;Profile/MIDP-2.1 Configuration/ CLDC-1.1)AppleWebKit/525 (KHTML, like Gecko) version/3.0Safari/525",
        "Mozilla/5.0 (Linux; U; Android 1.6; fr-fr; LG-GT540 ; Build/Donut) AppleWebKit/528.5+ (KHTML, like Gecko) Version/3.1.2 Mobile Safari/525.20.1 Java/Jbed/7.0 Profile/MIDP-2.1 Configuration/CLDC-1.1 MMS",
        "HTC_Touch_3G_T3232 Mozilla/4.0 (compatible; MSIE 6.0; Windows CE; IEMobile 7.11)",
        "Dalvik/2.1.0 (Linux; U; Android 10; Polestar Build/QA1A.210116.001)",
        "Safari/9537.73.11 CFNetwork/673.0.3 Darwin/13.0.0 (x86_64) (MacBookAir6%2C2)",
        "dv(iPh7,1);pr(UCBrowser/11.3.5.1203);ov(12_5_6);ss(414x736);bt(GJ);pm(0);bv(0);nm(0);im(0);nt(2);",
        "iPhone16ProMax",
        "AcmeSync 3.2 (Windows)",
        "Mozilla/5.0 (Linux; U; Android 4.3; en-US; ViewSonic A8+ Build/JLS36C) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 UCBrowser/11.0.5.892 U3/0.8.0 Mobile Safari/534.30",
        "Mozilla/5.0 (Linux; Android 15; CPH2581 Build/AP3A.240617.008; ) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/141.0.7390.122 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; U; Android 5.0.2; zh-cn; Redmi Note 2 Build/LRX22G) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30 SogouMSE,SogouMobileBrowser/3.8.5",
        "Mozilla/5.0 (Linux; Android 7.0; M bot 54) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.96 Mobile Safari/537.36",
        "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1; .NET CLR 2.0.50727; .NET CLR 3.0.04506.30; MALN)",
        "GOGGalaxyClient/2.0.20.39 (GOG Galaxy) 83b6745cff679691b69876bc7ee33e05e5d90bda (win7 x64)",
        "Mozilla/5.0 (Linux; Android 7.1.2; G011A Build/N2G48H; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/66.0.3359.158 Safari/537.36 Viber/11.9.5.8",
    ])
    func oldPhonesAppsAndDeviceNamesAreNotBots(userAgent: String) {
        #expect(BotClassifier.classify(method: "GET", userAgent: userAgent) == nil)
    }

    @Test func headAndMissingAgent() {
        let head = BotMatch(label: "head-request", category: .preview)
        let none = BotMatch(label: "no-user-agent", category: .other)
        #expect(BotClassifier.classify(method: "HEAD", userAgent: "Mozilla/5.0") == head)
        #expect(BotClassifier.classify(method: "GET", userAgent: nil) == none)
        #expect(BotClassifier.classify(method: "GET", userAgent: "") == none)
    }

    @Test func matchingIgnoresCase() {
        #expect(BotMatcher.match(userAgent: "MOZILLA/5.0 (COMPATIBLE; GOOGLEBOT/2.1)")?.label == "googlebot")
        #expect(BotMatcher.match(userAgent: "mozilla/5.0 (compatible; googlebot/2.1)")?.label == "googlebot")
    }

    @Test func anchorsAndClassesOfTheListHold() {
        // `^curl` in the list, `curl/` in ours; `AdsBot-Google([^-]|$)`; `[wW]get`.
        #expect(BotMatcher.match(userAgent: "curl")?.label == "curl")
        #expect(BotMatcher.match(userAgent: "AdsBot-Google")?.label == "adsbot-google")
        #expect(
            BotMatcher.match(userAgent: "AdsBot-Google-Mobile (+http://www.google.com/mobile/adsbot.html)")?.label
                != "adsbot-google")
        #expect(BotMatcher.match(userAgent: "BlogTraffic/1.23 Feed-Fetcher")?.category == .feed)
    }

    @Test func everyInstanceOfTheListIsFlagged() throws {
        let instances = try BotPatternData.listInstances()
        #expect(instances.count == 2123)
        // The dropped patterns (own-patterns.tsv says why) are build ids and browsers; two instances in all.
        let dropped = try BotPatternData.droppedListPatterns()
        #expect(dropped == [#"AP3A\.240617\.008"#, "Fluid"])
        let kept = instances.filter { !dropped.contains($0.pattern) }
        #expect(kept.count == 2121)
        var missed: [String] = []
        for (pattern, instance) in kept where BotMatcher.match(userAgent: instance) == nil {
            missed.append("\(pattern): \(instance)")
        }
        #expect(missed.isEmpty, "not flagged: \(missed)")
    }

    /// The broad set of people: at most 1 in 200 flagged, and every one flagged is named.
    @Test func browsersOfDeviceDetectorAreNotFlagged() throws {
        let browsers = try BotPatternData.deviceDetectorBrowsers()
        #expect(browsers.count > 30000)
        let flagged = browsers.compactMap { agent in
            BotMatcher.match(userAgent: agent).map { "\($0.label): \(agent)" }
        }
        #expect(
            flagged.count * 200 <= browsers.count,
            "\(flagged.count) of \(browsers.count) flagged:\n\(flagged.joined(separator: "\n"))")
        // What is flagged today, each for a reason of its own: an agent with a URL in it.
        #expect(flagged.count <= 1, "flagged:\n\(flagged.joined(separator: "\n"))")
    }

    @Test func browsersOfFakeUserAgentAreNotFlagged() throws {
        let browsers = try BotPatternData.browsers()
        #expect(browsers.count > 800)
        let flagged = browsers.compactMap { agent in
            BotMatcher.match(userAgent: agent).map { "\($0.label): \(agent)" }
        }
        // At most 0.1%.
        #expect(flagged.count * 1000 <= browsers.count, "flagged: \(flagged.prefix(20))")
    }

    @Test func everyRuleHasALabelAndTheListIsPinned() {
        #expect(BotMatcher.listVersion == "1.67.0")
        #expect(BotMatcher.ruleCount > 1500)
        for index in 0..<BotMatcher.ruleCount {
            let label = BotMatcher.rule(index).label
            #expect(
                !label.isEmpty && label.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") },
                "rule \(index): \(label)")
        }
    }
}

@Suite struct BotMatcherPropertyTests {
    /// Browser agents with pieces of crawler agents spliced in, case flipped, bytes changed or cut off: inputs
    /// that reach fragments, verifications, anchors and regex tokens, and their near misses.
    static func inputs(count: Int, seed: UInt64) throws -> [[UInt8]] {
        var random = SplitMix64(seed: seed)
        let browsers = try BotPatternData.browsers().map { Array($0.utf8) }
        let crawlers = try BotPatternData.listInstances().map { Array($0.instance.utf8) }
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 /;()+-._:@!".utf8)
        var result: [[UInt8]] = []
        for _ in 0..<count {
            var agent: [UInt8]
            switch random.next() % 4 {
            case 0: agent = browsers.randomElement(using: &random) ?? []
            case 1: agent = crawlers.randomElement(using: &random) ?? []
            case 2: agent = (0..<Int(random.next() % 40)).map { _ in alphabet.randomElement(using: &random) ?? 0 }
            default: agent = (0..<Int(random.next() % 30)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            }
            for _ in 0..<Int(random.next() % 4) {
                let donor = crawlers.randomElement(using: &random) ?? []
                guard !donor.isEmpty else { continue }
                let from = Int(random.next() % UInt64(donor.count))
                let length = min(donor.count - from, 1 + Int(random.next() % 24))
                let at = agent.isEmpty ? 0 : Int(random.next() % UInt64(agent.count + 1))
                agent.insert(contentsOf: donor[from..<from + length], at: at)
            }
            for _ in 0..<Int(random.next() % 4) where !agent.isEmpty {
                let at = Int(random.next() % UInt64(agent.count))
                switch random.next() % 4 {
                case 0: agent[at] ^= 0x20
                case 1: agent[at] = alphabet.randomElement(using: &random) ?? 0
                case 2: agent.remove(at: at)
                default: agent.removeSubrange(at...)
                }
            }
            result.append(agent)
        }
        return result
    }

    @Test func automatonAgreesWithTheReference() throws {
        var agreed = 0
        var flagged = 0
        for agent in try Self.inputs(count: 2000, seed: 13) {
            let fast = agent.withUnsafeBufferPointer { BotMatcher.firstRule($0) }
            let slow = agent.withUnsafeBufferPointer { BotMatcher.referenceRule($0) }
            #expect(fast == slow, "\(String(decoding: agent, as: UTF8.self))")
            if fast == slow { agreed += 1 }
            if slow != nil { flagged += 1 }
        }
        #expect(agreed == 2000)
        // The inputs reach both answers often enough to mean something.
        #expect(flagged > 400 && 2000 - flagged > 200)
    }

    @Test func stringAndBytesAgree() {
        let agent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
        #expect(BotMatcher.match(userAgent: agent) == BotMatcher.referenceMatch(userAgent: agent))
        #expect(BotMatcher.referenceMatch(userAgent: agent)?.label == "googlebot")
    }
}

@Suite struct BotCategoryTests {
    @Test func parsesACommaList() throws {
        #expect(try BotCategory.parseList("preview, scanner,,AI") == [.preview, .scanner, .ai])
        #expect(try BotCategory.parseList("") == [])
    }

    @Test func rejectsAnUnknownName() {
        #expect(throws: BotCategoryError(name: "robots")) { try BotCategory.parseList("crawler,robots") }
        #expect(BotCategoryError(name: "robots").description.contains("crawler, preview, monitor"))
    }
}
