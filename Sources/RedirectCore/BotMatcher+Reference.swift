extension BotMatcher {
    /// The rule `userAgent` matches, found the slow and obvious way: every alternative of every rule in turn,
    /// searched for at every position, without the automaton.
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
        for alternative in 0..<BotPatternTables.alternativeCount {
            let record = alternatives + number(starts, at: alternative * 3, width: 3)
            let flags = digit(record, at: 2)
            let found: Bool
            if flags & 4 == 0 {
                let literal = UnsafeBufferPointer(
                    start: BotPatternTables.literals.utf8Start + number(record, at: 4, width: 3),
                    count: digit(record, at: 3))
                let positions = flags & 1 != 0 ? [0] : Array(0...max(0, lowered.count - literal.count))
                found = positions.contains { start in
                    start + literal.count <= lowered.count
                        && lowered[start..<start + literal.count].elementsEqual(literal)
                        && (flags & 2 == 0 || start + literal.count == lowered.count)
                }
            } else {
                let tokens = RegexTokens(record + 3)
                let positions = flags & 1 != 0 ? [0] : Array(0...agent.count)
                found = positions.contains { tokens.matches(at: $0, in: agent, flags: flags) }
            }
            if found { return number(record, at: 0, width: 2) }
        }
        return nil
    }
}
