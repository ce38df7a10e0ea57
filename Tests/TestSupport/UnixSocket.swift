import Foundation

/// Unix sockets the tests start servers on.
public enum UnixSocket {
    /// Whether a unix socket bound at `path` is listening: `/proc/net/unix` flags it `__SO_ACCEPTCON`
    /// (`00010000`). A socket's file appears at bind(2), a moment before listen(2), and a client that connects
    /// in between is refused; this tells without connecting (a connection would count as one of the server's).
    public static func isListening(_ path: String) -> Bool {
        guard let table = try? String(contentsOfFile: "/proc/net/unix", encoding: .utf8) else { return false }
        return table.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return fields.count >= 8 && fields[7] == path && fields[3] == "00010000"
        }
    }
}
