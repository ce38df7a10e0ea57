import SystemIO
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A program run to its end by `redirectctl` (git, for `deploy`): its exit status and what it printed.
///
/// Started with `posix_spawnp` (found on `PATH`), with standard input from `/dev/null` so that it never waits
/// for a person, and both outputs read at once until they end, so a chatty child cannot fill a pipe and stall.
struct ChildProcess: Sendable {
    /// How the program ended: its exit status, or the signal that ended it (as 128 + signal, as a shell says).
    var status: Int32
    var stdout: String
    var stderr: String

    /// Whether the program exited 0.
    var succeeded: Bool { status == 0 }

    /// The last line of stderr, for a one-line message (git puts the reason there: `fatal: ...`).
    var lastErrorLine: String {
        let lines = stderr.split(separator: "\n").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        return lines.last.map(String.init) ?? "exit status \(status)"
    }

    /// Runs `arguments[0]` with the rest as its arguments, with `environment` added to this process's
    /// environment. Throws only when it cannot be started at all.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws(Errno) -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        // Close-on-exec, so that no other child inherits them (pipe2 is not in the Glibc module; a child that a
        // second thread spawns in between would only delay the end of this one's output until it exits).
        guard pipe(&outPipe) == 0 else { throw Errno(rawValue: errno) }
        guard pipe(&errPipe) == 0 else {
            let error = Errno(rawValue: errno)
            close(outPipe[0])
            close(outPipe[1])
            throw error
        }
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        var entries: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            let name = text.split(separator: "=", maxSplits: 1).first.map(String.init) ?? text
            if environment[name] == nil { entries.append(text) }
            pointer += 1
        }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) { entries.append(name + "=" + value) }

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = entries.map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw Errno(rawValue: spawned)
        }
        let (stdout, stderr) = readBoth(outPipe[0], errPipe[0])
        close(outPipe[0])
        close(errPipe[0])
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Glibc's module does not bring as functions.
        let signal = waitStatus & 0x7f
        let status = signal == 0 ? (waitStatus >> 8) & 0xff : 128 + signal
        return ChildProcess(
            status: status, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Everything written to both descriptors until each ends, read as it comes (`poll`).
    private static func readBoth(_ out: Int32, _ err: Int32) -> ([UInt8], [UInt8]) {
        var collected: [[UInt8]] = [[], []]
        var fds = [
            pollfd(fd: out, events: Int16(POLLIN), revents: 0), pollfd(fd: err, events: Int16(POLLIN), revents: 0),
        ]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while fds.contains(where: { $0.fd >= 0 }) {
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for k in fds.indices where fds[k].fd >= 0 && fds[k].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fds[k].fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    collected[k] += buffer[..<n]
                } else if n == 0 || errno != EINTR {
                    // The end (or an error, which ends it too); poll skips a negative descriptor.
                    fds[k].fd = -1
                }
            }
        }
        return (collected[0], collected[1])
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while let first = s.first, first == " " || first == "\t" || first == "\r" { s.removeFirst() }
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s.removeLast() }
        return s
    }
}
