import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// redirectd's settings as an operator meets them: bad values, the thread limit, the socket's mode and group.
@Suite struct ResponderSettingsTests {
    /// CGI mode has only the environment: a value that is not a number is named in the log with the default used.
    @Test func badEnvironmentValueInCGIModeIsLoggedWithTheDefaultUsed() throws {
        let root = NSTemporaryDirectory() + "redirectd-settings-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/redirects.d", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "url = \"https://www.example.com/\"\n".write(
            toFile: root + "/redirects.d/welcome.toml", atomically: true,
            encoding: .utf8)
        let cgi = [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "PATH_INFO": "/welcome",
            "REDIRECTS_DIR": root + "/redirects.d", "CLICK_LOG_DIR": root + "/clicks",
            "CLICK_LOG_BUCKET_SECONDS": "a minute",
        ]
        for binary in [RedirectStack.redirectdCGI, RedirectStack.redirectd] {
            let run = try ProcessRun.run(binary, environment: cgi)
            #expect(run.status == 0)
            #expect(run.stdout.hasPrefix("Status: 302"))
            #expect(
                run.stderr.contains(
                    #"CLICK_LOG_BUCKET_SECONDS="a minute" is not a whole number from 1 to 86400; using 60"#))
        }
    }

    @Test func threadsAboveTheMaximumAreRefused() throws {
        let run = try ProcessRun.run(
            RedirectStack.redirectd, ["--threads", "1000", "--listen", "unix:/nonexistent/x.sock"])
        #expect(run.status == 64)
        #expect(run.stderr.contains(#"--threads "1000" is not a whole number from 1 to 320"#))
        #expect(run.stderr.contains("each thread serves any number of connections"))
    }

    /// 64 threads need 64 + 32 descriptors, and room for at least 64 connections. Under a hard limit below that,
    /// redirectd says so at start (exit 2, as other start-up errors, before it binds its socket) instead of
    /// failing accepts and losing clicks later; under a lower soft limit alone, it raises its own.
    @Test func tooFewOpenFilesForTheThreadsAreRefusedAtStart() throws {
        let root = NSTemporaryDirectory() + "redirectd-nofile-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        func arguments(_ socket: String) -> [String] {
            [
                "--", RedirectStack.redirectd, "--listen", "unix:" + root + "/" + socket, "--threads", "64",
                "--redirects", root, "--spool", root + "/clicks",
            ]
        }
        let run = try ProcessRun.run("/usr/bin/prlimit", ["--nofile=100:100"] + arguments("refused.sock"))
        #expect(run.status == 2)
        #expect(run.stderr.contains("64 worker threads need at least 160 open files, and the limit is 100"))
        #expect(!FileManager.default.fileExists(atPath: root + "/refused.sock"))

        // A soft limit of 100 under a hard one of 4096: raised (to 1024, what connections can use), and serving.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        process.arguments = ["--nofile=100:4096"] + arguments("r.sock")
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: root + "/r.sock") && Date() < deadline { usleep(20_000) }
        let limits = try String(contentsOfFile: "/proc/\(process.processIdentifier)/limits", encoding: .utf8)
        let openFiles = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }
        #expect(openFiles?.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first == "1024")
    }

    @Test(arguments: [
        ([String](), 0o660 as mode_t, false), (["--socket-mode", "0640", "--socket-group", "daemon"], 0o640, true),
    ])
    func socketModeAndGroup(flags: [String], mode: mode_t, daemonGroup: Bool) throws {
        let root = NSTemporaryDirectory() + "redirectd-socket-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let socket = root + "/r.sock"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RedirectStack.redirectd)
        process.arguments =
            [
                "--listen", "unix:" + socket, "--threads", "2", "--redirects", root, "--spool",
                root + "/clicks",
            ] + flags
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        // bind() makes the file with the umask's mode; redirectd sets the mode before it listens. Wait for that.
        var s = stat()
        let deadline = Date().addingTimeInterval(10)
        while (stat(socket, &s) != 0 || s.st_mode & 0o777 != mode) && Date() < deadline { usleep(20_000) }
        #expect(s.st_mode & 0o777 == mode)
        if daemonGroup {
            #expect(s.st_gid == getgrnam("daemon")?.pointee.gr_gid)
        } else {
            #expect(s.st_gid == getegid())
        }
        let bad = try ProcessRun.run(RedirectStack.redirectd, ["--socket-mode", "rw-rw----"])
        #expect(
            bad.status == 64 && bad.stderr.contains(#"--socket-mode "rw-rw----" is not an octal mode such as 0660"#))
    }
}
