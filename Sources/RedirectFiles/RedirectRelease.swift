import RedirectCore
import SystemIO

/// One set of redirect files as a click sees it: the directory its files are read from and the settings of
/// that directory's `_defaults.toml`, taken together.
///
/// When the redirects directory is a symbolic link (`redirectctl deploy` switches `redirects.d ->
/// releases/<commit>/redirects.d` with one rename), ``directory`` is where the link pointed when the release
/// was resolved (``RedirectStore/release()``), and every file of a click is read there: a click answered with
/// this release reads its redirect file and its defaults from the same commit, whatever the link does
/// meanwhile. For a plain directory it is the directory as configured.
public final class RedirectRelease: Sendable {
    /// The directory files are read from: the configured one, or the resolved target of its link.
    public let directory: String
    /// The settings of `directory/_defaults.toml` (the built-in ones when there is none).
    public let defaults: RedirectDefaults
    let reader: RedirectFileReader
    /// The identity of the `_defaults.toml` that `defaults` come from (nil: there was none).
    let defaultsIdentity: FileIdentity?
    /// Whether `defaults` come from a version of the file that parsed, this one or, while the file on disk
    /// does not parse, an earlier one (false: the built-in ones, for a missing file or one that never parsed).
    let defaultsParsed: Bool
    /// Counts the changes of what redirect files are parsed with (the defaults' `[utm]`, merged into their
    /// targets): a file cached under another generation is read again (``RedirectStore``).
    let defaultsGeneration: UInt32

    init(
        directory: String, defaults: RedirectDefaults, defaultsIdentity: FileIdentity?, defaultsParsed: Bool,
        defaultsGeneration: UInt32 = 0
    ) {
        self.directory = directory
        self.reader = RedirectFileReader(directory: directory)
        self.defaults = defaults
        self.defaultsIdentity = defaultsIdentity
        self.defaultsParsed = defaultsParsed
        self.defaultsGeneration = defaultsGeneration
    }

    /// This release under `generation`; itself when it has it already.
    func withDefaultsGeneration(_ generation: UInt32) -> RedirectRelease {
        if generation == defaultsGeneration { return self }
        return RedirectRelease(
            directory: directory, defaults: defaults, defaultsIdentity: defaultsIdentity,
            defaultsParsed: defaultsParsed, defaultsGeneration: generation)
    }
}
