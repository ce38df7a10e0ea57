import Settings

extension RedirectStore {
    /// `--redirects`, `REDIRECTS_DIR`: the directory of `<id>.toml` files, for `redirectd`, `redirectd-cgi` and
    /// `redirectctl` alike.
    public static let directorySetting = Setting<String>(
        "redirects", environment: "REDIRECTS_DIR", default: defaultDirectory, summary: "Directory of <id>.toml files.")

    /// The redirect files when nothing says where: `redirects.d` beside the working directory.
    public static let defaultDirectory = "./redirects.d"
}
