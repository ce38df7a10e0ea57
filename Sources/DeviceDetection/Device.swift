/// What a user agent says about the device it runs on: the operating system and the form factor, each nil when
/// the agent does not tell (an empty agent, a bot without a platform, a system redirect rules have no name for).
///
/// The two answers are independent: a BlackBerry is a `mobile` with no `os`, an Xbox is `windows` with no
/// `form`.
public struct Device: Equatable, Hashable, Sendable {
    public var os: DeviceOS?
    public var form: FormFactor?

    public init(os: DeviceOS?, form: FormFactor?) {
        self.os = os
        self.form = form
    }
}
