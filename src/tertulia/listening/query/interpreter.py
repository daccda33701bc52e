"""Reference interpreter: the meaning of a query, written to be read, not to be fast.

It walks the tree and, for every word, scans every token of the text. The compiled
matcher (``compiler.py``) must return exactly what this returns; property tests check
that on random queries and posts. When the two disagree, this one is right by
definition: change it only together with the documentation.

Positions: a word occupies one token position; a phrase the span of its tokens. Two
operands are within ``NEAR/n`` when at most ``n`` tokens lie strictly between their
spans (in either order; with ``NEAR/nf`` the left one first) and the spans do not
overlap. A proximity phrase ``"a b c"~n`` needs every word at a different position,
with at most ``n`` other tokens inside the stretch they cover.
"""

from __future__ import annotations

import itertools
import re

from .ast import And, Field, Near, Node, Not, Or, Phrase, Query, Range, Raw, Term, Value, Wildcard
from .document import MatchDocument
from .fields import FIELDS, FieldKind, FieldSpec
from .parser import parse
from .text import AnalyzedText, analyze, raw_pattern

__all__ = ["evaluate"]

Span = tuple[int, int]


def evaluate(query: Query | str, doc: MatchDocument) -> bool:
    """Whether ``doc`` matches ``query`` (a parsed ``Query`` or query text)."""
    if isinstance(query, str):
        query = parse(query)
    return _truth(query.root, doc, analyze(doc.text or ""))


def _truth(node: Node, doc: MatchDocument, text: AnalyzedText) -> bool:
    if isinstance(node, And):
        return all(_truth(c, doc, text) for c in node.children)
    if isinstance(node, Or):
        return any(_truth(c, doc, text) for c in node.children)
    if isinstance(node, Not):
        return not _truth(node.child, doc, text)
    if isinstance(node, Raw):
        return raw_pattern(node.text).search(text.text) is not None
    if isinstance(node, Field):
        spec = FIELDS[node.name]
        if spec.kind is FieldKind.TEXT:
            value = getattr(doc, spec.attr)
            if value is None:
                return False
            return _truth(node.value, doc, analyze(value))
        return _value_truth(node.value, spec, doc)
    return len(_spans(node, text)) > 0


def _value_truth(node: Node, spec: FieldSpec, doc: MatchDocument) -> bool:
    if isinstance(node, And):
        return all(_value_truth(c, spec, doc) for c in node.children)
    if isinstance(node, Or):
        return any(_value_truth(c, spec, doc) for c in node.children)
    if isinstance(node, Not):
        return not _value_truth(node.child, spec, doc)
    if isinstance(node, Value):
        return spec.match_value(node.text, doc)
    if isinstance(node, Range):
        return spec.match_range(node.low, node.high, doc)
    raise TypeError(f"not a field value: {node!r}")


def word_matches(word: Term | Wildcard, text: AnalyzedText, i: int) -> bool:
    """Whether token ``i`` of ``text`` is an occurrence of ``word``."""
    if word.prefix and text.prefix[i] != word.prefix:
        return False
    if isinstance(word, Term):
        if word.case_sensitive:
            return text.orig[i] == word.body
        if word.accented:
            return text.lower[i] == word.body
        return text.fold[i] == word.body
    form = text.lower[i] if word.accented else text.fold[i]
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in word.pattern)
    return re.fullmatch(regex, form, re.S) is not None


def _spans(node: Node, text: AnalyzedText) -> set[Span]:
    n = len(text)
    if isinstance(node, (Term, Wildcard)):
        return {(i, i) for i in range(n) if word_matches(node, text, i)}
    if isinstance(node, Phrase):
        k = len(node.words)
        if node.slop is None:
            return {
                (i, i + k - 1)
                for i in range(n - k + 1)
                if all(word_matches(w, text, i + j) for j, w in enumerate(node.words))
            }
        places = [[i for i in range(n) if word_matches(w, text, i)] for w in node.words]
        out = set()
        for combo in itertools.product(*places):
            if len(set(combo)) == k and max(combo) - min(combo) + 1 - k <= node.slop:
                out.add((min(combo), max(combo)))
        return out
    if isinstance(node, Or):
        return set().union(*(_spans(c, text) for c in node.children))
    if isinstance(node, Near):
        out = set()
        for a in _spans(node.left, text):
            for b in _spans(node.right, text):
                if _within(a, b, node.distance, node.ordered):
                    out.add((min(a[0], b[0]), max(a[1], b[1])))
        return out
    raise TypeError(f"no position for {node!r}")


def _within(a: Span, b: Span, distance: int, ordered: bool) -> bool:
    if b[0] > a[1]:
        return b[0] - a[1] - 1 <= distance
    if not ordered and a[0] > b[1]:
        return a[0] - b[1] - 1 <= distance
    return False
