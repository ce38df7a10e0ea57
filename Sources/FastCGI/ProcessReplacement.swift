import CLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// A reload: starting the program again on the same listening socket and waiting until the new process serves.
///
/// The new process gets the socket the way systemd hands one over (fd 3, `LISTEN_FDS=1`, `LISTEN_PID` set to
/// its own pid), so it never binds again and no connection is refused in between, and the write end of a pipe
/// as fd 4 (``readyVariable``). It writes ``readyByte`` there once its workers are serving (see
/// ``ReadinessReport``). Anything else (the pipe closed because the process ended, or no word within the
/// timeout) is a failed start: the caller keeps serving.
public struct ProcessReplacement: Sendable {
    /// The program to start: the absolute path this process was started from (``ExecutablePath``).
    public let executable: String
    /// The new process's `argv`, `argv[0]` included: the same as this process's.
    public let arguments: [String]
    /// How long the new process has to report that it serves.
    public let readyTimeout: Double

    /// The environment variable naming the descriptor a new process reports readiness on.
    public static let readyVariable = "REDIRECTD_READY_FD"
    /// What a new process writes once it serves.
    public static let readyByte = UInt8(ascii: "R")
    /// What the forked child writes, followed by `errno` (4 bytes), when `execve` fails.
    static let execFailedByte = UInt8(ascii: "E")

    public init(executable: String, arguments: [String], readyTimeout: Double = 15) {
        self.executable = executable
        self.arguments = arguments
        self.readyTimeout = readyTimeout
    }

    /// How a start went.
    public enum Outcome: Equatable, Sendable {
        /// The new process serves on the socket.
        case serving(pid: pid_t)
        /// It does not; the reason, in words for the log.
        case failed(String)
    }

    /// Starts the program on `listenFD` and waits until it serves, or fails, or the timeout passes (then it is
    /// stopped). Call from one thread at a time.
    public func start(listenFD: Int32) -> Outcome {
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else { return .failed("cannot create a pipe: \(Self.reason(errno))") }
        // No other thread of this process starts programs, so setting close-on-exec afterwards is no race.
        let readEnd = pipeEnds[0]
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        defer { close(readEnd) }
        // Above the descriptors the child moves them to (0, 3, 4), so that no dup2 overwrites a source.
        let listenCopy = fcntl(listenFD, F_DUPFD_CLOEXEC, 10)
        var readyCopy = fcntl(pipeEnds[1], F_DUPFD_CLOEXEC, 10)
        let nullCopy = open("/dev/null", O_RDWR | O_CLOEXEC)
        close(pipeEnds[1])
        defer {
            for fd in [listenCopy, readyCopy, nullCopy] where fd >= 0 { close(fd) }
        }
        guard listenCopy >= 0, readyCopy >= 0, nullCopy >= 0 else {
            return .failed("cannot duplicate descriptors: \(Self.reason(errno))")
        }

        // Everything the child touches is made here: between fork and exec a threaded process may only make
        // async-signal-safe calls, so the child allocates nothing and only fills in its pid.
        let inherited: Set<String> = ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", Self.readyVariable]
        var environment = Self.currentEnvironment().filter { entry in
            !inherited.contains(String(entry.prefix { $0 != "=" }))
        }
        environment += ["LISTEN_FDS=1", "\(Self.readyVariable)=4"]
        // Raw, zero-terminated arrays: the child must not touch Swift arrays' storage management.
        let path = strdup(executable)
        let argv = Self.cStrings(arguments)
        let pidPrefix = "LISTEN_PID="
        // Room for any pid (at most 10 digits) and the terminating zero; the child writes its pid here.
        let envp = Self.cStrings(environment + [pidPrefix + String(repeating: "0", count: 10)])
        let pidDigits = envp[environment.count].map { $0 + pidPrefix.utf8.count }
        let failure = UnsafeMutablePointer<UInt8>.allocate(capacity: 5)
        failure[0] = Self.execFailedByte
        defer {
            free(path)
            Self.release(argv, count: arguments.count)
            Self.release(envp, count: environment.count + 1)
            failure.deallocate()
        }
        guard !arguments.isEmpty else { return .failed("no arguments to start \(executable) with") }
        guard let path, let pidDigits, (0..<arguments.count).allSatisfy({ argv[$0] != nil }),
            (0...environment.count).allSatisfy({ envp[$0] != nil })
        else { return .failed("out of memory") }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        let moveNullToStdin = listenFD == 0
        var limit = rlimit()
        let highestDescriptor =
            getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0
            ? Int32(clamping: min(limit.rlim_cur, 65_536)) : 1024

        let pid = fork()
        if pid == 0 {
            // The child. Only async-signal-safe calls from here on.
            var value = getpid()
            var count = 0
            var scratch = value
            repeat {
                count += 1
                scratch /= 10
            } while scratch > 0
            pidDigits[count] = 0
            for index in stride(from: count - 1, through: 0, by: -1) {
                pidDigits[index] = CChar(48 + value % 10)
                value /= 10
            }
            sigprocmask(SIG_SETMASK, &emptyMask, nil)
            if moveNullToStdin { dup2(nullCopy, 0) }
            // dup2 onto another number clears close-on-exec; the copies themselves close at exec.
            dup2(listenCopy, 3)
            dup2(readyCopy, 4)
            // Nothing else goes over: not libfcgi's accepted connections (which would keep nginx's kept-alive
            // connections open after the old workers close them), nor whatever our own parent passed us.
            if CLinux_close_range(5, UInt32.max, 0) != 0 {
                var fd: Int32 = 5
                while fd < highestDescriptor {
                    close(fd)
                    fd += 1
                }
            }
            execve(path, argv, envp)
            let code = UInt32(bitPattern: errno)
            for index in 0..<4 { failure[index + 1] = UInt8(truncatingIfNeeded: code >> (8 * UInt32(index))) }
            _ = write(4, failure, 5)
            _exit(127)
        }
        guard pid > 0 else { return .failed("cannot fork: \(Self.reason(errno))") }
        // Only the child may hold the write end now, so the pipe reads end-of-file once it is gone.
        close(readyCopy)
        readyCopy = -1
        return awaitReady(pid: pid, readEnd: readEnd)
    }

    /// Waits for the child's word on `readEnd`; on anything but ``readyByte`` makes sure the child is gone.
    private func awaitReady(pid: pid_t, readEnd: Int32) -> Outcome {
        let deadline = Self.now() + readyTimeout
        var byte: UInt8 = 0
        while true {
            let left = deadline - Self.now()
            if left <= 0 {
                let status = Self.stop(pid)
                return .failed(
                    "\(executable) (pid \(pid)) did not report serving within \(Int(readyTimeout)) s; "
                        + "stopped it (\(status))")
            }
            var fd = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fd, 1, Int32(min(left, 1) * 1000))
            if ready < 0 && errno != EINTR { return .failed("cannot wait for the new process: \(Self.reason(errno))") }
            if ready <= 0 { continue }
            _ = try? withUnsafeMutableBytes(of: &byte) { try FileDescriptor(rawValue: readEnd).read(into: $0) }
            break
        }
        if byte == Self.readyByte { return .serving(pid: pid) }
        if byte == Self.execFailedByte {
            var bytes: [UInt8] = [0, 0, 0, 0]
            let n = (try? bytes.withUnsafeMutableBytes { try FileDescriptor(rawValue: readEnd).read(into: $0) }) ?? -1
            let code = bytes.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let status = Self.reap(pid, within: 5) ?? Self.stop(pid)
            let why = n == 4 ? Self.reason(Int32(bitPattern: code)) : "unknown error"
            return .failed("cannot execute \(executable): \(why); the forked process \(status)")
        }
        // End of file: the new process ended (or closed the pipe) before serving.
        let status = Self.reap(pid, within: 5) ?? Self.stop(pid)
        return .failed("\(executable) (pid \(pid)) \(status) before serving")
    }

    /// Ends `pid`: SIGTERM, then SIGKILL if it is still there after 5 s. Returns how it ended.
    private static func stop(_ pid: pid_t) -> String {
        kill(pid, SIGTERM)
        if let status = reap(pid, within: 5) { return status }
        kill(pid, SIGKILL)
        return reap(pid, within: 5) ?? "still running after SIGKILL"
    }

    /// Collects the exit status of `pid` if it ends within `seconds`; nil if it does not.
    private static func reap(_ pid: pid_t, within seconds: Double) -> String? {
        let deadline = now() + seconds
        var status: Int32 = 0
        while true {
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid { return describe(status) }
            if rc < 0 && errno != EINTR { return "its exit status is unknown: \(reason(errno))" }
            if now() >= deadline { return nil }
            usleep(20_000)
        }
    }

    /// `waitpid`'s status in words ("exited with status 1", "was killed by signal 11 (Segmentation fault)").
    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exited with status \((status >> 8) & 0xff)" }
        let name = strsignal(signal).map { String(cString: $0) } ?? "unknown"
        return "was killed by signal \(signal) (\(name))"
    }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// `strings` as a zero-terminated C array of `strdup`ed copies.
    private static func cStrings(_ strings: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() { array[index] = strdup(string) }
        array[strings.count] = nil
        return array
    }

    private static func release(_ array: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, count: Int) {
        for index in 0..<count { Glibc.free(array[index]) }
        array.deallocate()
    }

    /// This process's environment, as `NAME=value` strings.
    private static func currentEnvironment() -> [String] {
        var result: [String] = []
        var entry = environ
        while let text = entry.pointee {
            result.append(String(cString: text))
            entry += 1
        }
        return result
    }
}
