import ClickSpool
import FastCGI
import SystemIO

#if canImport(Glibc)
    import Glibc
#endif

/// Why `redirectd` could not start.
public struct StartupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `redirectd` itself: picks FastCGI or CGI mode and serves.
public enum RedirectApplication {
    /// How the responder was started.
    public enum Mode: Equatable {
        case fastCGI(fd: Int32)
        case cgi
    }

    /// FastCGI on an opened or inherited listening socket, or CGI when a CGI host started us.
    ///
    /// A socket handed over as systemd does it (fd 3, `LISTEN_FDS`, `LISTEN_PID`) comes first, even with
    /// `--listen`: at a reload the new process gets the old one's socket that way, and must not bind again.
    /// With `threads`, FastCGI mode first makes sure the process may open the descriptors of that many workers
    /// (``FastCGIServer/ensureDescriptorRoom(threads:reserve:)``), before it binds anything.
    public static func detectMode(
        listen: ListenAddress?, socketMode: mode_t = 0o660, socketGroup: String? = nil, threads: Int? = nil
    ) throws -> Mode {
        func checkDescriptorRoom() throws {
            if let threads, let problem = FastCGIServer.ensureDescriptorRoom(threads: threads) {
                throw StartupError(problem)
            }
        }
        if let fd = InheritedSocket.take() {
            try checkDescriptorRoom()
            return .fastCGI(fd: fd)
        }
        if let listen {
            try checkDescriptorRoom()
            do {
                return .fastCGI(fd: try ListeningSocket.open(listen, socketMode: socketMode, socketGroup: socketGroup))
            } catch {
                throw StartupError("cannot listen on \(listen): \(error)")
            }
        }
        // spawn-fcgi and the FastCGI convention: the listening socket is fd 0.
        if ListeningSocket.isListening(0) {
            try checkDescriptorRoom()
            return .fastCGI(fd: 0)
        }
        if CGIRequest.isCGIEnvironment { return .cgi }
        throw StartupError(
            "no listening socket on fd 0 and not started as a CGI program; "
                + "run under spawn-fcgi or systemd, pass --listen unix:/run/redirectd/redirectd.sock, "
                + "or start from a CGI host such as fcgiwrap")
    }

    /// A missing redirects directory is not fatal (links answer 404 until it appears, e.g. during a
    /// deployment), but it is almost always a mistake worth a line in the log.
    static func warnIfUnreadable(_ directory: String) {
        var s = stat()
        if stat(directory, &s) != 0 {
            StandardError.log(
                "redirectd: warning: redirects directory \(directory): \(String(cString: strerror(errno))); "
                    + "every link answers 404 until it exists")
        } else if s.st_mode & S_IFMT != S_IFDIR {
            StandardError.log("redirectd: warning: redirects directory \(directory) is not a directory")
        } else if access(directory, R_OK | X_OK) != 0 {
            StandardError.log("redirectd: warning: redirects directory \(directory) is not readable by this user")
        }
    }

    /// Serves the one CGI request in the environment (`redirectd-cgi`). Returns the process exit code: 0, 1 when
    /// the response could not be written, 2 when not started by a CGI host.
    public static func serveCGI(configuration: ResponderConfiguration) -> Int32 {
        guard CGIRequest.isCGIEnvironment else {
            StandardError.log(
                "redirectd-cgi: not started as a CGI program (GATEWAY_INTERFACE is not set); it answers one request "
                    + "from a CGI host such as fcgiwrap. For FastCGI, run redirectd.")
            return 2
        }
        let responder = ClickService(configuration: configuration, log: StandardError.log)
        return CGIRequest.serve(responder.makeHandler()) ? 0 : 1
    }

    /// Serves until told to stop (FastCGI) or for one request (CGI). Returns the process exit code.
    public static func run(configuration: ResponderConfiguration) throws -> Int32 {
        // Taken first, so that no process this one starts finds the variable.
        let readyDescriptor = ReadinessReport.takeDescriptor()
        let mode = try detectMode(
            listen: configuration.listen, socketMode: configuration.socketMode,
            socketGroup: configuration.socketGroup, threads: configuration.threads)
        if mode != .cgi { warnIfUnreadable(configuration.redirectsDirectory) }
        let responder = ClickService(configuration: configuration, log: StandardError.log)
        switch mode {
        case .cgi:
            return CGIRequest.serve(responder.makeHandler()) ? 0 : 1
        case .fastCGI(let fd):
            // Before any thread starts, so that only the server's signal thread ever sees SIGTERM/SIGINT.
            FastCGIServer.prepareSignals()
            // SIGHUP starts the same path again, with the same arguments (see FastCGIServer).
            let replacement = ExecutablePath.ofThisProcess().map {
                ProcessReplacement(executable: $0, arguments: CommandLine.arguments)
            }
            let server = FastCGIServer(
                listenFD: fd, threads: configuration.threads, replacement: replacement, log: StandardError.log)
            let sealer = BackgroundSealer(layout: configuration.spool, interval: configuration.sealInterval)
            sealer.start()
            server.run(makeWorker: responder.makeWorker) { ReadinessReport.serving(descriptor: readyDescriptor) }
            sealer.stop()
            // After a reload the path belongs to the new process.
            if !server.wasReplaced, case .unix(let path) = configuration.listen { unlink(path) }
            return 0
        }
    }
}
