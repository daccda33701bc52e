"""Rollups kept by the ingest pipeline equal a rebuild from the mentions, whatever arrives."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tertulia.governance import actions
from tertulia.insights.models import (
    OWN,
    AuthorDay,
    DailyRollup,
    DailyTotal,
    HourlyRollup,
    RollupState,
)
from tertulia.insights.rollups import rebuild_brand, rebuild_rollups, repair_dirty
from tertulia.listening.actions import do_correct_mention
from tertulia.listening.models import Mention, MentionMatch, Query
from tertulia.listening.pipeline import ingest
from tests.conftest import SYSTEM, World
from tests.insights.conftest import T0, hours, post, snapshot

BATCH = [
    post("1", "Me encanta el Café Aurora de Malasaña", likes=3, followers=1000),
    post("2", "@cafeaurora my order never arrived, I want a refund", handle="sam",
         followers=9000, at=T0 + hours(1), likes=1, comments=2),
    post("3", "Tostadero Norte abre nueva tienda en Chamberí", handle="prensa", shares=4,
         followers=None),
    post("4", "Café Aurora o Tostadero Norte? #otonoaurora", handle="ana", at=T0 + hours(14)),
    post("5", "nothing to see here", handle="ana"),
]


def own(**filters: object) -> int:
    rows = DailyRollup.objects.filter(query_id=OWN, **filters)
    return rows.aggregate(n=Sum("mentions"))["n"] or 0


@pytest.mark.django_db
def test_a_batch_lands_in_every_table(world: World, queries: dict[str, Query]) -> None:
    ingest(world.acme, BATCH)
    a1 = world.a1
    assert own(brand=a1) == 3, "1, 2 and 4 are Acme One's own mentions; 3 only a rival's"
    assert own(brand=world.a2) == 2, "Acme Two's brand query matches 3 and 4"
    per_query = dict(DailyRollup.objects.filter(brand=a1).exclude(query_id=OWN).values_list(
        "query_id").annotate(n=Sum("mentions")))
    assert per_query == {queries["brand"].id: 3, queries["campaign"].id: 1,
                         queries["rival"].id: 2}
    hourly = HourlyRollup.objects.filter(brand=a1, query_id=OWN)
    assert hourly.aggregate(n=Sum("mentions"))["n"] == 3
    assert hourly.aggregate(r=Sum("reach"))["r"] == 1000 + 9000 + 120
    assert hourly.aggregate(c=Sum("comments"))["c"] == 2
    assert AuthorDay.objects.filter(brand=a1).aggregate(n=Sum("mentions"))["n"] == 3
    assert RollupState.objects.get(brand=a1).timezone == a1.timezone


@pytest.mark.django_db
def test_days_are_cut_in_the_brands_time_zone(world: World, queries: dict[str, Query]) -> None:
    # 23:30 UTC on the 20th is already the 21st in Madrid, still the 20th in New York.
    actions.do_update_brand(world.a2, {"timezone": "America/New_York"}, actor=SYSTEM)
    late = T0.replace(hour=23, minute=30)
    ingest(world.acme, [post("9", "Tostadero Norte y Café Aurora", at=late)])
    assert own(brand=world.a1, day=date(2026, 11, 21)) == 1
    assert own(brand=world.a2, day=date(2026, 11, 20)) == 1


@pytest.mark.django_db
def test_redelivery_adds_the_change_never_the_mention_again(
    world: World, queries: dict[str, Query]
) -> None:
    ingest(world.acme, BATCH)
    ingest(world.acme, BATCH)  # the same batch again: nothing changes
    first = snapshot()
    assert own(brand=world.a1) == 3
    again = [post("1", "Me encanta el Café Aurora de Malasaña", likes=10, shares=2,
                  followers=1000),
             post("1", "Me encanta el Café Aurora de Malasaña", likes=12, followers=1000),
             post("6", "Café Aurora abre en Sevilla", handle="bea", at=T0 + hours(30))]
    result = ingest(world.acme, again)
    assert result.engagement_deltas == {Mention.objects.get(external_id="1").id: (9, 0, 0, 0)}
    assert own(brand=world.a1) == 4
    likes = DailyRollup.objects.filter(brand=world.a1, query_id=OWN).aggregate(
        n=Sum("likes"))["n"]
    assert likes == 12 + 1 + 0
    assert snapshot() != first
    incremental = snapshot()
    rebuild_rollups(world.acme)
    assert snapshot() == incremental


@pytest.mark.django_db
def test_corrections_move_counts_between_buckets(world: World, queries: dict[str, Query]) -> None:
    ingest(world.acme, BATCH)
    mention = Mention.objects.get(external_id="2")
    old = mention.sentiment
    new = "positive" if old != "positive" else "neutral"
    do_correct_mention(mention, world.a1, "sentiment", new, actor=SYSTEM)
    do_correct_mention(mention, world.a1, "flag", "spam", actor=SYSTEM)
    assert own(brand=world.a1, sentiment=new, flag="spam") == 1
    incremental = snapshot()
    rebuild_rollups(world.acme)
    assert snapshot() == incremental


@pytest.mark.django_db
def test_rebuild_is_idempotent_and_repairs_any_range(
    world: World, queries: dict[str, Query]
) -> None:
    ingest(world.acme, [*BATCH, post("7", "Café Aurora", at=T0 - hours(24 * 70))])
    expected = snapshot()
    HourlyRollup.objects.filter(brand=world.a1).update(mentions=99)
    DailyRollup.objects.filter(brand=world.a1, day__gte=date(2026, 11, 1)).delete()
    rebuild_brand(world.a1, date(2026, 10, 1))
    assert snapshot() != expected, "rows before October were not touched"
    rebuild_brand(world.a1, date(2026, 1, 1))
    rebuild_brand(world.a1, date(2026, 1, 1))
    assert snapshot() == expected


@pytest.mark.django_db
def test_a_failed_update_keeps_the_batch_and_owes_a_repair(
    world: World, queries: dict[str, Query], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tertulia.insights import rollups

    def broken(self: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(rollups.Accumulator, "flush", broken)
    ingest(world.acme, BATCH)
    assert Mention.objects.count() == 5, "the batch is stored"
    assert not HourlyRollup.objects.exists()
    state = RollupState.objects.get(brand=world.a1)
    assert state.dirty_since is not None and state.dirty_since <= T0
    monkeypatch.undo()
    assert repair_dirty() >= 1
    assert own(brand=world.a1) == 3
    assert RollupState.objects.get(brand=world.a1).dirty_since is None


@pytest.mark.django_db
def test_a_rematched_query_and_a_moved_time_zone_are_rebuilt(
    world: World, queries: dict[str, Query], django_capture_on_commit_callbacks: object
) -> None:
    from tertulia.listening.backfill import backfill

    ingest(world.acme, BATCH)
    query = queries["campaign"]
    query.text = '"cafe aurora"'
    query.save()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        backfill(query)
    assert sum(DailyRollup.objects.filter(query_id=query.id).values_list(
        "mentions", flat=True)) == MentionMatch.objects.filter(query=query).count() == 2
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        actions.do_update_brand(world.a1, {"timezone": "Asia/Kolkata"}, actor=SYSTEM)
    assert RollupState.objects.get(brand=world.a1).timezone == "Asia/Kolkata"
    incremental = snapshot()
    rebuild_rollups(world.acme)
    assert snapshot() == incremental


WORDS = ["Café Aurora", "@cafeaurora", "Tostadero Norte", "bruma coffee", "#otonoaurora",
         "hola", "refund", "genial"]
item_strategy = st.tuples(
    st.integers(0, 12),  # external id: small, so re-deliveries are common
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
    st.integers(-60, 60),  # hours from T0
    st.integers(0, 50), st.integers(0, 5),  # likes, comments
    st.one_of(st.none(), st.integers(0, 10**6)),  # followers
    st.sampled_from(["x", "instagram"]),
)


@pytest.mark.django_db
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(item_strategy, min_size=1, max_size=6), min_size=1,
                        max_size=4),
       corrections=st.lists(st.tuples(st.integers(0, 12), st.sampled_from(
           ["positive", "negative", "neutral"])), max_size=3))
def test_any_stream_of_batches_ends_equal_to_a_rebuild(
    world: World, queries: dict[str, Query], batches: list[list[tuple]],
    corrections: list[tuple[int, str]],
) -> None:
    Mention.objects.filter(organization=world.acme).delete()
    for model in (HourlyRollup, DailyRollup, DailyTotal, AuthorDay):
        model.objects.all().delete()
    first_text: dict[int, str] = {}
    for batch in batches:
        items = []
        for ext, words, at, likes, comments, followers, network in batch:
            text = first_text.setdefault(ext, " ".join(words))  # same item, same text
            items.append(post(str(ext), text, at=T0 + hours(at), likes=likes,
                              comments=comments, followers=followers, network=network,
                              handle=f"u{ext % 4}"))
        ingest(world.acme, items)
    for ext, sentiment in corrections:
        mention = Mention.objects.filter(external_id=str(ext)).first()
        if mention is not None and mention.matches.filter(brand=world.a1).exists():
            do_correct_mention(mention, world.a1, "sentiment", sentiment, actor=SYSTEM)
    incremental = snapshot()
    rebuild_rollups(world.acme)
    assert snapshot() == incremental


@pytest.mark.django_db
def test_the_rebuild_command(world: World, queries: dict[str, Query]) -> None:
    from typer.testing import CliRunner

    from tertulia.cli import app

    ingest(world.acme, BATCH)
    expected = snapshot()
    HourlyRollup.objects.all().delete()
    result = CliRunner().invoke(app, ["rollups", "rebuild", "--org", world.acme.slug,
                                      "--since", "2026-11-01"])
    assert result.exit_code == 0, result.output
    assert "acme: 2 brands, 6 mentions" in result.output, "a mention counts once per brand"
    assert snapshot() == expected
    bad = CliRunner().invoke(app, ["rollups", "rebuild", "--org", world.acme.slug,
                                   "--since", "last week"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    missing = CliRunner().invoke(app, ["rollups", "rebuild", "--org", "nope"])
    assert missing.exit_code == 2 and "No organization" in missing.output


@pytest.mark.django_db
def test_hidden_mentions_leave_the_rollups(
    world: World, queries: dict[str, Query], django_capture_on_commit_callbacks: object
) -> None:
    from django.utils import timezone

    from tertulia.insights.rollups import mentions_hidden

    ingest(world.acme, BATCH)
    gone = Mention.objects.filter(external_id__in=["1", "4"])
    ids = list(gone.values_list("id", flat=True))
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        gone.update(hidden_at=timezone.now())
        mentions_hidden(ids)
        mentions_hidden(ids)  # twice changes nothing
    assert own(brand=world.a1) == 1
    assert RollupState.objects.get(brand=world.a1).dirty_since is None
    incremental = snapshot()
    rebuild_rollups(world.acme)
    assert snapshot() == incremental


@pytest.mark.django_db
def test_delete_notices_and_erasure_reach_the_rollups(
    world: World, queries: dict[str, Query], django_capture_on_commit_callbacks: object
) -> None:
    from tertulia.listening.retention import do_erase_author, hide_deleted

    ingest(world.acme, BATCH)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        hide_deleted(world.acme, [("x", "1")])
    assert own(brand=world.a1) == 2
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        do_erase_author(world.acme, "x", "sam", actor=SYSTEM)
    assert own(brand=world.a1) == 1
    incremental = snapshot()
    rebuild_rollups(world.acme)
    assert snapshot() == incremental
