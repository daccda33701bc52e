"""Compiled matcher: many queries against a stream of posts, fast.

How it works:

1. Each post is first reduced to its *haystack*: folded tokens joined by spaces
   (``" i love acme prices "``). One Aho–Corasick automaton (``ahocorasick-rs``) over
   the keys of *all* queries scans it once. Keys are ``" acme "`` for a word,
   ``" price"`` for a wildcard stem, ``" money back "`` for a phrase. Folding only
   loses information, so a key is present whenever its word is (accents, case and
   #/@ included).
2. From every query we extract *anchor clauses*: sets of keys of which at least one must
   be present for the query to possibly match (``acme AND (price* OR cheap)`` needs
   ``" acme "`` and one of ``" price"``/``" cheap "``). Each query is indexed under its
   most selective clause; the others are checked with set operations on the keys found;
   only the survivors are evaluated. A query with two or more clauses is indexed under
   *pairs* of keys from its two rarest clauses, so a post that has the brand but not the
   topic does not even make it a candidate. Queries with no clause (only fields, ``raw:``) are
   evaluated on every post. Which clause is most selective is first guessed (keys shared
   by many queries, or short, are assumed frequent) and then re-decided from the key
   frequencies actually seen in the stream (after 500 posts, then 4x further each time).
   The choice only affects speed, never results.
3. Queries are compiled once into closures. Many leaves are decided by the automaton's
   hits alone: an unaccented word without #/@, a plain phrase, a ``stem*`` wildcard are
   true exactly when their key was found. Hashtags and mentions use a lazily built set;
   only positions (NEAR, proximity, ``?`` wildcards, accents, ``{Case}``) build the full
   token analysis, once per post and only when a candidate needs it.

The matcher must agree exactly with ``interpreter.evaluate``; property tests check it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import ahocorasick_rs

from .ast import And, Field, Near, Node, Not, Or, Phrase, Query, Range, Raw, Term, Value, Wildcard
from .document import MatchDocument
from .fields import FIELDS, FieldKind, FieldSpec
from .parser import parse
from .text import AnalyzedText, fold, haystack, nfc, raw_pattern, tags

__all__ = ["Matcher", "compile_queries"]

Span = tuple[int, int]
Test = Callable[["_Post"], bool]
Spans = Callable[[AnalyzedText], list[Span]]
Positions = Callable[[AnalyzedText], list[int]]
TextOf = Callable[["_Post"], "AnalyzedText | None"]


class _Post:
    """Per-post state shared by every candidate query; expensive parts built on demand."""

    __slots__ = ("_body", "_tags", "doc", "hay", "hits", "text", "texts")

    def __init__(self, doc: MatchDocument, text: str, hay: str, hits: set[str]) -> None:
        self.doc = doc
        self.text = text
        self.hay = hay
        self.hits = hits
        self._body: AnalyzedText | None = None
        self._tags: frozenset[str] | None = None
        self.texts: dict[str, AnalyzedText | None] = {}

    def body(self) -> AnalyzedText:
        b = self._body
        if b is None:
            folded = tuple(self.hay[1:-1].split(" ")) if len(self.hay) > 1 else ()
            b = self._body = AnalyzedText(self.text, folded)
        return b

    def tags(self) -> frozenset[str]:
        t = self._tags
        if t is None:
            t = self._tags = tags(self.text)
        return t

    def text_of(self, attr: str) -> AnalyzedText | None:
        try:
            return self.texts[attr]
        except KeyError:
            value = getattr(self.doc, attr)
            ix = self.texts[attr] = None if value is None else AnalyzedText(value)
            return ix


def compile_queries(queries: Mapping[Hashable, Query | str]) -> Matcher:
    """Compile ``{query_id: Query or query text}`` into one ``Matcher``.

    Query texts are parsed here (``QuerySyntaxError`` propagates with its position).
    """
    parsed = {qid: (q if isinstance(q, Query) else parse(q)) for qid, q in queries.items()}
    return Matcher(parsed)


class Matcher:
    """All active queries, ready to match posts.

    Results depend only on the queries and the post. The matcher keeps key statistics
    to re-pick its index as it goes; that never changes results, and a concurrent
    ``match`` always sees a complete index.
    """

    def __init__(self, queries: Mapping[Hashable, Query]) -> None:
        self.ids: list[Hashable] = list(queries)
        keys: set[str] = set()
        self._tests: list[Test] = [_compile(queries[qid].root, None, keys) for qid in self.ids]
        self._clauses = [_clauses(queries[qid].root) for qid in self.ids]
        self._always = tuple(i for i, c in enumerate(self._clauses) if not c)
        keys.update(k for clauses in self._clauses for c in clauses for k in c)
        self._automaton = (
            ahocorasick_rs.AhoCorasick(
                sorted(keys), matchkind=ahocorasick_rs.MATCHKIND_STANDARD, store_patterns=True
            )
            if keys
            else None
        )
        self.pattern_count = len(keys)
        # Posts seen and, per key, how many of them contained it: the matcher re-picks
        # each query's indexing clause from these counts as the stream goes by.
        self.posts_seen = 0
        self._key_posts: dict[str, int] = {}
        self._next_reindex = _FIRST_REINDEX
        self._index = self._build_index(_static_cost(self._clauses))

    def _build_index(self, cost: Callable[[frozenset[str]], tuple[float, int]]) -> _Index:
        single: dict[str, list[int]] = {}
        pairs: dict[tuple[str, str], list[int]] = {}
        secondary: list[tuple[frozenset[str], ...]] = []
        for idx, clauses in enumerate(self._clauses):
            if not clauses:
                secondary.append(())
                continue
            ranked = sorted(clauses, key=cost)
            if len(ranked) >= 2 and len(ranked[0]) * len(ranked[1]) <= _MAX_PAIRS:
                # Indexed under pairs of keys (one from each of its two rarest clauses):
                # a post becomes a candidate only when both are present.
                for a in ranked[0]:
                    for b in ranked[1]:
                        pairs.setdefault((a, b) if a <= b else (b, a), []).append(idx)
                rest = ranked[2:]
            else:
                for key in ranked[0]:
                    single.setdefault(key, []).append(idx)
                rest = ranked[1:]
            secondary.append(tuple(rest))
        return _Index(
            {k: tuple(dict.fromkeys(v)) for k, v in single.items()},
            {k: tuple(dict.fromkeys(v)) for k, v in pairs.items()},
            secondary,
        )

    def _reindex(self) -> None:
        seen = self._key_posts

        def observed(clause: frozenset[str]) -> tuple[float, int]:
            return (sum(seen.get(k, 0) for k in clause), -min(len(k) for k in clause))

        # One attribute swap: a concurrent match sees the old or the new index, and
        # either is complete (every query is reachable), so results never change.
        self._index = self._build_index(observed)

    def __len__(self) -> int:
        return len(self.ids)

    def match(self, doc: MatchDocument) -> set[Hashable]:
        """Ids of the queries that ``doc`` matches."""
        text = nfc(doc.text or "")
        hay = haystack(text)
        out: set[Hashable] = set()
        candidates: set[int] = set()
        hits: set[str] = set()
        index = self._index  # one consistent index for the whole call
        if self._automaton is not None and len(hay) > 1:
            hits = set(self._automaton.find_matches_as_strings(hay, overlapping=True))
            self.posts_seen += 1
            if hits:
                single = index.single
                seen = self._key_posts
                for key in hits:
                    seen[key] = seen.get(key, 0) + 1
                    found = single.get(key)
                    if found is not None:
                        candidates.update(found)
                pairs = index.pairs
                if pairs:
                    ordered = sorted(hits)
                    for i, a in enumerate(ordered):
                        for b in ordered[i:]:
                            found = pairs.get((a, b))
                            if found is not None:
                                candidates.update(found)
            if self.posts_seen >= self._next_reindex:
                self._next_reindex = min(self._next_reindex * 4, self.posts_seen + _MAX_REINDEX)
                self._reindex()
        if not candidates and not self._always:
            return out
        post = _Post(doc, text, hay, hits)
        ids = self.ids
        tests = self._tests
        secondary = index.secondary
        for idx in candidates:
            # Cheap filter first: every other clause needs one of its keys in the post.
            for clause in secondary[idx]:
                if hits.isdisjoint(clause):
                    break
            else:
                if tests[idx](post):
                    out.add(ids[idx])
        for idx in self._always:
            if tests[idx](post):
                out.add(ids[idx])
        return out

    def match_batch(self, docs: Iterable[MatchDocument]) -> list[set[Hashable]]:
        """``[match(doc) for doc in docs]``."""
        match = self.match
        return [match(d) for d in docs]


# -- anchors -------------------------------------------------------------------------------


def _word_key(word: Term | Wildcard) -> str:
    if isinstance(word, Term):
        return " " + fold(word.body) + " "
    return " " + fold(word.stem)


def _phrase_key(words: Sequence[Term | Wildcard]) -> str:
    out = ""
    for w in words:
        if isinstance(w, Term):
            out += " " + fold(w.body)
        else:
            return out + " " + fold(w.stem)
    return out + " "


def _clauses(node: Node) -> list[frozenset[str]]:
    """Conjunction of key sets: a match needs one key of every set. ``[]``: no anchor."""
    if isinstance(node, (Term, Wildcard)):
        return [frozenset([_word_key(node)])]
    if isinstance(node, Phrase):
        if node.slop is None:
            return [frozenset([_phrase_key(node.words)])]
        return [frozenset([_word_key(w)]) for w in node.words]
    if isinstance(node, Near):
        return _clauses(node.left) + _clauses(node.right)
    if isinstance(node, And):
        return [c for child in node.children for c in _clauses(child)]
    if isinstance(node, Or):
        union: set[str] = set()
        for child in node.children:
            sub = _clauses(child)
            if not sub:
                return []
            union |= max(sub, key=_selectivity)
        return [frozenset(union)]
    # NOT, fields and raw: text promises nothing.
    return []


def _selectivity(clause: frozenset[str]) -> tuple[int, int]:
    # Within one query (no statistics yet): longer keys are rarer in real text; among
    # equals prefer fewer alternatives.
    return (min(len(k.strip()) for k in clause), -len(clause))


_FIRST_REINDEX = 500
# A query is indexed under key pairs when its two rarest clauses give at most this many.
_MAX_PAIRS = 64


class _Index(NamedTuple):
    single: dict[str, tuple[int, ...]]
    pairs: dict[tuple[str, str], tuple[int, ...]]
    secondary: list[tuple[frozenset[str], ...]]


_MAX_REINDEX = 200_000


def _static_cost(
    all_clauses: list[list[frozenset[str]]],
) -> Callable[[frozenset[str]], tuple[float, int]]:
    """Before any post is seen: estimate a key's frequency from how many queries use it
    (generic words recur across queries) and from its length (short words are common)."""
    usage: dict[str, int] = {}
    for clauses in all_clauses:
        for clause in clauses:
            for key in clause:
                usage[key] = usage.get(key, 0) + 1

    def cost(clause: frozenset[str]) -> tuple[float, int]:
        return (
            sum(usage[k] + 50 / len(k.strip()) for k in clause),
            -min(len(k.strip()) for k in clause),
        )

    return cost


# -- compilation ---------------------------------------------------------------------------


def _exact_key(node: Node) -> str | None:
    """The haystack key whose presence is *equivalent* to ``node`` matching, if any."""
    if isinstance(node, Term):
        if node.prefix or node.case_sensitive or node.accented:
            return None
        return _word_key(node)
    if isinstance(node, Wildcard):
        if node.prefix or node.accented or node.pattern != node.stem + "*":
            return None
        return _word_key(node)
    if isinstance(node, Phrase) and node.slop is None:
        *head, last = node.words
        if all(_exact_key(w) is not None and isinstance(w, Term) for w in head) and (
            _exact_key(last) is not None
        ):
            return _phrase_key(node.words)
    return None


def _compile(node: Node, src: str | None, keys: set[str]) -> Test:
    """Closure for ``node``. ``src`` names the document attribute of a text field (None:
    the post body); exact keys used on the body are added to ``keys`` for the automaton.
    """
    if isinstance(node, (And, Or)):
        is_and = isinstance(node, And)
        # Children decided by the automaton alone collapse into one set operation.
        group: set[str] = set()
        rest: list[Node] = []
        for child in node.children:
            key = _exact_key(child) if src is None else None
            if key is None:
                rest.append(child)
            else:
                group.add(key)
        keys.update(group)
        fixed = frozenset(group)
        parts = [_compile(c, src, keys) for c in rest]
        if is_and:
            if not parts:
                return lambda p: fixed <= p.hits
            if not fixed and len(parts) == 2:
                a, b = parts
                return lambda p: a(p) and b(p)

            def all_of(p: _Post) -> bool:
                if fixed and not fixed <= p.hits:
                    return False
                # A plain loop: all() over a generator costs more per call here.
                for f in parts:  # noqa: SIM110
                    if not f(p):
                        return False
                return True

            return all_of
        if not parts:
            return lambda p: not fixed.isdisjoint(p.hits)
        if not fixed and len(parts) == 2:
            a, b = parts
            return lambda p: a(p) or b(p)

        def any_of(p: _Post) -> bool:
            if fixed and not fixed.isdisjoint(p.hits):
                return True
            for f in parts:  # noqa: SIM110
                if f(p):
                    return True
            return False

        return any_of
    if isinstance(node, Not):
        inner = _compile(node.child, src, keys)
        return lambda p: not inner(p)
    if isinstance(node, Field):
        return _compile_field(node, keys)
    get = _text_getter(src)
    if isinstance(node, Raw):
        search = raw_pattern(node.text).search
        return lambda p: search(get(p).text) is not None  # type: ignore[union-attr]
    if src is None:
        key = _exact_key(node)
        if key is not None:
            keys.add(key)
            return lambda p: key in p.hits
        if isinstance(node, Term) and node.prefix and not node.case_sensitive and not node.accented:
            tag = node.prefix + node.body
            return lambda p: tag in p.tags()
    if isinstance(node, Term) and not (node.prefix or node.case_sensitive or node.accented):
        body = node.body
        return lambda p: body in get(p).fold_set  # type: ignore[union-attr]
    if isinstance(node, (Term, Wildcard)):
        positions = _positions(node)
        return lambda p: bool(positions(get(p)))  # type: ignore[arg-type]
    if isinstance(node, Near):
        left, right = _spans(node.left), _spans(node.right)
        distance, ordered = node.distance, node.ordered

        def near(p: _Post) -> bool:
            ix = get(p)
            bs = right(ix)  # type: ignore[arg-type]
            if not bs:
                return False
            for a in left(ix):  # type: ignore[arg-type]
                for b in bs:
                    if _within(a, b, distance, ordered):
                        return True
            return False

        return near
    spans = _spans(node)
    return lambda p: bool(spans(get(p)))  # type: ignore[arg-type]


def _text_getter(src: str | None) -> TextOf:
    if src is None:
        return lambda p: p.body()
    return lambda p: p.text_of(src)


def _compile_field(node: Field, keys: set[str]) -> Test:
    spec = FIELDS[node.name]
    if spec.kind is FieldKind.TEXT:
        attr = spec.attr
        inner = _compile(node.value, attr, keys)

        def text_field(p: _Post) -> bool:
            return p.text_of(attr) is not None and inner(p)

        return text_field
    check = _compile_value(node.value, spec)
    return lambda p: check(p.doc)


def _compile_value(node: Node, spec: FieldSpec) -> Callable[[Any], bool]:
    if isinstance(node, And):
        parts = [_compile_value(c, spec) for c in node.children]
        return lambda d: all(f(d) for f in parts)
    if isinstance(node, Or):
        parts = [_compile_value(c, spec) for c in node.children]
        return lambda d: any(f(d) for f in parts)
    if isinstance(node, Not):
        inner = _compile_value(node.child, spec)
        return lambda d: not inner(d)
    if isinstance(node, Value):
        value, match = node.text, spec.match_value
        return lambda d: match(value, d)
    if isinstance(node, Range):
        low, high, match_range = node.low, node.high, spec.match_range
        return lambda d: match_range(low, high, d)
    raise TypeError(f"not a field value: {node!r}")


def _positions(word: Term | Wildcard) -> Positions:
    """Token positions of one word, with the cheapest test for its kind."""
    prefix = word.prefix
    if isinstance(word, Term):
        body = word.body
        key = fold(body)
        if word.case_sensitive:

            def cs(ix: AnalyzedText) -> list[int]:
                orig, pre = ix.orig, ix.prefix
                return [
                    i
                    for i in ix.fold_positions(key)
                    if orig[i] == body and (not prefix or pre[i] == prefix)
                ]

            return cs
        if word.accented:

            def accented(ix: AnalyzedText) -> list[int]:
                lower, pre = ix.lower, ix.prefix
                return [
                    i
                    for i in ix.fold_positions(key)
                    if lower[i] == body and (not prefix or pre[i] == prefix)
                ]

            return accented
        if prefix:

            def prefixed(ix: AnalyzedText) -> list[int]:
                pre = ix.prefix
                return [i for i in ix.fold_positions(key) if pre[i] == prefix]

            return prefixed
        return lambda ix: ix.fold_positions(key)

    pattern = word.pattern
    accented_form = word.accented
    stem = word.stem
    simple = pattern == stem + "*"
    regex = re.compile(
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.S
    ).fullmatch

    def wildcard(ix: AnalyzedText) -> list[int]:
        forms = ix.lower if accented_form else ix.fold
        found = [
            i
            for i, f in enumerate(forms)
            if f.startswith(stem) and (simple or regex(f) is not None)
        ]
        if prefix and found:
            pre = ix.prefix  # only now: reading it makes the text fully analysed
            return [i for i in found if pre[i] == prefix]
        return found

    return wildcard


def _spans(node: Node) -> Spans:
    """Spans (first, last token) of every occurrence of a positional node."""
    if isinstance(node, (Term, Wildcard)):
        positions = _positions(node)
        return lambda ix: [(i, i) for i in positions(ix)]
    if isinstance(node, Phrase):
        words = [_positions(w) for w in node.words]
        k = len(words)
        if node.slop is None:

            def phrase(ix: AnalyzedText) -> list[Span]:
                first = words[0](ix)
                if not first:
                    return []
                rest = []
                for w in words[1:]:
                    found = w(ix)
                    if not found:
                        return []
                    rest.append(set(found))
                return [
                    (i, i + k - 1) for i in first if all(i + j + 1 in s for j, s in enumerate(rest))
                ]

            return phrase
        slop = node.slop

        def proximity(ix: AnalyzedText) -> list[Span]:
            places = []
            for w in words:
                found = w(ix)
                if not found:
                    return []
                places.append(found)
            return _proximity_spans(places, k + slop - 1)

        return proximity
    if isinstance(node, Or):
        parts = [_spans(c) for c in node.children]

        def union(ix: AnalyzedText) -> list[Span]:
            out: list[Span] = []
            for f in parts:
                out.extend(f(ix))
            return out

        return union
    if isinstance(node, Near):
        left, right = _spans(node.left), _spans(node.right)
        distance, ordered = node.distance, node.ordered

        def near(ix: AnalyzedText) -> list[Span]:
            bs = right(ix)
            if not bs:
                return []
            return [
                (min(a[0], b[0]), max(a[1], b[1]))
                for a in left(ix)
                for b in bs
                if _within(a, b, distance, ordered)
            ]

        return near
    raise TypeError(f"no position for {node!r}")


def _proximity_spans(places: list[list[int]], width: int) -> list[Span]:
    """Spans of distinct positions, one per word, covering at most ``width + 1`` tokens."""
    out: set[Span] = set()

    def extend(j: int, used: tuple[int, ...], lo: int, hi: int) -> None:
        if j == len(places):
            out.add((lo, hi))
            return
        for pos in places[j]:
            if pos in used:
                continue
            nlo, nhi = min(lo, pos), max(hi, pos)
            if nhi - nlo <= width:
                extend(j + 1, (*used, pos), nlo, nhi)

    for pos in places[0]:
        extend(1, (pos,), pos, pos)
    return list(out)


def _within(a: Span, b: Span, distance: int, ordered: bool) -> bool:
    if b[0] > a[1]:
        return b[0] - a[1] - 1 <= distance
    if not ordered and a[0] > b[1]:
        return a[0] - b[1] - 1 <= distance
    return False
