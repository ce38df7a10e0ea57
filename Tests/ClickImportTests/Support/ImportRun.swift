import ClickImport

extension ImportOptions {
    /// Options for a test run against a local sink: quick retries and small batches, so that retries and
    /// batch boundaries show in a few events and a few milliseconds.
    static func forTest(spool: String, sink: Sink) -> ImportOptions {
        var options = ImportOptions(spoolDirectory: spool, sink: sink)
        options.retries = 3
        options.retryDelaySeconds = 0.01
        options.maximumRetryDelaySeconds = 0.05
        options.requestTimeoutSeconds = 5
        options.batchSize = 4
        return options
    }
}

/// Runs an import in-process; returns its exit status, what it did and what it printed.
func runImport(_ options: ImportOptions) async -> (code: ImportExitCode, summary: ImportSummary, output: CapturedOutput)
{
    let captured = CapturedOutput()
    let (code, summary) = await ClickImporter(options: options, output: captured.output).run()
    return (code, summary, captured)
}
