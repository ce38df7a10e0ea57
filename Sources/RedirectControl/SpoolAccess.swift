import SystemIO
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whose rights `redirectctl import`, `seal`, `status` and `stats` use on a spool: the trust boundary between
/// the spool's writer (the responder's user) and whoever runs the command (often root's cron).
///
/// Done the way logrotate treats a directory another user can write: a command acts only in a spool that belongs
/// to the user it runs as. Root on another user's spool refuses, unless `--user NAME` names that user, and then
/// it becomes that user before it touches the spool. ``decide(spool:spoolOwner:runningAs:user:)`` is the pure
/// rule; ``enter(spool:user:)`` looks at the disk and switches.
public enum SpoolAccess: Equatable, Sendable {
    /// Go on as the user the process runs as.
    case proceed
    /// Become this user first (root, with `--user`).
    case become(UserAccount)
    /// Stop with this message: acting here would hand the spool's writer the rights of the one running.
    case refuse(String)

    /// The rule. `spoolOwner` is nil when the spool does not exist yet; `user` is the account `--user` names.
    public static func decide(spool: String, spoolOwner: UInt32?, runningAs euid: UInt32, user: UserAccount?)
        -> SpoolAccess
    {
        if let user {
            if let spoolOwner, spoolOwner != user.uid {
                return .refuse(
                    "\(spool) belongs to \(UserAccount.describe(spoolOwner)), not to \(user.name): "
                        + "pass --user with the spool's owner")
            }
            if euid == user.uid { return .proceed }
            guard euid == 0 else {
                return .refuse(
                    "--user \(user.name): only root can switch to another user; this runs as "
                        + UserAccount.describe(euid))
            }
            return .become(user)
        }
        guard let spoolOwner, spoolOwner != euid else { return .proceed }
        let owner = UserAccount.withID(spoolOwner)?.name ?? String(spoolOwner)
        if euid == 0 {
            return .refuse(
                "\(spool) belongs to \(UserAccount.describe(spoolOwner)); as root this would act with "
                    + "root's rights in a directory that user can write. Run it as that user (sudo -u "
                    + "\(owner) …, or User=\(owner) in the systemd unit), or pass --user \(owner) to switch "
                    + "to it first")
        }
        return .refuse(
            "\(spool) belongs to \(UserAccount.describe(spoolOwner)), and this runs as "
                + "\(UserAccount.describe(euid)): run it as \(owner)")
    }

    /// Applies the rule to the spool at `path` for `--user` (nil when not given): switches user when it says so.
    /// Throws the refusal's message as a ``SpoolAccessError``.
    public static func enter(spool path: String, user name: String?) throws(SpoolAccessError) {
        var account: UserAccount?
        if let name {
            guard let found = UserAccount.named(name) else { throw SpoolAccessError("--user \(name): no such user") }
            account = found
        }
        var s = stat()
        var owner: UInt32?
        if stat(path, &s) == 0 {
            owner = s.st_uid
        } else if errno != ENOENT {
            throw SpoolAccessError("cannot look at \(path): \(String(cString: strerror(errno)))")
        }
        switch decide(spool: path, spoolOwner: owner, runningAs: geteuid(), user: account) {
        case .proceed:
            return
        case .refuse(let message):
            throw SpoolAccessError(message)
        case .become(let user):
            do throws(Errno) {
                try user.become()
            } catch {
                throw SpoolAccessError("cannot switch to user \(user.name): \(error)")
            }
        }
    }
}

/// A command that will not act on a spool, and why.
public struct SpoolAccessError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
