/// One answer on the way to a target's end: the URL requested, the method and the status it answered.
public struct TargetHop: Equatable, Sendable {
    public var url: String
    public var method: TargetMethod
    public var status: Int

    public init(url: String, method: TargetMethod, status: Int) {
        self.url = url
        self.method = method
        self.status = status
    }
}

/// HEAD first; GET only where a server refuses HEAD.
public enum TargetMethod: String, Equatable, Sendable {
    case head = "HEAD"
    case get = "GET"
}
