import ArgumentParser
import Foundation
import RedirectControl
import RedirectFiles
import SystemIO

/// `redirectctl convert-tracardi`: Tracardi event redirects → redirect files.
struct ConvertTracardiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert-tracardi",
        abstract: "Turn a Tracardi event-redirect JSON export into redirect files.",
        discussion: """
            FILE holds one redirect object or a list of them ({id, name, description, url, event_type, props, \
            source:{id,name}, tags}). Property values payload@params.X become the {query.X} placeholder and \
            session@id becomes {session}; a key's trailing ? (optional in Tracardi) is dropped; nested values stay \
            nested. Files answer 307, as Tracardi does, unless --status. Tracardi's redirect source (type \
            redirect) cannot receive /track calls: --source names the REST event source the clicks go to; without \
            it, each file says so and takes source from _defaults.toml. Existing files are not overwritten unless \
            --force is given. A redirect whose file check would refuse (a key given twice once ? is dropped, a bad \
            url) is not written; nor are redirects sharing an id, unless --force, which keeps the last one. Any \
            redirect not written makes the exit status 1.
            """)

    @Argument(help: "The JSON export ('-' for standard input).")
    var file: String

    @Option(
        help: ArgumentHelp(
            "Directory to write the files into. Env: \(RedirectStore.directorySetting.environmentName). "
                + "Default: \(RedirectStore.directorySetting.defaultText)"))
    var redirects: String?

    @Option(help: "Redirect status of the files: 301, 302, 303, 307 or 308.")
    var status = 307

    @Option(help: ArgumentHelp("The Tracardi event source of type REST the clicks are sent to.", valueName: "id"))
    var source: String?

    @Flag(help: "Overwrite existing files; of redirects sharing an id, keep the last.")
    var force = false

    @Flag(help: "Print the files instead of writing them.")
    var dryRun = false

    func validate() throws {
        guard [301, 302, 303, 307, 308].contains(status) else {
            throw ValidationError("--status must be 301, 302, 303, 307 or 308")
        }
        if let source, source.isEmpty || source.hasPrefix("@") {
            throw ValidationError("--source must be the id of a Tracardi event source of type REST")
        }
    }

    func run() throws {
        let data: Data?
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = FileManager.default.contents(atPath: file)
        }
        guard let data else {
            StandardError.log("redirectctl convert-tracardi: cannot read \(file)")
            throw ExitCode(2)
        }
        let converted: [TracardiRedirectConverter.Converted]
        do {
            converted = try TracardiRedirectConverter.convert(
                json: Array(data), options: .init(status: status, source: source, lastOfSameIDWins: force))
        } catch {
            StandardError.log("redirectctl convert-tracardi: \(file): \(error)")
            throw ExitCode(1)
        }
        let directory = CommandEnvironment.redirectsDirectory(redirects)
        var skipped = 0
        for item in converted {
            let path = directory + "/" + item.fileName
            for note in item.notes { StandardError.log("\(path): \(note)") }
            guard item.refusals.isEmpty else {
                for refusal in item.refusals { StandardError.log("\(path): \(refusal); not written") }
                skipped += 1
                continue
            }
            if dryRun {
                print("# \(path)\n\(item.text)")
                continue
            }
            if FileManager.default.fileExists(atPath: path) && !force {
                StandardError.log("\(path): exists; not overwritten (use --force)")
                skipped += 1
                continue
            }
            do {
                try item.text.write(toFile: path, atomically: true, encoding: .utf8)
                print(path)
            } catch {
                StandardError.log("\(path): cannot write: \(error.localizedDescription)")
                throw ExitCode(2)
            }
        }
        if skipped > 0 { throw ExitCode(1) }
    }
}
