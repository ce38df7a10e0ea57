/// One click line read from a sealed spool file.
///
/// `line` shares storage with the reader's chunk (no copy per line); keeping a record keeps its chunk alive.
public struct SpoolRecord: Sendable {
    /// The bytes as written, ending in `\n`.
    public var line: ArraySlice<UInt8>
    /// The event id (`id`), the key receivers drop duplicates by.
    public var id: String
    /// `outcome`: `redirected`, `not-found`, `expired`, `disabled`, `opened` (a pixel); empty when the line has none.
    public var outcome: String
    /// `bot`: why the click looks automated; nil when it is null or missing.
    public var bot: String?
    /// `bot_category`: the kind of automated client (`crawler`, `preview`, …); nil when null or missing
    /// (lines written before the field existed have none).
    public var botCategory: String?
    /// Byte offset of the line's first byte in the file.
    public var offset: Int64
    /// Byte offset just after the line's `\n`: where a reader resumes after this event.
    public var endOffset: Int64
    /// 1-based line number in the file.
    public var lineNumber: Int

    public init(
        line: ArraySlice<UInt8>, id: String, outcome: String, bot: String?, offset: Int64, endOffset: Int64,
        lineNumber: Int, botCategory: String? = nil
    ) {
        self.line = line
        self.id = id
        self.outcome = outcome
        self.bot = bot
        self.botCategory = botCategory
        self.offset = offset
        self.endOffset = endOffset
        self.lineNumber = lineNumber
    }
}
