"""The syntax tree of a query: small frozen dataclasses.

Leaves that look at the post text:

* ``Term`` — one token. ``body`` is lower-cased unless ``case_sensitive`` (written
  ``{BT}``); ``prefix`` is ``#``/``@`` for hashtags and mentions, else ``""``.
* ``Wildcard`` — one token matched by a pattern with ``*`` (any run of characters) and
  ``?`` (exactly one character), never at the start.
* ``Phrase`` — consecutive tokens; with ``slop`` (``"a b"~5``) the words may come in any
  order with at most ``slop`` other words among them.
* ``Raw`` — ``raw:`` text matched character for character, punctuation and case included.

Combinators: ``And``, ``Or``, ``Not``, and ``Near`` (Brandwatch ``NEAR/n`` and
``NEAR/nf``; also what ``(a AND b)~n`` means). ``Field`` applies a value to one field of
the document; for text fields the value is a sub-query of the nodes above, otherwise it
is built from ``Value`` and ``Range`` leaves joined by ``And``/``Or``/``Not``.

Every node keeps ``span`` (start, end offsets in the query) for error messages; spans do
not take part in equality, so two queries that mean the same compare equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from .text import fold

__all__ = [
    "And",
    "Field",
    "Near",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Query",
    "Range",
    "Raw",
    "Term",
    "Value",
    "Wildcard",
]

Span: TypeAlias = tuple[int, int]
_NOSPAN: Span = (0, 0)


@dataclass(frozen=True, slots=True)
class Term:
    body: str
    prefix: str = ""
    case_sensitive: bool = False
    span: Span = field(default=_NOSPAN, compare=False, repr=False)

    @property
    def accented(self) -> bool:
        """An accented term matches only that spelling; an unaccented one any accents."""
        return not self.case_sensitive and fold(self.body) != self.body


@dataclass(frozen=True, slots=True)
class Wildcard:
    pattern: str
    prefix: str = ""
    span: Span = field(default=_NOSPAN, compare=False, repr=False)

    @property
    def stem(self) -> str:
        """The literal characters before the first wildcard."""
        for i, c in enumerate(self.pattern):
            if c in "*?":
                return self.pattern[:i]
        return self.pattern

    @property
    def accented(self) -> bool:
        literal = self.pattern.replace("*", "").replace("?", "")
        return fold(literal) != literal


Word: TypeAlias = Term | Wildcard


@dataclass(frozen=True, slots=True)
class Phrase:
    words: tuple[Word, ...]
    slop: int | None = None
    span: Span = field(default=_NOSPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Raw:
    text: str
    span: Span = field(default=_NOSPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Near:
    left: Node
    right: Node
    distance: int
    ordered: bool = False
    span: Span = field(default=_NOSPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]
    span: Span = field(default=_NOSPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]
    span: Span = field(default=_NOSPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Not:
    child: Node
    span: Span = field(default=_NOSPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Value:
    """A validated, normalised value of a non-text field."""

    text: str
    span: Span = field(default=_NOSPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Range:
    """``[low TO high]``, both ends included; ``None`` is an open end (``*``)."""

    low: float | None
    high: float | None
    span: Span = field(default=_NOSPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: Node
    span: Span = field(default=_NOSPAN, compare=False, repr=False)


Node: TypeAlias = Term | Wildcard | Phrase | Raw | Near | And | Or | Not | Field | Value | Range

POSITIONAL = (Term, Wildcard, Phrase, Near, Or)


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed, validated query: the tree plus the text it came from."""

    root: Node
    source: str = field(compare=False)


def walk(node: Node):
    """Every node of the tree, depth first (phrase words included)."""
    yield node
    if isinstance(node, (And, Or)):
        for c in node.children:
            yield from walk(c)
    elif isinstance(node, Not):
        yield from walk(node.child)
    elif isinstance(node, Near):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, Field):
        yield from walk(node.value)
    elif isinstance(node, Phrase):
        yield from node.words
