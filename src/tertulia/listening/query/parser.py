"""Parser: tokens → validated ``Query``; plus ``validate`` for the live editor.

Grammar (upper-case words are operators and must be written in upper case)::

    query   := level
    level   := unit ( (AND | OR | NOT | <nothing>) unit )*
    unit    := NOT unit | near
    near    := primary ( NEAR/n | NEAR/nf  primary )*
    primary := WORD | "phrase" [~n] | {CaseSensitive} | ( level ) [~n]
             | field: value | raw:value

Adjacent units without an operator are ANDed (as in Brandwatch); ``a NOT b`` means
``a AND NOT b``. One level holds either AND-like operators (AND, NOT, adjacency) or OR,
never both: ``a AND b OR c`` is an error that asks for parentheses instead of guessing a
precedence. ``NEAR`` binds tighter than AND/OR.
"""

from __future__ import annotations

from collections.abc import Callable

from .ast import (
    And,
    Field,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Query,
    Range,
    Raw,
    Term,
    Value,
    Wildcard,
    walk,
)
from .errors import Diagnostic, Lang, QuerySyntaxError, line_column
from .fields import FieldKind, FieldSpec, InvalidValue, lookup_field, suggest_field
from .lexer import Tok, TokKind, tokenize
from .limits import LIMITS
from .text import nfc, split_words

__all__ = ["LIMITS", "parse", "validate"]

_STARTS_PRIMARY = {
    TokKind.WORD,
    TokKind.PHRASE,
    TokKind.CASE,
    TokKind.LPAREN,
    TokKind.FIELD,
}
_STARTS_UNIT = _STARTS_PRIMARY | {TokKind.NOT}
_LOWER_OPS = {"and", "or", "not"}


def parse(query: str) -> Query:
    """Parse and validate ``query``; raise ``QuerySyntaxError`` on the first problem."""
    return _Parser(query).parse()


def validate(query: str, lang: Lang = "en") -> list[Diagnostic]:
    """Problems of ``query`` for the editor: errors first, then warnings. Never raises.

    An empty list means the query is valid and means what it says.
    """
    out: list[Diagnostic] = []
    try:
        parse(query)
    except QuerySyntaxError as e:
        out.append(e.to_diagnostic(lang))
    except RecursionError:  # pragma: no cover - limits make this unreachable
        e = QuerySyntaxError("too_deep", query, 0, limit=LIMITS["max_depth"])
        out.append(e.to_diagnostic(lang))
    out.extend(_warnings(query, lang))
    return out


def _warnings(query: str, lang: Lang) -> list[Diagnostic]:
    try:
        toks = tokenize(query, lenient=True)
    except Exception:  # pragma: no cover - lenient lexing does not raise
        return []
    out = []
    for t in toks:
        if t.kind is TokKind.WORD and t.text in _LOWER_OPS:
            line, col = line_column(query, t.start)
            upper = t.text.upper()
            if lang == "es":
                msg = (
                    f"'{t.text}' se busca como palabra en la columna {col}; "
                    "los operadores van en mayúsculas"
                )
                hint = f"Escribe {upper} si querías el operador"
            else:
                msg = f"'{t.text}' is searched as a word at column {col}; operators are upper case"
                hint = f"Write {upper} if you meant the operator"
            out.append(
                Diagnostic("lowercase_operator", "warning", t.start, t.end, line, col, msg, hint)
            )
    return out


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.toks: list[Tok] = []
        self.i = 0
        self.depth = 0
        self.terms = 0
        self.short_wildcards = 0

    # -- helpers --------------------------------------------------------------------------

    def err(self, code: str, start: int, end: int | None = None, **params: object):
        return QuerySyntaxError(code, self.src, start, end, **params)

    def peek(self, k: int = 0) -> Tok | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def take(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def here(self) -> int:
        t = self.peek()
        return t.start if t is not None else len(self.src)

    def enter(self, at: int) -> None:
        self.depth += 1
        if self.depth > LIMITS["max_depth"]:
            raise self.err("too_deep", at, limit=LIMITS["max_depth"])

    def count_terms(self, n: int, at: int) -> None:
        self.terms += n
        if self.terms > LIMITS["max_terms"]:
            raise self.err("too_many_terms", at, limit=LIMITS["max_terms"])

    # -- entry ------------------------------------------------------------------------------

    def parse(self) -> Query:
        src = self.src
        if len(src) > LIMITS["max_query_chars"]:
            raise self.err(
                "query_too_long",
                LIMITS["max_query_chars"],
                len(src),
                length=len(src),
                limit=LIMITS["max_query_chars"],
            )
        self.toks = [t for t in tokenize(src) if t.kind is not TokKind.COMMENT]
        if not self.toks:
            raise self.err("empty_query", 0, len(src))
        root = self.level(self.text_primary)
        t = self.peek()
        if t is not None:
            if t.kind is TokKind.RPAREN:
                raise self.err("unmatched_close_paren", t.start, t.end)
            raise self.err("unexpected_token", t.start, t.end, token=repr(t.text))
        if not _positive(root):
            raise self.err("only_negative", 0, len(src))
        return Query(root, src)

    # -- boolean levels ---------------------------------------------------------------------

    def level(self, primary: Callable[[], Node], text: bool = True) -> Node:
        start = self.here()
        units = [self.unit(primary, text)]
        family: str | None = None
        while True:
            t = self.peek()
            if t is None or t.kind is TokKind.RPAREN:
                break
            if t.kind in (TokKind.AND, TokKind.OR, TokKind.NOT):
                self.take()
                kind = "or" if t.kind is TokKind.OR else "and"
                nxt = self.peek()
                if nxt is None or nxt.kind not in _STARTS_UNIT:
                    if nxt is not None and nxt.kind is TokKind.NEAR:
                        raise self.err("expected_term", nxt.start, nxt.end, op=t.text)
                    raise self.err("expected_term", self.here(), op=t.text)
                unit = self.unit(primary, text)
                if t.kind is TokKind.NOT:
                    unit = Not(unit, span=(t.start, _end(unit)))
            elif t.kind in _STARTS_PRIMARY:
                kind = "and"
                unit = self.unit(primary, text)
            elif t.kind is TokKind.NEAR:
                raise self.err("expected_term_before", t.start, t.end, op=t.text)
            else:
                raise self.unexpected(t)
            if family is None:
                family = kind
            elif family != kind:
                raise self.err("mixed_and_or", t.start, t.end)
            units.append(unit)
        if len(units) == 1:
            return units[0]
        span = (start, _end(units[-1]))
        return Or(tuple(units), span=span) if family == "or" else And(tuple(units), span=span)

    def unit(self, primary: Callable[[], Node], text: bool = True) -> Node:
        t = self.peek()
        if t is not None and t.kind is TokKind.NOT:
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind not in _STARTS_UNIT:
                raise self.err("expected_term", self.here(), op="NOT")
            self.enter(t.start)
            child = self.unit(primary, text)
            self.depth -= 1
            return Not(child, span=(t.start, _end(child)))
        return self.near(primary, text)

    def near(self, primary: Callable[[], Node], text: bool) -> Node:
        left = primary()
        while True:
            t = self.peek()
            if t is None or t.kind is not TokKind.NEAR:
                return left
            if not text:
                raise self.unexpected(t)
            self.take()
            dist, ordered = t.value  # type: ignore[misc]
            if dist > LIMITS["max_distance"]:
                raise self.err(
                    "distance_too_large", t.start, t.end, value=dist, limit=LIMITS["max_distance"]
                )
            nxt = self.peek()
            if nxt is not None and nxt.kind is TokKind.NOT:
                raise self.err("near_operand", nxt.start, nxt.end, op=t.text, what="NOT")
            if nxt is None or nxt.kind not in _STARTS_PRIMARY:
                raise self.err("expected_term", self.here(), op=t.text)
            right = primary()
            for side in (left, right):
                bad = _non_positional(side)
                if bad is not None:
                    raise self.err("near_operand", bad[1][0], bad[1][1], op=t.text, what=bad[0])
            left = Near(left, right, dist, ordered, span=(_start(left), _end(right)))

    def unexpected(self, t: Tok) -> QuerySyntaxError:
        if t.kind in (TokKind.LBRACKET, TokKind.RBRACKET):
            return self.err("stray_bracket", t.start, t.end, char=t.text)
        if t.kind is TokKind.TILDE:
            return self.err("proximity_syntax", t.start, t.end)
        return self.err("unexpected_token", t.start, t.end, token=repr(t.text))

    # -- text primaries ---------------------------------------------------------------------

    def text_primary(self, *, in_field: bool = False) -> Node:
        t = self.peek()
        if t is None:
            prev = self.toks[self.i - 1] if self.i else None
            raise self.err("expected_term", len(self.src), op=prev.text if prev else "")
        k = t.kind
        if k is TokKind.WORD:
            self.take()
            node = self.word(t)
            self.no_tilde(t)
            return node
        if k is TokKind.PHRASE:
            self.take()
            return self.phrase(t)
        if k is TokKind.CASE:
            self.take()
            node = self.case_sensitive(t)
            self.no_tilde(t)
            return node
        if k is TokKind.LPAREN:
            return self.group(lambda: self.text_primary(in_field=in_field), tilde=True)
        if k is TokKind.FIELD:
            if in_field:
                raise self.err("nested_field", t.start, t.end)
            return self.field()
        if k in (TokKind.AND, TokKind.OR, TokKind.NEAR):
            raise self.err("expected_term_before", t.start, t.end, op=t.text)
        if k is TokKind.RPAREN:
            raise self.err("unmatched_close_paren", t.start, t.end)
        raise self.unexpected(t)

    def no_tilde(self, t: Tok) -> None:
        nxt = self.peek()
        if nxt is not None and nxt.kind is TokKind.TILDE:
            raise self.err("proximity_syntax", nxt.start, nxt.end)

    def group(self, primary: Callable[[], Node], *, tilde: bool) -> Node:
        open_ = self.take()
        self.enter(open_.start)
        t = self.peek()
        if t is not None and t.kind is TokKind.RPAREN:
            raise self.err("empty_group", open_.start, t.end)
        node = self.level(primary, text=tilde)
        t = self.peek()
        if t is None or t.kind is not TokKind.RPAREN:
            raise self.err("unclosed_paren", open_.start, open_.end)
        close = self.take()
        self.depth -= 1
        nxt = self.peek()
        if nxt is not None and nxt.kind is TokKind.TILDE:
            if not tilde or nxt.start != close.end or nxt.value is None:
                raise self.err("proximity_syntax", nxt.start, nxt.end)
            self.take()
            return self.group_proximity(node, nxt)
        return node

    def group_proximity(self, node: Node, tilde: Tok) -> Node:
        # Brandwatch: ((a OR b) AND (c OR d))~5 finds a part of each group within 5 words.
        dist = int(tilde.value)  # type: ignore[arg-type]
        if dist > LIMITS["max_distance"]:
            raise self.err(
                "distance_too_large",
                tilde.start,
                tilde.end,
                value=dist,
                limit=LIMITS["max_distance"],
            )
        if not isinstance(node, And):
            raise self.err("proximity_group", tilde.start, tilde.end)
        for child in node.children:
            bad = _non_positional(child)
            if bad is not None:
                raise self.err("near_operand", bad[1][0], bad[1][1], op="~", what=bad[0])
        out = node.children[0]
        for child in node.children[1:]:
            out = Near(out, child, dist, False, span=(_start(node), tilde.end))
        return out

    def word(self, t: Tok) -> Node:
        text = t.text
        if text.startswith("-") and len(text) > 1 and text[1] != "-":
            raise self.err("dash_negation", t.start, t.end, word=text[1:])
        return self.words_to_node(text, t, allow_wildcards=True)

    def words_to_node(
        self, text: str, t: Tok, *, allow_wildcards: bool, case_sensitive: bool = False
    ) -> Node:
        parts = split_words(text)
        if not parts:
            if text.strip("*?"):
                raise self.err("no_searchable_text", t.start, t.end, word=text)
            raise self.err("wildcard_at_start", t.start, t.end, limit=_stem())
        self.count_terms(len(parts), t.start)
        words: list[Term | Wildcard] = []
        for prefix, body in parts:
            if "*" in body or "?" in body:
                if not allow_wildcards:
                    raise self.err("case_sensitive_wildcard", t.start, t.end)
                words.append(self.wildcard(prefix, body, t))
            else:
                b = body if case_sensitive else body.lower()
                words.append(Term(b, prefix, case_sensitive, span=(t.start, t.end)))
        if len(words) == 1:
            return words[0]
        return Phrase(tuple(words), None, span=(t.start, t.end))

    def wildcard(self, prefix: str, body: str, t: Tok) -> Wildcard:
        pattern = body.lower()
        w = Wildcard(pattern, prefix, span=(t.start, t.end))
        stem = w.stem
        if not stem:
            raise self.err("wildcard_at_start", t.start, t.end, limit=_stem())
        if len(stem) < _stem():
            raise self.err("wildcard_stem_too_short", t.start, t.end, word=body, limit=_stem())
        if len(stem) == _stem():
            self.short_wildcards += 1
            if self.short_wildcards > LIMITS["max_short_wildcards"]:
                raise self.err(
                    "too_many_short_wildcards", t.start, t.end, limit=LIMITS["max_short_wildcards"]
                )
        return w

    def phrase(self, t: Tok) -> Node:
        if not t.text.strip():
            raise self.err("empty_phrase", t.start, t.end)
        node = self.words_to_node(t.text, t, allow_wildcards=True)
        nxt = self.peek()
        if nxt is not None and nxt.kind is TokKind.TILDE:
            if nxt.start != t.end or nxt.value is None:
                raise self.err("proximity_syntax", nxt.start, nxt.end)
            self.take()
            dist = int(nxt.value)  # type: ignore[arg-type]
            if dist > LIMITS["max_distance"]:
                raise self.err(
                    "distance_too_large",
                    nxt.start,
                    nxt.end,
                    value=dist,
                    limit=LIMITS["max_distance"],
                )
            if isinstance(node, Phrase):
                if len(node.words) > LIMITS["max_proximity_phrase_words"]:
                    raise self.err(
                        "too_many_phrase_words",
                        t.start,
                        nxt.end,
                        limit=LIMITS["max_proximity_phrase_words"],
                    )
                return Phrase(node.words, dist, span=(t.start, nxt.end))
        return node

    def case_sensitive(self, t: Tok) -> Node:
        inner = nfc(t.text.strip())
        if not inner:
            raise self.err("empty_case_sensitive", t.start, t.end)
        if len(inner) > LIMITS["max_case_sensitive_chars"]:
            raise self.err(
                "case_sensitive_too_long",
                t.start,
                t.end,
                length=len(inner),
                limit=LIMITS["max_case_sensitive_chars"],
            )
        if "*" in inner or "?" in inner:
            raise self.err("case_sensitive_wildcard", t.start, t.end)
        return self.words_to_node(inner, t, allow_wildcards=False, case_sensitive=True)

    # -- fields -----------------------------------------------------------------------------

    def field(self) -> Node:
        t = self.take()
        name = str(t.value)
        if name == "raw":
            return self.raw(t)
        spec = lookup_field(name)
        if spec is None:
            guess = suggest_field(name)
            raise self.err(
                "unknown_field",
                t.start,
                t.end,
                name=name,
                did_you_mean=f"Did you mean {guess}:? " if guess else "",
                did_you_mean_es=f"¿Querías decir {guess}:? " if guess else "",
            )
        nxt = self.peek()
        if nxt is None or nxt.kind not in (
            TokKind.WORD,
            TokKind.PHRASE,
            TokKind.LPAREN,
            TokKind.LBRACKET,
            TokKind.CASE,
        ):
            raise self.err("field_value_missing", t.end, name=name, example=spec.example)
        self.enter(t.start)
        if spec.kind is FieldKind.TEXT:
            if nxt.kind is TokKind.LBRACKET:
                raise self.err(
                    "range_not_allowed", nxt.start, nxt.end, name=name, example=spec.example
                )
            value = self.text_primary(in_field=True)
        else:
            value = self.value_primary(spec)
        self.depth -= 1
        if not _positive(value):
            raise self.err("only_negative", t.start, _end(value))
        return Field(name, value, span=(t.start, _end(value)))

    def raw(self, t: Tok) -> Node:
        nxt = self.peek()
        if nxt is None or nxt.kind not in (TokKind.WORD, TokKind.PHRASE) or nxt.start != t.end:
            raise self.err("field_value_missing", t.end, name="raw", example='raw:"Google+"')
        self.take()
        text = nfc(nxt.text)
        if not text.strip():
            raise self.err("empty_phrase", nxt.start, nxt.end)
        self.count_terms(1, nxt.start)
        return Raw(text, span=(t.start, nxt.end))

    def value_primary(self, spec: FieldSpec) -> Node:
        t = self.peek()
        if t is None:
            raise self.err(
                "field_value_missing", len(self.src), name=spec.name, example=spec.example
            )
        if t.kind is TokKind.LPAREN:
            return self.group(lambda: self.value_primary(spec), tilde=False)
        if t.kind is TokKind.LBRACKET:
            return self.range(spec)
        if t.kind in (TokKind.WORD, TokKind.PHRASE):
            self.take()
            self.count_terms(1, t.start)
            try:
                return Value(spec.check_value(t.text), span=(t.start, t.end))
            except InvalidValue as e:
                raise self.err(
                    "invalid_field_value",
                    t.start,
                    t.end,
                    name=spec.name,
                    value=repr(t.text),
                    expected=e.expected_en,
                    expected_es=e.expected_es,
                ) from None
        if t.kind is TokKind.FIELD:
            raise self.err("nested_field", t.start, t.end)
        raise self.err("field_value_missing", t.start, t.end, name=spec.name, example=spec.example)

    def range(self, spec: FieldSpec) -> Node:
        open_ = self.take()
        if not spec.takes_range:
            raise self.err(
                "range_not_allowed", open_.start, open_.end, name=spec.name, example=spec.example
            )
        toks = []
        while True:
            t = self.peek()
            if t is None or t.kind is not TokKind.WORD:
                break
            toks.append(self.take())
        close = self.peek()
        if (
            close is None
            or close.kind is not TokKind.RBRACKET
            or len(toks) != 3
            or toks[1].text != "TO"
        ):
            end = close.end if close is not None else len(self.src)
            raise self.err("range_syntax", open_.start, end)
        self.take()
        self.count_terms(2, open_.start)
        bounds: list[float | None] = []
        for tok in (toks[0], toks[2]):
            if tok.text == "*":
                bounds.append(None)
                continue
            try:
                bounds.append(spec.check_number(tok.text))
            except InvalidValue as e:
                raise self.err(
                    "invalid_field_value",
                    tok.start,
                    tok.end,
                    name=spec.name,
                    value=repr(tok.text),
                    expected=e.expected_en,
                    expected_es=e.expected_es,
                ) from None
        low, high = bounds
        if low is not None and high is not None and low > high:
            raise self.err(
                "range_order", open_.start, close.end, low=toks[0].text, high=toks[2].text
            )
        return Range(low, high, span=(open_.start, close.end))


def _stem() -> int:
    return int(LIMITS["min_wildcard_stem_chars"])


def _start(node: Node) -> int:
    return node.span[0]


def _end(node: Node) -> int:
    return node.span[1]


def _positive(node: Node) -> bool:
    """Whether ``node`` needs something present to match (so it is not only exclusions)."""
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_positive(c) for c in node.children)
    if isinstance(node, Or):
        return all(_positive(c) for c in node.children)
    if isinstance(node, Field):
        return _positive(node.value)
    return True


def _non_positional(node: Node) -> tuple[str, tuple[int, int]] | None:
    """The first part of a NEAR operand that has no position in the text, if any."""
    for n in walk(node):
        if isinstance(n, And):
            return "AND", n.span
        if isinstance(n, Not):
            return "NOT", n.span
        if isinstance(n, Field):
            return f"{n.name}:", n.span
        if isinstance(n, Raw):
            return "raw:", n.span
    return None
