"""Lexer: query text → tokens with offsets.

Used strictly by the parser (first problem raises ``QuerySyntaxError``) and leniently by
``highlight`` (problems become ``error`` tokens so the editor can colour as you type).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .errors import QuerySyntaxError

__all__ = ["Tok", "TokKind", "tokenize"]


class TokKind(StrEnum):
    WORD = "word"
    PHRASE = "phrase"
    CASE = "case"
    LPAREN = "lparen"
    RPAREN = "rparen"
    LBRACKET = "lbracket"
    RBRACKET = "rbracket"
    AND = "and"
    OR = "or"
    NOT = "not"
    NEAR = "near"
    TILDE = "tilde"
    FIELD = "field"
    COMMENT = "comment"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Tok:
    kind: TokKind
    text: str
    start: int
    end: int
    # NEAR: (distance, ordered); TILDE: distance or None when missing; FIELD: name.
    value: object = None


_SPECIAL = set('()"{}[]~')
_NEAR_RE = re.compile(r"NEAR/([0-9]+)(f?)")
_FIELD_RE = re.compile(r"([A-Za-z][A-Za-z0-9]*):")
_OPS = {"AND": TokKind.AND, "OR": TokKind.OR, "NOT": TokKind.NOT}


def tokenize(source: str, *, lenient: bool = False) -> list[Tok]:
    """Tokens of ``source`` (comments included as ``COMMENT`` tokens)."""
    out: list[Tok] = []
    i, n = 0, len(source)

    def fail(code: str, start: int, end: int, **params: object) -> None:
        if not lenient:
            raise QuerySyntaxError(code, source, start, end, **params)
        out.append(Tok(TokKind.ERROR, source[start:end], start, end, code))

    while i < n:
        c = source[i]
        if c.isspace():
            i += 1
            continue
        if source.startswith("<<<", i):
            j = source.find(">>>", i + 3)
            if j < 0:
                fail("unclosed_comment", i, n)
                break
            out.append(Tok(TokKind.COMMENT, source[i : j + 3], i, j + 3))
            i = j + 3
            continue
        if c in "()[]":
            kind = {
                "(": TokKind.LPAREN,
                ")": TokKind.RPAREN,
                "[": TokKind.LBRACKET,
                "]": TokKind.RBRACKET,
            }[c]
            out.append(Tok(kind, c, i, i + 1))
            i += 1
            continue
        if c == '"':
            j = source.find('"', i + 1)
            if j < 0:
                fail("unclosed_quote", i, n)
                break
            out.append(Tok(TokKind.PHRASE, source[i + 1 : j], i, j + 1))
            i = j + 1
            continue
        if c == "{":
            j = source.find("}", i + 1)
            if j < 0:
                fail("unclosed_brace", i, n)
                break
            out.append(Tok(TokKind.CASE, source[i + 1 : j], i, j + 1))
            i = j + 1
            continue
        if c == "}":
            fail("unexpected_token", i, i + 1, token="'}'")
            i += 1
            continue
        if c == "~":
            j = i + 1
            while j < n and source[j] in "0123456789":
                j += 1
            dist = int(source[i + 1 : j]) if j > i + 1 else None
            out.append(Tok(TokKind.TILDE, source[i:j], i, j, dist))
            i = j
            continue
        # A word runs to whitespace, a special character or a comment.
        j = i
        while j < n and not source[j].isspace() and source[j] not in _SPECIAL:
            if source.startswith("<<<", j):
                break
            j += 1
        word = source[i:j]
        if word in _OPS:
            out.append(Tok(_OPS[word], word, i, j))
        elif word.startswith("NEAR/") or word == "NEAR":
            m = _NEAR_RE.fullmatch(word)
            if m is None:
                fail("near_syntax", i, j)
            else:
                out.append(Tok(TokKind.NEAR, word, i, j, (int(m.group(1)), m.group(2) == "f")))
        else:
            m = _FIELD_RE.match(word)
            if m is not None:
                # The value is lexed as ordinary tokens from just after the colon, so
                # title:"a b", author:(x OR y) and rating:[3 TO 5] all work.
                end = i + m.end()
                out.append(Tok(TokKind.FIELD, source[i:end], i, end, m.group(1)))
                i = end
                continue
            out.append(Tok(TokKind.WORD, word, i, j))
        i = j
    return out
