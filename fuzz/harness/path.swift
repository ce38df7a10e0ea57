// Fuzz target "path": RequestPath.parse on any PATH_INFO, against a reference written from the design.
@testable import RedirectCore

/// `/<id>` or `/<id>/<session>`, spelled out from DESIGN.md without sharing code with RequestPath.
private func referenceParse(_ pathInfo: String) -> RequestPath? {
    let segments = Array(pathInfo.utf8).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
    guard segments.count == 2 || segments.count == 3, segments[0].isEmpty else { return nil }
    let id = segments[1]
    let idBytes = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-".utf8))
    guard (1...128).contains(id.count), id.allSatisfy(idBytes.contains),
        id.first != UInt8(ascii: "."), id.first != UInt8(ascii: "_")
    else { return nil }
    let idString = String(decoding: id, as: UTF8.self)
    guard segments.count == 3, !segments[2].isEmpty else { return RequestPath(id: idString, session: .none) }
    let session = segments[2]
    let unreserved = idBytes.union([UInt8(ascii: "~")])
    if (1...256).contains(session.count), session.allSatisfy(unreserved.contains) {
        return RequestPath(id: idString, session: .valid(String(decoding: session, as: UTF8.self)))
    }
    return RequestPath(id: idString, session: .malformed)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPath(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    let pathInfo = String(decoding: bytes, as: UTF8.self)
    let parsed = RequestPath.parse(pathInfo)
    require(parsed == referenceParse(pathInfo),
            "RequestPath.parse(\(quoted(pathInfo))) = \(String(describing: parsed)), "
                + "reference says \(String(describing: referenceParse(pathInfo)))")
    if let parsed {
        // The id becomes a file name: it must stay inside redirects.d whatever the path said.
        require(Identifiers.isRedirectID(parsed.id) && !parsed.id.contains("/") && parsed.id != ".."
                    && !parsed.id.utf8.contains(0), "id \(quoted(parsed.id)) from \(quoted(pathInfo))")
        if case .valid(let session) = parsed.session {
            require(Identifiers.isSessionID(session), "session \(quoted(session)) from \(quoted(pathInfo))")
        }
    }
    return 0
}
