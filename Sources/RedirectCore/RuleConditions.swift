import CountryCodes
import DeviceDetection
import Timestamps

/// What must hold of a click for a rule to apply: every condition that is set, at once. An empty list or a
/// nil value sets no condition.
public struct RuleConditions: Equatable, Sendable {
    /// The visitor's operating system is one of these.
    public var devices: [DeviceOS] {
        get { lists.devices }
        set {
            uniqueLists().devices = newValue
            deviceMask = newValue.reduce(0) { $0 | $1.bit }
        }
    }
    /// The visitor's form factor is one of these.
    public var forms: [FormFactor] {
        get { lists.forms }
        set {
            uniqueLists().forms = newValue
            formMask = newValue.reduce(0) { $0 | $1.bit }
        }
    }
    /// The primary subtag of the visitor's first-choice language is one of these.
    public var languages: [PrimaryLanguage] {
        get { lists.languages }
        set {
            uniqueLists().languages = newValue
            hasLists = !lists.isEmpty
        }
    }
    /// The click's country is one of these.
    public var countries: [CountryCode] {
        get { lists.countries }
        set {
            uniqueLists().countries = newValue
            hasLists = !lists.isEmpty
        }
    }
    /// Every parameter named here is in the click's query with this value (percent-decoded), the first
    /// parameter of a name counting.
    public var query: [(name: String, value: String)] {
        get { lists.query }
        set {
            uniqueLists().query = newValue
            hasLists = !lists.isEmpty
        }
    }
    /// `true`: the click is flagged as a bot; `false`: it is not.
    public var bot: Bool?
    /// The click is at or after this time.
    public var from: Timestamp?
    /// The click is before this time.
    public var until: Timestamp?

    /// The devices and forms as bits (``DeviceOS/bit``): a click tests them without touching a list.
    private(set) var deviceMask: UInt8 = 0
    private(set) var formMask: UInt8 = 0
    /// Whether any of the lists a click must look into (languages, countries, query) is set.
    private(set) var hasLists = false
    /// The lists in one shared box: a rule's conditions are copied with one reference count, not five.
    private var lists = Lists()

    /// The lists of one set of conditions; copied before a change when shared.
    final class Lists: @unchecked Sendable {
        var devices: [DeviceOS] = []
        var forms: [FormFactor] = []
        var languages: [PrimaryLanguage] = []
        var countries: [CountryCode] = []
        var query: [(name: String, value: String)] = []

        var isEmpty: Bool { languages.isEmpty && countries.isEmpty && query.isEmpty }

        func copy() -> Lists {
            let copy = Lists()
            copy.devices = devices
            copy.forms = forms
            copy.languages = languages
            copy.countries = countries
            copy.query = query
            return copy
        }
    }

    private mutating func uniqueLists() -> Lists {
        if !isKnownUniquelyReferenced(&lists) { lists = lists.copy() }
        return lists
    }

    public init(
        devices: [DeviceOS] = [], forms: [FormFactor] = [], languages: [PrimaryLanguage] = [],
        countries: [CountryCode] = [], query: [(name: String, value: String)] = [], bot: Bool? = nil,
        from: Timestamp? = nil, until: Timestamp? = nil
    ) {
        self.bot = bot
        self.devices = devices
        self.forms = forms
        self.languages = languages
        self.countries = countries
        self.query = query
        self.from = from
        self.until = until
    }

    /// Whether no condition is set: such a rule takes every click, and no rule after it is ever tried.
    public var isUnconditional: Bool {
        devices.isEmpty && forms.isEmpty && languages.isEmpty && countries.isEmpty && query.isEmpty && bot == nil
            && from == nil && until == nil
    }

    public static func == (a: RuleConditions, b: RuleConditions) -> Bool {
        a.devices == b.devices && a.forms == b.forms && a.languages == b.languages && a.countries == b.countries
            && a.query.count == b.query.count && zip(a.query, b.query).allSatisfy { $0 == $1 } && a.bot == b.bot
            && a.from == b.from && a.until == b.until
    }

    /// Whether every click that meets `later` also meets these conditions, so that a rule with `later` placed
    /// after a rule with these can never match: each condition set here is at least as strict in `later`.
    func covers(_ later: RuleConditions) -> Bool {
        func within<T: Equatable>(_ mine: [T], _ theirs: [T]) -> Bool {
            mine.isEmpty || (!theirs.isEmpty && theirs.allSatisfy(mine.contains))
        }
        guard within(devices, later.devices), within(forms, later.forms), within(languages, later.languages),
            within(countries, later.countries)
        else { return false }
        for wanted in query where !later.query.contains(where: { $0.name == wanted.name && $0.value == wanted.value }) {
            return false
        }
        if let bot, later.bot != bot { return false }
        if let from, later.from.map({ $0 < from }) ?? true { return false }
        if let until, later.until.map({ $0 > until }) ?? true { return false }
        return true
    }

    /// The conditions with every list sorted and without repeats: two rules with equal keys take the same
    /// clicks, whatever order their lists are written in.
    var canonicalKey: CanonicalKey {
        var query: [String] = []
        for pair in self.query.sorted(by: { $0.name < $1.name }) where !query.contains(pair.name) {
            query.append(pair.name)
            query.append(pair.value)
        }
        return CanonicalKey(
            devices: Set(devices.map(\.rawValue)), forms: Set(forms.map(\.rawValue)),
            languages: Set(languages.map(\.packed)), countries: Set(countries.map(\.rawValue)),
            query: query, bot: bot, from: from, until: until)
    }

    struct CanonicalKey: Hashable {
        var devices: Set<String>
        var forms: Set<String>
        var languages: Set<UInt64>
        var countries: Set<UInt16>
        var query: [String]
        var bot: Bool?
        var from: Timestamp?
        var until: Timestamp?
    }
}

extension DeviceOS {
    /// This system's bit in ``RuleConditions``' device mask.
    var bit: UInt8 {
        switch self {
        case .ios: 1
        case .android: 2
        case .windows: 4
        case .macos: 8
        case .linux: 16
        case .chromeos: 32
        }
    }
}

extension FormFactor {
    /// This form's bit in ``RuleConditions``' form mask.
    var bit: UInt8 {
        switch self {
        case .mobile: 1
        case .tablet: 2
        case .desktop: 4
        }
    }
}
