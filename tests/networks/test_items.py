import contextlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tertulia.networks.items import (
    MAX_TEXT_CHARS,
    ItemKind,
    ItemValidationError,
    Network,
    NetworkItem,
    clip_text,
    item_from_dict,
)


def make_row(**overrides):
    row = {
        "network": "x",
        "external_id": "1790000000000000001",
        "author_handle": "@lucia_gm",
        "author_followers": 1200,
        "created_at": "2024-05-14T08:30:00Z",
        "text": "Llevo 20 minutos esperando mi café en Café Aurora",
        "url": "https://x.example/lucia_gm/status/1",
        "lang_hint": "es",
    }
    row.update(overrides)
    return row


def errors_of(row, **kwargs):
    with pytest.raises(ItemValidationError) as info:
        item_from_dict(row, **kwargs)
    return {e.field: e for e in info.value.errors}


def test_flat_corpus_row_becomes_a_normalized_item():
    item = item_from_dict(make_row())
    assert item.network is Network.X
    assert item.author.handle == "lucia_gm"
    assert item.author.followers == 1200
    assert item.lang == "es"
    assert item.created_at == datetime(2024, 5, 14, 8, 30, tzinfo=UTC)
    assert item.key == ("x", "1790000000000000001")


def test_nested_form_is_accepted_too():
    item = item_from_dict(
        {
            "network": "instagram",
            "external_id": "abc",
            "kind": "direct message",
            "thread_id": "t1",
            "author": {"handle": "ana", "verified": True},
            "text": "hola",
            "created_at": datetime(2024, 5, 1, 12, tzinfo=timezone(timedelta(hours=2))),
            "engagement": {"likes": 3},
            "geo": {"lat": 40.4, "lon": -3.7, "country_code": "es"},
        }
    )
    assert item.kind is ItemKind.DM
    assert item.created_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert item.geo is not None and item.geo.country_code == "ES"
    assert item.engagement.interactions == 3


def test_network_aliases_from_other_tools():
    assert item_from_dict(make_row(network="Twitter")).network is Network.X
    assert item_from_dict(make_row(network="news")).network is Network.RSS


def test_errors_name_the_field_as_written_and_the_value():
    row = make_row(author_followers=-3, url="javascript:alert(1)", network="myspace")
    errors = errors_of(row)
    assert errors["author_followers"].value == -3
    assert "greater than or equal to 0" in errors["author_followers"].reason
    assert errors["url"].value == "javascript:alert(1)"
    assert "http" in errors["url"].reason
    assert "unknown network" in errors["network"].reason


def test_missing_required_fields_are_reported_each():
    row = make_row()
    del row["author_handle"], row["external_id"]
    errors = errors_of(row)
    assert set(errors) == {"author_handle", "external_id"}
    assert errors["external_id"].reason == "is required"


def test_message_is_readable():
    with pytest.raises(ItemValidationError) as info:
        item_from_dict(make_row(author_followers="many"))
    assert str(info.value) == "author_followers = 'many': is not a whole number"


def test_naive_time_is_an_error_unless_a_zone_is_assumed():
    errors = errors_of(make_row(created_at="2024-05-14 08:30:00"))
    assert "time zone" in errors["created_at"].reason
    item = item_from_dict(make_row(created_at="2024-05-14 08:30:00"), naive_tz=UTC)
    assert item.created_at == datetime(2024, 5, 14, 8, 30, tzinfo=UTC)


def test_epoch_seconds_are_utc():
    item = item_from_dict(make_row(created_at=1715675400))
    assert item.created_at == datetime(2024, 5, 14, 8, 30, tzinfo=UTC)


def test_oversized_text_is_refused_not_cut():
    errors = errors_of(make_row(text="a" * (MAX_TEXT_CHARS + 1)))
    assert "limit is 65536" in errors["text"].reason


def test_clip_text_cuts_at_a_word_and_says_so():
    text, cut = clip_text("palabra " * 20_000)
    assert cut and len(text) <= MAX_TEXT_CHARS and text.endswith("…")
    assert clip_text("corto") == ("corto", False)


def test_hostile_html_is_sanitized_and_text_derived():
    item = item_from_dict(
        make_row(
            text="",
            html='<p onclick="x()">Hola <script>steal()</script>'
            '<a href="javascript:x">aquí</a></p>',
        )
    )
    assert item.html == '<p>Hola <a rel="nofollow noopener noreferrer">aquí</a></p>'
    assert item.text == "Hola aquí"


def test_control_characters_are_removed():
    item = item_from_dict(make_row(text="hola\x00 mundo\x1b[31m", author_name="Ana\nRuiz"))
    assert item.text == "hola mundo[31m"
    assert item.author.name == "Ana Ruiz"


def test_an_item_needs_some_content():
    errors = errors_of(make_row(text="   "))
    assert "needs text" in errors["item"].reason


def test_post_with_parent_is_a_reply():
    item = item_from_dict(make_row(parent_id="p1", thread_id="p1"))
    assert item.kind is ItemKind.REPLY


def test_items_are_frozen_and_hash_by_identity():
    item = item_from_dict(make_row())
    with pytest.raises(ValueError):
        item.text = "other"  # type: ignore[misc]
    assert {item, item_from_dict(make_row())} == {item}


def test_non_mapping_input_is_our_error():
    with pytest.raises(ItemValidationError, match="must be an object"):
        item_from_dict(["not", "a", "dict"])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
field_names = st.sampled_from(
    [
        "network",
        "external_id",
        "author_handle",
        "author_followers",
        "created_at",
        "text",
        "url",
        "lang_hint",
        "html",
        "kind",
        "author",
        "engagement",
        "geo",
        "media",
        "extra",
        "thread_id",
        "parent_id",
        "title",
        "rating",
        "lat",
        "lon",
        "likes",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(field_names, json_values, max_size=10))
def test_arbitrary_input_raises_only_our_error(row):
    try:
        item = item_from_dict(row)
    except ItemValidationError as exc:
        assert exc.errors and all(e.field and e.reason for e in exc.errors)
    else:
        assert isinstance(item, NetworkItem)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "text": st.text(max_size=200),
            "author_followers": st.integers() | st.text(max_size=5),
            "url": st.text(max_size=40),
            "lang_hint": st.text(max_size=8),
            "created_at": st.datetimes(timezones=st.just(UTC)) | st.text(max_size=20),
        },
    )
)
def test_mutated_good_rows_raise_only_our_error(overrides):
    with contextlib.suppress(ItemValidationError):
        item_from_dict(make_row(**overrides))
