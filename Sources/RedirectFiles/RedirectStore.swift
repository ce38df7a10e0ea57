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
    /// One cached version of a file. A class, so that a lookup takes one reference out of the lock rather
    /// than a copy of every string of the redirect.
    private final class Entry: Sendable {
        let identity: FileIdentity
        /// The version that is served: the last one that parsed.
        let redirect: Redirect?
        let defaults: RedirectDefaults?

        init(identity: FileIdentity, redirect: Redirect? = nil, defaults: RedirectDefaults? = nil) {
            self.identity = identity
            self.redirect = redirect
            self.defaults = defaults
        }
    }

    /// What one `lstat` said, before anything else is looked at.
    private enum QuickStat {
        case regular(FileIdentity)
        case missing
        /// A symbolic link, another kind of file, or an error: the reader's full check decides.
        case other
    }

    public let directory: String
    private let reader: RedirectFileReader
    private let cacheLimit: Int
    private let log: @Sendable (String) -> Void
    /// Parsed files by id, and `_defaults.toml` under its file name (no id starts with `_`). Every request
    /// reads it and few write it: a hit shares the lock, so threads never queue behind one another.
    private let cache: ReadMostly<[String: Entry]>
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
        self.cache = ReadMostly([:])
        self.reported = Mutex([:])
    }

    /// The redirect with `id`, which must already be a valid id (``Identifiers/isRedirectID(_:)``).
    public func lookup(_ id: String) -> RedirectLookup {
        let entry = load(id, isID: true) { text, file, identity in
            let result = RedirectFileParser.parseRedirect(text: text, id: id, file: file)
            return (result.value.map { Entry(identity: identity, redirect: $0) }, result.errors)
        }
        if let redirect = entry?.redirect { return .found(redirect) }
        return .notFound
    }

    /// The settings of `_defaults.toml`, or the built-in defaults when there is none.
    public func defaults() -> RedirectDefaults {
        let entry = load(RedirectFileParser.defaultsFileName, isID: false) { text, file, identity in
            let result = RedirectFileParser.parseDefaults(text: text, file: file)
            return (result.value.map { Entry(identity: identity, defaults: $0) }, result.errors)
        }
        return entry?.defaults ?? RedirectDefaults()
    }

    /// The cached entry for `name` (an id, or `_defaults.toml`), read and parsed again when its identity changed.
    private func load(
        _ name: String, isID: Bool,
        parse: (_ text: String, _ path: String, FileIdentity) -> (Entry?, [RedirectFileError])
    ) -> Entry? {
        let fileName = { isID ? name + ".toml" : name }
        let identity: FileIdentity
        let resolvedName: String
        switch quickStat(name, appendingTOML: isID) {
        case .regular(let found):
            // The common case, with no string built: a regular file, as cached.
            identity = found
            resolvedName = fileName()
        case .missing:
            forget(name)
            checkDirectory()
            return nil
        case .other:
            let current: (FileIdentity, String)?
            do {
                current = try reader.identity(of: fileName())
            } catch {
                report(fileName(), identity: nil, "redirect file \(error)")
                return nil
            }
            guard let current else {
                forget(name)
                return nil
            }
            (identity, resolvedName) = current
        }
        let cached = cache.read { $0[name] }
        if let cached, cached.identity == identity { return cached }

        let text: String
        let readIdentity: FileIdentity
        do {
            (text, readIdentity) = try reader.read(resolvedName)
        } catch {
            let suffix = cached != nil ? "; serving the last good version" : ""
            report(fileName(), identity: identity, "redirect file \(error)" + suffix)
            return remember(name, keeping: cached, as: identity)
        }
        let (parsed, errors) = parse(text, reader.path(of: fileName()), readIdentity)
        guard let entry = parsed else {
            let suffix = cached != nil ? " (serving the last good version)" : ""
            report(fileName(), identity: readIdentity, errors.map(\.description).joined(separator: "; ") + suffix)
            return remember(name, keeping: cached, as: readIdentity)
        }
        store(name, entry)
        return entry
    }

    /// `lstat` of `<directory>/<name>[.toml]`, the path built on the stack.
    ///
    /// The same answer as the reader's ``RedirectFileReader/identity(of:)`` for a regular file or a missing
    /// one; anything else (a symbolic link, another kind of file, an error) is left to it.
    private func quickStat(_ name: String, appendingTOML: Bool) -> QuickStat {
        let suffix: StaticString = ".toml"
        let length = directory.utf8.count + 1 + name.utf8.count + (appendingTOML ? suffix.utf8CodeUnitCount : 0)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length + 1) { path -> QuickStat in
            var i = 0
            func put<S: Sequence<UInt8>>(_ bytes: S) {
                let copied = bytes.withContiguousStorageIfAvailable { source -> Int in
                    UnsafeMutableBufferPointer(rebasing: path[i...]).initialize(from: source).1
                }
                if let copied {
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
    private let directoryProblem = Mutex<String?>(nil)
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
                return "redirectd: redirects directory \(directory): \(problem); every link answers 404 until it is back"
            }
            if problem == nil, state != nil {
                return "redirectd: redirects directory \(directory) is back"
            }
            return nil
        }
        if let message { log(message) }
    }

    /// Drops the entry of a file that is gone; a shared look first, since unknown ids are asked for often.
    private func forget(_ name: String) {
        guard cache.read({ $0[name] != nil }) else { return }
        _ = cache.write { $0.removeValue(forKey: name) }
    }

    /// Caches a bad version under its identity, so it is not read again until it changes, while the last
    /// good version (if any) keeps serving.
    private func remember(_ name: String, keeping cached: Entry?, as identity: FileIdentity) -> Entry? {
        let entry = Entry(identity: identity, redirect: cached?.redirect, defaults: cached?.defaults)
        store(name, entry)
        return entry
    }

    private func store(_ name: String, _ entry: Entry) {
        cache.write { cache in
            if cache.count >= cacheLimit && cache[name] == nil {
                // Drop an arbitrary half (every other entry): cheap, and a dropped entry costs one more read if
                // asked again. The rest go into a fresh table: removing the first half of the table in place
                // left the other half as one dense run, which every later lookup that hashed into it walked
                // key by key (linear probing), so that each miss cost thousands of string comparisons.
                var kept = [String: Entry](minimumCapacity: cacheLimit)
                var keep = true
                for (key, value) in cache {
                    if keep { kept[key] = value }
                    keep.toggle()
                }
                cache = kept
            }
            cache[name] = entry
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

/// A value behind a `pthread_rwlock_t`, for data that nearly every request reads and few change.
///
/// Readers share the lock, so a hit never waits for another thread. (A `Mutex` is a priority-inheritance
/// futex on Linux: with dozens of worker threads on a few cores, a holder that is preempted sends every
/// other lookup into the kernel.) Writers are preferred, so a steady stream of readers cannot starve them.
private final class ReadMostly<Value>: @unchecked Sendable {
    /// Behind a pointer, so that reads borrow the value in place (no exclusivity bookkeeping, no copy).
    private let value: UnsafeMutablePointer<Value>
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init(_ initial: Value) {
        value = UnsafeMutablePointer<Value>.allocate(capacity: 1)
        value.initialize(to: initial)
        lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        #if os(Linux)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        pthread_rwlock_init(lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
        value.deinitialize(count: 1)
        value.deallocate()
    }

    func read<R>(_ body: (borrowing Value) -> R) -> R {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return body(value.pointee)
    }

    func write<R>(_ body: (inout Value) -> R) -> R {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return body(&value.pointee)
    }
}
