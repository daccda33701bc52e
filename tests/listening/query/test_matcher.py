"""The compiled matcher as the pipeline uses it: many queries, batches of posts."""

from __future__ import annotations

import random

import pytest

from tertulia.listening.query import (
    MatchDocument,
    QuerySyntaxError,
    compile_queries,
    evaluate,
    parse,
)

from .conftest import make_post

QUERIES = {
    "acme-price": '("acme" OR @acmecorp) AND (price* OR precio*)',
    "acme-refund": 'acme NEAR/3 (refund* OR "money back") NOT (job* OR rt)',
    "zentra": "zentra OR #zentra",
    "service": '("customer service" OR soporte) AND (terrible OR pésimo)',
    "verified": "authorVerified:true",
    "raw": "raw:Google+",
    "title": "title:acme",
    "negative-es": "sentiment:negative AND language:es",
}


def test_match_returns_the_ids_of_matching_queries():
    m = compile_queries(QUERIES)
    assert m.match(make_post("ACME raised the prices again")) == {"acme-price"}
    assert m.match(make_post("acme never gave my refunds")) == {"acme-refund"}
    assert m.match(make_post("acme never gave my refunds, rt")) == set()
    assert m.match(make_post("Soporte PÉSIMO de #Zentra")) == {"service", "zentra"}
    assert m.match(make_post("soporte pesimo")) == set()
    assert m.match(make_post("hello", author_verified=True)) == {"verified"}
    assert m.match(make_post("Google+ is back")) == {"raw"}
    assert m.match(make_post("x", title="Acme news")) == {"title"}
    assert m.match(make_post("hola", sentiment="negative", language="es")) == {"negative-es"}
    assert m.match(make_post("")) == set()


def test_match_batch_is_match_per_post():
    m = compile_queries(QUERIES)
    posts = [make_post("acme prices"), make_post("nothing"), make_post("#zentra")]
    assert m.match_batch(posts) == [{"acme-price"}, set(), {"zentra"}]


def test_compile_accepts_parsed_queries_and_reports_bad_ones():
    m = compile_queries({1: parse("acme"), 2: "zentra"})
    assert len(m) == 2 and m.match(make_post("acme zentra")) == {1, 2}
    with pytest.raises(QuerySyntaxError) as info:
        compile_queries({1: "acme AND"})
    assert info.value.code == "expected_term"


def test_empty_matcher_matches_nothing():
    assert compile_queries({}).match(make_post("acme")) == set()


def test_results_do_not_change_when_the_index_adapts():
    # The matcher re-picks its index from observed key frequencies (after 500 posts,
    # then 2,000...). Feed a long stream and compare with the interpreter throughout.
    rng = random.Random(3)
    words = ["acme", "price", "prices", "refund", "money", "back", "zentra", "#zentra",
             "customer", "service", "soporte", "pésimo", "terrible", "job", "rt",
             "hello"]  # fmt: skip
    parsed = {qid: parse(q) for qid, q in QUERIES.items()}
    m = compile_queries(parsed)
    for _ in range(3000):
        doc = MatchDocument(
            text=" ".join(rng.choice(words) for _ in range(rng.randint(0, 8))),
            author_verified=rng.choice([None, True]),
        )
        assert m.match(doc) == {qid for qid, q in parsed.items() if evaluate(q, doc)}
    assert m.posts_seen >= 2000
