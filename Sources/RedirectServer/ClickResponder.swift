import ClickSpool
import FastCGIResponder
import RedirectCore
import RedirectFiles

/// Joins the pieces for one request: files → core decision → spool → response bytes.
public final class ClickResponder: Sendable {
    public let store: RedirectStore
    public let spool: SpoolLayout
    private let failures: SpoolFailureLog

    public init(configuration: ResponderConfiguration, log: @escaping @Sendable (String) -> Void) {
        store = RedirectStore(directory: configuration.redirectsDirectory, cacheLimit: configuration.cacheLimit, log: log)
        spool = configuration.spool
        failures = SpoolFailureLog(log: log)
    }

    /// A handler for one thread (or one CGI process), with its own spool writer and id generator.
    public func makeHandler() -> RequestHandler {
        let writer = SpoolWriter(layout: spool, failures: failures)
        var generator = ClickIDGenerator()
        let store = self.store
        return { parameter in
            let request = ClickRequest(parameter: parameter)
            let now = Timestamp(millisecondsSinceEpoch: SpoolClock.nowMilliseconds())
            let clickID = ClickID.make(at: now, using: &generator)
            let decision = Responder.respond(
                to: request, defaults: store.defaults(), now: now, clickID: clickID, lookup: store.lookup)
            // The line is written before the response goes out; a failure is logged, never shown to the visitor.
            if let event = decision.event { writer.append(event.jsonLine()) }
            return decision.response.cgiBytes(includeBody: request.method != "HEAD")
        }
    }
}
