import BotDetection

extension BotClassifier {
    /// ``BotClassifier/classify(method:userAgent:)`` for a request, reading its user agent in place.
    public static func classify(_ request: ClickRequest) -> BotMatch? {
        request.fields.withBytes(of: ClickRequest.Parameter.userAgent.rawValue) {
            classify(isHead: request.isHead, userAgent: $0)
        }
    }
}
