/// What `redirectctl import` tells cron and systemd: every exit status of a run, in one place.
public enum ImportExitCode: Int32, Sendable, CaseIterable {
    /// Everything in `ready/` was shipped (rejected events count as handled: they are in `rejected/`), or the
    /// run stopped cleanly at `--max-seconds` and the rest waits for the next run.
    case success = 0
    /// Any other failure: the spool could not be read or written, or the sink refused a batch without naming
    /// the events it objects to.
    case failure = 1
    /// Another import holds `<spool>/import.lock`; this run did nothing.
    case anotherImportRunning = 3
    /// The sink did not answer, timed out or kept answering 5xx after every retry, or `--max-seconds` left no
    /// time for a request it needed: try later. Nothing that was not acknowledged was moved.
    case sinkUnavailable = 4
    /// The sink said the request can never succeed as configured (401, 403, 404, a redirect), or the URL is bad,
    /// or the sink refused every event of the run, two or more, and accepted none (`RefusalGuard`), or the spool
    /// belongs to another user than the one the import runs as (`--user`).
    case misconfiguration = 5
}
