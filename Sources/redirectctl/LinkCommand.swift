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
            encodes). BASE is --base, else base_url in the directory's _defaults.toml. Exits 1, after printing, \
            when ID.toml does not exist.
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

    private static let viaValues = ClickVia.allCases.map(\.rawValue).joined(separator: ", ")

    func validate() throws {
        _ = try options.link(via: via)
    }

    func run() throws {
        let link = try options.link(via: via)
        try options.requireRedirect(command: "link", nothing: "no link printed")
        print(link)
    }
}
