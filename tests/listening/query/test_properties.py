"""Property tests: the compiled matcher returns exactly what the interpreter says.

Queries and posts are drawn from one small vocabulary (with accents, case, hashtags,
mentions, emoji and punctuation) so that matches, near-misses and every operator occur
often. All queries of an example are compiled into one matcher, so the shared
Aho–Corasick candidate step is exercised across queries too.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tertulia.listening.query import (
    MatchDocument,
    QuerySyntaxError,
    compile_queries,
    evaluate,
    parse,
)

WORDS = ["acme", "Acme", "ACME", "café", "cafe", "Café", "niño", "nino", "price", "prices",
         "precio", "refund", "refunded", "bt", "BT", "love", "hate", "phone", "apple", "money",
         "back", "zentra", "caro", "job"]  # fmt: skip
TEXT_TOKENS = [*WORDS, "#acme", "@acme", "#café", "@zentra", "😂", "$", "%", "x@acme.com",
               "coca-cola", "Google+", "customise", "customize"]  # fmt: skip
SEPARATORS = [" ", " ", " ", ", ", "! ", " - ", "\n", "..."]

LEAVES = ["acme", "cafe", "café", "niño", "nino", "price", "prices", "refund", "bt", "love",
          "phone", "apple", "money", "zentra", "caro", "job", "pri*", "refund*", "caf*",
          "caf?", "ni?o", "pre?io*", "café*", "#acme", "@acme", "#cafe", "@zentra", "😂", "%",
          '"money back"', '"acme price"', '"refund* money"', "{BT}", "{Acme}", "{ACME}",
          "coca-cola", "customi?e"]  # fmt: skip
NON_POSITIONAL = ["raw:Google+", 'raw:"acme!"', "author:ana", "authorFollowers:[100 TO 1000]",
                  "sentiment:negative", "language:es", "title:acme", "title:(cafe OR bt)",
                  'site:example.com', "authorVerified:true"]  # fmt: skip


def positional(depth: int) -> st.SearchStrategy[str]:
    leaf = st.sampled_from(LEAVES)
    slop_phrase = st.builds(
        lambda a, b, n: f'"{a} {b}"~{n}',
        st.sampled_from(WORDS[:12]).map(str.lower),
        st.sampled_from(WORDS[:12]).map(str.lower),
        st.integers(0, 4),
    )
    if depth <= 0:
        return st.one_of(leaf, slop_phrase)
    sub = positional(depth - 1)
    return st.one_of(
        leaf,
        slop_phrase,
        st.builds(lambda a, b: f"({a} OR {b})", sub, sub),
        st.builds(
            lambda a, b, n, f: f"({a} NEAR/{n}{'f' if f else ''} {b})",
            sub,
            sub,
            st.integers(0, 4),
            st.booleans(),
        ),
        st.builds(lambda a, b, n: f"(({a}) AND ({b}))~{n}", sub, sub, st.integers(0, 4)),
    )


def query(depth: int) -> st.SearchStrategy[str]:
    base = st.one_of(positional(1), st.sampled_from(NON_POSITIONAL))
    if depth <= 0:
        return base
    sub = query(depth - 1)
    return st.one_of(
        base,
        st.builds(lambda a, b: f"({a} AND {b})", sub, sub),
        st.builds(lambda a, b: f"({a} {b})", sub, sub),
        st.builds(lambda a, b: f"({a} OR {b})", sub, sub),
        st.builds(lambda a, b: f"({a} NOT {b})", sub, sub),
        st.builds(lambda a, b: f"({a} OR NOT {b})", sub, sub),
    )


texts = st.builds(
    lambda toks, seps: "".join(t + s for t, s in zip(toks, seps, strict=False)),
    st.lists(st.sampled_from(TEXT_TOKENS), max_size=14),
    st.lists(st.sampled_from(SEPARATORS), min_size=14, max_size=14),
)

# Raise for a longer hunt: QUERY_PROPERTY_EXAMPLES=5000 pytest tests/listening/query
SCALE = int(os.environ.get("QUERY_PROPERTY_EXAMPLES", "400")) / 400

posts = st.builds(
    MatchDocument,
    text=texts,
    title=st.one_of(st.none(), texts),
    author=st.sampled_from([None, "ana", "@Ana", "bob"]),
    author_followers=st.one_of(st.none(), st.integers(0, 5000)),
    sentiment=st.sampled_from([None, "negative", "positive"]),
    language=st.sampled_from([None, "es", "en"]),
    site=st.sampled_from([None, "example.com", "news.example.com", "other.org"]),
    author_verified=st.sampled_from([None, True, False]),
)


def _parsed(qs: list[str]) -> dict[int, object]:
    out = {}
    for i, q in enumerate(qs):
        try:
            out[i] = parse(q)
        except QuerySyntaxError as e:
            # Only exclusions (e.g. "(a OR NOT b)") are rightly rejected; nothing else.
            assert e.code == "only_negative", (q, e.code, str(e))
    return out


@settings(
    max_examples=int(400 * SCALE), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(query(3), min_size=1, max_size=8), st.lists(posts, min_size=1, max_size=6))
def test_compiled_matcher_agrees_with_interpreter(qs: list[str], docs: list[MatchDocument]):
    parsed = _parsed(qs)
    matcher = compile_queries(parsed)
    for doc, got in zip(docs, matcher.match_batch(docs), strict=True):
        expected = {qid for qid, q in parsed.items() if evaluate(q, doc)}
        assert got == expected, (doc, {qid: qs[qid] for qid in got ^ expected})


@settings(max_examples=int(300 * SCALE), deadline=None)
@given(positional(2), texts)
def test_positional_queries_agree(q: str, text: str):
    doc = MatchDocument(text=text)
    assert evaluate(q, doc) == bool(compile_queries({0: q}).match(doc))


@settings(max_examples=int(300 * SCALE), deadline=None)
@given(st.text(max_size=60))
def test_validate_never_raises_and_parse_is_consistent(q: str):
    from tertulia.listening.query import highlight, validate

    diagnostics = validate(q)
    errors = [d for d in diagnostics if d.severity == "error"]
    try:
        parse(q)
        assert not errors
    except QuerySyntaxError as e:
        assert errors and errors[0].code == e.code
        assert e.column >= 1
    spans = highlight(q)
    assert all(0 <= s.start < s.end <= len(q) for s in spans)


# -- unicode edge cases: the fast paths must see text exactly as the analysis does ---------

unicode_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40
) | st.sampled_from(["ΟΔΟΣ οδός", "İstanbul ıi", "Straße STRASSE", "cafe\u0301 Café", "ǅemal"])


@settings(max_examples=int(500 * SCALE), deadline=None)
@given(unicode_text)
def test_haystack_agrees_with_full_analysis(text: str):
    from tertulia.listening.query.text import AnalyzedText, haystack, nfc, tags

    ix = AnalyzedText(text)
    hay = haystack(nfc(text))
    assert hay == ix.haystack()
    assert tags(nfc(text)) == frozenset(p + f for p, f in zip(ix.prefix, ix.fold, strict=True) if p)


@settings(max_examples=int(400 * SCALE), deadline=None)
@given(unicode_text, st.data())
def test_words_taken_from_any_text_match_alike(text: str, data):
    from tertulia.listening.query.text import AnalyzedText

    ix = AnalyzedText(text)
    if not len(ix):
        return
    i = data.draw(st.integers(0, len(ix) - 1))
    spelling = data.draw(st.sampled_from([ix.orig[i], ix.lower[i], ix.fold[i]]))
    prefix = data.draw(st.sampled_from(["", ix.prefix[i]]))
    candidates = [prefix + spelling, "{" + prefix + spelling + "}", '"' + spelling + '"']
    if len(spelling) >= 3:
        candidates.append(prefix + spelling[:2] + "*")
    q = data.draw(st.sampled_from(candidates))
    try:
        parsed = parse(q)
    except QuerySyntaxError:
        return  # e.g. a token that is not searchable on its own, or {…} over 20 chars
    doc = MatchDocument(text=text)
    assert evaluate(parsed, doc) == bool(compile_queries({0: parsed}).match(doc)), q
