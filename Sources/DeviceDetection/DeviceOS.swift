/// The operating system a user agent names, as redirect rules (`device = [...]`) and the click event's
/// `device` field spell it.
public enum DeviceOS: String, CaseIterable, Sendable {
    case ios
    case android
    case windows
    case macos
    case linux
    case chromeos
}
