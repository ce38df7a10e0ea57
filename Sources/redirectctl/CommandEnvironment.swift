import ArgumentParser
import ClickImport
import ClickSpool
import RedirectFiles
import Settings

/// Settings that come from the environment when no flag gives them.
enum CommandEnvironment {
    /// The value of `name`, or nil when it is unset or empty.
    static func value(_ name: String) -> String? {
        Setting<String>.environment(name)
    }

    /// Request headers for a sink or ClickHouse: the `--header` flags, then `REDIRECTCTL_IMPORT_HEADERS` and
    /// `REDIRECTCTL_IMPORT_TOKEN`, as `import`, `clickhouse-schema` and `report` all read them.
    static func headerFields(flags: [String]) -> (headers: [HTTPHeaderField], invalid: [String]) {
        var environment: [String: String] = [:]
        for name in ["REDIRECTCTL_IMPORT_HEADERS", "REDIRECTCTL_IMPORT_TOKEN"] {
            if let value = value(name) { environment[name] = value }
        }
        return HTTPHeaderField.collect(flags: flags, environment: environment)
    }

    /// `--redirects`, else `$REDIRECTS_DIR`, else `./redirects.d` (the responder's rule).
    static func redirectsDirectory(_ flag: String?) -> String {
        flag ?? value(RedirectStore.directorySetting.environmentName) ?? RedirectStore.directorySetting.defaultValue
            ?? ""
    }

    /// `--bucket-seconds`, else `$CLICK_LOG_BUCKET_SECONDS`, else 60; a bad value is a usage error, as for redirectd.
    static func bucketSeconds(_ flag: String?) throws -> Int {
        do {
            return try SpoolLayout.bucketSecondsSetting.value(flag: flag) ?? SpoolLayout.defaultBucketSeconds
        } catch {
            throw ValidationError(error.description)
        }
    }
}
