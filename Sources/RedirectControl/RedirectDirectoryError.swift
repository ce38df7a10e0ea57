import SystemPackage

/// Why a redirects directory could not be listed at all (as opposed to problems in its files).
public struct RedirectDirectoryError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var errno: Errno

    public init(path: String, errno: Errno) {
        self.path = path
        self.errno = errno
    }

    public var description: String { "cannot read directory \(path): \(errno)" }
}
