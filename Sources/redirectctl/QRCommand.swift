import ArgumentParser
import RedirectControl
import RedirectCore
import SystemIO
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `redirectctl qr ID`: the QR code of the link `redirectctl link ID --via qr` prints, for posters and slides.
struct QRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qr",
        abstract: "Draw the QR code of a redirect's link, as SVG, PNG or terminal text.",
        discussion: """
            The code holds exactly what redirectctl link ID --via qr prints (BASE/ID[/SESSION]?\(ClickVia.parameter)=qr), \
            so scans are recorded with via "qr". It is the smallest QR version that holds the link, in byte mode, \
            with a quiet zone of 4 modules. The same arguments give the same bytes. Exits 1, writing nothing, \
            when ID.toml does not exist.

            svg: one path of the dark modules on a white square; --size sets its width and height (default 8 per \
            module). png: 1-bit grayscale, --size pixels wide and high (default 8 per module); each module is \
            the largest whole number of pixels that fits, and the pixels left over widen the quiet zone. PNG \
            bytes are not written to a terminal: pass -o FILE or redirect standard output. text: Unicode half \
            blocks for a terminal with light text on a dark background (the glyphs are the light modules); on a \
            dark-on-light terminal the code shows inverted, which many phones do not read.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case svg, png, text
    }

    @OptionGroup var options: LinkOptions

    @Option(help: "svg, png or text. Default: from -o's extension (.png, .txt), else svg.")
    var format: Format?

    @Option(
        help: "Error correction: L (7 %), M (15 %, default), Q (25 %) or H (30 % of the code may be damaged).",
        transform: { letter in
            guard let level = QRErrorCorrection(letter: letter) else {
                throw ValidationError("--ecc must be L, M, Q or H, found \"\(letter)\"")
            }
            return level
        })
    var ecc: QRErrorCorrection = .medium

    @Option(help: "Width and height in pixels (png) or SVG units (svg), 1-\(Self.maximumSize). Not for text.")
    var size: Int?

    @Option(
        name: .shortAndLong, help: "Write to FILE (whole or not at all: a temporary file renamed) instead of stdout.")
    var output: String?

    /// Large enough for a billboard print at 600 dpi, small enough that a typo cannot fill the disk.
    static let maximumSize = 20000

    func validate() throws {
        _ = try options.link(via: .qr)
        if let size {
            guard (1...Self.maximumSize).contains(size) else {
                throw ValidationError("--size must be 1-\(Self.maximumSize), found \(size)")
            }
            guard resolvedFormat != .text else { throw ValidationError("--size applies to svg and png, not text") }
        }
        if resolvedFormat == .png, output == nil, isatty(STDOUT_FILENO) == 1 {
            throw ValidationError(
                "will not write PNG bytes to a terminal: pass -o FILE, redirect standard output, or use --format text")
        }
    }

    func run() throws {
        let link = try options.link(via: .qr)
        try options.requireRedirect(command: "qr", nothing: "no code written")
        let bytes: [UInt8]
        do {
            let modules = try QRSymbol(text: link.description, correction: ecc).modules
            switch resolvedFormat {
            case .svg: bytes = Array(modules.svg(width: size).utf8)
            case .png: bytes = try modules.png(width: size)
            case .text: bytes = Array(modules.terminalText().utf8)
            }
        } catch {
            StandardError.log("redirectctl qr: \(error)")
            throw ExitCode(1)
        }
        do {
            if let output {
                try FileReplacement.write(bytes, to: output)
            } else {
                _ = try FileDescriptor.standardOutput.writeAll(bytes)
            }
        } catch {
            StandardError.log("redirectctl qr: \(error)")
            throw ExitCode(1)
        }
    }

    /// `--format`, else what `-o`'s extension says, else SVG (text, so it is safe on any standard output).
    private var resolvedFormat: Format {
        if let format { return format }
        let name = output?.lowercased() ?? ""
        if name.hasSuffix(".png") { return .png }
        if name.hasSuffix(".txt") { return .text }
        return .svg
    }
}
