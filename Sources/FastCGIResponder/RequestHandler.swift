/// Answers one request: given a way to read CGI parameters, returns the whole CGI response
/// (`Status:` and other headers, a blank line, the body).
///
/// Each worker thread makes its own handler, so a handler may keep per-thread state (a spool writer).
public typealias RequestHandler = (_ parameter: (String) -> String?) -> [UInt8]

/// Called by a FastCGI worker each time before it waits for a request, on the worker's own thread: does the
/// worker's housekeeping (a spool writer leaves a bucket that has passed) and returns how many milliseconds
/// the worker may wait before it must be called again, or -1 for no limit.
public typealias IdleHandler = () -> Int32
