/// What of `_defaults.toml` goes into a parsed redirect file: its `[utm]` values, merged into the file's
/// targets and properties when the file is read (``RedirectFileParser/parseRedirect(text:id:file:defaults:)``).
extension RedirectDefaults {
    /// Whether redirect files parsed under `other` come out the same as under these defaults: the same `[utm]`
    /// values and the same explicit `utm_*` properties. When not, a cache of parsed files must read them again.
    public func parsesRedirectsLike(_ other: RedirectDefaults) -> Bool {
        utm == other.utm && explicitUTMProperties == other.explicitUTMProperties
    }

    /// The UTM parameters that `[properties]` sets itself (`utm_source = "…"`); those win over `[utm]`'s in
    /// the event.
    var explicitUTMProperties: [UTMParameters.Key] {
        UTMParameters.Key.allCases.filter { key in properties.contains { $0.key == key.parameter } }
    }
}
