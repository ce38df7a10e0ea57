import Settings

extension SpoolLayout {
    /// The spool when nothing says where: `clicks` beside the working directory.
    public static let defaultDirectory = "./clicks"

    /// `--spool`, `CLICK_LOG_DIR`: read by `redirectd`, `redirectd-cgi` and `redirectctl` alike.
    public static let directorySetting = Setting<String>(
        "spool", environment: "CLICK_LOG_DIR", default: defaultDirectory, summary: "The click spool directory.")

    /// `--bucket-seconds`, `CLICK_LOG_BUCKET_SECONDS`.
    public static let bucketSecondsSetting = Setting<Int>(
        "bucket-seconds", environment: "CLICK_LOG_BUCKET_SECONDS", default: defaultBucketSeconds, range: 1...86_400,
        summary: "Length of a click-log bucket in seconds.")

    /// `--max-file-size`, `CLICK_LOG_MAX_BYTES`.
    public static let maxFileSizeSetting = Setting<Int64>(
        "max-file-size", environment: "CLICK_LOG_MAX_BYTES", default: defaultMaxFileSize,
        defaultText: "67108864 (64 MiB)",
        range: 4096...(Int64(1) << 40), summary: "Size in bytes at which a bucket file is split.")
}
