import Foundation

/// The tests' Python: the virtual environment `scripts/test-python-env` makes (`.build/test-venv`) with the pinned
/// packages of `Tests/requirements.txt`.
public enum TestPython {
    /// `scripts/test-python-env` did not make the environment; the message carries its standard error.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The virtual environment's python, made or brought up to date on first use.
    ///
    /// Runs a process to its end (the first time, pip installs): call it from a synchronous test, not async code.
    public static func venvPython() throws -> String {
        let script = BuiltProducts.repositoryRoot.appendingPathComponent("scripts/test-python-env").path
        let run = try ProcessRun.run(script)
        guard run.status == 0 else {
            throw Failure(description: "scripts/test-python-env failed (exit \(run.status)): \(run.stderr)")
        }
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
