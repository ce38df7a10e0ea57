import ArgumentParser
import ClickSpool
import RedirectControl
import SystemIO

/// `--spool` and `--user`: which spool a command works on, and as whom. Shared by `import`, `seal`, `status` and
/// `stats`, so the flag, its environment name and default, and the trust rule are said once.
struct SpoolOptions: ParsableArguments {
    @Option(name: .customLong(SpoolLayout.directorySetting.name), help: ArgumentHelp(SpoolLayout.directorySetting.help))
    var spoolDirectory: String?

    @Option(
        help: ArgumentHelp(
            "Run as this user, the spool's owner: root switches to it before touching the spool. Without it, root "
                + "refuses a spool that belongs to another user.",
            valueName: "name"))
    var user: String?

    /// A bad `--spool` or `CLICK_LOG_DIR` is a usage error, with the message every executable gives.
    func validate() throws {
        do {
            _ = try SpoolLayout.directorySetting.value(flag: spoolDirectory)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// `--spool`, else `$CLICK_LOG_DIR`, else the default (`./clicks`); checked by ``validate()``.
    var directory: String {
        (try? SpoolLayout.directorySetting.value(flag: spoolDirectory)).flatMap { $0 } ?? ""
    }

    /// Applies the trust rule (``SpoolAccess``): returns as the user to act as, or prints why not and exits with
    /// `refusal`.
    func enter(command: String, refusal: Int32) throws {
        do {
            try SpoolAccess.enter(spool: directory, user: user)
        } catch {
            StandardError.log("redirectctl \(command): \(error)")
            throw ExitCode(refusal)
        }
    }
}
