extension RedirectTableReader {
    /// `kind`: `"redirect"` (also when absent) or `"pixel"`; anything else is reported and read as a redirect.
    mutating func kind() -> RedirectKind {
        guard let entry = entry(.kind) else { return .redirect }
        guard case .string(let name) = entry.value, let kind = RedirectKind(rawValue: name) else {
            let found = entry.value.string.map { "\"\($0)\"" } ?? entry.value.kindDescription
            report(entry.keyPosition, "kind must be \"redirect\" or \"pixel\", found \(found)")
            return .redirect
        }
        return kind
    }

    /// An error at each key a pixel's file may not hold (``FileKey/notForPixels``).
    mutating func refuseTargetKeysOfPixel() {
        for key in FileKey.notForPixels {
            guard let entry = entry(key) else { continue }
            report(
                entry.keyPosition,
                "\(key.name) is not allowed in a pixel (kind = \"pixel\"): a pixel answers every request with "
                    + "a 1x1 image and has no target; remove \(key.name), or make the file a redirect")
        }
    }
}
