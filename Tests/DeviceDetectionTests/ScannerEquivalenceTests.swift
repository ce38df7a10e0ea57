import Foundation
import TestSupport
import Testing

@testable import DeviceDetection

/// The word-at-a-time scanner finds exactly the tokens the byte-at-a-time one (`ReferenceScanner.swift`) found,
/// so every agent gets the same device as before.
@Suite struct ScannerEquivalenceTests {
    /// Every token the scanner knows, as the reference scanner spells it.
    static let tokens = [
        "Android", "AFTMM", "AFTm", "AppleTV", "Apple TV", "Adr ", "BlackBerry", "BB10", "Bada", "BREW", "BRAVIA",
        "CrOS", "CrKey", "Darwin/20.6.0 (x86_64)", "Darwin/23.4.0 (arm64)", "Darwin/1 (i386)", "Darwin/9 (PowerPC)",
        "Darwin/23.4.0", "Darwin/2 (x86)", "DoCoMo", "Dalvik", "FreeBSD", "IEMobile", "J2ME", "Kindle", "KAIOS",
        "KaiOS", "Linux", "Macintosh", "Mac OS X", "Mac_PowerPC", "Maemo", "Mobile", "MIDP", "MAUI", "MeeGo",
        "NetBSD", "Nintendo", "OpenBSD", "Opera Mini", "Opera Mobi", "PlayBook", "PlayStation", "Palm", "Roku", "Silk",
        "Symbian", "SymbOS", "Series40", "Series60", "SunOS", "TV", "TVs", "Tablet", "Tablet PC", "Tizen",
        "UP.Browser", "Windows", "Windows Phone", "Windows Mobile", "Windows CE", "Win64", "Win32", "WinNT", "Win98",
        "Win95", "Win 9x", "WPDesktop", "WAP", "Web0S", "X11", "Xbox", "XBOX", "iPhone", "iPh OS", "iPod", "iPad",
        "iOS", "tvOS", "webOS",
    ]

    /// The reference's answer for `agent`: its tokens and the device they make.
    static func reference(_ agent: UnsafeBufferPointer<UInt8>) -> (AgentTokens, Device) {
        let tokens = AgentTokens(referenceScanning: agent)
        return (tokens, DeviceClassifier.decide(tokens))
    }

    /// Each token alone, between other bytes (letters, capitals, the lower-case starts of `iOS`, `tvOS` and
    /// `webOS`, punctuation, bytes beyond ASCII) and cut at every length, at every place in a word.
    @Test func everyTokenInEveryContext() {
        let befores = [
            "", " ", "(", "a", "Z", "i", "ti", "tv", "we", "web", "x i", "-", "\u{e9}", "Mozilla/5.0 (X11; ",
        ]
        let afters = [
            "", " ", ";", "a", "Z", "S", " PC", ")", "/1.0", "\u{e9}", " AppleWebKit/537.36 (KHTML, like Gecko)",
        ]
        var compared = 0
        for token in Self.tokens {
            let bytes = Array(token.utf8)
            for cut in 1...bytes.count {
                let piece = String(decoding: bytes[..<cut], as: UTF8.self)
                for before in befores {
                    for after in afters {
                        let agent = Array((before + piece + after).utf8)
                        agent.withUnsafeBufferPointer { agent in
                            let (tokens, device) = Self.reference(agent)
                            #expect(AgentTokens(scanning: agent) == tokens, "\(before + piece + after)")
                            #expect(DeviceClassifier.classify(agent) == device)
                        }
                        compared += 1
                    }
                }
            }
        }
        #expect(compared > 50_000)
    }

    /// Every agent of the two corpora (36,000 real agents), whole and cut at each of the nine lengths before its
    /// end (so that each of its bytes is once among the last ones, which the scan reads apart).
    @Test func everyAgentOfTheCorpora() throws {
        var agents = 0
        for path in OracleAgreementTests.corpora {
            let text = try String(
                contentsOf: BuiltProducts.repositoryRoot.appendingPathComponent(path), encoding: .utf8)
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let bytes = Array(line.utf8)
                agents += 1
                bytes.withUnsafeBufferPointer { whole in
                    for length in max(0, whole.count - 9)...whole.count {
                        let agent = UnsafeBufferPointer(rebasing: whole[..<length])
                        let (tokens, device) = Self.reference(agent)
                        #expect(AgentTokens(scanning: agent) == tokens, "\(length) bytes of \(line)")
                        #expect(DeviceClassifier.classify(agent) == device, "\(length) bytes of \(line)")
                    }
                }
            }
        }
        #expect(agents > 30_000)
    }

    /// Random agents made of the tokens' pieces, spaces and punctuation: places the corpora do not cover.
    @Test func randomAgentsOfTokenPieces() {
        var random = SplitMix64(seed: 0xDE71_CE5E_ED00_0001)
        let pieces = Self.tokens + [" ", "(", ";", "/", "i", "t", "w", "e", "b", "v", "P", "O", "S", "C", "\u{e9}"]
        for _ in 0..<20_000 {
            var agent = ""
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                let piece = Array(pieces.randomElement(using: &random)!.utf8)
                let cut = Int.random(in: 1...piece.count, using: &random)
                agent += String(decoding: piece[..<(Bool.random(using: &random) ? piece.count : cut)], as: UTF8.self)
            }
            let bytes = Array(agent.utf8)
            bytes.withUnsafeBufferPointer { bytes in
                let (tokens, device) = Self.reference(bytes)
                #expect(AgentTokens(scanning: bytes) == tokens, "\(agent)")
                #expect(DeviceClassifier.classify(bytes) == device, "\(agent)")
            }
        }
    }

    /// The hash that lets a capital through to the search of the tokens lets through the first two bytes of
    /// every token.
    @Test func thePairFilterPassesEveryTokensPair() {
        for pair in AgentTokens.pairs {
            let bytes = Array(pair.utf8)
            #expect(AgentTokens.mayStartToken(UInt32(bytes[0]) | UInt32(bytes[1]) << 8), "\(pair)")
        }
        // ... and so every pair a token of the table starts with at its capital.
        for token in Self.tokens {
            let bytes = Array(token.utf8)
            guard let capital = bytes.firstIndex(where: { $0 >= 65 && $0 <= 90 }), capital + 1 < bytes.count else {
                continue
            }
            #expect(
                AgentTokens.pairs.contains(String(decoding: bytes[capital...capital + 1], as: UTF8.self)), "\(token)")
        }
    }
}
