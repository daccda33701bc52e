"""Factories shared by the query-language tests."""

from __future__ import annotations

from typing import Any

import pytest

from tertulia.listening.query import MatchDocument, compile_queries, evaluate


def make_post(text: str = "", **fields: Any) -> MatchDocument:
    """A post as the matcher sees it; keyword arguments set document fields."""
    return MatchDocument(text=text, **fields)


def both_match(query: str, post: MatchDocument) -> bool:
    """Evaluate with the interpreter and the compiled matcher; fail if they disagree."""
    interpreted = evaluate(query, post)
    compiled = "q" in compile_queries({"q": query}).match(post)
    assert interpreted == compiled, f"interpreter={interpreted} matcher={compiled} for {query!r}"
    return interpreted


@pytest.fixture
def matches():
    return lambda query, text="", **fields: both_match(query, make_post(text, **fields))
