"""Documented means tested: the generated reference is current and its examples hold."""

from __future__ import annotations

import pytest

from tertulia.listening.query import FIELDS, LIMITS, parse
from tertulia.listening.query.docs import OPERATORS, doc_path, render_reference
from tertulia.listening.query.errors import MESSAGES

from .conftest import both_match, make_post


@pytest.mark.parametrize("lang", ["en", "es"])
def test_generated_reference_is_up_to_date(lang):
    path = doc_path(lang)
    assert path.exists(), "run: python -m tertulia.listening.query.docs --write"
    assert path.read_text(encoding="utf-8") == render_reference(lang), (
        "docs are stale; run: python -m tertulia.listening.query.docs --write"
    )


@pytest.mark.parametrize("op", OPERATORS, ids=[op.syntax for op in OPERATORS])
def test_operator_examples_behave_as_documented(op):
    parse(op.example)
    if op.matches:
        assert both_match(op.example, make_post(op.matches))
    if op.misses:
        assert not both_match(op.example, make_post(op.misses))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_reference_lists_every_field_limit_and_error(lang):
    page = render_reference(lang)
    for name in FIELDS:
        assert f"`{name}:`" in page
    for key in LIMITS:
        assert f"`{key}`" in page
    for code in MESSAGES:
        assert f"`{code}`" in page


def test_every_field_is_described_in_both_languages():
    for spec in FIELDS.values():
        assert spec.description_en and spec.description_es and spec.example
        assert spec.expected()[0] and spec.expected()[1]
