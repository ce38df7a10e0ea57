extension ClickHouseSchema {
    /// Asks a ClickHouse server for `SELECT version()`, with the importer's headers and one quick retry.
    public static func serverVersion(
        url: String, headers: [HTTPHeaderField] = [],
        timeoutSeconds: Double = 10
    ) async throws(ImportError) -> ClickHouseVersion {
        try ClickImporter.checkURL(url, flag: "--clickhouse")
        var options = ImportOptions(spoolDirectory: ".", sink: .clickhouse(url: url, table: "clicks"))
        options.headers = headers
        options.retries = 1
        options.connectTimeoutSeconds = timeoutSeconds
        options.requestTimeoutSeconds = timeoutSeconds
        let sender = SinkSender(options: options)
        let request = SinkRequest(
            url: url, body: Array("SELECT version()".utf8), contentType: "text/plain", eventIDs: [])
        let result: Result<SinkResponse, SinkError>
        do {
            result = .success(try await sender.send(request, compress: false, deadline: nil))
        } catch {
            result = .failure(error)
        }
        await sender.shutdown()
        switch result {
        case .failure(let error):
            throw .sink(error)
        case .success(let response):
            guard (200..<300).contains(response.status) else {
                throw .sink(
                    .misconfigured(url: url, status: response.status, detail: SinkAnswer.excerpt(response.body)))
            }
            guard let version = ClickHouseVersion(parsing: String(decoding: response.body, as: UTF8.self)) else {
                throw .sink(
                    .misconfigured(
                        url: url, status: response.status,
                        detail: "answered no ClickHouse version: " + SinkAnswer.excerpt(response.body)))
            }
            return version
        }
    }
}
