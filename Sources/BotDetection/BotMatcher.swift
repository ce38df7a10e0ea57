/// Finds the bot rule a user agent matches, with one automaton over every pattern.
///
/// The rules are the `crawler-user-agents` list with our own patterns before and after it. When several
/// match, our `first` rules win over the list and the list over our `last` rules; within those, the match
/// that starts leftmost (an agent names itself first: `Feedly/1.0 (…; like FeedFetcher-Google)`), then the
/// rule that comes first. An agent that matches no rule is a browser, whatever its first word: old phones,
/// feature phones and in-app HTTP stacks (`UCWEB/2.0`, `Dalvik/2.1.0`) are people, and a sink leaves flagged
/// clicks out.
///
/// `scripts/update-bot-patterns` compiles the rules into ``BotPatternTables``: an Aho–Corasick automaton over
/// a short fragment of each pattern's literal part, as a complete transition table, plus what to verify when
/// a fragment is found. A match costs one table lookup per byte of the user agent, whatever the number of
/// patterns, and a verification only where a fragment ends, which a browser's agent almost never has. The
/// tables are static strings in the binary's read-only data: nothing is built when a process starts, and
/// every thread reads the same bytes.
///
/// Matching is ASCII case-insensitive over the agent's UTF-8 bytes.
public enum BotMatcher {
    /// The rule `userAgent` matches, or nil when it matches none.
    public static func match(userAgent: String) -> BotMatch? {
        var agent = userAgent
        let rule = agent.withUTF8 { firstRule($0) }
        return rule.map(Self.rule)
    }

    /// The rule `agent` (UTF-8) matches, or nil when it matches none.
    public static func match(_ agent: UnsafeBufferPointer<UInt8>) -> BotMatch? {
        firstRule(agent).map(Self.rule)
    }

    /// Number of rules: ours and the list's.
    public static var ruleCount: Int { BotPatternTables.ruleCount }

    /// Version of the `crawler-user-agents` list the tables were made from.
    public static var listVersion: String { BotPatternTables.listVersion }

    /// The label and category of rule `index`.
    static func rule(_ index: Int) -> BotMatch {
        let rules = BotPatternTables.rules.utf8Start
        let from = number(rules, at: index * 4, width: 3)
        let to = number(rules, at: index * 4 + 4, width: 3)
        let category = BotCategory.allCases[digit(rules, at: index * 4 + 3)]
        let labels = BotPatternTables.labels.utf8Start
        let label = String(decoding: UnsafeBufferPointer(start: labels + from, count: to - from), as: UTF8.self)
        return BotMatch(label: label, category: category)
    }

    /// The index of the rule `agent` matches (the best, as the type's summary orders them), by the automaton.
    static func firstRule(_ agent: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let text = agent.baseAddress else { return nil }
        let classes = BotPatternTables.byteClasses.utf8Start
        let transitions = BotPatternTables.transitions.utf8Start
        let classCount = BotPatternTables.classCount
        let firstAccepting = BotPatternTables.firstAcceptingState
        // A state is two base-91 digits that start at `$`, a class one. The loop keeps the offset of the state's
        // row (`row`, the state times the row width, plus a constant), and the table's base is moved back by
        // that constant and by the digits' `$`s, so that a byte costs two loads for its class and, for the next
        // row, two loads, two multiplications that do not wait for each other and an addition: the
        // loads of the next byte's entry wait only for that addition.
        let zero = Int(digitZero)
        let rowWidth = 2 &* classCount
        let highWidth = 91 &* rowWidth
        let rowOffset = zero &* highWidth &+ zero &* rowWidth
        let base = transitions - (rowOffset &+ 2 &* zero)
        let firstAcceptingRow = firstAccepting &* rowWidth &+ rowOffset
        var row = rowOffset
        var best = Int.max
        var byte = text
        let end = text + agent.count
        while byte != end {
            let at = row &+ 2 &* Int(classes[Int(byte.pointee)])
            row = Int(base[at]) &* highWidth &+ Int(base[at &+ 1]) &* rowWidth
            byte += 1
            if row >= firstAcceptingRow {
                let state = (row &- firstAcceptingRow) / rowWidth
                best = verify(state: state, end: byte - text, agent: agent, before: best)
            }
        }
        return best == Int.max ? nil : best & ruleMask
    }

    /// Orders the matches: the rule's tier (ours first, the list, ours last), where its key starts, the rule.
    @inline(__always)
    static func score(rule: Int, keyStart: Int) -> Int {
        let tier = rule < BotPatternTables.listRulesStart ? 0 : rule < BotPatternTables.lastRulesStart ? 1 : 2
        return tier << 48 | keyStart << 16 | rule
    }

    static let ruleMask = 0xFFFF

    /// The best score, `before` or one of the candidates of an accepting state whose fragment ends at `end`.
    ///
    /// Kept out of line: browsers rarely get here, and the scanning loop keeps its registers.
    @inline(never)
    private static func verify(state: Int, end: Int, agent: UnsafeBufferPointer<UInt8>, before: Int) -> Int {
        let starts = BotPatternTables.candidateStarts.utf8Start
        let candidates = BotPatternTables.candidates.utf8Start
        let alternativeStarts = BotPatternTables.alternativeStarts.utf8Start
        let alternatives = BotPatternTables.alternatives.utf8Start
        var k = number(starts, at: state * 3, width: 3)
        let last = number(starts, at: state * 3 + 3, width: 3)
        var best = before
        while k < last {
            let alternative = number(candidates, at: k * 3, width: 2)
            let keyStart = end - digit(candidates, at: k * 3 + 2)
            k += 1
            let at = number(alternativeStarts, at: alternative * 3, width: 3)
            let rule = number(alternatives, at: at, width: 2)
            if keyStart < 0 { continue }
            let candidate = score(rule: rule, keyStart: keyStart)
            if candidate >= best { continue }
            let flags = digit(alternatives, at: at + 2)
            let holds: Bool
            if flags & 4 == 0 {
                holds = literalHolds(alternatives + at, flags: flags, keyStart: keyStart, agent: agent)
            } else {
                holds = RegexTokens(alternatives + at + 3).holds(around: keyStart, in: agent, flags: flags)
            }
            if holds { best = candidate }
        }
        return best
    }

    /// Whether the literal alternative at `record` occurs at `keyStart`, anchors included.
    private static func literalHolds(
        _ record: UnsafePointer<UInt8>, flags: Int, keyStart: Int, agent: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        let length = digit(record, at: 3)
        let literal = BotPatternTables.literals.utf8Start + number(record, at: 4, width: 3)
        if keyStart + length > agent.count { return false }
        if flags & 1 != 0 && keyStart != 0 { return false }
        if flags & 2 != 0 && keyStart + length != agent.count { return false }
        for j in 0..<length where lowercase(agent[keyStart + j]) != literal[j] { return false }
        return true
    }

    /// `$`, the digit zero of the tables' base-91 numbers.
    static let digitZero = UInt8(ascii: "$")

    @inline(__always)
    static func digit(_ table: UnsafePointer<UInt8>, at index: Int) -> Int {
        Int(table[index]) &- Int(digitZero)
    }

    @inline(__always)
    static func number(_ table: UnsafePointer<UInt8>, at index: Int, width: Int) -> Int {
        var value = 0
        for k in 0..<width { value = value &* 91 &+ digit(table, at: index + k) }
        return value
    }

    @inline(__always)
    static func lowercase(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }
}

/// The tokens of a regex alternative in ``BotPatternTables/alternatives``: sets with a minimum and maximum count.
struct RegexTokens {
    /// The record after its rule and flags: key start, key length, token count, then the tokens.
    let record: UnsafePointer<UInt8>

    init(_ record: UnsafePointer<UInt8>) {
        self.record = record
    }

    var keyFrom: Int { BotMatcher.digit(record, at: 0) }
    var count: Int { BotMatcher.digit(record, at: 2) }

    /// Whether the alternative matches with its key (a run of single characters) starting at `keyStart`.
    ///
    /// The tokens after the key are matched forwards from there, the tokens before it backwards: each side
    /// is one backtracking search, so a verification costs about the agent's length, not its square.
    func holds(around keyStart: Int, in agent: UnsafeBufferPointer<UInt8>, flags: Int) -> Bool {
        forward(from: keyFrom, at: keyStart, in: agent, endAnchored: flags & 2 != 0)
            && backward(from: keyFrom - 1, at: keyStart, in: agent, startAnchored: flags & 1 != 0)
    }

    /// Whether the alternative matches starting at `start`: the plain forward search the reference uses.
    func matches(at start: Int, in agent: UnsafeBufferPointer<UInt8>, flags: Int) -> Bool {
        forward(from: 0, at: start, in: agent, endAnchored: flags & 2 != 0)
    }

    private func token(_ t: Int) -> (set: Int, low: Int, high: Int) {
        let at = 3 + t * 4
        let high = BotMatcher.digit(record, at: at + 3)
        return (
            BotMatcher.number(record, at: at, width: 2), BotMatcher.digit(record, at: at + 2),
            high == 90 ? Int.max : high
        )
    }

    private func contains(_ set: Int, _ byte: UInt8) -> Bool {
        BotPatternTables.sets.utf8Start[set * 256 + Int(byte)] == UInt8(ascii: "1")
    }

    /// Tokens `t...` match from byte `i` on (to the end when `endAnchored`).
    private func forward(from t: Int, at i: Int, in agent: UnsafeBufferPointer<UInt8>, endAnchored: Bool) -> Bool {
        if t == count { return !endAnchored || i == agent.count }
        let (set, low, high) = token(t)
        var n = 0
        while n < high && i + n < agent.count && contains(set, agent[i + n]) { n += 1 }
        while n >= low {
            if forward(from: t + 1, at: i + n, in: agent, endAnchored: endAnchored) { return true }
            n -= 1
        }
        return false
    }

    /// Tokens `...t` match leftwards, ending just before byte `i` (from the start when `startAnchored`).
    private func backward(from t: Int, at i: Int, in agent: UnsafeBufferPointer<UInt8>, startAnchored: Bool) -> Bool {
        if t < 0 { return !startAnchored || i == 0 }
        let (set, low, high) = token(t)
        var n = 0
        while n < high && i - n > 0 && contains(set, agent[i - n - 1]) { n += 1 }
        while n >= low {
            if backward(from: t - 1, at: i - n, in: agent, startAnchored: startAnchored) { return true }
            n -= 1
        }
        return false
    }
}
