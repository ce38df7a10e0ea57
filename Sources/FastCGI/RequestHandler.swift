#if canImport(Glibc)
    import Glibc
#endif

/// A request's CGI parameters as the host hands them over: `NAME=value` C strings in an array that ends with
/// a null pointer. libfcgi gives a FastCGI request's parameters so, and CGI mode's `environ` is the same.
public struct CGIParameters {
    private let entries: UnsafePointer<UnsafeMutablePointer<CChar>?>?

    public init(entries: UnsafePointer<UnsafeMutablePointer<CChar>?>?) {
        self.entries = entries
    }

    private static func bytes(_ text: UnsafePointer<CChar>) -> UnsafePointer<UInt8> {
        UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self)
    }

    /// Calls `body` with the name and the value of each parameter, as bytes, in the order given: one pass
    /// over all of them, where looking each wanted name up would scan the array once per name.
    public func forEach(_ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void) {
        guard var entry = entries else { return }
        while let text = entry.pointee {
            // libc's string scans: they look at many bytes at a time, and values (a user agent, a cookie) are long.
            // An entry without `=` is a name with no value.
            let found = strchr(text, CInt(UInt8(ascii: "=")))
            let equals = found ?? text + strlen(text)
            let value = found.map { $0 + 1 } ?? equals
            // The same bytes seen as UInt8 (which may alias CChar): pointers that stay valid as long as the
            // parameters do, not only inside a closure, as a request built from them needs.
            body(
                UnsafeBufferPointer(start: Self.bytes(text), count: equals - text),
                UnsafeBufferPointer(start: Self.bytes(value), count: strlen(value)))
            entry += 1
        }
    }
}

/// Answers one request: given its CGI parameters, appends the whole CGI response (`Status:` and other
/// headers, a blank line, the body) to `response`, which comes empty. A FastCGI worker hands the same
/// buffer to every request it serves, so a response costs no allocation of its own.
///
/// Each worker thread makes its own handler, so a handler may keep per-thread state (a spool writer).
public typealias RequestHandler = (_ parameters: CGIParameters, _ response: inout [UInt8]) -> Void

/// Called by a FastCGI worker each time before it waits for a request, on the worker's own thread: does the
/// worker's housekeeping (a spool writer leaves a bucket that has passed) and returns how many milliseconds
/// the worker may wait before it must be called again, or -1 for no limit.
public typealias IdleHandler = () -> Int32
