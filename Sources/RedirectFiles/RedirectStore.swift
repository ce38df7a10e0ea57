import RedirectCore
import Synchronization
import SystemIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Redirects by id, read from `<directory>/<id>.toml` on demand and cached until the file changes.
///
/// Every lookup costs one `lstat`: an edit shows on the next request without a restart,
/// and no request scans the directory, so 100,000 files cost what one does. A file that turns invalid
/// keeps its last good version serving; the error is logged once per version of the file, and one line says
/// when the file is valid again.
///
/// The directory may be a symbolic link that is switched to another release (`redirectctl deploy`). A click
/// is answered from one ``RedirectRelease``: the link resolved (at most once a second per worker, by
/// ``release()``) and that target's `_defaults.toml`, read at once when the target changed. Its files are
/// looked up under the resolved target, never through the link, so a click never pairs one release's file
/// with another's defaults, and the hot path costs the same one `lstat`.
///
/// At most `cacheLimit` files are kept, each as one packed allocation (``CachedRedirect``), evicted by CLOCK
/// (``RedirectCache``). A miss costs one `open`, `fstat`, `read` and `close` and one parse.
public final class RedirectStore: Sendable {
    /// Files kept parsed unless told otherwise (`--cache-size`, `REDIRECTD_CACHE_SIZE`).
    public static let defaultCacheLimit = 100_000

    /// What one `lstat` said, before anything else is looked at.
    private enum QuickStat {
        case regular(FileIdentity)
        case missing
        /// A symbolic link, another kind of file, or an error: the reader's full check decides.
        case other
    }

    /// Where a file is, after the `lstat` (and, for a symbolic link, the reader's checks).
    private enum Located {
        /// The file's identity, and the name to read when it is a link (nil: the file's own name).
        case file(FileIdentity, resolvedName: String?)
        case missing
        /// A problem that was reported: a link out of the directory, a directory where a file should be.
        case refused
    }

    /// The redirects directory as configured (a directory, or a link to one).
    public let directory: String
    /// `directory` without trailing slashes, for the `lstat` that tells a link from a directory.
    private let directoryName: String
    private let log: @Sendable (String) -> Void
    /// Parsed files by id. Every request reads it and few write it: a hit shares the lock, so threads never
    /// queue behind one another.
    private let cache: ReadMostly<RedirectCache>
    /// The release resolved last, with its defaults: shared by the workers, each of which asks for it again
    /// about once a second.
    private let current: ReadMostly<RedirectRelease?>
    /// Per file name, the version last reported as bad (nil: a problem before any version could be read),
    /// so that each bad version is logged once and its recovery too.
    private let reported: Locked<[String: FileIdentity?]>
    /// How many names `reported` holds, so that a miss on a healthy directory takes no lock to learn it is empty.
    private let reportedCount = Atomic(0)

    /// - Parameters:
    ///   - directory: the redirects directory.
    ///   - cacheLimit: most parsed files kept in memory; beyond it, the least recently used (by CLOCK) are
    ///     dropped, and read again if asked.
    ///   - log: where problems go (redirectd's stderr).
    public init(directory: String, cacheLimit: Int = defaultCacheLimit, log: @escaping @Sendable (String) -> Void) {
        self.directory = directory
        var name = directory
        while name.utf8.count > 1 && name.hasSuffix("/") { name.removeLast() }
        self.directoryName = name
        self.log = log
        self.cache = ReadMostly(RedirectCache(limit: max(cacheLimit, 16)))
        self.current = ReadMostly(nil)
        self.reported = Locked([:])
    }

    /// Files cached now.
    public var cachedCount: Int { cache.read { $0.count } }

    /// Buckets of the cache's table in use (for tests: one per cached file).
    var occupiedBucketsForTesting: Int { cache.read { $0.occupiedBucketsForTesting } }

    /// The cached entry for `id` as it is, without a `stat` or marking it as used (for tests).
    func cachedEntryForTesting(_ id: String) -> CachedRedirect? {
        Self.withBytes(of: id) { bytes in cache.read { $0.peek(bytes) } }
    }

    /// The redirect with `id`, which must already be a valid id (``Identifiers/isRedirectID(_:)``).
    ///
    /// The redirect comes without `name`, `description` and `tags`, which the cache does not keep. It resolves
    /// the release first: a caller that also needs the defaults takes ``release()`` and ``lookup(_:in:)``, so
    /// that both come from one release.
    public func lookup(_ id: String) -> RedirectLookup {
        lookup(id, in: release())
    }

    /// The redirect with `id` in `release` (from ``release()``).
    public func lookup(_ id: String, in release: RedirectRelease) -> RedirectLookup {
        if let redirect = entry(id, in: release)?.redirect(id: id) { return .found(redirect) }
        return .notFound
    }

    /// ``lookup(_:)``, reusing the redirect unpacked for the same cached entry on one of the last clicks of
    /// the calling thread (`recent` is that thread's own): the `lstat` and the cache look-up are the same, and a
    /// hot link skips the unpacking (about a thousand instructions and its strings' allocations).
    public func lookup(_ id: String, recent: RecentRedirects) -> RedirectLookup {
        lookup(id, in: release(), recent: recent)
    }

    /// ``lookup(_:recent:)`` in `release` (from ``release()``).
    public func lookup(_ id: String, in release: RedirectRelease, recent: RecentRedirects) -> RedirectLookup {
        guard let entry = entry(id, in: release) else { return .notFound }
        if let redirect = recent.redirect(for: entry) { return .found(redirect) }
        guard var redirect = entry.redirect(id: id) else { return .notFound }
        // Kept for many clicks: its rules as values, which a click tests without decoding anything.
        redirect.unpackRules()
        recent.remember(redirect, for: entry)
        return .found(redirect)
    }

    /// The settings of `_defaults.toml`, or the built-in defaults when there is none.
    public func defaults() -> RedirectDefaults { release().defaults }

    /// The release to answer clicks from now: the directory (a link resolved to its target) and its defaults.
    ///
    /// Costs an `lstat` of the directory and of its `_defaults.toml` (and, for a link, resolving it), so a
    /// worker asks about once a second and answers the clicks in between from the release it has. When the link
    /// points somewhere new, that release's `_defaults.toml` is read at once; in the same directory, it is read
    /// again when it changed, and a version that does not parse leaves the last good one serving.
    public func release() -> RedirectRelease {
        let resolved = resolvedDirectory()
        let cached = current.read { $0 }
        let same = cached.flatMap { $0.directory == resolved ? $0 : nil }
        let reader = same?.reader ?? RedirectFileReader(directory: resolved)
        let fileName = RedirectFileParser.defaultsFileName
        let identity: FileIdentity
        let resolvedName: String
        switch locate(fileName, appendingTOML: false, in: resolved, reader: reader) {
        case .file(let found, let name):
            identity = found
            resolvedName = name ?? fileName
        case .missing:
            if let same, same.defaultsIdentity == nil { return same }
            if cached?.defaultsIdentity != nil { forgetReport(fileName) }
            return remember(
                RedirectRelease(
                    directory: resolved, defaults: RedirectDefaults(), defaultsIdentity: nil, defaultsParsed: false))
        case .refused:
            // Reported; the built-in settings serve until the file is usable, as for a file that never parsed.
            // Not remembered: its generation is the current one when files parse alike under it, else one no
            // remembered release has, so the files it reads are read again under the next.
            let generation =
                RedirectDefaults().parsesRedirectsLike(cached?.defaults ?? RedirectDefaults())
                ? cached?.defaultsGeneration ?? 0 : UInt32.max
            return RedirectRelease(
                directory: resolved, defaults: RedirectDefaults(), defaultsIdentity: nil, defaultsParsed: false,
                defaultsGeneration: generation)
        }
        if let same, same.defaultsIdentity == identity { return same }
        let servingOld = same?.defaultsParsed == true
        let (defaults, readIdentity) = readAndParse(
            resolvedName, fileName: fileName, identity: identity, reader: reader, servingOld: servingOld
        ) { text, path in RedirectFileParser.parseDefaults(text: text, file: path) }
        let release: RedirectRelease
        if let defaults {
            release = RedirectRelease(
                directory: resolved, defaults: defaults, defaultsIdentity: readIdentity, defaultsParsed: true)
        } else if let same, servingOld {
            release = RedirectRelease(
                directory: resolved, defaults: same.defaults, defaultsIdentity: readIdentity, defaultsParsed: true)
        } else {
            release = RedirectRelease(
                directory: resolved, defaults: RedirectDefaults(), defaultsIdentity: readIdentity,
                defaultsParsed: false)
        }
        return remember(release)
    }

    /// Serves `release` from now on, with the generation of its defaults: the last one's when redirect files
    /// parse alike under both (``RedirectDefaults/parsesRedirectsLike(_:)``), else the next, so that files cached
    /// under the last one are read again (their targets hold its `[utm]`).
    private func remember(_ release: RedirectRelease) -> RedirectRelease {
        current.write { current in
            var generation = current?.defaultsGeneration ?? 0
            if !release.defaults.parsesRedirectsLike(current?.defaults ?? RedirectDefaults()) {
                generation = generation == UInt32.max - 1 ? 0 : generation + 1
            }
            let stamped = release.withDefaultsGeneration(generation)
            current = stamped
            return stamped
        }
    }

    /// Where files are read from now: `directory` itself, or, when it is a symbolic link, the directory the
    /// link resolves to (as an absolute path without links). A link that leads nowhere is left as it is: its
    /// files are then missing, as they would be through it.
    private func resolvedDirectory() -> String {
        var s = stat()
        guard lstat(directoryName, &s) == 0, s.st_mode & S_IFMT == S_IFLNK else { return directory }
        guard let resolved = realpath(directoryName, nil) else { return directory }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The cached entry for `id`, read and parsed again when its file's identity changed.
    private func entry(_ id: String, in release: RedirectRelease) -> CachedRedirect? {
        let identity: FileIdentity
        let resolvedName: String?
        switch locate(id, appendingTOML: true, in: release.directory, reader: release.reader) {
        case .file(let found, let resolved):
            identity = found
            resolvedName = resolved
        case .missing:
            forget(id)
            checkDirectory()
            return nil
        case .refused:
            return nil
        }
        let cached = Self.withBytes(of: id) { bytes in cache.read { $0.find(bytes) } }
        if let cached, cached.identity == identity, cached.defaultsGeneration == release.defaultsGeneration {
            return cached
        }

        let fileName = id + ".toml"
        let (redirect, readIdentity) = readAndParse(
            resolvedName ?? fileName, fileName: fileName, identity: identity, reader: release.reader,
            servingOld: cached?.hasRedirect == true
        ) { text, path in
            RedirectFileParser.parseRedirect(text: text, id: id, file: path, defaults: release.defaults)
        }
        let entry: CachedRedirect
        if let redirect {
            entry = CachedRedirect.make(
                id: id, identity: readIdentity, redirect: redirect, defaultsGeneration: release.defaultsGeneration)
        } else if let cached {
            entry = cached.keeping(as: readIdentity, defaultsGeneration: release.defaultsGeneration)
        } else {
            entry = CachedRedirect.make(
                id: id, identity: readIdentity, redirect: nil, defaultsGeneration: release.defaultsGeneration)
        }
        cache.write { $0.insert(entry) }
        return entry
    }

    /// The identity of `<name>[.toml]` by one `lstat`; symbolic links and odd files go through the reader's
    /// checks, and what they refuse is reported.
    private func locate(
        _ name: String, appendingTOML: Bool, in directory: String, reader: RedirectFileReader
    ) -> Located {
        switch quickStat(name, appendingTOML: appendingTOML, in: directory) {
        case .regular(let identity):
            // The common case, with no string built: a regular file.
            return .file(identity, resolvedName: nil)
        case .missing:
            return .missing
        case .other:
            let fileName = appendingTOML ? name + ".toml" : name
            do {
                guard let (identity, resolved) = try reader.identity(of: fileName) else { return .missing }
                return .file(identity, resolvedName: resolved)
            } catch {
                report(fileName, identity: nil, "redirect file \(error)")
                return .refused
            }
        }
    }

    /// Reads and parses one version of a file; the parsed value (nil when it could not be read or parsed,
    /// which is reported) and the identity of what was read.
    private func readAndParse<Value>(
        _ resolvedName: String, fileName: String, identity: FileIdentity, reader: RedirectFileReader,
        servingOld: Bool,
        parse: (_ text: String, _ path: String) -> RedirectFileResult<Value>
    ) -> (Value?, FileIdentity) {
        let text: String
        let readIdentity: FileIdentity
        do {
            (text, readIdentity) = try reader.read(resolvedName)
        } catch {
            report(
                fileName, identity: identity,
                "redirect file \(error)" + (servingOld ? "; serving the last good version" : ""))
            return (nil, identity)
        }
        let result = parse(text, reader.path(of: fileName))
        guard let value = result.value else {
            let suffix = servingOld ? " (serving the last good version)" : ""
            report(fileName, identity: readIdentity, result.errors.map(\.description).joined(separator: "; ") + suffix)
            return (nil, readIdentity)
        }
        recovered(fileName)
        return (value, readIdentity)
    }

    /// Runs `body` on the UTF-8 bytes of `s`, in place when the string is native (ids always are).
    private static func withBytes<R>(of s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = s.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(s.utf8).withUnsafeBufferPointer(body)
    }

    /// `lstat` of `<directory>/<name>[.toml]`, the path built on the stack.
    ///
    /// The same answer as the reader's ``RedirectFileReader/identity(of:)`` for a regular file or a missing
    /// one; anything else (a symbolic link, another kind of file, an error) is left to it.
    private func quickStat(_ name: String, appendingTOML: Bool, in directory: String) -> QuickStat {
        let suffix: StaticString = ".toml"
        let length = directory.utf8.count + 1 + name.utf8.count + (appendingTOML ? suffix.utf8CodeUnitCount : 0)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length + 1) { path -> QuickStat in
            var i = 0
            // The closure is handed only where to copy, not `i` itself: a mutable local captured by a closure
            // is checked for exclusive access at run time, twice per click.
            func put<S: Sequence<UInt8>>(_ bytes: S) {
                let rest = UnsafeMutableBufferPointer(rebasing: path[i...])
                if let copied = bytes.withContiguousStorageIfAvailable({ rest.initialize(from: $0).1 }) {
                    i += copied
                } else {
                    for byte in bytes {
                        path[i] = byte
                        i += 1
                    }
                }
            }
            put(directory.utf8)
            path[i] = UInt8(ascii: "/")
            i += 1
            put(name.utf8)
            if appendingTOML {
                put(UnsafeBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount))
            }
            path[i] = 0
            var s = stat()
            let rc = path.withMemoryRebound(to: CChar.self) { chars in chars.baseAddress.map { lstat($0, &s) } ?? -1 }
            if rc != 0 { return errno == ENOENT || errno == ENOTDIR ? .missing : .other }
            return s.st_mode & S_IFMT == S_IFREG ? .regular(FileIdentity(s)) : .other
        }
    }

    /// What was wrong with the directory at the last check (nil: nothing).
    private let directoryProblem = Locked<String?>(nil)
    private let directoryHasProblem = Atomic(false)

    /// After a missing file, looks whether the whole directory is gone or unreadable (one `stat`, on the
    /// not-found path only), and logs it once when that starts and once when it ends: a deployment that
    /// removed `redirects.d` shows in the error log, not only as a wave of 404s.
    private func checkDirectory() {
        var s = stat()
        var problem: String? = nil
        if stat(directory, &s) != 0 {
            problem = String(cString: strerror(errno))
        } else if s.st_mode & S_IFMT != S_IFDIR {
            problem = "not a directory"
        } else if access(directory, R_OK | X_OK) != 0 {
            problem = "not readable: " + String(cString: strerror(errno))
        }
        // The common case, a healthy directory that was healthy before, takes no lock: a flood of unknown
        // ids must not queue every thread behind one mutex.
        if problem == nil && !directoryHasProblem.load(ordering: .relaxed) { return }
        let message: String? = directoryProblem.withLock { state in
            defer {
                state = problem
                directoryHasProblem.store(problem != nil, ordering: .relaxed)
            }
            if let problem, state != problem {
                return
                    "redirectd: redirects directory \(directory): \(problem); every link answers 404 until it is back"
            }
            if problem == nil, state != nil {
                return "redirectd: redirects directory \(directory) is back"
            }
            return nil
        }
        if let message { log(message) }
    }

    /// Drops the entry of a file that is gone; a shared look first, since unknown ids are asked for often.
    private func forget(_ id: String) {
        Self.withBytes(of: id) { bytes in
            guard cache.read({ $0.contains(bytes) }) else { return }
            cache.write { $0.remove(bytes) }
        }
        forgetReport(id + ".toml")
    }

    private func report(_ fileName: String, identity: FileIdentity?, _ message: String) {
        let isNew = reported.withLock { reported -> Bool in
            if let last = reported[fileName], last == identity { return false }
            if reported.count > 10_000 { reported.removeAll() }
            reported[fileName] = .some(identity)
            reportedCount.store(reported.count, ordering: .relaxed)
            return true
        }
        if isNew { log("redirectd: \(message)") }
    }

    /// Logs that `fileName`, reported as bad before, parsed again.
    private func recovered(_ fileName: String) {
        guard reportedCount.load(ordering: .relaxed) > 0 else { return }
        let wasReported = reported.withLock { reported -> Bool in
            defer { reportedCount.store(reported.count, ordering: .relaxed) }
            return reported.removeValue(forKey: fileName) != nil
        }
        if wasReported {
            let path = (current.read { $0 }?.directory ?? directory) + "/" + fileName
            log("redirectd: \(path): valid again; this version serves from now on")
        }
    }

    /// Forgets what was reported about a file that is gone: it is not reported as recovered if it comes back.
    private func forgetReport(_ fileName: String) {
        guard reportedCount.load(ordering: .relaxed) > 0 else { return }
        reported.withLock { reported in
            reported.removeValue(forKey: fileName)
            reportedCount.store(reported.count, ordering: .relaxed)
        }
    }
}

/// The redirects one thread unpacked last (``RedirectStore/lookup(_:recent:)``): four, replaced in turn.
///
/// An entry is matched by identity: a changed file is a new entry, so a stale redirect is never found. Each
/// slot keeps its entry alive, so an entry's address is not reused while it is remembered; at most four
/// evicted entries per thread live on until they are replaced. Not for sharing between threads.
public final class RecentRedirects {
    private static let size = 4
    @exclusivity(unchecked) private var entries: [CachedRedirect?] = Array(repeating: nil, count: size)
    @exclusivity(unchecked) private var redirects: [Redirect?] = Array(repeating: nil, count: size)
    @exclusivity(unchecked) private var next = 0

    public init() {}

    func redirect(for entry: CachedRedirect) -> Redirect? {
        for k in 0..<Self.size where entries[k] === entry { return redirects[k] }
        return nil
    }

    func remember(_ redirect: Redirect, for entry: CachedRedirect) {
        entries[next] = entry
        redirects[next] = redirect
        next = (next + 1) % Self.size
    }
}
