/// An ISO 3166-1 alpha-2 country code (`DE`), as rules name countries and as a click's country is matched:
/// two ASCII letters, uppercased, in one integer.
public struct CountryCode: Hashable, Sendable, CustomStringConvertible {
    /// The first letter in the high byte, the second in the low byte, both uppercase.
    public let packed: UInt16

    /// The code `letters` (two ASCII letters, any case), or nil for anything else. Whether the code is
    /// assigned is ``isAssigned``'s question.
    public init?<Bytes: Collection<UInt8>>(bytes letters: Bytes) {
        guard letters.count == 2 else { return nil }
        var packed: UInt16 = 0
        for byte in letters {
            let upper = byte & ~0x20
            guard upper >= UInt8(ascii: "A"), upper <= UInt8(ascii: "Z"), byte & 0x80 == 0 else { return nil }
            packed = packed << 8 | UInt16(upper)
        }
        self.packed = packed
    }

    /// The code whose ``packed`` value is `packed` (as stored by the redirect cache).
    package init(packed: UInt16) {
        self.packed = packed
    }

    public init?(_ text: some StringProtocol) {
        self.init(bytes: text.utf8)
    }

    /// Whether ISO 3166-1 assigns this code to a country or territory (`XK`, `EU` and `UK` are not).
    public var isAssigned: Bool { Self.assigned.contains(packed) }

    public var description: String {
        String(decoding: [UInt8(truncatingIfNeeded: packed >> 8), UInt8(truncatingIfNeeded: packed)], as: UTF8.self)
    }

    /// The 249 officially assigned ISO 3166-1 alpha-2 codes, as the ISO 3166 Maintenance Agency lists them
    /// (the ISO Online Browsing Platform; also Debian's iso-codes, which PyPI's `pycountry` ships, and which
    /// `CountryCodeTests` compares this list with). Reserved codes (`UK`, `EU`), user-assigned ones (`XK`,
    /// `ZZ`) and withdrawn ones (`AN`, `CS`) are not assigned.
    public static let assignedCodes = """
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
        BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
        CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
        DE DJ DK DM DO DZ \
        EC EE EG EH ER ES ET \
        FI FJ FK FM FO FR \
        GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
        HK HM HN HR HT HU \
        ID IE IL IM IN IO IQ IR IS IT \
        JE JM JO JP \
        KE KG KH KI KM KN KP KR KW KY KZ \
        LA LB LC LI LK LR LS LT LU LV LY \
        MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
        NA NC NE NF NG NI NL NO NP NR NU NZ \
        OM \
        PA PE PF PG PH PK PL PM PN PR PS PT PW PY \
        QA \
        RE RO RS RU RW \
        SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
        TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ \
        UA UG UM US UY UZ \
        VA VC VE VG VI VN VU \
        WF WS \
        YE YT \
        ZA ZM ZW
        """

    private static let assigned: Set<UInt16> = Set(
        assignedCodes.split(separator: " ").compactMap { CountryCode($0)?.packed })
}
