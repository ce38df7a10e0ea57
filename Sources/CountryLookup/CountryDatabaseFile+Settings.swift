import Settings

extension CountryDatabaseFile {
    /// `--geoip`, `REDIRECTD_GEOIP`: the country database, for `redirectd` and `redirectd-cgi` alike. No
    /// default: without it, clicks get the country nginx passes (`REDIRECT_COUNTRY`) or none.
    public static let pathSetting = Setting<String>(
        "geoip", environment: "REDIRECTD_GEOIP", default: nil,
        summary: "Country database (MaxMind DB format: GeoLite2-Country, DB-IP IP to Country Lite).")
}
