import Settings

extension RedirectStore {
    /// `--redirects`, `REDIRECTS_DIR`: the directory of `<id>.toml` files, for `redirectd`, `redirectd-cgi` and
    /// `redirectctl` alike.
    public static let directorySetting = Setting<String>(
        "redirects", environment: "REDIRECTS_DIR", default: "./redirects.d", summary: "Directory of <id>.toml files.")
}
