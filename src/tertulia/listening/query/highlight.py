"""Syntax highlighting spans for the query editor.

Uses the same lexer as the parser, in lenient mode, so colouring never fails while the
user is typing; problems the lexer sees become ``error`` spans and ``validate`` explains
them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fields import lookup_field
from .lexer import TokKind, tokenize

__all__ = ["HIGHLIGHT_KINDS", "HighlightSpan", "highlight"]

HIGHLIGHT_KINDS = (
    "operator",  # AND OR NOT, and TO inside ranges
    "proximity",  # NEAR/3, NEAR/3f, ~5
    "paren",
    "bracket",
    "term",
    "wildcard",
    "hashtag",
    "mention",
    "phrase",
    "case_sensitive",
    "field",  # the name and colon: author:
    "unknown_field",
    "value",  # a field value
    "raw",
    "comment",
    "error",
)


@dataclass(frozen=True, slots=True)
class HighlightSpan:
    start: int
    end: int
    kind: str

    def as_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "kind": self.kind}


def highlight(query: str) -> list[HighlightSpan]:
    """Coloured spans covering every token of ``query`` (whitespace is left out)."""
    out: list[HighlightSpan] = []
    toks = tokenize(query, lenient=True)
    field_value = False  # the next word/phrase/range is a field value
    raw_value = False
    in_range = False
    depth_in_value = 0
    for t in toks:
        k = t.kind
        kind: str
        if k in (TokKind.AND, TokKind.OR, TokKind.NOT):
            kind = "operator"
        elif k in (TokKind.NEAR, TokKind.TILDE):
            kind = "proximity"
        elif k in (TokKind.LPAREN, TokKind.RPAREN):
            kind = "paren"
            if field_value:
                depth_in_value += 1 if k is TokKind.LPAREN else -1
                if depth_in_value <= 0:
                    field_value = False
                    depth_in_value = 0
        elif k in (TokKind.LBRACKET, TokKind.RBRACKET):
            kind = "bracket"
            in_range = k is TokKind.LBRACKET
            if k is TokKind.RBRACKET and depth_in_value == 0:
                field_value = False
        elif k is TokKind.COMMENT:
            kind = "comment"
        elif k is TokKind.ERROR:
            kind = "error"
        elif k is TokKind.FIELD:
            name = str(t.value)
            if name == "raw":
                kind, raw_value = "field", True
            else:
                kind = "field" if lookup_field(name) else "unknown_field"
                field_value = True
                depth_in_value = 0
        elif raw_value:
            kind, raw_value = "raw", False
        elif field_value and k in (TokKind.WORD, TokKind.PHRASE):
            kind = "operator" if in_range and t.text == "TO" else "value"
            if depth_in_value == 0 and not in_range:
                field_value = False
        elif k is TokKind.PHRASE:
            kind = "phrase"
        elif k is TokKind.CASE:
            kind = "case_sensitive"
        elif "*" in t.text or "?" in t.text:
            kind = "wildcard"
        elif t.text.startswith("#"):
            kind = "hashtag"
        elif t.text.startswith("@"):
            kind = "mention"
        else:
            kind = "term"
        out.append(HighlightSpan(t.start, t.end, kind))
    return out
