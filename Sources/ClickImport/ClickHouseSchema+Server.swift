extension ClickHouseSchema {
    /// Asks a ClickHouse server for `SELECT version()`, with the importer's headers and one quick retry.
    public static func serverVersion(
        url: String, headers: [HTTPHeaderField] = [],
        timeoutSeconds: Double = 10
    ) async throws(ImportError) -> ClickHouseVersion {
        let answer = try await ask(url: url, sql: "SELECT version()", headers: headers, timeoutSeconds: timeoutSeconds)
        guard (200..<300).contains(answer.status) else {
            throw .sink(.misconfigured(url: url, status: answer.status, detail: SinkAnswer.excerpt(answer.body)))
        }
        guard let version = ClickHouseVersion(parsing: String(decoding: answer.body, as: UTF8.self)) else {
            throw .sink(
                .misconfigured(
                    url: url, status: answer.status,
                    detail: "answered no ClickHouse version: " + SinkAnswer.excerpt(answer.body)))
        }
        return version
    }

    /// Runs one statement on a server over its HTTP interface and returns the answer, a ClickHouse exception
    /// included: with `serverErrorsAreAnswers`, a 5xx comes back at once (a statement's error is its answer),
    /// otherwise it is tried once more. Only an unreachable server or a URL that is not one throws.
    public static func ask(
        url: String, sql: String, headers: [HTTPHeaderField] = [], timeoutSeconds: Double = 10,
        serverErrorsAreAnswers: Bool = false
    ) async throws(ImportError) -> SinkResponse {
        try ClickImporter.checkURL(url, flag: "--clickhouse")
        var options = ImportOptions(spoolDirectory: ".", sink: .clickhouse(url: url, table: "clicks"))
        options.headers = headers
        options.retries = 1
        options.connectTimeoutSeconds = timeoutSeconds
        options.requestTimeoutSeconds = timeoutSeconds
        let sender = SinkSender(options: options)
        var request = SinkRequest(url: url, body: Array(sql.utf8), contentType: "text/plain", eventIDs: [])
        if serverErrorsAreAnswers { request.permanentServerError = { _, _ in true } }
        let result: Result<SinkResponse, SinkError>
        do {
            result = .success(try await sender.send(request, compress: false, deadline: nil))
        } catch {
            result = .failure(error)
        }
        await sender.shutdown()
        switch result {
        case .failure(let error): throw .sink(error)
        case .success(let response): return response
        }
    }
}
