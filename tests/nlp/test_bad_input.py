"""Bad input never raises: property tests with hypothesis plus named edge cases."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tertulia.nlp import FLAGS, SENTIMENTS, Enrichment, enrich

LANGUAGES = {"es", "en", "pt", "fr", "ca", "it", "de", "und"}

# Any code point including lone surrogates (what broken UTF-8 decoding leaves behind).
any_text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=200)
social_text = st.lists(
    st.sampled_from(["jajaja", "lol", "😂", "❤️", "👍🏽", "https://t.co/x", "@user", "#CamelCase",
                     "no", "not", "graciaaaas", "\u202eRTL\u202c", "مرحبا", "שלום", "\ud800",
                     "\n", "\r\n", "\t", "", " ", "&amp;", "<br />", "0000", "ñ", "İ", "ß"]),
    max_size=30,
).map(" ".join)


def check(result: Enrichment) -> None:
    assert result.language in LANGUAGES
    assert result.sentiment in SENTIMENTS
    assert result.flag in FLAGS
    for value in (result.sentiment_score, result.flag_confidence, result.spam_score,
                  result.language_confidence, result.complaint_score):
        assert 0.0 <= value <= 1.0 and not math.isnan(value)
    assert -1.0 <= result.sentiment_polarity <= 1.0
    assert isinstance(result.is_spam, bool) and isinstance(result.is_complaint, bool)
    assert all(isinstance(k, str) and k for k in result.keywords)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(any_text, social_text), max_size=12))
def test_any_batch_gives_one_valid_result_per_text(texts: list[str]) -> None:
    results = enrich(texts)
    assert len(results) == len(texts)
    for result in results:
        check(result)


@settings(max_examples=60, deadline=None)
@given(st.lists(social_text, min_size=1, max_size=6), st.integers(0, 5))
def test_result_does_not_depend_on_batch_neighbours(texts: list[str], pad: int) -> None:
    alone = enrich(texts)
    padded = enrich(["filler text here"] * pad + texts + ["otro relleno"] * pad)
    assert padded[pad:pad + len(texts)] == alone


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(any_text, st.none(), st.integers(), st.floats()), max_size=5),
       st.lists(st.one_of(st.none(), st.dictionaries(
           st.sampled_from(["lang", "author_handle", "account_age_days", "followers",
                            "author_created_at", "now"]),
           st.one_of(st.none(), st.text(max_size=8), st.integers(), st.floats())),
       ), max_size=5))
def test_odd_values_and_hints_never_raise(texts: list[object], hints: list[object]) -> None:
    hints = (hints + [None] * len(texts))[:len(texts)]
    results = enrich(texts, hints)  # type: ignore[arg-type]
    assert len(results) == len(texts)
    for result in results:
        check(result)


def test_named_edge_cases() -> None:
    cases = ["", "   ", "😂😂😂", "https://example.com/only-a-link", "x" * 100_000,
             "palabra " * 15_000, "\ud83d\ude00 broken \udc00 surrogate", "مرحبا بالعالم",
             "שלום עולם", "Hola my friend, c'est la vie, tudo bem?", "\x00\x01\x02",
             "#", "@", "&amp;&lt;", "\n\n\n", "ℌ𝔢𝔩𝔩𝔬 𝔴𝔬𝔯𝔩𝔡"]
    results = enrich(cases)
    assert len(results) == len(cases)
    for result in results:
        check(result)
    empty, _, emoji_only, link_only = results[:4]
    assert empty.language == "und" and empty.sentiment == "neutral"
    assert emoji_only.language == "und"
    assert link_only.language == "und"


def test_empty_batch() -> None:
    assert enrich([]) == []


def test_deterministic() -> None:
    texts = ["Me encanta 😍", "worst service ever", "¿cuánto cuesta?"]
    assert enrich(texts) == enrich(list(texts))
