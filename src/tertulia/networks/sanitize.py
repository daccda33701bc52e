"""Allow-list HTML sanitizer and HTML-to-text, on the stdlib parser (no extra dependency).

Hostile HTML arrives from feeds, webhooks and imports. We keep a small, harmless subset of
markup (paragraphs, emphasis, lists, links, images) and drop everything else. The output is
always well formed: every tag we open we also close, so a fragment can never break the page
it is rendered into. Sanitizing is idempotent: ``sanitize_html(sanitize_html(x)) ==
sanitize_html(x)``.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

__all__ = ["ALLOWED_TAGS", "html_to_text", "safe_url", "sanitize_html"]

# Tags kept, with the attributes each may carry. Everything else is dropped (its text kept).
ALLOWED_TAGS: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "abbr": frozenset({"title"}),
    "b": frozenset(),
    "blockquote": frozenset(),
    "br": frozenset(),
    "code": frozenset(),
    "del": frozenset(),
    "em": frozenset(),
    "figcaption": frozenset(),
    "figure": frozenset(),
    "h1": frozenset(),
    "h2": frozenset(),
    "h3": frozenset(),
    "h4": frozenset(),
    "h5": frozenset(),
    "h6": frozenset(),
    "hr": frozenset(),
    "i": frozenset(),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "li": frozenset(),
    "ol": frozenset(),
    "p": frozenset(),
    "pre": frozenset(),
    "q": frozenset(),
    "s": frozenset(),
    "small": frozenset(),
    "strong": frozenset(),
    "sub": frozenset(),
    "sup": frozenset(),
    "u": frozenset(),
    "ul": frozenset(),
}
_VOID = frozenset({"br", "hr", "img"})
# Dropped together with everything inside them: their content is code or chrome, not prose.
_DROP_WITH_CONTENT = frozenset(
    {
        "applet",
        "audio",
        "button",
        "canvas",
        "embed",
        "frame",
        "frameset",
        "head",
        "iframe",
        "math",
        "noembed",
        "noframes",
        "noscript",
        "object",
        "script",
        "select",
        "style",
        "svg",
        "template",
        "textarea",
        "title",
        "video",
        "xml",
    }
)
# Void elements that must not open a "drop with content" region (they have no end tag).
_HTML_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
_URL_ATTRS = frozenset({"href", "src"})
_SAFE_SCHEMES = {
    "href": frozenset({"http", "https", "mailto"}),
    "src": frozenset({"http", "https"}),
}
_DIMENSION = re.compile(r"^\d{1,5}%?$")
_MAX_DEPTH = 64
# Browsers ignore tabs, newlines and other controls inside a URL ("java\tscript:"), so do we.
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]+")
_BLOCK = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "tr",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "hr",
    }
)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")


def safe_url(value: str, *, attr: str = "href") -> str | None:
    """Return ``value`` cleaned if it is a URL safe to put in ``attr``, else None.

    Relative URLs are kept; absolute ones need an allowed scheme (http, https, and mailto
    for links). ``javascript:``, ``data:``, ``vbscript:`` and friends are refused.
    """
    cleaned = _URL_JUNK.sub("", value)
    if not cleaned:
        return None
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return None
    # A colon before any slash also means "scheme" to a browser even when urlsplit disagrees.
    head = cleaned.split("/", 1)[0]
    if not scheme and ":" in head:
        return None
    if scheme and scheme not in _SAFE_SCHEMES.get(attr, frozenset()):
        return None
    return cleaned


class _Sanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.skip: list[str] = []  # open "drop with content" tags

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag in _DROP_WITH_CONTENT and tag not in _HTML_VOID:
                self.skip.append(tag)
            return
        if tag in _DROP_WITH_CONTENT:
            if tag not in _HTML_VOID:
                self.skip.append(tag)
            return
        allowed = ALLOWED_TAGS.get(tag)
        if allowed is None or len(self.stack) >= _MAX_DEPTH:
            return
        parts = [tag]
        for name, value in attrs:
            if name not in allowed or value is None:
                continue
            if name in _URL_ATTRS:
                value = safe_url(value, attr=name)
                if value is None:
                    continue
            elif name in ("width", "height") and not _DIMENSION.match(value):
                continue
            parts.append(f'{name}="{escape(value, quote=True)}"')
        if tag == "a":
            parts.append('rel="nofollow noopener noreferrer"')
        self.out.append("<" + " ".join(parts) + ">")
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack and self.stack[-1] == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag in self.stack:
            # Close everything opened inside it too: the output stays balanced.
            while self.stack:
                open_tag = self.stack.pop()
                self.out.append(f"</{open_tag}>")
                if open_tag == tag:
                    break

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(escape(data, quote=False))

    def result(self) -> str:
        self.close()
        while self.stack:
            self.out.append(f"</{self.stack.pop()}>")
        return "".join(self.out)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_WITH_CONTENT and tag not in _HTML_VOID:
            self.skip.append(tag)
        elif not self.skip and tag in _BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag in _BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


def sanitize_html(html: str) -> str:
    """Return ``html`` reduced to the allow-listed subset; never raises.

    Scripts, styles, frames, forms' widgets, comments, event handlers (``on*``), inline
    styles and unsafe URLs are removed; links get ``rel="nofollow noopener noreferrer"``.
    """
    parser = _Sanitizer()
    try:
        parser.feed(html)
        return parser.result()
    except Exception:
        # The stdlib parser is lenient, but if some input ever trips it we fall back to
        # plain escaped text: safe, and nothing the author wrote is lost.
        return escape(html_to_text(html), quote=False)


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: tags removed, entities decoded, blocks on new lines."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
        raw = "".join(parser.out)
    except Exception:
        raw = re.sub(r"<[^>]*>", " ", html)
    lines = [_SPACES.sub(" ", line).strip() for line in raw.split("\n")]
    text = "\n".join(lines)
    return _BLANK_LINES.sub("\n\n", text).strip()
