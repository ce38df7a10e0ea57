import CountryCodes

/// Which country codes a redirect rule may name: those ISO 3166-1 assigns, and XK.
extension CountryCode {
    /// Whether a rule may name this code: ISO 3166-1 assigns it to a country or territory, or it is `XK`,
    /// which ISO leaves to users and GeoIP databases (MaxMind, DB-IP) use for Kosovo, so a click's country can
    /// be it. Reserved codes (`UK`, `EU`), other user-assigned ones (`ZZ`) and withdrawn ones (`AN`, `CS`)
    /// are refused: no click has them, and a rule naming one is a mistake.
    public var isNameableInRules: Bool { isAssigned || self == Self.kosovo }

    /// Whether ISO 3166-1 assigns this code to a country or territory.
    public var isAssigned: Bool { Self.assigned.contains(rawValue) }

    /// `XK`, Kosovo as GeoIP databases write it.
    static let kosovo = CountryCode("XK")

    /// The 249 officially assigned ISO 3166-1 alpha-2 codes, as the ISO 3166 Maintenance Agency lists them
    /// (the ISO Online Browsing Platform; also Debian's iso-codes, which PyPI's `pycountry` ships, and which
    /// `CountryCodeTests` compares this list with).
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
        assignedCodes.split(separator: " ").compactMap { CountryCode($0)?.rawValue })
}
