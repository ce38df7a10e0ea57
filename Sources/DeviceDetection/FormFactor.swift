/// The kind of device a user agent runs on, as redirect rules (`form = [...]`) and the click event's `form`
/// field spell it.
public enum FormFactor: String, CaseIterable, Sendable {
    case mobile
    case tablet
    case desktop
}
