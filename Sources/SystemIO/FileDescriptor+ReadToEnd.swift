import SystemPackage

extension FileDescriptor {
    /// Reads from the current offset to the end of the file, or until `maxCount` bytes, whichever comes first.
    ///
    /// A caller that wants to notice more than it accepts passes its limit plus one. The first buffer is at
    /// most `maxCount` bytes, so a small file with a known size costs one allocation of its size.
    public func readToEnd(maxCount: Int = .max) throws(Errno) -> [UInt8] {
        var bytes: [UInt8] = []
        var room = min(maxCount, 1 << 16)
        while room > 0 {
            var failure: Errno?
            var reachedEnd = false
            let chunk = [UInt8](unsafeUninitializedCapacity: room) { buffer, initialized in
                initialized = 0
                while initialized < room {
                    do throws(Errno) {
                        let n = try Errno.typed {
                            try read(
                                into: UnsafeMutableRawBufferPointer(
                                    UnsafeMutableBufferPointer(rebasing: buffer[initialized...])))
                        }
                        if n == 0 {
                            reachedEnd = true
                            break
                        }
                        initialized += n
                    } catch {
                        failure = error
                        break
                    }
                }
            }
            if let failure { throw failure }
            if bytes.isEmpty { bytes = chunk } else { bytes += chunk }
            if reachedEnd { break }
            room = min(maxCount - bytes.count, max(1 << 16, bytes.count))
        }
        return bytes
    }
}
