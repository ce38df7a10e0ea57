import JSON
import RedirectCore

/// What `redirectctl check` found in a redirects directory: every problem, in file order, and a count.
public struct RedirectCheckReport: Equatable, Sendable {
    /// The directory as it was named; file names in problems start with it.
    public var directory: String
    /// Entries looked at: every name except dotfiles and README files.
    public var filesChecked: Int
    /// Errors and warnings alike, sorted by file, then line and column.
    public var problems: [RedirectFileError]

    public init(directory: String, filesChecked: Int, problems: [RedirectFileError]) {
        self.directory = directory
        self.filesChecked = filesChecked
        self.problems = problems
    }

    /// Whether nothing at all was found; a warning (an unknown key) also makes a directory unclean.
    public var isClean: Bool { problems.isEmpty }

    /// How many different files have at least one problem.
    public var filesWithProblems: Int {
        var count = 0
        var previous: String?
        for problem in problems where problem.file != previous {
            count += 1
            previous = problem.file
        }
        return count
    }

    /// The one-line summary for stderr: `checked 4 files: no problems` or `checked 9 files: 12 problems in 8 files`.
    public var summary: String {
        let checked = "checked \(Self.count(filesChecked, "file"))"
        if isClean { return "\(checked): no problems" }
        return "\(checked): \(Self.count(problems.count, "problem")) in \(Self.count(filesWithProblems, "file"))"
    }

    /// One `file:line:column: message` line per problem, each ending in a newline.
    public var text: String {
        var out = ""
        for problem in problems {
            out += problem.description
            out += "\n"
        }
        return out
    }

    /// A JSON array of `{"file","line","column","severity","message"}` objects, one per line, for CI annotations.
    public var json: String {
        var out: [UInt8] = []
        out.reserveCapacity(problems.count * 128 + 4)
        out.append(UInt8(ascii: "["))
        for (index, problem) in problems.enumerated() {
            out.append(contentsOf: Array((index == 0 ? "\n  " : ",\n  ").utf8))
            JSONWriter.writeObject(
                [
                    ("file", .string(problem.file)), ("line", .int(problem.line)), ("column", .int(problem.column)),
                    ("severity", .string(problem.severity.rawValue)), ("message", .string(problem.message)),
                ], to: &out)
        }
        out.append(contentsOf: Array((problems.isEmpty ? "]\n" : "\n]\n").utf8))
        return String(decoding: out, as: UTF8.self)
    }

    static func count(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }
}
