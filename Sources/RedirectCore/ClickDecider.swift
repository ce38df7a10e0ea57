import BotDetection
import CountryCodes
import DeviceDetection
import JSON
import Timestamps

/// What a lookup of a redirect id found.
public enum RedirectLookup: Sendable {
    case found(Redirect)
    case notFound
}

/// The decision for one request: the response to send and the event to record.
public struct ClickDecision: Sendable {
    public var response: RedirectResponse
    /// Nil for requests that are not clicks (methods other than GET and HEAD).
    public var event: ClickEvent?
}

/// Decides the answer to a request. Pure: the caller supplies the lookup, the defaults, the time and the id.
public enum ClickDecider {
    /// Headers on every answer that is not a permanent redirect, so browsers and proxies ask again next time.
    static let noStore = RedirectResponse.Header("Cache-Control", "private, no-store")

    /// The response and event for `request`.
    ///
    /// - Parameters:
    ///   - lookup: finds a redirect by id; called at most once, only for a well-formed id.
    ///   - now: the time of the click; decides validity windows and stamps the event.
    ///   - clickID: the event's id, also the `{click_id}` placeholder.
    ///   - country: the visitor's country, when nginx passed it or a country database knows the address.
    public static func decide(
        for request: ClickRequest, defaults: RedirectDefaults, now: Timestamp, clickID: String,
        country: CountryCode? = nil, lookup: (String) -> RedirectLookup
    ) -> ClickDecision {
        guard request.isMethod("GET") || request.isHead else {
            return ClickDecision(
                response: RedirectResponse(
                    status: 405, headers: [RedirectResponse.Header("Allow", "GET, HEAD"), noStore],
                    body: "Method Not Allowed\n"),
                event: nil)
        }
        let path = request.fields.withBytes(of: ClickRequest.Parameter.pathInfo.rawValue) { bytes in
            bytes.flatMap(RequestPath.parse(bytes:))
        }
        var session: String? = nil
        var sessionStatus = ClickEvent.SessionStatus.absent
        var sessionSource: ClickEvent.SessionSource? = nil
        switch path?.session {
        case .valid(let s)?:
            session = s
            sessionStatus = .valid
            sessionSource = .path
        case .malformed?: sessionStatus = .malformed
        case .none?:
            // As Tracardi's own redirect does: a link without a session takes it from Tracardi's cookie, unless
            // the visitor asked not to be tracked.
            if let header = request.cookie, !honorsPrivacySignal(request, defaults),
                let value = ClickRequest.cookie(named: "tracardi-session-id", in: header)
            {
                if Identifiers.isSessionID(value) {
                    session = String(value)
                    sessionStatus = .valid
                    sessionSource = .cookie
                } else {
                    sessionStatus = .malformed
                }
            }
        case nil: break
        }
        // Most links are clicked without a query: no string is made for an empty one.
        let hasQuery = request.fields.range(ClickRequest.Parameter.query.rawValue).map { !$0.isEmpty } ?? false
        var query = QueryString()
        // The reserved `_via` leaves the query before anything reads it: targets, placeholders, rules and the
        // event's `request.query` see the query without it; the event records its value as `via`.
        var strippedQuery: String? = nil
        var via: ClickVia? = nil
        if hasQuery {
            let raw = request.query
            query = QueryString(parsing: raw)
            if let stripped = ClickVia.strip(&query, raw: raw) {
                strippedQuery = stripped.raw
                via = stripped.via
            }
        }
        let values = PlaceholderValues(session: session, redirect: path?.id ?? "", clickID: clickID, query: query)

        var outcome = ClickEvent.Outcome.notFound
        var redirect: Redirect? = nil
        var isPixel = false
        if let path, case .found(let found) = lookup(path.id) {
            isPixel = found.kind == .pixel
            if !found.enabled {
                outcome = .disabled
            } else if let from = found.validFrom, now < from {
                outcome = .expired
            } else if let until = found.validUntil, now >= until {
                outcome = .expired
            } else {
                outcome = isPixel ? .opened : .redirected
            }
            // Moved, not copied: with `isPixel` read from `found` as well, the optimizer kept both and copied the
            // redirect on every click (a retain and a release of each of its fields; bench/profile, 600 instructions).
            redirect = consume found
        }

        // Read from the request on every click: rules match them, and the event records them.
        let bot = BotClassifier.classify(request)
        let device = request.fields.withBytes(of: ClickRequest.Parameter.userAgent.rawValue) { agent in
            agent.map(DeviceClassifier.classify)
        }
        // Rules and splits apply to a click the link redirects (enabled, inside its window), before its `url`.
        var routed: RuleOutcome? = nil
        if outcome == .redirected, let r = redirect, r.hasRulesOrVariants {
            let context = ruleContext(
                for: request, linkID: r.id, session: session, defaults: defaults, clickID: clickID, device: device,
                bot: bot, country: country, query: query, now: now)
            routed = r.outcome(for: RuleEvaluator.evaluate(r, in: context))
        }

        let response: RedirectResponse
        if isPixel {
            // An image in a mail must never break: disabled and expired pixels answer the image too (the event
            // tells them apart).
            response = pixelResponse
        } else {
            switch (outcome, redirect) {
            case (.redirected, let r?):
                let status = routed?.status ?? r.status
                let target = buildTarget(template: routed?.url ?? r.url, values: values, forwardQuery: r.forwardQuery)
                response = RedirectResponse(
                    status: status.rawValue, location: target, headers: status.isTemporary ? [noStore] : [])
            case (.expired, let r?):
                if let expired = r.expiredURL {
                    let target = TargetBuilder.build(template: expired, values: values, forwardQuery: false)
                    response = RedirectResponse(status: 302, location: target, headers: [noStore])
                } else {
                    response = RedirectResponse(status: 410, headers: [noStore], body: "Gone\n")
                }
            default:
                if let notFound = defaults.notFoundURL {
                    let target = TargetBuilder.build(template: notFound, values: values, forwardQuery: false)
                    response = RedirectResponse(status: 302, location: target, headers: [noStore])
                } else {
                    response = RedirectResponse(status: 404, headers: [noStore], body: "Not Found\n")
                }
            }
        }

        // Made in place: a click event is a few dozen references, and each copy retains and releases them all.
        return ClickDecision(
            response: response,
            event: makeEvent(
                request: request, defaults: defaults, now: now, clickID: clickID, path: path, redirect: redirect,
                outcome: outcome, session: session, sessionStatus: sessionStatus, sessionSource: sessionSource,
                values: values, response: response, bot: bot, routed: routed, device: device, country: country,
                isPixel: isPixel, via: via, strippedQuery: strippedQuery))
    }

    /// An open pixel's answer: the image, never cached, so every open reaches the responder.
    static let pixelResponse = RedirectResponse(status: 200, headers: [noStore], content: .transparentGIF)

    /// What the rules of link `linkID` are matched against for this click, as ``decide(for:defaults:now:clickID:country:lookup:)``
    /// matches them (and `redirectctl explain` asks for its reasons). The split's draw comes from the session,
    /// else from the visitor, else (under an honoured privacy signal) from the click id's random bits.
    public static func ruleContext(
        for request: ClickRequest, linkID: String, session: String?, defaults: RedirectDefaults, clickID: String,
        device: Device?, bot: BotMatch?, country: CountryCode?, query: QueryString, now: Timestamp
    ) -> RuleContext {
        let privacy = honorsPrivacySignal(request, defaults)
        return RuleContext.forClick(
            request, linkID: linkID, session: session, honorsPrivacySignal: privacy,
            random: session == nil && privacy ? SplitDraw.random(from: clickID) : 0, device: device?.os,
            form: device?.form, country: country, query: query, now: now, isBot: bot != nil)
    }

    /// Whether the request carries `Sec-GPC: 1` or `DNT: 1` and the defaults say to honour them.
    public static func honorsPrivacySignal(_ request: ClickRequest, _ defaults: RedirectDefaults) -> Bool {
        defaults.honorPrivacySignals && (request.globalPrivacyControl || request.doNotTrack)
    }

    static func makeEvent(
        request: ClickRequest, defaults: RedirectDefaults, now: Timestamp, clickID: String, path: RequestPath?,
        redirect: Redirect?, outcome: ClickEvent.Outcome, session: String?,
        sessionStatus: ClickEvent.SessionStatus, sessionSource: ClickEvent.SessionSource?, values: PlaceholderValues,
        response: RedirectResponse, bot: BotMatch?, routed: RuleOutcome?, device: Device?, country: CountryCode?,
        isPixel: Bool, via: ClickVia?, strippedQuery: String?
    ) -> ClickEvent {
        var info = ClickEvent.RequestInfo(
            request, withoutIdentity: honorsPrivacySignal(request, defaults), anonymizeIP: defaults.anonymizeIP)
        if let strippedQuery { info.query = strippedQuery }
        return ClickEvent(
            id: clickID, time: now, outcome: outcome, redirect: path?.id, session: session,
            sessionStatus: sessionStatus, source: redirect?.source ?? defaults.source,
            // A pixel's opens are not clicks: the defaults' event type (the clicks') does not apply to them.
            type: routed?.eventType ?? redirect?.eventType
                ?? (isPixel ? RedirectKind.pixelEventType : defaults.eventType ?? "redirect"),
            properties: mergedProperties(
                defaults.properties, routed?.properties ?? redirect?.properties ?? [], values: values),
            target: response.location, status: response.status, request: info,
            bot: bot?.label, botCategory: bot?.category, sessionSource: sessionSource, rule: routed?.rule,
            variant: routed?.variant, country: country?.description, device: device?.os, form: device?.form,
            via: via)
    }

    /// The redirect's properties over the defaults' (same key: the redirect's wins), placeholders filled in raw.
    static func mergedProperties(
        _ base: [(key: String, value: JSONValue)], _ own: [(key: String, value: JSONValue)], values: PlaceholderValues
    ) -> [(key: String, value: JSONValue)] {
        if base.isEmpty && own.isEmpty { return [] }
        var merged: [(key: String, value: JSONValue)] = []
        merged.reserveCapacity(base.count + own.count)
        for member in base where !own.contains(where: { $0.key == member.key }) {
            merged.append((member.key, expand(member.value, values: values)))
        }
        for member in own { merged.append((member.key, expand(member.value, values: values))) }
        return merged
    }

    static func expand(_ value: JSONValue, values: PlaceholderValues) -> JSONValue {
        switch value {
        case .string(let s):
            // Most properties are plain text: keep the value as it is, without building a new string.
            if !hasBrace(s) { return value }
            return .string(Placeholders.expand(s, values: values) { $0 })
        case .array(let items): return .array(items.map { expand($0, values: values) })
        case .object(let members): return .object(members.map { ($0.key, expand($0.value, values: values)) })
        default: return value
        }
    }
}

extension ClickDecider {
    /// ``TargetBuilder/build(template:values:forwardQuery:)``, without its work when there is nothing to do.
    ///
    /// A template with no `{` and no query to forward comes back from the builder unchanged (it has no
    /// placeholder to expand, and its origin check compares the template with itself), so it is returned
    /// as it is: most links are like that, and the check would cost two lowercased copies per click.
    static func buildTarget(template: String, values: PlaceholderValues, forwardQuery: ForwardQuery) -> String {
        if !(forwardQuery != .off && !values.query.pairs.isEmpty) && !hasBrace(template) {
            return template
        }
        return TargetBuilder.build(template: template, values: values, forwardQuery: forwardQuery)
    }

    /// Whether `s` has a `{`, so may hold a placeholder. (The generic `utf8.contains` walks the view byte by
    /// byte through its iterator; a native string's bytes are contiguous.)
    static func hasBrace(_ s: String) -> Bool {
        s.utf8.withContiguousStorageIfAvailable { $0.contains(UInt8(ascii: "{")) } ?? s.utf8.contains(UInt8(ascii: "{"))
    }
}
