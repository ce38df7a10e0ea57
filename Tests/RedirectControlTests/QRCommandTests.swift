import Foundation
import RedirectControl
import TestSupport
import Testing

/// The built `redirectctl qr` and `link --via qr`: every code it draws, read back by zxing-cpp (the tests' virtual
/// environment, `Resources/decode_qr.py`), holds exactly the text `link --via qr` prints.
@Suite struct QRCommandTests {
    /// The redirect ids the links name (their files exist in the test's directory).
    static let ids = ["welcome", "spring-sale"]

    /// Runs the built `redirectctl` with `arguments`, without `REDIRECTS_DIR` from the tests' environment.
    func redirectctl(_ arguments: [String]) throws -> ProcessRun {
        var environment = ProcessInfo.processInfo.environment
        environment["REDIRECTS_DIR"] = nil
        return try ProcessRun.run(RepositoryPaths.redirectctl, arguments, environment: environment)
    }

    func directory() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        for id in Self.ids { try dir.create(id + ".toml", .text("url = \"https://shop.example.com/\"\n")) }
        try dir.create("_defaults.toml", .text("base_url = \"https://go.example.com/redirect\"\n"))
        return dir
    }

    /// `link` arguments for a link of `bytes` bytes (with `?_via=qr`): a long base and a session fill it up.
    static func linkArguments(bytes: Int) -> [String] {
        let suffix = "?_via=qr".utf8.count
        let minimal = "https://go.example.com/redirect/welcome".utf8.count + suffix
        if bytes <= minimal { return ["welcome"] }
        // A third for the base path, the rest for the session (at most 256 characters).
        var base = "https://links.example-shop.com/"
        let segments = ["campaigns", "2026", "winter", "newsletter", "de", "print", "poster-a1"]
        var index = 0
        while base.utf8.count < bytes / 3 {
            base += segments[index % segments.count] + "/"
            index += 1
        }
        base.removeLast()
        let sessionLength = bytes - base.utf8.count - "/spring-sale/".utf8.count - suffix
        let alphabet = Array("Ab9-._~xYz0Q")
        let session = String((0..<sessionLength).map { alphabet[$0 % alphabet.count] })
        return ["spring-sale", "--base", base, "--session", session]
    }

    static let linkLengths = [47, 64, 100, 150, 200, 256, 300]

    /// Every length, ECC level and format: the decoder's text is `link --via qr`'s line, the level the one asked.
    @Test func everyCodeDecodesToTheLink() throws {
        let dir = try directory()
        var expected: [String: (text: String, ecc: String)] = [:]
        var files: [String] = []
        for bytes in Self.linkLengths {
            let arguments = Self.linkArguments(bytes: bytes) + ["--redirects", dir.path]
            let link = try redirectctl(["link"] + arguments + ["--via", "qr"])
            #expect(link.status == 0, "\(link.stderr)")
            let text = String(link.stdout.dropLast())
            #expect(link.stdout.hasSuffix("\n") && text.hasSuffix("?_via=qr"))
            #expect(text.utf8.count == bytes)
            for ecc in QRErrorCorrection.allCases {
                for format in ["png", "svg", "txt"] {
                    let file = "\(dir.path)/\(bytes)-\(ecc.rawValue).\(format)"
                    let run = try redirectctl(["qr"] + arguments + ["--ecc", ecc.rawValue, "-o", file])
                    #expect(run.status == 0, "\(file): \(run.stderr)")
                    #expect(run.stdout.isEmpty)
                    expected[file] = (text, ecc.rawValue)
                    files.append(file)
                }
            }
        }
        let results = try decode(files)
        var exact = 0
        for result in results {
            let file = try #require(result["file"] as? String)
            let texts = result["texts"] as? [String] ?? []
            let levels = result["ec_levels"] as? [String] ?? []
            let wanted = try #require(expected[file])
            #expect(texts == [wanted.text], "\(file)")
            #expect(levels == [wanted.ecc], "\(file)")
            if texts == [wanted.text] && levels == [wanted.ecc] { exact += 1 }
            if file.hasSuffix(".png") {
                // 1-bit grayscale, 8 pixels a module by default: the width is a multiple of 8.
                #expect(result["mode"] as? String == "1", "\(file)")
                #expect((result["width"] as? Int ?? 0) % 8 == 0, "\(file)")
            }
        }
        #expect(results.count == files.count)
        print(
            "qr: \(exact) of \(files.count) codes decoded to their link exactly (ECC L M Q H, png svg text, "
                + "links of \(Self.linkLengths.map(String.init).joined(separator: ", ")) bytes)")
    }

    /// The same arguments write the same bytes, to a file and to standard output.
    @Test(arguments: ["png", "svg", "txt"])
    func sameArgumentsSameBytes(_ format: String) throws {
        let dir = try directory()
        let arguments = ["qr"] + Self.linkArguments(bytes: 200) + ["--redirects", dir.path, "--ecc", "Q"]
        var outputs: [Data] = []
        for copy in ["a", "b"] {
            let file = "\(dir.path)/\(copy).\(format)"
            let run = try redirectctl(arguments + ["-o", file])
            #expect(run.status == 0, "\(run.stderr)")
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: file)))
        }
        #expect(outputs[0] == outputs[1])
        #expect(!outputs[0].isEmpty)
        if format != "png" {
            let stdout = try redirectctl(arguments + ["--format", format == "txt" ? "text" : format])
            #expect(Data(stdout.stdout.utf8) == outputs[0])
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(!names.contains { $0.hasSuffix(".tmp") })
    }

    /// `--size`: the PNG is that wide, each module the largest whole number of pixels, the rest quiet zone.
    @Test func pngSizeAndWholePixels() throws {
        let dir = try directory()
        // "https://go.example.com/redirect/welcome?_via=qr" is 47 bytes: version 4 at M, 33 + 8 = 41 modules, 7 pixels
        // each in 300.
        let file = dir.path + "/code.png"
        let run = try redirectctl(["qr", "welcome", "--redirects", dir.path, "--size", "300", "-o", file])
        #expect(run.status == 0, "\(run.stderr)")
        let png = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(png[16..<24] == Data([0, 0, 1, 44, 0, 0, 1, 44]))
        let decoded = try decode([file])
        #expect(decoded.first?["texts"] as? [String] == ["https://go.example.com/redirect/welcome?_via=qr"])

        let narrowFile = dir.path + "/narrow.png"
        let narrow = try redirectctl(["qr", "welcome", "--redirects", dir.path, "--size", "40", "-o", narrowFile])
        #expect(narrow.status == 1)
        #expect(
            narrow.stderr
                == "redirectctl qr: a PNG 40 pixels wide is too narrow for this code: it needs at least 41 pixels "
                + "(41 modules with the quiet zone, one pixel each)\n")
        #expect(!FileManager.default.fileExists(atPath: narrowFile))
        let exact = try redirectctl(["qr", "welcome", "--redirects", dir.path, "--size", "41", "-o", narrowFile])
        #expect(exact.status == 0, "\(exact.stderr)")
        #expect(
            try decode([narrowFile]).first?["texts"] as? [String] == ["https://go.example.com/redirect/welcome?_via=qr"]
        )
    }

    @Test func linkViaQR() throws {
        let dir = try directory()
        let plain = try redirectctl(["link", "spring-sale", "--redirects", dir.path, "--session", "s1", "--via", "qr"])
        #expect(plain.stdout == "https://go.example.com/redirect/spring-sale/s1?_via=qr\n")
        let template = try redirectctl([
            "link", "welcome", "--redirects", dir.path, "--session-template", "--via", "qr",
        ])
        #expect(template.stdout == "https://go.example.com/redirect/welcome/{{session@id}}?_via=qr\n")
        let unknown = try redirectctl(["link", "welcome", "--redirects", dir.path, "--via", "email"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("--via"))
    }

    /// What is refused, and that nothing is written then.
    @Test func refusals() throws {
        let dir = try directory()
        let file = dir.path + "/missing.svg"
        let missing = try redirectctl(["qr", "no-such-id", "--redirects", dir.path, "-o", file])
        #expect(missing.status == 1)
        #expect(missing.stderr == "redirectctl qr: \(dir.path)/no-such-id.toml does not exist: no code written\n")
        #expect(!FileManager.default.fileExists(atPath: file))

        let textSize = try redirectctl(["qr", "welcome", "--redirects", dir.path, "--format", "text", "--size", "9"])
        #expect(textSize.status == 64)
        #expect(textSize.stderr.contains("--size applies to svg and png, not text"))

        let both = try redirectctl(["qr", "welcome", "--redirects", dir.path, "--session", "a", "--session-template"])
        #expect(both.status == 64)
        #expect(both.stderr.contains("pass either --session or --session-template, not both"))

        let noDirectory = try redirectctl(["qr", "welcome", "--redirects", dir.path, "-o", dir.path + "/no/code.svg"])
        #expect(noDirectory.status == 1)
        #expect(noDirectory.stderr.hasPrefix("redirectctl qr: cannot write \(dir.path)/no/code.svg: "))
    }

    /// On a terminal (a pseudo-terminal Python opens), PNG bytes are refused with a usage error; SVG
    /// and text are written.
    @Test func pngIsNotWrittenToATerminal() throws {
        let dir = try directory()
        let script = """
            import os, subprocess, sys
            master, terminal = os.openpty()
            child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal)
            os.close(terminal)
            output = bytearray()
            while True:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed its side
                    break
                if not data:
                    break
                output.extend(data)
            sys.stdout.write(str(child.wait()) + "\\n" + output.decode("utf-8", "replace"))
            """
        let python = try TestPython.venvPython()
        let base = [RepositoryPaths.redirectctl, "qr", "welcome", "--redirects", dir.path]
        let png = try ProcessRun.run(python, ["-c", script] + base + ["--format", "png"])
        #expect(png.stdout.hasPrefix("64\n"))
        #expect(png.stdout.contains("will not write PNG bytes to a terminal"))
        let text = try ProcessRun.run(python, ["-c", script] + base + ["--format", "text"])
        #expect(text.stdout.hasPrefix("0\n"))
        #expect(text.stdout.contains("\u{2588}\u{2588}\u{2588}\u{2588}"))
    }

    /// `decode_qr.py` over `files`: one JSON object per file.
    func decode(_ files: [String]) throws -> [[String: Any]] {
        let script = BuiltProducts.repositoryRoot.appendingPathComponent(
            "Tests/RedirectControlTests/Resources/decode_qr.py"
        ).path
        let run = try ProcessRun.run(try TestPython.venvPython(), [script] + files)
        #expect(run.status == 0, "\(run.stderr)")
        return try run.stdout.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }
}
