/// Answers one request: given a way to read CGI parameters, returns the whole CGI response
/// (`Status:` and other headers, a blank line, the body).
///
/// Each worker thread makes its own handler, so a handler may keep per-thread state (a spool writer).
public typealias RequestHandler = (_ parameter: (String) -> String?) -> [UInt8]
