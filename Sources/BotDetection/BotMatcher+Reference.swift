extension BotMatcher {
    /// The rule `userAgent` matches, found the slow and obvious way: every alternative of every rule, at every
    /// position, without the automaton.
    ///
    /// The definition ``match(userAgent:)`` is held against in the tests; nothing else should call it.
    public static func referenceMatch(userAgent: String) -> BotMatch? {
        var agent = userAgent
        return agent.withUTF8 { referenceRule($0) }.map(rule)
    }

    static func referenceRule(_ agent: UnsafeBufferPointer<UInt8>) -> Int? {
        let starts = BotPatternTables.alternativeStarts.utf8Start
        let alternatives = BotPatternTables.alternatives.utf8Start
        let lowered = agent.map(lowercase)
        var best = Int.max
        for alternative in 0..<BotPatternTables.alternativeCount {
            let record = alternatives + number(starts, at: alternative * 3, width: 3)
            let rule = number(record, at: 0, width: 2)
            let flags = digit(record, at: 2)
            // Where the leftmost match's key starts.
            var keyStart: Int?
            if flags & 4 == 0 {
                let literal = BotPatternTables.literals.utf8Start + number(record, at: 4, width: 3)
                let length = digit(record, at: 3)
                var start = 0
                while keyStart == nil && start + length <= lowered.count {
                    var k = 0
                    while k < length && lowered[start + k] == literal[k] { k += 1 }
                    let anchorsHold =
                        (flags & 1 == 0 || start == 0) && (flags & 2 == 0 || start + length == lowered.count)
                    if k == length && anchorsHold { keyStart = start }
                    start += 1
                }
            } else {
                let tokens = RegexTokens(record + 3)
                // First whether it matches at all, by a plain search from every start; then where its key is.
                guard (0...agent.count).contains(where: { tokens.matches(at: $0, in: agent, flags: flags) })
                else { continue }
                // (A match whose key is nowhere still counts, so that the tests see the disagreement.)
                keyStart =
                    (0...agent.count).first { tokens.holds(around: $0, in: agent, flags: flags) }
                    ?? agent.count + 1
            }
            if let keyStart { best = min(best, score(rule: rule, keyStart: keyStart)) }
        }
        return best == Int.max ? nil : best & ruleMask
    }
}
