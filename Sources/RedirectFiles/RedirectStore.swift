#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RedirectCore
import Synchronization

/// Redirects by id, read from `<directory>/<id>.toml` on demand and cached until the file changes.
///
/// Every lookup costs one `lstat`: an edit or a `git pull` shows on the next request without a restart,
/// and no request scans the directory, so 100,000 files cost what one does. A file that turns invalid
/// keeps its last good version serving; the error is logged once per version of the file.
public final class RedirectStore: Sendable {
    private struct Entry {
        var identity: FileIdentity
        /// The version that is served: the last one that parsed.
        var redirect: Redirect?
        var defaults: RedirectDefaults?
    }

    public let directory: String
    private let reader: RedirectFileReader
    private let cacheLimit: Int
    private let log: @Sendable (String) -> Void
    private let cache: Mutex<[String: Entry]>
    /// Per file name, the version last reported as bad (nil: a problem before any version could be read),
    /// so that each bad version is logged once.
    private let reported: Mutex<[String: FileIdentity?]>

    /// - Parameters:
    ///   - directory: the redirects directory.
    ///   - cacheLimit: most parsed files kept in memory; beyond it, entries are dropped and read again if asked.
    ///   - log: where problems go (the responder passes stderr, which nginx puts in its error log).
    public init(directory: String, cacheLimit: Int = 20_000, log: @escaping @Sendable (String) -> Void) {
        self.directory = directory
        self.reader = RedirectFileReader(directory: directory)
        self.cacheLimit = max(cacheLimit, 16)
        self.log = log
        self.cache = Mutex([:])
        self.reported = Mutex([:])
    }

    /// The redirect with `id`, which must already be a valid id (``Identifiers/isRedirectID(_:)``).
    public func lookup(_ id: String) -> RedirectLookup {
        let fileName = id + ".toml"
        let entry = load(fileName) { text, file, identity in
            let result = RedirectFileParser.parseRedirect(text: text, id: id, file: file)
            return (result.value.map { Entry(identity: identity, redirect: $0) }, result.errors)
        }
        if let redirect = entry?.redirect { return .found(redirect) }
        return .notFound
    }

    /// The settings of `_defaults.toml`, or the built-in defaults when there is none.
    public func defaults() -> RedirectDefaults {
        let entry = load(RedirectFileParser.defaultsFileName) { text, file, identity in
            let result = RedirectFileParser.parseDefaults(text: text, file: file)
            return (result.value.map { Entry(identity: identity, defaults: $0) }, result.errors)
        }
        return entry?.defaults ?? RedirectDefaults()
    }

    /// The cached entry for `fileName`, read and parsed again when its identity changed.
    private func load(
        _ fileName: String,
        parse: (_ text: String, _ path: String, FileIdentity) -> (Entry?, [RedirectFileError])
    ) -> Entry? {
        let current: (FileIdentity, String)?
        do {
            current = try reader.identity(of: fileName)
        } catch {
            report(fileName, identity: nil, "redirect file \(error)")
            return nil
        }
        guard let (identity, resolvedName) = current else {
            _ = cache.withLock { $0.removeValue(forKey: fileName) }
            return nil
        }
        let cached = cache.withLock { $0[fileName] }
        if let cached, cached.identity == identity { return cached }

        let text: String
        let readIdentity: FileIdentity
        do {
            (text, readIdentity) = try reader.read(resolvedName)
        } catch {
            report(fileName, identity: identity, "redirect file \(error)" + (cached != nil ? "; serving the last good version" : ""))
            return remember(fileName, keeping: cached, as: identity)
        }
        let (parsed, errors) = parse(text, reader.path(of: fileName), readIdentity)
        guard let entry = parsed else {
            let suffix = cached != nil ? " (serving the last good version)" : ""
            report(fileName, identity: readIdentity, errors.map(\.description).joined(separator: "; ") + suffix)
            return remember(fileName, keeping: cached, as: readIdentity)
        }
        store(fileName, entry)
        return entry
    }

    /// Caches a bad version under its identity, so it is not read again until it changes, while the last
    /// good version (if any) keeps serving.
    private func remember(_ fileName: String, keeping cached: Entry?, as identity: FileIdentity) -> Entry? {
        var entry = cached ?? Entry(identity: identity)
        entry.identity = identity
        store(fileName, entry)
        return entry
    }

    private func store(_ fileName: String, _ entry: Entry) {
        cache.withLock { cache in
            if cache.count >= cacheLimit && cache[fileName] == nil {
                // Drop an arbitrary half: cheap, and a dropped entry costs one more read if asked again.
                for key in Array(cache.keys.prefix(cacheLimit / 2)) { cache.removeValue(forKey: key) }
            }
            cache[fileName] = entry
        }
    }

    private func report(_ fileName: String, identity: FileIdentity?, _ message: String) {
        let isNew = reported.withLock { reported -> Bool in
            if let last = reported[fileName], last == identity { return false }
            if reported.count > 10_000 { reported.removeAll() }
            reported[fileName] = .some(identity)
            return true
        }
        if isNew { log("redirectd: \(message)") }
    }
}
