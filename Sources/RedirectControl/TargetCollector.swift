import RedirectCore
import SystemIO
import SystemPackage
import TOML

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds every URL a redirects directory can send a visitor to, with the places it is written.
///
/// Reads the TOML itself rather than the decoded ``Redirect``: a file with errors decodes to nothing, yet most of
/// its URLs can still be requested, and the position of each URL's string is only in the TOML. A URL is requested
/// when it is a valid target (the same check the responder makes); any other is skipped with a note, next to the
/// lint finding that says what is wrong with it. A file that is not valid TOML is skipped whole, with a note.
public enum TargetCollector {
    /// The click id `{click_id}` is filled with: a well-formed UUIDv7 of zeros, which no real click has.
    public static let sampleClickID = "00000000-0000-7000-8000-000000000000"
    /// The session `{session}` is filled with.
    public static let sampleSession = "sample-session"
    /// `{redirect}` in `_defaults.toml` (`not_found_url`): the id a visitor asked for, which has no file.
    public static let sampleMissingID = "sample-missing-id"

    /// The sample values a target of the redirect `id` is filled with: `{session}` is ``sampleSession``,
    /// `{redirect}` the file's id, `{click_id}` ``sampleClickID``, and `{query.NAME}` empty (what a click without
    /// that parameter gets). Encoded as the responder encodes them (``TargetBuilder``).
    public static func sampleValues(id: String) -> PlaceholderValues {
        PlaceholderValues(session: sampleSession, redirect: id, clickID: sampleClickID, query: QueryString())
    }

    /// The targets of one file's text. `id` is the redirect id, nil for `_defaults.toml`; `file` names it.
    public static func targets(inText text: String, id: String?, file: String) -> (
        found: [(url: String, place: TargetPlace)], skipped: [RedirectFileNote]
    ) {
        let table: TOMLTable
        do {
            table = try TOMLParser().parse(text)
        } catch {
            let note = RedirectFileNote(
                file: file, line: error.line, column: error.column,
                message: "targets not requested: the file is not valid TOML")
            return ([], [note])
        }
        var walk = Walk(file: file, values: sampleValues(id: id ?? sampleMissingID))
        if id == nil {
            walk.take(table.entry("not_found_url"), key: "not_found_url")
        } else {
            walk.take(table.entry("url"), key: "url")
            walk.take(table.entry("expired_url"), key: "expired_url")
            for (rule, label) in walk.tables(table.entry("rules"), kind: "rule") {
                walk.take(rule.entry("url"), key: "\(label) url")
                for (variant, variantLabel) in walk.tables(rule.entry("variants"), kind: "variant") {
                    walk.take(variant.entry("url"), key: "\(label) \(variantLabel) url")
                }
            }
            for (variant, label) in walk.tables(table.entry("variants"), kind: "variant") {
                walk.take(variant.entry("url"), key: "\(label) url")
            }
        }
        return (walk.found, walk.skipped)
    }

    /// Every target of the directory: `_defaults.toml` and each `<id>.toml` that the responder could serve
    /// (names that are no id, dotfiles, README files and anything not `.toml` are left out, as the lint reports
    /// them). A symbolic link to a file in the directory is read as the link's id, as the responder reads it.
    public static func collect(directory: String) throws(RedirectDirectoryError) -> TargetCollection {
        let checker = RedirectDirectoryChecker(directory: directory)
        let names = try checker.listEntries().map(\.name).filter { name in
            guard RedirectDirectoryChecker.isChecked(name), name.hasSuffix(".toml") else { return false }
            return name == RedirectFileParser.defaultsFileName
                || RedirectDirectoryChecker.idProblem(String(name.dropLast(5))) == nil
        }.sorted()
        var collection = TargetCollection()
        var index: [String: Int] = [:]
        for name in names {
            let path = checker.directory + "/" + name
            var contents = DirectoryEntryContents.read(path)
            if case .symbolicLink(let target) = contents {
                guard checker.linkProblem(target) == nil else { continue }
                contents = DirectoryEntryContents.read(checker.directory + "/" + target)
            }
            guard case .text(let text) = contents else { continue }
            let isDefaults = name == RedirectFileParser.defaultsFileName
            let (found, skipped) = targets(inText: text, id: isDefaults ? nil : String(name.dropLast(5)), file: path)
            collection.skipped += skipped
            for (url, place) in found {
                if let existing = index[url] {
                    collection.targets[existing].places.append(place)
                } else {
                    index[url] = collection.targets.count
                    collection.targets.append(CheckedTarget(url: url, places: [place]))
                }
            }
        }
        return collection
    }

    /// The state of reading one file: what was found and skipped so far.
    private struct Walk {
        let file: String
        let values: PlaceholderValues
        var found: [(url: String, place: TargetPlace)] = []
        var skipped: [RedirectFileNote] = []

        /// Records the URL of `entry` (when the file has it) as a target, or a note when it cannot be requested.
        mutating func take(_ entry: TOMLTable.Entry?, key: String) {
            guard let entry else { return }
            let position = entry.valuePosition
            let place = TargetPlace(file: file, line: position.line, column: position.column, key: key)
            guard case .string(let template) = entry.value else {
                note(place, "\(key) not requested: it is not a string")
                return
            }
            if TargetURL.problem(with: template) != nil
                || Placeholders.names(in: template).contains(where: { !Placeholders.isKnown($0) })
                || Placeholders.strayBrace(in: template) != nil
            {
                note(place, "\(key) not requested: it is not a valid target")
                return
            }
            found.append((TargetBuilder.build(template: template, values: values, forwardQuery: .off), place))
        }

        /// The tables of an array of tables (`[[rules]]`), each with its label (`rule "ios"`, `rule 2`).
        func tables(_ entry: TOMLTable.Entry?, kind: String) -> [(TOMLTable, String)] {
            guard let elements = entry?.value.array?.elements else { return [] }
            return elements.enumerated().compactMap { number, element in
                guard let table = element.value.table else { return nil }
                let label = table["name"]?.string.map { "\(kind) \"\($0)\"" } ?? "\(kind) \(number + 1)"
                return (table, label)
            }
        }

        private mutating func note(_ place: TargetPlace, _ message: String) {
            skipped.append(RedirectFileNote(file: place.file, line: place.line, column: place.column, message: message))
        }
    }
}
