#if canImport(Glibc)
    import Glibc
#endif

/// Where the running program was started from, so that a reload can start the same path again.
///
/// Symbolic links are kept, not resolved, and `/proc/self/exe` is not used: after `install` replaces
/// `/usr/local/bin/redirectd`, the path must name the new file, while `/proc/self/exe` still names the old one.
public enum ExecutablePath {
    /// `argv0` made absolute: a name with a slash is taken relative to `workingDirectory`; a bare name is looked
    /// up in `searchPath` (the `PATH` value) as `execvp` would. nil when there is nothing executable to find.
    public static func resolve(_ argv0: String, workingDirectory: String?, searchPath: String?) -> String? {
        guard !argv0.isEmpty else { return nil }
        if argv0.hasPrefix("/") { return argv0 }
        if argv0.contains("/") {
            guard let workingDirectory, workingDirectory.hasPrefix("/") else { return nil }
            return join(workingDirectory, argv0)
        }
        let search = searchPath ?? "/usr/local/bin:/usr/bin:/bin"
        for entry in search.split(separator: ":", omittingEmptySubsequences: false) {
            // An empty entry means the working directory; a relative one is taken from it too.
            var candidate = join(entry.isEmpty ? "." : String(entry), argv0)
            if !candidate.hasPrefix("/") {
                guard let workingDirectory, workingDirectory.hasPrefix("/") else { continue }
                candidate = join(workingDirectory, candidate)
            }
            var info = stat()
            if access(candidate, X_OK) == 0, stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
                return candidate
            }
        }
        return nil
    }

    /// This process's `argv[0]`, resolved against the current working directory and `PATH`.
    public static func ofThisProcess() -> String? {
        guard let argv0 = CommandLine.arguments.first else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let cwd = getcwd(&buffer, buffer.count).map { String(cString: $0) }
        return resolve(argv0, workingDirectory: cwd, searchPath: getenv("PATH").map { String(cString: $0) })
    }

    /// `directory/name` with one slash between them; `./` at the front of `name` is dropped.
    private static func join(_ directory: String, _ name: String) -> String {
        var name = Substring(name)
        while name.hasPrefix("./") { name = name.dropFirst(2) }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
