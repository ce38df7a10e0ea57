import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Requests every target of a ``TargetCollection`` over HTTP and returns what each ended with.
///
/// The decisions are plain values (``TargetRequestScheduler`` says which request may start, ``TargetProbe``
/// what to ask next); this type only performs the requests. Each request, a redirect's next hop or a GET after a
/// refused HEAD included, takes a place under both limits. Only the answer's head is read: the body of a GET is
/// dropped unread, which makes the client close that connection instead of downloading the page.
public struct TargetChecker: Sendable {
    /// Sent with every request, so that a site's logs say who asked.
    public static let userAgent = "redirectctl-check-targets"

    public let options: TargetCheckOptions

    public init(options: TargetCheckOptions) {
        self.options = options
    }

    /// One result per target of `collection`, in its order.
    public func check(_ collection: TargetCollection) async -> [TargetResult] {
        let timeout = TimeAmount.milliseconds(Int64(options.timeoutSeconds * 1000))
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: timeout, read: timeout))
        configuration.httpVersion = .http1Only
        // The scheduler keeps to --per-host; the pool must not queue below it. A refused connection fails its
        // request at once instead of being retried until --timeout.
        configuration.connectionPool = .init(
            idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, options.perHost))
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let results = await run(collection, client: client, timeout: timeout)
        try? await client.shutdown()
        return results
    }

    private func run(_ collection: TargetCollection, client: HTTPClient, timeout: TimeAmount) async
        -> [TargetResult]
    {
        var probes = collection.targets.map(TargetProbe.init)
        var results = [TargetResult?](repeating: nil, count: probes.count)
        var scheduler = TargetRequestScheduler<Int>(concurrency: options.concurrency, perHost: options.perHost)
        for index in probes.indices { scheduler.add(index, host: Self.host(of: probes[index].url)) }
        let seconds = options.timeoutSeconds
        await withTaskGroup(of: (Int, String, Exchange).self) { group in
            func startWhatMay() {
                while let (index, host) = scheduler.next() {
                    let url = probes[index].url
                    let method = probes[index].method
                    group.addTask {
                        (index, host, await Self.exchange(client, url: url, method: method, timeout: timeout, seconds))
                    }
                }
            }
            startWhatMay()
            while let (index, host, exchange) = await group.next() {
                scheduler.finished(host: host)
                switch exchange {
                case .answered(let status, let location):
                    switch probes[index].answered(status: status, location: location) {
                    case .request: scheduler.add(index, host: Self.host(of: probes[index].url))
                    case .finished(let result): results[index] = result
                    }
                case .failed(let failure):
                    results[index] = probes[index].failed(failure)
                }
                startWhatMay()
            }
        }
        return results.enumerated().map { index, result in
            result ?? probes[index].failed(.other(detail: "not requested"))
        }
    }

    /// What one request brought back.
    enum Exchange: Sendable {
        case answered(status: Int, location: String?)
        case failed(TargetFailure)
    }

    private static func exchange(
        _ client: HTTPClient, url: String, method: TargetMethod, timeout: TimeAmount, _ seconds: Double
    ) async -> Exchange {
        var request = HTTPClientRequest(url: url)
        request.method = method == .head ? .HEAD : .GET
        request.headers.add(name: "User-Agent", value: userAgent)
        request.headers.add(name: "Accept", value: "*/*")
        do {
            // The deadline covers the answer's head only, which is all that is read.
            let response = try await client.execute(request, timeout: timeout)
            return .answered(status: Int(response.status.code), location: response.headers.first(name: "Location"))
        } catch {
            return .failed(classify(error, url: url, seconds: seconds))
        }
    }

    /// The host a request goes to, lowercased, for the per-host limit.
    static func host(of url: String) -> String {
        URL(string: url)?.host?.lowercased() ?? url
    }

    /// Sorts a client error into what a person can act on.
    static func classify(_ error: any Error, url: String, seconds: Double) -> TargetFailure {
        let host = URL(string: url)?.host ?? url
        let port = URL(string: url)?.port ?? (url.lowercased().hasPrefix("https:") ? 443 : 80)
        if let connection = error as? NIOConnectionError {
            if connection.connectionErrors.isEmpty, let dns = connection.dnsAError ?? connection.dnsAAAAError {
                return .dns(host: host, detail: String(describing: dns))
            }
            let codes = connection.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
            if !codes.isEmpty && codes.allSatisfy({ $0 == ECONNREFUSED }) {
                return .connectionRefused(host: host, port: port)
            }
            if let first = connection.connectionErrors.first {
                return .other(detail: "cannot connect to \(host):\(port): \(first.error)")
            }
            return .other(detail: "cannot connect to \(host):\(port)")
        }
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED {
            return .connectionRefused(host: host, port: port)
        }
        if error is SocketAddressError {
            return .dns(host: host, detail: String(describing: error))
        }
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .getConnectionFromPoolTimeout:
                return .timeout(seconds: seconds)
            case .remoteConnectionClosed:
                return .other(detail: "the server closed the connection without an answer")
            default: break
            }
        }
        // NIOSSL's errors are not visible here without depending on swift-nio-ssl directly; their type names are.
        let type = String(reflecting: Swift.type(of: error))
        if type.contains("NIOSSL") || type.contains("BoringSSL") || type.contains("TLS") {
            return .tls(detail: tlsReason(String(describing: error)))
        }
        let text = String(describing: error)
        return .other(detail: text.count > 300 ? String(text.prefix(300)) + "…" : text)
    }

    /// BoringSSL's reason (`CERTIFICATE_VERIFY_FAILED`, `WRONG_VERSION_NUMBER`) out of NIOSSL's description, which
    /// also holds error numbers and a source path; the whole description (shortened) when it names none.
    static func tlsReason(_ description: String) -> String {
        if let range = description.range(of: "OPENSSL_internal:") {
            let reason = description[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            if !reason.isEmpty {
                let stage = description.hasPrefix("handshakeFailed") ? " in the handshake" : ""
                return String(reason) + stage
            }
        }
        return description.count > 300 ? String(description.prefix(300)) + "…" : description
    }
}
