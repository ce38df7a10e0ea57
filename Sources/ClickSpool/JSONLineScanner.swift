import JSON
import RedirectCore

/// Checks that a line is exactly one JSON object and picks out the top-level `id`, `outcome`, `bot` and
/// `bot_category`.
///
/// A walk with `JSONCursor` that builds nothing but those strings, which keeps a 600-byte line well under a
/// microsecond. Keys are compared as written: a key spelled with escapes is no field of ours.
enum JSONLineScanner {
    struct Fields {
        var id: String
        var outcome: String
        var bot: String?
        var botCategory: String?
    }

    enum Result {
        case event(Fields)
        case noID
        case invalid
    }

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Result {
        var cursor = JSONCursor(bytes)
        var fields = Fields(id: "", outcome: "", bot: nil, botCategory: nil)
        var hasID = false
        cursor.skipWhitespace()
        let complete = cursor.members(depth: 1) { cursor, key in
            guard cursor.peek() == UInt8(ascii: "\""), let field = Field(key, in: cursor) else {
                return cursor.skipValue(depth: 1)
            }
            guard let value = cursor.string() else { return false }
            let text = cursor.text(of: value)
            switch field {
            case .id:
                fields.id = text
                hasID = true
            case .outcome: fields.outcome = text
            case .bot: fields.bot = text
            case .botCategory: fields.botCategory = text
            }
            return true
        }
        guard complete, cursor.isAtEnd() else { return .invalid }
        return hasID ? .event(fields) : .noID
    }

    enum Field {
        case id, outcome, bot, botCategory

        /// The field `key` names; nil for a key the scanner does not pick out.
        init?(_ key: JSONCursor.StringToken, in cursor: JSONCursor) {
            if cursor.isPlain(key, "id") {
                self = .id
            } else if cursor.isPlain(key, "outcome") {
                self = .outcome
            } else if cursor.isPlain(key, "bot") {
                self = .bot
            } else if cursor.isPlain(key, "bot_category") {
                self = .botCategory
            } else {
                return nil
            }
        }
    }
}
