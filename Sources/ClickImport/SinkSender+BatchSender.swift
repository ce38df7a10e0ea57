import ClickSpool

extension SinkSender: BatchSender {
    /// Sends one batch: every request of the sink's plan, resending what is left of a request after an answer that
    /// rejected some of its events. Returns every rejected event.
    ///
    /// A 400/422 that names no event (most collectors say only "bad request") is met by halving: each half is
    /// sent on its own, and so on, until the events the sink objects to are alone and can be set aside. One bad
    /// line costs about two requests per halving and never stops the import. A sink that refuses every event
    /// of a batch of several, one by one, is set up for something else (a wrong table, a wrong format): the
    /// run stops with the sink's answer rather than move the whole spool to `rejected/`.
    func send(_ records: [SpoolRecord], to sink: any ClickSink, deadline: ContinuousClock.Instant?) async
        -> Result<[SinkRejection], SinkError>
    {
        let plan = sink.plan(records)
        var rejections = plan.rejections
        var queue = plan.requests
        var position = 0
        var byID: [String: SpoolRecord] = [:]
        for record in records { byID[record.id] = record }
        var halvedAlone = 0
        var lastRefusal: SinkError?
        func members(of request: SinkRequest, except bad: Set<String> = []) -> [SpoolRecord] {
            request.eventIDs.compactMap { bad.contains($0) ? nil : byID[$0] }
        }
        while position < queue.count {
            let request = queue[position]
            position += 1
            let response: SinkResponse
            do {
                response = try await send(request, compress: sink.acceptsGzip, deadline: deadline)
            } catch {
                return .failure(error)
            }
            let rejected: [SinkRejection]
            do {
                rejected = try sink.interpret(response, to: request)
            } catch {
                guard case .refused(_, let status, let detail) = error else { return .failure(error) }
                let group = members(of: request)
                lastRefusal = error
                if group.count <= 1 {
                    rejections += group.map {
                        SinkRejection(id: $0.id, reason: "HTTP \(status): \(detail)", status: status)
                    }
                    halvedAlone += group.count
                    if records.count > 1 && halvedAlone == records.count, let lastRefusal {
                        return .failure(lastRefusal)
                    }
                } else {
                    for half in [group[..<(group.count / 2)], group[(group.count / 2)...]] {
                        let retry = sink.plan(Array(half))
                        rejections += retry.rejections
                        queue += retry.requests
                    }
                }
                continue
            }
            rejections += rejected
            if !(200..<300).contains(response.status) {
                // The request was refused as a whole: send the events it did not object to once more.
                let again = members(of: request, except: Set(rejected.map(\.id)))
                if !again.isEmpty {
                    let retry = sink.plan(again)
                    rejections += retry.rejections
                    queue += retry.requests
                }
            }
        }
        return .success(rejections)
    }
}
