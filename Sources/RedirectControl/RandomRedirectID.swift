/// Fresh ids for `redirectctl new`: short, easy to type, and unlikely to collide.
public enum RandomRedirectID {
    /// Lowercase only, so two random ids never differ only in case.
    public static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    public static let length = 8

    /// An id of ``length`` characters drawn uniformly from ``alphabet`` (36^8, about 2.8e12 ids).
    public static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var id = ""
        for _ in 0..<length {
            id.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)])
        }
        return id
    }

    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(using: &generator)
    }
}
