import CZlib

/// gzip (RFC 1952) request bodies (and the report's precompressed page), made with zlib.
///
/// zlib writes the gzip header and trailer itself (window bits 15 + 16), around a deflate stream made in one
/// call into a buffer of `deflateBound`'s size, which always has room.
public enum GzipEncoder {
    /// Whether gzip bodies can be made: always, since zlib is linked. The importer's option check asks it.
    static var isAvailable: Bool { true }

    /// `data` as a gzip member at compression level 1 (fast: a batch is compressed while the previous one is
    /// on the wire); nil when zlib fails.
    public static func compress(_ data: [UInt8], level: Int32 = 1) -> [UInt8]? {
        guard data.count < Int(UInt32.max) else { return nil }
        var stream = z_stream()
        let initialized = deflateInit2_(
            &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)
        )
        guard initialized == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(data.count)))
        var gzip = [UInt8](repeating: 0, count: bound)
        let status = gzip.withUnsafeMutableBufferPointer { out in
            data.withUnsafeBufferPointer { input in
                // zlib does not write through next_in; its type is not const only for historical reasons.
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        gzip.removeSubrange(Int(stream.total_out)...)
        return gzip
    }
}
