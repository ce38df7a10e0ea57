import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// CGI mode: one request from the environment, the response on standard output.
public enum CGIRequest {
    /// Whether the process was started by a CGI host (fcgiwrap, a web server's CGI module).
    public static var isCGIEnvironment: Bool { getenv("GATEWAY_INTERFACE") != nil }

    /// Serves the single request described by the environment. Returns false if writing the response failed.
    public static func serve(_ handler: RequestHandler) -> Bool {
        var response: [UInt8] = []
        handler(CGIParameters(entries: UnsafePointer(environ)), &response)
        return (try? FileDescriptor.standardOutput.writeAll(response)) != nil
    }
}
