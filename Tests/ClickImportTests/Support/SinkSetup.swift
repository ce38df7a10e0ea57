import ClickImport

/// A spool and a sink (sink.py on a free loopback port) beside it: what the import suites that ship over HTTP
/// start each test with. Each suite says in its own file which sink model it runs and where its options ship.
struct SinkSetup {
    let spool: TestSpool
    let sink: TestSink

    init(model: String) throws {
        spool = try TestSpool()
        sink = try TestSink(directory: spool.root, model: model)
    }

    /// Options with quick retries that ship to `target`, changed by `change`.
    func options(_ target: ImportOptions.Sink, _ change: (inout ImportOptions) -> Void = { _ in }) -> ImportOptions {
        var options = ImportOptions.forTest(spool: spool.directory, sink: target)
        change(&options)
        return options
    }

    func run(_ options: ImportOptions) async -> (code: ImportExitCode, summary: ImportSummary, output: CapturedOutput) {
        await runImport(options)
    }

    func finish() {
        sink.stop()
        spool.remove()
    }
}
