import ArgumentParser
import Foundation
import RedirectControl

/// `redirectctl convert-tracardi`: Tracardi event redirects → redirect files.
struct ConvertTracardiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert-tracardi",
        abstract: "Turn a Tracardi event-redirect JSON export into redirect files.",
        discussion: """
            FILE holds one redirect object or a list of them ({id, name, description, url, event_type, props, \
            source:{id,name}, tags}). Property values payload@params.X become the {query.X} placeholder. \
            Existing files are not overwritten unless --force is given.
            """)

    @Argument(help: "The JSON export ('-' for standard input).")
    var file: String

    @Option(help: "Directory to write the files into. Env: REDIRECTS_DIR. Default: ./redirects.d")
    var redirects: String?

    @Flag(help: "Overwrite existing files.")
    var force = false

    @Flag(help: "Print the files instead of writing them.")
    var dryRun = false

    func run() throws {
        let data: Data?
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = FileManager.default.contents(atPath: file)
        }
        guard let data else {
            CommandEnvironment.printError("redirectctl convert-tracardi: cannot read \(file)")
            throw ExitCode(2)
        }
        let converted: [TracardiRedirectConverter.Converted]
        do {
            converted = try TracardiRedirectConverter.convert(json: data)
        } catch {
            CommandEnvironment.printError("redirectctl convert-tracardi: \(file): \(error)")
            throw ExitCode(1)
        }
        let directory = CommandEnvironment.redirectsDirectory(redirects)
        var skipped = 0
        for item in converted {
            let path = directory + "/" + item.fileName
            for note in item.notes { CommandEnvironment.printError("\(path): \(note)") }
            if dryRun {
                print("# \(path)\n\(item.text)")
                continue
            }
            if FileManager.default.fileExists(atPath: path) && !force {
                CommandEnvironment.printError("\(path): exists; not overwritten (use --force)")
                skipped += 1
                continue
            }
            do {
                try item.text.write(toFile: path, atomically: true, encoding: .utf8)
                print(path)
            } catch {
                CommandEnvironment.printError("\(path): cannot write: \(error.localizedDescription)")
                throw ExitCode(2)
            }
        }
        if skipped > 0 { throw ExitCode(1) }
    }
}
