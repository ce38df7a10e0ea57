import RedirectCore
import SystemIO
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The tags each redirect file declares (`tags = ["email", "spring"]`), for the report's tag filter and sections.
public enum RedirectTags {
    /// Tags per redirect id, from every `ID.toml` in `directory` that parses (files with errors are passed over,
    /// as the responder passes over them). Throws only when the directory cannot be listed.
    public static func read(directory: String) throws(RedirectDirectoryError) -> [String: [String]] {
        guard let dir = opendir(directory) else {
            throw RedirectDirectoryError(path: directory, errno: Errno(rawValue: errno))
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".toml"), name != RedirectFileParser.defaultsFileName, !name.hasPrefix(".") {
                names.append(name)
            }
        }
        closedir(dir)
        var tags: [String: [String]] = [:]
        for name in names {
            let path = directory + "/" + name
            let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard descriptor >= 0 else { continue }
            let file = FileDescriptor(rawValue: descriptor)
            defer { try? file.close() }
            // A redirect file is a few KB; anything larger is no redirect file.
            guard let bytes = try? file.readToEnd(maxCount: 1 << 20) else { continue }
            let id = String(name.dropLast(5))
            let parsed = RedirectFileParser.parseRedirect(
                text: String(decoding: bytes, as: UTF8.self), id: id, file: path)
            if let redirect = parsed.value, !redirect.tags.isEmpty { tags[id] = redirect.tags }
        }
        return tags
    }
}
