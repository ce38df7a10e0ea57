#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// gzip (RFC 1952) request bodies, made with the system's zlib.
///
/// zlib is already linked into every binary that uses AsyncHTTPClient (its response decompression needs it);
/// it is looked up at run time so the package needs no C target of its own. zlib's `compress2` writes the zlib
/// format (RFC 1950); its deflate stream is rewrapped with a gzip header and trailer.
enum GzipEncoder {
    private typealias Compress2 = @convention(c) (
        UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>?, UnsafePointer<UInt8>?, UInt, Int32
    ) -> Int32
    private typealias CompressBound = @convention(c) (UInt) -> UInt
    private typealias CRC32 = @convention(c) (UInt, UnsafePointer<UInt8>?, UInt32) -> UInt

    private struct Zlib: @unchecked Sendable {
        let compress2: Compress2
        let compressBound: CompressBound
        let crc32: CRC32
    }

    private static let zlib: Zlib? = {
        var handle: UnsafeMutableRawPointer?
        for name in ["libz.so.1", "libz.so", "libz.1.dylib", "libz.dylib"] {
            handle = dlopen(name, RTLD_NOW)
            if handle != nil { break }
        }
        #if canImport(Glibc)
        let scope = handle ?? UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT is NULL on Linux
        #else
        let scope = handle ?? UnsafeMutableRawPointer(bitPattern: -2)  // RTLD_DEFAULT on Darwin
        #endif
        guard let c = dlsym(scope, "compress2"), let b = dlsym(scope, "compressBound"), let r = dlsym(scope, "crc32")
        else { return nil }
        return Zlib(compress2: unsafeBitCast(c, to: Compress2.self), compressBound: unsafeBitCast(b, to: CompressBound.self),
                    crc32: unsafeBitCast(r, to: CRC32.self))
    }()

    /// Whether zlib could be found.
    static var isAvailable: Bool { zlib != nil }

    /// `data` as a gzip member at compression level 1 (fast: a batch is compressed while the previous one is
    /// on the wire); nil when zlib is missing or fails.
    static func compress(_ data: [UInt8], level: Int32 = 1) -> [UInt8]? {
        guard let zlib, data.count < Int(UInt32.max) else { return nil }
        var capacity = zlib.compressBound(UInt(data.count))
        var deflated = [UInt8](repeating: 0, count: Int(capacity))
        let status = deflated.withUnsafeMutableBufferPointer { out in
            data.withUnsafeBufferPointer { input in
                zlib.compress2(out.baseAddress, &capacity, input.baseAddress, UInt(input.count), level)
            }
        }
        guard status == 0, capacity >= 6 else { return nil }
        let crc = data.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: zlib.crc32(0, $0.baseAddress, UInt32($0.count))) }
        var gzip: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        gzip.reserveCapacity(Int(capacity) + 12)
        // Drop zlib's 2-byte header and 4-byte Adler-32 trailer: what is left is the raw deflate stream.
        gzip.append(contentsOf: deflated[2..<(Int(capacity) - 4)])
        let size = UInt32(truncatingIfNeeded: data.count)
        for value in [crc, size] {
            for shift in stride(from: 0, to: 32, by: 8) { gzip.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
        }
        return gzip
    }
}
