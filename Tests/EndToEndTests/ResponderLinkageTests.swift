import Foundation
import TestSupport
import Testing

/// What the responders load: in CGI mode every click is a new process, and loading Foundation or ICU costs more
/// than the click itself (issue 11), so `redirectd-cgi` must load neither. `redirectd` (FastCGI, started once)
/// may load FoundationEssentials, which swift-argument-parser brings, but not Foundation or ICU.
@Suite struct ResponderLinkageTests {
    /// The shared libraries `ldd` lists for `binary`, by file name.
    static func sharedLibraries(of binary: String) throws -> [String] {
        let run = try ProcessRun.run("/usr/bin/ldd", [binary])
        #expect(run.status == 0)
        return run.stdout.split(separator: "\n").compactMap { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init)
        }
    }

    static func isFoundation(_ library: String) -> Bool { library.hasPrefix("libFoundation") }
    static func isICU(_ library: String) -> Bool { library.hasPrefix("libicu") || library.contains("FoundationICU") }

    @Test func cgiResponderLoadsNoFoundationAndNoICU() throws {
        let libraries = try Self.sharedLibraries(of: RedirectStack.redirectdCGI)
        #expect(libraries.contains { $0.hasPrefix("libswiftCore") || $0.hasPrefix("libfcgi") })
        #expect(libraries.filter { Self.isFoundation($0) || Self.isICU($0) } == [])
    }

    @Test func fastCGIResponderLoadsNoFoundationBeyondEssentials() throws {
        let libraries = try Self.sharedLibraries(of: RedirectStack.redirectd)
        #expect(libraries.contains { $0.hasPrefix("libswiftCore") })
        let loaded = libraries.filter { Self.isFoundation($0) || Self.isICU($0) }
        #expect(loaded.allSatisfy { $0.hasPrefix("libFoundationEssentials") }, "\(loaded)")
    }

    /// The static build `scripts/test` makes with `scripts/build-cgi` (REDIRECTD_STATIC_CGI names it).
    static let staticCGI = ProcessInfo.processInfo.environment["REDIRECTD_STATIC_CGI"]

    /// A static build (scripts/build-cgi, as scripts/run-example --cgi uses) has nothing to `ldd`: its symbols
    /// must not name Foundation, FoundationEssentials or ICU. `scripts/test` builds it and names it in
    /// REDIRECTD_STATIC_CGI; a plain `swift test` has none to check.
    @Test(.enabled(if: staticCGI != nil, "scripts/test builds the static redirectd-cgi and names it"))
    func staticCGIResponderContainsNoFoundation() throws {
        let binary = try #require(Self.staticCGI)
        #expect(FileManager.default.isExecutableFile(atPath: binary), "\(binary) was not built")
        let symbols = try ProcessRun.run("/usr/bin/nm", ["--defined-only", binary]).stdout.split(separator: "\n")
        #expect(symbols.count > 1000)
        let foreign = symbols.filter {
            $0.contains("10Foundation") || $0.contains("20FoundationEssentials") || $0.contains("FoundationICU")
                || $0.contains("ucol_open") || $0.contains("ubrk_open")
        }
        #expect(foreign.prefix(5) == [], "\(foreign.count) Foundation or ICU symbols")
    }
}
