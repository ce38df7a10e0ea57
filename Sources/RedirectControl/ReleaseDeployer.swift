import SystemIO
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `redirectctl deploy`: fetches a branch, checks its newest commit out into a release of its own, lints it
/// as `redirectctl check` does, and only when it is clean makes it live with one `rename(2)` of a symbolic
/// link (``DeployLayout``).
///
/// A responder on `DIR/redirects.d` sees the old release or the new one, never a half-written one: a release
/// gets its final name only once it is whole, and the link is replaced, never rewritten. git is run as a
/// child process (it must be installed); everything else is done here. One run at a time per root (`flock`).
/// Each step is reported with one line through `output`; what keeps a commit from going live is told apart
/// (``DeployLine/Kind/finding``), once per commit, so that cron mails it once rather than every minute.
public struct ReleaseDeployer: Sendable {
    public let options: DeployOptions
    private let output: @Sendable (DeployLine) -> Void

    /// How long a release that stopped being live is never pruned: a responder goes on reading the release it
    /// resolved for up to a second (``RedirectStore``), and this leaves it ample room.
    static let retiredGraceSeconds = 10

    public init(options: DeployOptions, output: @escaping @Sendable (DeployLine) -> Void) {
        self.options = options
        self.output = output
    }

    private func log(_ text: String) { output(DeployLine(.step, text)) }
    private func finding(_ text: String) { output(DeployLine(.finding, text)) }

    private var layout: DeployLayout { options.layout }

    /// Runs one deploy. Throws ``DeployError`` when it could not run; the live set is then unchanged.
    public func run() throws(DeployError) -> DeployOutcome {
        try makeDirectory(layout.root, what: "root")
        let lock = try takeLock()
        defer { try? lock.close() }
        try makeDirectory(layout.releases, what: "releases directory")
        try prepareMirror()
        let commit = try fetch()
        let live = try liveCommit()
        let target = DeployLayout.linkTarget(commit: commit, path: options.path)
        if let live, live.commit == commit, live.target == target {
            log("already live: \(commit)")
            prune(live: commit, switchedFrom: nil)
            return .alreadyLive(commit: commit)
        }
        if rejectedBefore() == commit {
            log("rejected before: \(commit) (its findings were reported then); live stays " + describe(live?.commit))
            return .rejected(commit: commit, live: live?.commit, findings: [])
        }
        let created: Bool
        switch try checkOut(commit) {
        case .missingPath:
            let text = "\(options.path): no such directory in commit \(commit)"
            finding(text)
            return reject(commit, live: live?.commit, findings: [text])
        case .checkedOut(let isNew):
            created = isNew
        }
        let checked = layout.release(commit) + (options.path.isEmpty ? "" : "/" + options.path)
        let report: RedirectCheckReport
        do {
            report = try RedirectDirectoryChecker(directory: checked).check()
        } catch {
            throw DeployError("cannot check \(checked): \(error)")
        }
        guard report.isClean else {
            let findings = report.problems.map(\.description)
            for text in findings { finding(text) }
            finding(report.summary)
            if created { remove(layout.release(commit), as: "rejected release") }
            return reject(commit, live: live?.commit, findings: findings)
        }
        log("checked \(checked): \(report.summary.dropFirst("checked ".count))")
        try switchLive(to: target)
        unlink(layout.rejected)
        touch(layout.release(commit))
        if let previous = live?.commit { touch(layout.release(previous)) }
        log("live: \(DeployLayout.liveName) -> \(target)" + (live.map { " (was \($0.commit))" } ?? ""))
        prune(live: commit, switchedFrom: live?.commit)
        return .deployed(commit: commit, previous: live?.commit)
    }

    private func reject(_ commit: String, live: String?, findings: [String]) -> DeployOutcome {
        finding("rejected \(commit); live stays " + describe(live))
        remember(rejected: commit)
        return .rejected(commit: commit, live: live, findings: findings)
    }

    private func describe(_ live: String?) -> String { live ?? "nothing (no release is live yet)" }

    /// The commit the last run rejected (`DIR/.rejected`), nil when none.
    private func rejectedBefore() -> String? {
        guard case .text(let text) = DirectoryEntryContents.read(layout.rejected) else { return nil }
        let id = text.split(separator: "\n").first.map(String.init) ?? ""
        return DeployLayout.isCommitID(id) ? id : nil
    }

    /// Notes that `commit` was rejected: the next runs say so in one line until another commit comes.
    private func remember(rejected commit: String) {
        let temporary = layout.root + "/" + DeployLayout.temporaryPrefix + "rejected-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let line = Array((commit + "\n").utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        if written != line.count || rename(temporary, layout.rejected) != 0 { unlink(temporary) }
    }

    // MARK: - The root and its lock

    private func makeDirectory(_ path: String, what: String) throws(DeployError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw DeployError("cannot create the \(what) \(path): \(Errno(rawValue: errno))")
        }
        var s = stat()
        guard stat(path, &s) == 0, s.st_mode & S_IFMT == S_IFDIR else {
            throw DeployError("\(path): not a directory")
        }
    }

    /// The root's lock, held until the descriptor is closed: a second run (cron and a person at once) waits
    /// for the first, then finds its commit live.
    private func takeLock() throws(DeployError) -> FileDescriptor {
        let file: FileDescriptor
        do throws(Errno) {
            file = try Errno.typed {
                try FileDescriptor.open(
                    layout.lock, .readWrite, options: [.create, .closeOnExec], permissions: [.ownerReadWrite])
            }
        } catch {
            throw DeployError("cannot open the lock \(layout.lock): \(error) (is \(layout.root) writable?)")
        }
        do throws(Errno) {
            try file.lock(.exclusive, waiting: false)
            return file
        } catch  where error == .wouldBlock {
            log("waiting for another deploy to finish (lock \(layout.lock))")
        } catch {
            try? file.close()
            throw DeployError("cannot lock \(layout.lock): \(error)")
        }
        do throws(Errno) {
            try file.lock(.exclusive)
        } catch {
            try? file.close()
            throw DeployError("cannot lock \(layout.lock): \(error)")
        }
        return file
    }

    // MARK: - git

    private func git(_ arguments: [String], environment: [String: String] = [:]) throws(DeployError) -> ChildProcess {
        // Never a prompt for a password in cron: a repository that needs one fails instead.
        var environment = environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        do throws(Errno) {
            return try ChildProcess.run(["git"] + arguments, environment: environment)
        } catch {
            throw DeployError("cannot run git (\(error)); deploy needs git installed and on PATH")
        }
    }

    private func gitInMirror(_ arguments: [String], environment: [String: String] = [:]) throws(DeployError)
        -> ChildProcess
    {
        try git(["--git-dir=" + layout.repository] + arguments, environment: environment)
    }

    /// Creates the bare mirror on the first run (under a temporary name, renamed once git made it).
    private func prepareMirror() throws(DeployError) {
        var s = stat()
        if stat(layout.repository, &s) == 0 { return }
        let temporary = layout.root + "/" + DeployLayout.temporaryPrefix + "repository-\(getpid()).git"
        remove(temporary, as: nil)
        let result = try git(["init", "--quiet", "--bare", temporary])
        guard result.succeeded else { throw DeployError("git init \(temporary) failed: \(result.lastErrorLine)") }
        guard rename(temporary, layout.repository) == 0 else {
            throw DeployError("cannot rename \(temporary) to \(layout.repository): \(Errno(rawValue: errno))")
        }
        log("created the mirror \(layout.repository)")
    }

    /// The ref the branch is fetched into: a namespace of its own, apart from the mirror's `HEAD` and branches.
    private var fetchedRef: String { "refs/deploy/" + options.branch }

    /// Fetches the branch (only what the mirror lacks) and returns the commit to deploy.
    private func fetch() throws(DeployError) -> String {
        let fetched = try gitInMirror([
            "fetch", "--quiet", "--no-tags", "--force", "--", options.repository,
            "+refs/heads/\(options.branch):\(fetchedRef)",
        ])
        guard fetched.succeeded else {
            throw DeployError(
                "git fetch of \(options.branch) from \(options.repository) failed: \(fetched.lastErrorLine)")
        }
        let branchHead = try resolve(fetchedRef)
        guard let branchHead else {
            throw DeployError("branch \(options.branch) of \(options.repository) has no commit")
        }
        guard let pinned = options.commit else {
            log("fetched \(options.branch) from \(options.repository): \(branchHead)")
            return branchHead
        }
        guard let commit = try resolve(pinned) else {
            throw DeployError(
                "commit \(pinned) is not in the mirror (fetched \(options.branch) from \(options.repository))")
        }
        log("fetched \(options.branch) from \(options.repository): \(branchHead); deploying the given commit \(commit)")
        return commit
    }

    /// The full id of the commit `name` names in the mirror, or nil when it names none.
    private func resolve(_ name: String) throws(DeployError) -> String? {
        let result = try gitInMirror(["rev-parse", "--verify", "--quiet", name + "^{commit}"])
        let id = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        return result.succeeded && DeployLayout.isCommitID(id) ? id : nil
    }

    // MARK: - Releases

    private enum CheckOut {
        /// The release directory exists now; `isNew`: this run made it.
        case checkedOut(isNew: Bool)
        /// The commit has no directory at the options' path.
        case missingPath
    }

    /// Writes the commit's redirects directory into `releases/<commit>`, under a temporary name first, with
    /// git's own checkout and an index of its own (the mirror has none), so no work tree is involved.
    private func checkOut(_ commit: String) throws(DeployError) -> CheckOut {
        let release = layout.release(commit)
        var s = stat()
        if lstat(release, &s) == 0 {
            guard s.st_mode & S_IFMT == S_IFDIR else { throw DeployError("\(release): not a directory") }
            let folder = options.path.isEmpty ? release : release + "/" + options.path
            guard stat(folder, &s) == 0, s.st_mode & S_IFMT == S_IFDIR else {
                throw DeployError("\(release) holds no \(options.path): it was deployed with another --path")
            }
            log("using releases/\(commit), checked out before")
            return .checkedOut(isNew: false)
        }
        let tree = options.path.isEmpty ? commit + "^{tree}" : commit + ":" + options.path
        let kind = try gitInMirror(["cat-file", "-t", "--end-of-options", tree])
        guard kind.succeeded, kind.stdout.hasPrefix("tree") else { return .missingPath }

        let temporary = layout.releases + "/" + DeployLayout.temporaryPrefix + commit + "-\(getpid())"
        let index = temporary + ".index"
        remove(temporary, as: nil)
        unlink(index)
        defer { unlink(index) }
        guard mkdir(temporary, 0o755) == 0 else {
            throw DeployError("cannot create \(temporary): \(Errno(rawValue: errno))")
        }
        var arguments = ["--work-tree=" + temporary, "read-tree", "-u"]
        arguments += options.path.isEmpty ? ["--reset"] : ["--prefix=" + options.path + "/"]
        arguments += ["--end-of-options", tree]
        let read = try gitInMirror(arguments, environment: ["GIT_INDEX_FILE": index])
        guard read.succeeded else {
            remove(temporary, as: nil)
            throw DeployError("git could not check out \(commit): \(read.lastErrorLine)")
        }
        guard rename(temporary, release) == 0 else {
            let error = Errno(rawValue: errno)
            remove(temporary, as: nil)
            throw DeployError("cannot rename \(temporary) to \(release): \(error)")
        }
        log("checked out \(commit) into releases/\(commit)")
        return .checkedOut(isNew: true)
    }

    /// The live link's commit and target, nil when there is no link yet; throws when the live name is something
    /// else (a directory from before deploys), which a rename could not replace.
    private func liveCommit() throws(DeployError) -> (commit: String, target: String)? {
        var s = stat()
        if lstat(layout.live, &s) != 0 {
            if errno == ENOENT { return nil }
            throw DeployError("cannot look at \(layout.live): \(Errno(rawValue: errno))")
        }
        guard s.st_mode & S_IFMT == S_IFLNK else {
            throw DeployError(
                "\(layout.live) is not a link made by deploy; move it away (deploy makes it a link to a release)")
        }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(layout.live, &buffer, buffer.count - 1)
        guard n >= 0 else { throw DeployError("cannot read the link \(layout.live): \(Errno(rawValue: errno))") }
        let target = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let commit = DeployLayout.commit(ofLinkTarget: target) else {
            throw DeployError("\(layout.live) -> \(target) is not a link made by deploy; move it away")
        }
        return (commit, target)
    }

    /// Points the live link at `target` with one `rename(2)` over it, so that it always names a release.
    private func switchLive(to target: String) throws(DeployError) {
        let temporary = layout.root + "/" + DeployLayout.temporaryPrefix + DeployLayout.liveName + "-\(getpid())"
        unlink(temporary)
        guard symlink(target, temporary) == 0 else {
            throw DeployError("cannot create the link \(temporary): \(Errno(rawValue: errno))")
        }
        guard rename(temporary, layout.live) == 0 else {
            let error = Errno(rawValue: errno)
            unlink(temporary)
            throw DeployError("cannot rename \(temporary) to \(layout.live): \(error)")
        }
        // The switch survives a crash of the machine, not only of this process.
        let root = open(layout.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if root >= 0 {
            _ = fsync(root)
            close(root)
        }
    }

    /// Sets a release's modification time to now: it was live until now (or is from now), which pruning reads.
    private func touch(_ path: String) {
        _ = utimensat(AT_FDCWD, path, nil, 0)
    }

    // MARK: - Pruning

    /// Removes releases beyond `keep`, oldest first by the time each was last live, and what a killed run left
    /// (temporary names). Never the live release, the one switched from, or one that stopped being live in the
    /// last ``retiredGraceSeconds``; a failure to remove is reported and does not fail the deploy.
    private func prune(live: String, switchedFrom: String?) {
        guard let directory = opendir(layout.releases) else { return }
        var releases: [(name: String, modified: Int)] = []
        var leftovers: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(DeployLayout.temporaryPrefix) {
                leftovers.append(name)
            } else if DeployLayout.isCommitID(name) {
                var s = stat()
                guard lstat(layout.release(name), &s) == 0, s.st_mode & S_IFMT == S_IFDIR else { continue }
                releases.append((name, Int(s.st_mtim.tv_sec)))
            }
        }
        closedir(directory)
        for name in leftovers { remove(layout.releases + "/" + name, as: "leftover") }

        let now = Int(time(nil))
        let protected = Set([live] + (switchedFrom.map { [$0] } ?? []))
        var kept = releases.filter { protected.contains($0.name) }.count
        for release in releases.sorted(by: { ($0.modified, $0.name) > ($1.modified, $1.name) })
        where !protected.contains(release.name) {
            if kept < options.keep || now - release.modified < Self.retiredGraceSeconds {
                kept += 1
                continue
            }
            // Out of the releases' names first, in one step: nothing sees a release half removed.
            let doomed = layout.releases + "/" + DeployLayout.temporaryPrefix + "pruned-" + release.name
            guard rename(layout.release(release.name), doomed) == 0 else {
                log("warning: cannot prune releases/\(release.name): \(Errno(rawValue: errno))")
                continue
            }
            remove(doomed, as: nil)
            log("pruned releases/\(release.name)")
        }
    }

    /// Removes `path` and everything under it (`rm -rf`), reporting a failure as `what` (nil: silently).
    private func remove(_ path: String, as what: String?) {
        var s = stat()
        guard lstat(path, &s) == 0 else { return }
        let result = try? ChildProcess.run(["rm", "-rf", "--", path])
        if let what, result?.succeeded != true {
            log("warning: cannot remove the \(what) \(path): \(result?.lastErrorLine ?? "rm did not run")")
        } else if let what, what == "leftover" {
            log("removed \(path), left by an interrupted run")
        }
    }
}
