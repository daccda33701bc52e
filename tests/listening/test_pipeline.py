"""Ingest: dedupe, enrich, match, store with the search index; idempotent and crash-safe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from tertulia.listening import pipeline, search
from tertulia.listening.models import Author, Mention, MentionMatch, Query
from tertulia.listening.pipeline import ingest
from tertulia.networks.items import NetworkItem, item_from_dict
from tests.conftest import World

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def post(
    external_id: str,
    text: str,
    *,
    handle: str = "lucia",
    likes: int = 0,
    followers: int = 120,
    minutes: int = 0,
    network: str = "x",
) -> NetworkItem:
    return item_from_dict(
        {
            "network": network,
            "external_id": external_id,
            "author_handle": handle,
            "author_followers": followers,
            "created_at": (T0 + timedelta(minutes=minutes)).isoformat(),
            "text": text,
            "url": f"https://x.example/{handle}/{external_id}",
            "likes": likes,
        }
    )


BATCH = [
    post("1", "Me encanta el Café Aurora de Malasaña, el mejor flat white"),
    post("2", "@cafeaurora my order never arrived, I want a refund", handle="sam", followers=9000),
    post("3", "Tostadero Norte abre nueva tienda en Chamberí", handle="prensa"),
]


@pytest.fixture
def queries(world: World) -> dict[str, Query]:
    return {
        "brand": Query.objects.create(
            brand=world.a1, name="Aurora", text='"cafe aurora" OR @cafeaurora'
        ),
        "refunds": Query.objects.create(
            brand=world.a1, name="Refunds", text="@cafeaurora AND refund*"
        ),
        "rival": Query.objects.create(brand=world.a2, name="Rival", text='"tostadero norte"'),
    }


def _state(world: World) -> tuple[object, ...]:
    return (
        Mention.objects.filter(organization=world.acme).count(),
        Author.objects.filter(organization=world.acme).count(),
        MentionMatch.objects.count(),
        sorted(Mention.objects.values_list("external_id", "likes", "text")),
    )


@pytest.mark.django_db
def test_a_batch_is_enriched_matched_and_stored(world: World, queries: dict[str, Query]) -> None:
    result = ingest(world.acme, BATCH)
    assert len(result.created) == 3
    first = Mention.objects.get(external_id="1")
    assert first.language == "es"
    assert first.sentiment == "positive"
    complaint = Mention.objects.get(external_id="2")
    assert complaint.language == "en"
    assert complaint.sentiment == "negative"
    matched = {(m.query.name, m.mention.external_id) for m in MentionMatch.objects.all()}
    assert matched == {("Aurora", "1"), ("Aurora", "2"), ("Refunds", "2"), ("Rival", "3")}
    assert MentionMatch.objects.get(query=queries["rival"]).brand == world.a2
    assert Author.objects.get(handle="sam").followers == 9000


@pytest.mark.django_db
def test_redelivery_updates_counts_and_edits_without_duplicates(
    world: World, queries: dict[str, Query]
) -> None:
    ingest(world.acme, BATCH)
    before = _state(world)
    ingest(world.acme, BATCH)
    assert _state(world) == before, "the same batch twice changes nothing"
    result = ingest(world.acme, [post("1", "Me encanta el Café Aurora (editado)", likes=42)])
    assert result.created == [] and len(result.updated) == 1
    mention = Mention.objects.get(external_id="1")
    assert (mention.likes, mention.text) == (42, "Me encanta el Café Aurora (editado)")
    assert Mention.objects.count() == 3
    assert mention.id in _search(world, "editado")


@pytest.mark.django_db
def test_duplicates_inside_one_batch_keep_the_last_delivery(world: World) -> None:
    result = ingest(world.acme, [post("9", "first", likes=1), post("9", "second", likes=5)])
    assert result.skipped_duplicates == 1
    assert Mention.objects.get(external_id="9").likes == 5


@pytest.mark.django_db
def test_a_batch_killed_midway_leaves_nothing_and_its_retry_ends_as_once(
    world: World, queries: dict[str, Query], monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(rows: object) -> None:
        list(rows)  # type: ignore[call-overload]
        raise RuntimeError("power cut")

    monkeypatch.setattr(search, "index", crash)
    with pytest.raises(RuntimeError):
        ingest(world.acme, BATCH)
    assert Mention.objects.count() == 0
    assert MentionMatch.objects.count() == 0
    monkeypatch.undo()
    ingest(world.acme, BATCH)
    once = _state(world)
    ingest(world.acme, BATCH)
    assert _state(world) == once


@pytest.mark.django_db
def test_tenants_are_kept_apart(world: World) -> None:
    ingest(world.acme, BATCH[:1])
    ingest(world.other, BATCH[:1])
    assert Mention.objects.filter(external_id="1").count() == 2


def _search(world: World, text: str) -> set[int]:
    condition = search.match_sql(text)
    assert condition is not None
    return set(
        Mention.objects.filter(organization=world.acme)
        .extra(where=[condition[0]], params=condition[1])
        .values_list("id", flat=True)
    )


@pytest.mark.django_db
def test_full_text_search_folds_accents_and_case(world: World) -> None:
    ingest(world.acme, BATCH)
    ids = {m.external_id: m.id for m in Mention.objects.all()}
    assert _search(world, "cafe aurora") == {ids["1"]}
    assert _search(world, "CAFÉ") == {ids["1"]}
    assert _search(world, "chamberi") == {ids["3"]}
    assert _search(world, "refund") == {ids["2"]}
    assert _search(world, "ninguna-palabra-asi") == set()
    assert search.match_sql("!!! ???") is None


@pytest.mark.django_db
def test_listeners_hear_only_committed_batches(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    heard: list[pipeline.IngestResult] = []
    listener = pipeline.on_ingested(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            ingest(world.acme, BATCH)
    finally:
        pipeline._listeners.remove(listener)
    assert len(heard) == 1 and len(heard[0].created) == 3
    assert connection.vendor in {"sqlite", "postgresql"}


@pytest.mark.django_db
def test_a_networks_two_letter_country_is_stored_and_matched_as_alpha3(world: World) -> None:
    Query.objects.create(brand=world.a1, name="Spain", text="aurora AND country:esp")
    item = item_from_dict({"network": "x", "external_id": "c1", "author_handle": "ana",
                           "created_at": T0.isoformat(), "text": "Aurora en Madrid",
                           "country_code": "es"})
    result = ingest(world.acme, [item])
    assert Mention.objects.get(external_id="c1").country == "ESP"
    assert result.matches == 1
