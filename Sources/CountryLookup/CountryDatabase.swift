import CMaxMindDB
import CountryCodes

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One open MaxMind DB file (GeoLite2-Country, DB-IP's IP to Country Lite, or a City database), answering the
/// country of an address.
///
/// The file is memory-mapped (`MMDB_MODE_MMAP`), never read into the heap: the kernel pages in the parts that
/// look-ups touch, shares them with every other process that maps the same file, and drops them under memory
/// pressure. A look-up allocates nothing. Any number of threads may look up at once: libmaxminddb only reads
/// the mapping, and the one thing that changes after `init`, the table of each record's country, is made of
/// atomic words.
///
/// The file must not be changed in place while it is open (copying over it truncates it, and a look-up that
/// then touches a page past the new end gets SIGBUS); replace it by renaming a new file over it, which is what
/// ``CountryDatabaseFile`` watches for.
public final class CountryDatabase: @unchecked Sendable {
    public let path: String
    /// Heap-allocated and never moved: every look-up result points back at it.
    private let mmdb: UnsafeMutablePointer<MMDB_s>
    /// `country` → `iso_code` and `registered_country` → `iso_code` as the NULL-terminated arrays of C strings
    /// `MMDB_aget_value` takes (`MMDB_get_value`, which takes them as arguments, is variadic: Swift cannot call
    /// it).
    private let countryPath: UnsafeMutablePointer<UnsafePointer<CChar>?>
    private let registeredCountryPath: UnsafeMutablePointer<UnsafePointer<CChar>?>
    /// The answer for each record looked up so far: the file does not change while it is open, so neither do
    /// they.
    private let recordCountries = RecordCountries()
    /// The search tree, walked here (nil: by libmaxminddb, for a layout ``SearchTree`` does not read).
    private let searchTree: SearchTree?

    /// Opens and maps the database at `path`.
    ///
    /// The corresponding C function is `MMDB_open`, which checks the metadata and the size of the search tree
    /// but not every record: a damaged record shows later as a look-up without an answer.
    public init(path: String) throws(CountryDatabaseError) {
        let mmdb = UnsafeMutablePointer<MMDB_s>.allocate(capacity: 1)
        mmdb.initialize(to: MMDB_s())
        let status = MMDB_open(path, UInt32(MMDB_MODE_MMAP), mmdb)
        let openErrno = errno
        guard status == MMDB_SUCCESS else {
            mmdb.deallocate()
            throw Self.openError(path: path, status: status, errno: openErrno)
        }
        self.path = path
        self.mmdb = mmdb
        searchTree = SearchTree(mmdb)
        countryPath = Self.lookupPath(["country", "iso_code"])
        registeredCountryPath = Self.lookupPath(["registered_country", "iso_code"])
    }

    deinit {
        MMDB_close(mmdb)
        mmdb.deallocate()
        for path in [countryPath, registeredCountryPath] {
            var i = 0
            while let component = path[i] {
                free(UnsafeMutablePointer(mutating: component))
                i += 1
            }
            path.deallocate()
        }
    }

    /// The country of `address`: the record's `country.iso_code`, or where it has none (an anycast or satellite
    /// range in GeoLite2) its `registered_country.iso_code`; nil when the database has no record for it, or an
    /// IPv6 address is asked of an IPv4-only database.
    ///
    /// The corresponding C functions are `MMDB_lookup_sockaddr` (whose walk ``SearchTree`` makes) and
    /// `MMDB_aget_value` (made once per record: ``RecordCountries`` remembers its answer).
    public func country(for address: IPAddress) -> CountryCode? {
        guard case .record(let offset) = record(for: address) else { return nil }
        return recordCountries.country(ofRecord: offset) {
            var entry = MMDB_entry_s(mmdb: mmdb, offset: offset)
            return Self.isoCode(&entry, path: countryPath) ?? Self.isoCode(&entry, path: registeredCountryPath)
        }
    }

    /// The record `address` is in, found by walking the tree here.
    func record(for address: IPAddress) -> SearchTree.Outcome {
        searchTree?.outcome(for: address) ?? libmaxminddbRecord(for: address)
    }

    /// The record `MMDB_lookup_sockaddr` finds for `address`: what ``SearchTree`` must find (the tests compare).
    func libmaxminddbRecord(for address: IPAddress) -> SearchTree.Outcome {
        var error: Int32 = 0
        let result = address.withSocketAddress { MMDB_lookup_sockaddr(mmdb, $0, &error) }
        guard error == MMDB_SUCCESS, result.found_entry else { return .noRecord }
        return .record(result.entry.offset)
    }

    /// Whether look-ups walk the tree here rather than in libmaxminddb.
    var walksTheTree: Bool { searchTree != nil }

    /// The country of the address spelled by `text` (`REMOTE_ADDR`'s bytes); nil also when it is no address.
    public func country(forAddress text: UnsafeBufferPointer<UInt8>) -> CountryCode? {
        IPAddress(text).flatMap { country(for: $0) }
    }

    /// The country of the address spelled by `text`; nil also when it is no address.
    public func country(forAddress text: String) -> CountryCode? {
        IPAddress(text).flatMap { country(for: $0) }
    }

    /// What the file says it is: "GeoLite2-Country", "DBIP-Country-Lite", "GeoLite2-City".
    public var databaseType: String {
        mmdb.pointee.metadata.database_type.map { String(cString: $0) } ?? ""
    }

    /// When the file was built, in seconds since the epoch.
    public var buildEpoch: UInt64 { mmdb.pointee.metadata.build_epoch }

    /// 4 for an IPv4-only database, 6 for one that also holds IPv6.
    public var ipVersion: Int { Int(mmdb.pointee.metadata.ip_version) }

    /// The file's size in bytes: what is mapped.
    public var fileSize: Int { Int(mmdb.pointee.file_size) }

    /// A code from the string at `path` under `entry`, if it is one of two letters.
    private static func isoCode(_ entry: inout MMDB_entry_s, path: UnsafeMutablePointer<UnsafePointer<CChar>?>)
        -> CountryCode?
    {
        var data = MMDB_entry_data_s()
        guard MMDB_aget_value(&entry, &data, path) == MMDB_SUCCESS, data.has_data,
            data.type == UInt32(MMDB_DATA_TYPE_UTF8_STRING), data.data_size == 2, let text = data.utf8_string
        else { return nil }
        // The string is not NUL-terminated: it sits in the mapped data section, followed by the next record.
        return text.withMemoryRebound(to: UInt8.self, capacity: 2) { CountryCode($0[0], $0[1]) }
    }

    private static func lookupPath(_ components: [String]) -> UnsafeMutablePointer<UnsafePointer<CChar>?> {
        let path = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: components.count + 1)
        for (i, component) in components.enumerated() { path[i] = UnsafePointer(strdup(component)) }
        path[components.count] = nil
        return path
    }

    /// The error for a failed `MMDB_open`, told apart by a `stat` of the path: libmaxminddb says only that
    /// opening or mapping failed.
    private static func openError(path: String, status: Int32, errno openErrno: Int32) -> CountryDatabaseError {
        var s = stat()
        if stat(path, &s) != 0 {
            let statErrno = errno
            return statErrno == ENOENT || statErrno == ENOTDIR
                ? CountryDatabaseError(path: path, kind: .missing, reason: "no such file")
                : CountryDatabaseError(path: path, kind: .unreadable, reason: String(cString: strerror(statErrno)))
        }
        if s.st_mode & S_IFMT != S_IFREG {
            return CountryDatabaseError(path: path, kind: .invalid, reason: "not a regular file")
        }
        if s.st_size == 0 {
            return CountryDatabaseError(path: path, kind: .invalid, reason: "the file is empty")
        }
        if status == MMDB_FILE_OPEN_ERROR || status == MMDB_IO_ERROR {
            return CountryDatabaseError(path: path, kind: .unreadable, reason: String(cString: strerror(openErrno)))
        }
        return CountryDatabaseError(path: path, kind: .invalid, reason: String(cString: MMDB_strerror(status)))
    }
}
