import JSON
import RedirectCore
import SystemIO
import Timestamps

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One cached version of a redirect file, in a single allocation: a fixed header and, behind it, the id and
/// what a click needs of the redirect, packed as bytes.
///
/// A `Redirect` value holds a string per field, an array of properties and a box per property value: a
/// dozen allocations and several hundred bytes of headers for a small file. Packed, an entry costs its
/// header (identity, status, flags, window) and the bytes of its strings, each behind a one- or two-byte
/// length. `name`, `description` and `tags` are for people and `redirectctl`, not for clicks, and are not
/// kept. A lookup unpacks the entry into a `Redirect`, all but its rules, which it reads in place.
final class CachedRedirect: ManagedBuffer<CachedRedirect.Header, UInt8> {
    struct Header {
        var identity: FileIdentity
        var validFrom: Int64
        var validUntil: Int64
        /// Bytes in use behind the header: the id, then the packed redirect (if any).
        var length: UInt32
        var idLength: UInt16
        var status: UInt16
        var flags: UInt8
        /// The store's defaults generation the file was parsed under (``RedirectStore``): the `[utm]` of
        /// `_defaults.toml` is in its targets, so a change there makes the entry stale.
        var defaultsGeneration: UInt32
    }

    private enum Flag {
        static let hasRedirect: UInt8 = 1
        static let enabled: UInt8 = 2
        static let forwardMerge: UInt8 = 4
        static let hasValidFrom: UInt8 = 8
        static let hasValidUntil: UInt8 = 16
        static let forwardOverride: UInt8 = 32
        /// Rules and variants follow the properties (``PackedRules``); a file without them costs no byte more.
        static let hasRules: UInt8 = 64
        /// An open pixel (`kind = "pixel"`); its `url` is packed empty.
        static let pixel: UInt8 = 128
    }

    /// An entry for `id` at `identity`; `redirect` nil records a version that never parsed, so it is not read
    /// again until it changes.
    static func make(
        id: String, identity: FileIdentity, redirect: Redirect?, defaultsGeneration: UInt32 = 0
    ) -> CachedRedirect {
        var packed = PackedBytes()
        var flags: UInt8 = 0
        var status: UInt16 = 0
        if let redirect {
            flags |= Flag.hasRedirect
            if redirect.enabled { flags |= Flag.enabled }
            switch redirect.forwardQuery {
            case .off: break
            case .merge: flags |= Flag.forwardMerge
            case .override: flags |= Flag.forwardOverride
            }
            if redirect.validFrom != nil { flags |= Flag.hasValidFrom }
            if redirect.validUntil != nil { flags |= Flag.hasValidUntil }
            if redirect.kind == .pixel { flags |= Flag.pixel }
            status = UInt16(redirect.status.rawValue)
            packed.string(redirect.url)
            packed.optionalString(redirect.eventType)
            packed.optionalString(redirect.source)
            packed.optionalString(redirect.expiredURL)
            packed.members(redirect.properties)
            let rules = redirect.rules
            let variants = redirect.variants
            if !rules.isEmpty || !variants.isEmpty {
                flags |= Flag.hasRules
                packed.rules(rules, variants: variants)
            }
        }
        let header = Header(
            identity: identity, validFrom: redirect?.validFrom?.millisecondsSinceEpoch ?? 0,
            validUntil: redirect?.validUntil?.millisecondsSinceEpoch ?? 0,
            length: UInt32(id.utf8.count + packed.bytes.count), idLength: UInt16(id.utf8.count), status: status,
            flags: flags, defaultsGeneration: defaultsGeneration)
        return make(header: header) { tail in
            var i = 0
            for byte in id.utf8 {
                tail[i] = byte
                i += 1
            }
            for byte in packed.bytes {
                tail[i] = byte
                i += 1
            }
        }
    }

    /// The same packed redirect under a new identity: a bad version of a file, while its last good one serves
    /// (as it was parsed, though the defaults may have changed since: it is not read again until it changes).
    func keeping(as identity: FileIdentity, defaultsGeneration: UInt32) -> CachedRedirect {
        var header = fixedHeader
        header.identity = identity
        header.defaultsGeneration = defaultsGeneration
        let length = Int(header.length)
        return withUnsafeMutablePointerToElements { source in
            Self.make(header: header) { tail in tail.update(from: source, count: length) }
        }
    }

    private static func make(header: Header, fill: (UnsafeMutablePointer<UInt8>) -> Void) -> CachedRedirect {
        let buffer = create(minimumCapacity: Int(header.length)) { _ in header }
        buffer.withUnsafeMutablePointerToElements { fill($0) }
        return unsafeDowncast(buffer, to: CachedRedirect.self)
    }

    /// The header, read through its pointer. It never changes after `make`, and `header` itself would pay a
    /// run-time exclusivity check on every read (it is a stored `var` of the class).
    private var fixedHeader: Header { withUnsafeMutablePointerToHeader { $0.pointee } }

    var identity: FileIdentity { fixedHeader.identity }

    var defaultsGeneration: UInt32 { fixedHeader.defaultsGeneration }

    var hasRedirect: Bool { fixedHeader.flags & Flag.hasRedirect != 0 }

    /// Bytes behind the header: the id and the packed redirect.
    var packedLength: Int { Int(fixedHeader.length) }

    /// Whether this entry is the one for `id` (compared byte for byte, without building a string).
    func hasID(_ id: UnsafeBufferPointer<UInt8>) -> Bool {
        guard id.count == Int(fixedHeader.idLength) else { return false }
        return withUnsafeMutablePointerToElements { tail in
            guard let start = id.baseAddress else { return true }
            return memcmp(tail, start, id.count) == 0
        }
    }

    /// The id's bytes, for the cache's hash table.
    func withID<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let count = Int(fixedHeader.idLength)
        return withUnsafeMutablePointerToElements { body(UnsafeBufferPointer(start: $0, count: count)) }
    }

    /// The redirect, unpacked; `id` is the caller's string for the same id (reused, not rebuilt).
    func redirect(id: String) -> Redirect? {
        let header = fixedHeader
        guard header.flags & Flag.hasRedirect != 0, let status = RedirectStatus(rawValue: Int(header.status)) else {
            return nil
        }
        return withUnsafeMutablePointerToElements { tail in
            var reader = PackedReader(
                bytes: UnsafeBufferPointer(start: tail, count: Int(header.length)), offset: Int(header.idLength))
            let url = reader.string()
            let eventType = reader.optionalString()
            let source = reader.optionalString()
            let expiredURL = reader.optionalString()
            let properties = reader.members()
            var redirect = Redirect(
                id: id, url: url, status: status, eventType: eventType, source: source,
                properties: properties,
                forwardQuery: header.flags & Flag.forwardOverride != 0
                    ? .override : header.flags & Flag.forwardMerge != 0 ? .merge : .off,
                validFrom: header.flags & Flag.hasValidFrom != 0
                    ? Timestamp(millisecondsSinceEpoch: header.validFrom) : nil,
                validUntil: header.flags & Flag.hasValidUntil != 0
                    ? Timestamp(millisecondsSinceEpoch: header.validUntil) : nil,
                expiredURL: expiredURL, enabled: header.flags & Flag.enabled != 0,
                kind: header.flags & Flag.pixel != 0 ? .pixel : .redirect)
            if header.flags & Flag.hasRules != 0 {
                // The rules stay where they are: the redirect holds this entry, whose bytes never change or
                // move, and reads them in place.
                let rules = UnsafeBufferPointer(
                    start: tail + reader.offset, count: Int(header.length) - reader.offset)
                redirect.setPackedRules(PackedRules(owner: self, bytes: rules))
            }
            return redirect
        }
    }
}
