import ArgumentParser
import RedirectControl
import RedirectCore

/// `redirectctl link ID`: the link to put in a page or an email.
struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Print the link for a redirect id.",
        discussion: """
            Prints BASE/ID, BASE/ID/SESSION, or BASE/ID/{{session@id}} for email templates; --via qr adds \
            ?\(ClickVia.parameter)=qr, which the responder records as the click's via (the text redirectctl qr \
            encodes). BASE is --base, else base_url in the directory's _defaults.toml. With --html, prints an \
            HTML tag instead: for an open pixel (kind = "pixel") a hidden 1x1 <img> whose src has {{session@id}} \
            unless --session is given, for a link an <a> around the file's name (else its id). Exits 1, without \
            printing, when ID.toml does not exist.
            """)

    @OptionGroup var options: LinkOptions

    @Option(
        help: "How the link will be reached, recorded as the click's via: \(LinkCommand.viaValues).",
        transform: { value in
            guard let via = ClickVia(rawValue: value) else {
                throw ValidationError("--via must be \(LinkCommand.viaValues), found \"\(value)\"")
            }
            return via
        })
    var via: ClickVia?

    @Flag(help: "Print an HTML tag: <img> for an open pixel, <a> for a link (HTML-escaped).")
    var html = false

    private static let viaValues = ClickVia.allCases.map(\.rawValue).joined(separator: ", ")

    func validate() throws {
        _ = try options.link(via: via)
    }

    func run() throws {
        let link = try options.link(via: via)
        try options.requireRedirect(command: "link", nothing: "no link printed")
        guard html else {
            print(link)
            return
        }
        // The file decides the tag; one with errors is printed as a link, which `check` explains.
        let redirect = options.redirect()
        if redirect?.kind == .pixel {
            // A pixel goes into a mail, where the template fills in the recipient's session.
            let pixel =
                options.session == nil && !options.sessionTemplate
                ? try options.link(via: via, session: .template) : link
            print(pixel.imageTag)
        } else {
            print(link.anchorTag(text: redirect?.name ?? options.id))
        }
    }
}
