import CampaignReport
import RedirectCore

extension RedirectLink {
    /// The `<img>` tag of an open pixel for a mail's HTML: 1×1, no alt text (a screen reader skips it), and a
    /// style that keeps it from taking room or showing. Not `display:none`: the tag stays an image that the
    /// mail client draws, so it is fetched like any other.
    public var imageTag: String {
        "<img src=\"\(Self.htmlEscaped(description))\" width=\"1\" height=\"1\" alt=\"\" "
            + "style=\"display:block;width:1px;height:1px;border:0;margin:0;padding:0;opacity:0\">"
    }

    /// An `<a>` tag to the link, around `text` (escaped too).
    public func anchorTag(text: String) -> String {
        "<a href=\"\(Self.htmlEscaped(description))\">\(Self.htmlEscaped(text))</a>"
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` written as character references, safe in element content and
    /// in quoted attribute values alike.
    public static func htmlEscaped(_ text: String) -> String {
        HTMLText.escape(text)
    }
}
