"""A small, safe Markdown for knowledge-base articles.

Everything is escaped first; only this subset becomes markup: ``#``–``###`` headings,
paragraphs, ``-``/``*`` and ``1.`` lists, ``> `` quotes, ``**bold**``, ``*italic*``,
`` `code` `` and ``[text](https://…)`` links (http, https and mailto only; anything else is
left as text). No raw HTML passes, so an article cannot carry a script whatever its author
writes. Pure; the output is also fit for ``networks.sanitize.sanitize_html``.
"""

from __future__ import annotations

import re
from html import escape

_LINK = re.compile(r"\[([^\]\n]{1,300})\]\(([^)\s]{1,2000})\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_CODE = re.compile(r"`([^`\n]{1,500})`")
_HEADING = re.compile(r"^(#{1,3})\s+(.+)$")
_BULLET = re.compile(r"^\s*[-*]\s+(.+)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.+)$")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _safe_href(url: str) -> str | None:
    lowered = url.strip().lower()
    if not lowered.startswith(_SAFE_SCHEMES):
        return None
    return url.strip()


def inline(text: str) -> str:
    """Escape ``text`` and apply the inline marks."""
    codes: list[str] = []

    def keep_code(match: re.Match[str]) -> str:
        codes.append(f"<code>{escape(match.group(1), quote=True)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    text = _CODE.sub(keep_code, text.replace("\x00", "").replace("\x01", ""))
    links: list[str] = []

    def keep_link(match: re.Match[str]) -> str:
        href = _safe_href(match.group(2))
        label = escape(match.group(1), quote=True)
        if href is None:
            return escape(match.group(0), quote=True)
        links.append(f'<a href="{escape(href, quote=True)}" rel="noopener noreferrer nofollow">'
                     f"{label}</a>")
        return f"\x01{len(links) - 1}\x01"

    text = _LINK.sub(keep_link, text)
    out = escape(text, quote=True)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    out = _ITALIC.sub(r"<em>\1</em>", out)
    out = re.sub("\x01(\\d+)\x01", lambda m: links[int(m.group(1))], out)
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], out)


def render(source: str) -> str:
    """Markdown → HTML (the subset above)."""
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""
    quote: list[str] = []

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            blocks.append("<p>" + "<br>".join(inline(p) for p in paragraph) + "</p>")
            paragraph.clear()
        if items:
            blocks.append(f"<{list_tag}>" + "".join(f"<li>{inline(i)}</li>" for i in items)
                          + f"</{list_tag}>")
            items.clear()
            list_tag = ""
        if quote:
            blocks.append("<blockquote><p>" + "<br>".join(inline(q) for q in quote)
                          + "</p></blockquote>")
            quote.clear()

    for raw in source.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        numbered = _NUMBERED.match(line)
        if heading:
            flush()
            level = len(heading.group(1)) + 1  # the page title is the <h1>
            blocks.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif bullet or numbered:
            tag = "ul" if bullet else "ol"
            if paragraph or quote or (items and list_tag != tag):
                flush()
            list_tag = tag
            items.append((bullet or numbered).group(1))  # type: ignore[union-attr]
        elif line.startswith(">"):
            if paragraph or items:
                flush()
            quote.append(line[1:].strip())
        else:
            if items or quote:
                flush()
            paragraph.append(line.strip())
    flush()
    return "\n".join(blocks)


def plain_text(source: str) -> str:
    """The article as text for a reply box: marks removed, links as ``text (url)``."""
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", source)
    text = re.sub(r"^#{1,3}[ \t]+", "", text, flags=re.MULTILINE)
    text = re.sub(r"^[ \t]*[-*][ \t]+", "• ", text, flags=re.MULTILINE)
    text = re.sub(r"^>\s?", "", text, flags=re.MULTILINE)
    text = text.replace("**", "").replace("`", "")
    text = _ITALIC.sub(r"\1", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
