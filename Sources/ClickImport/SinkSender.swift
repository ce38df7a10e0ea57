import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sends sink requests over HTTP, retrying what may work later and sorting every other answer into a `SinkError`.
///
/// Returns 2xx and 4xx answers (but 408 and 429): those are for the sink to read, since only the sink knows
/// whether a 401 means bad credentials or a refused event source. Network errors, timeouts, 408, 429 and 5xx
/// are retried with backoff (honouring `Retry-After` up to the maximum delay); when the retries run out, or the
/// next attempt would start past the run's deadline, the request fails as `.unavailable`.
///
/// Each attempt is bounded as a whole, from connect to the last byte of the answer, by `--timeout`: a sink that
/// drips its answer a byte at a time, or never ends it, times out like one that never answers. No attempt starts
/// after the run's deadline, so a run ends at the latest `--timeout` after it. A redirect or any other status
/// fails at once as `.misconfigured`. A 5xx that the request's `permanentServerError` calls final
/// (ClickHouse's parse errors) goes back to the sink without retries.
final class SinkSender: Sendable {
    /// The most of a sink's answer kept: an answer to a batch is a status and a few lines of text.
    static let maximumAnswerBytes = 1 << 20

    private let client: HTTPClient
    private let headers: [HTTPHeaderField]
    private let policy: RetryPolicy
    private let gzip: Bool
    private let requestTimeout: TimeAmount
    private let answerLimit: Int

    /// `answerLimit`: bytes of an answer kept (more is read and dropped); queries of the report ask for more.
    init(options: ImportOptions, answerLimit: Int = SinkSender.maximumAnswerBytes) {
        self.answerLimit = answerLimit
        // --timeout covers the connect too: a shorter --timeout shortens the connect timeout.
        let connect = min(options.connectTimeoutSeconds, options.requestTimeoutSeconds)
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: .milliseconds(Int64(connect * 1000)),
                read: .milliseconds(Int64(options.requestTimeoutSeconds * 1000))),
            decompression: .enabled(limit: .ratio(100)))
        configuration.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        headers = options.headers
        policy = RetryPolicy(
            retries: options.retries, baseDelaySeconds: options.retryDelaySeconds,
            maximumDelaySeconds: options.maximumRetryDelaySeconds)
        gzip = options.gzip
        requestTimeout = .milliseconds(Int64(options.requestTimeoutSeconds * 1000))
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// Sends `request` until the sink gives an answer for the sink to read, or fails for good.
    func send(_ request: SinkRequest, compress: Bool, deadline: ContinuousClock.Instant?) async throws(SinkError)
        -> SinkResponse
    {
        var body = request.body
        var gzipped = false
        if gzip && compress, let compressed = GzipEncoder.compress(body) {
            body = compressed
            gzipped = true
        }
        let bytes = body
        var attempt = 0
        while true {
            if let deadline, ContinuousClock.now >= deadline {
                let problem = "--max-seconds passed before the request could be sent"
                throw .unavailable(url: request.url, attempts: attempt, lastProblem: problem)
            }
            attempt += 1
            var problem: String
            var retryAfter: Double?
            do {
                var http = HTTPClientRequest(url: request.url)
                http.method = .POST
                http.headers.add(name: "Content-Type", value: request.contentType)
                http.headers.add(name: "User-Agent", value: "redirectctl-import")
                if gzipped { http.headers.add(name: "Content-Encoding", value: "gzip") }
                for header in headers { http.headers.add(name: header.name, value: header.value) }
                for header in request.headers { http.headers.replaceOrAdd(name: header.name, value: header.value) }
                http.body = .bytes(bytes)
                let response = try await answer(to: http)
                let answer = response.body
                let status = response.status
                switch status {
                case 500..<600 where request.permanentServerError?(status, answer) == true:
                    return SinkResponse(status: status, body: answer)
                case 408, 429, 500..<600:
                    problem = "HTTP \(status)" + Self.detail(answer)
                    retryAfter = response.headers.first(name: "Retry-After").flatMap { Double($0) }
                case 200..<300, 400..<500:
                    return SinkResponse(status: status, body: answer)
                default:
                    var detail = SinkAnswer.excerpt(answer)
                    if (300..<400).contains(status), let location = response.headers.first(name: "Location") {
                        detail = "redirected to \(location)"
                    }
                    throw SinkError.misconfigured(url: request.url, status: status, detail: detail)
                }
            } catch let error as SinkError {
                throw error
            } catch {
                if let clientError = error as? HTTPClientError,
                    clientError == .invalidURL || clientError == .emptyHost || clientError == .emptyScheme
                        || String(describing: clientError).contains("unsupportedScheme")
                {
                    throw .misconfigured(url: request.url, status: nil, detail: String(describing: clientError))
                }
                problem = Self.describe(error, url: request.url)
            }
            guard attempt <= policy.retries else {
                throw .unavailable(url: request.url, attempts: attempt, lastProblem: problem)
            }
            var delay = policy.delay(beforeRetry: attempt)
            if let retryAfter { delay = max(delay, min(retryAfter, policy.maximumDelaySeconds)) }
            if let deadline, ContinuousClock.now + .milliseconds(Int64(delay * 1000)) > deadline {
                throw .unavailable(
                    url: request.url, attempts: attempt,
                    lastProblem: problem + "; --max-seconds leaves no time for another retry")
            }
            try? await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
        }
    }

    /// An answer read to its end within one attempt's time.
    private struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// The attempt ran out of `--timeout` before the answer's last byte.
    private struct AttemptTimedOut: Error {
        var seconds: Double
    }

    /// Sends `http` and reads its answer to the last byte, or throws `AttemptTimedOut` once `requestTimeout` has
    /// passed since the start. The client's own deadline covers only the answer's head; the body is read in a
    /// task that the timer cancels, which closes the connection.
    private func answer(to http: HTTPClientRequest) async throws -> Answer {
        let client = client
        let timeout = requestTimeout
        let limit = answerLimit
        let seconds = Double(timeout.nanoseconds) / 1e9
        let deadline = ContinuousClock.now + .nanoseconds(timeout.nanoseconds)
        return try await withThrowingTaskGroup(of: Answer?.self) { group in
            group.addTask {
                let response = try await client.execute(http, timeout: timeout)
                let body = try await Self.collect(response.body, limit: limit)
                return Answer(status: Int(response.status.code), headers: response.headers, body: body)
            }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let answer = first else {
                throw AttemptTimedOut(seconds: seconds)
            }
            return answer
        }
    }

    private static func collect(_ body: HTTPClientResponse.Body, limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in body {
            // Keep reading past the limit (so the connection can be reused) but keep no more than the limit.
            let room = limit - bytes.count
            if room > 0 { bytes.append(contentsOf: chunk.readableBytesView.prefix(room)) }
        }
        return bytes
    }

    private static func detail(_ answer: [UInt8]) -> String {
        let text = SinkAnswer.excerpt(answer, limit: 200)
        return text.isEmpty ? "" : ": " + text
    }

    private static func describe(_ error: any Error, url: String) -> String {
        if let errno = (error as? IOError)?.errnoCode
            ?? (error as? NIOConnectionError)?.connectionErrors.lazy
            .compactMap({ ($0.error as? IOError)?.errnoCode }).first
        {
            switch errno {
            case ECONNREFUSED: return "connection refused: is the sink running at \(url)?"
            case ECONNRESET: return "the sink reset the connection"
            case EHOSTUNREACH, ENETUNREACH: return "no route to the sink's host"
            default: break
            }
        }
        if let timeout = error as? AttemptTimedOut {
            return "timeout (no complete answer in \(ClickImporter.format(timeout.seconds)) s)"
        }
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .connectTimeout: return "connect timeout"
            case .readTimeout: return "read timeout (no answer in time)"
            case .deadlineExceeded: return "timeout (no complete answer in time)"
            case .remoteConnectionClosed: return "the sink closed the connection"
            default: break
            }
        }
        let text = String(describing: error)
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
