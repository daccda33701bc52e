from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tertulia.networks.demo.connector import DemoConnector
from tertulia.networks.demo.generator import CrisisEpisode, DemoStream
from tertulia.networks.items import ItemKind
from tertulia.networks.protocol import Capability, Rejected

DAY = datetime(2024, 5, 14, tzinfo=UTC)


@pytest.fixture(scope="module")
def day_items():
    return DemoStream(seed=7).items_between(DAY, DAY + timedelta(days=1))


def test_the_stream_is_lively_and_varied(day_items):
    categories = Counter(i.extra["demo_category"] for i in day_items)
    for category in (
        "complaint",
        "question",
        "sales",
        "praise",
        "neutral",
        "spam",
        "influencer",
        "competitor",
        "news",
        "dm",
        "comment",
    ):
        assert categories[category] > 10, category
    assert 1000 < len(day_items) < 5000
    langs = Counter(i.lang for i in day_items)
    assert langs["es"] > 300 and langs["en"] > 300
    assert any(i.author.verified and i.author.followers > 100_000 for i in day_items)
    assert any(i.kind is ItemKind.REVIEW and i.rating is not None for i in day_items)


def test_same_window_same_items_however_it_is_split(day_items):
    stream = DemoStream(seed=7)
    noon = DAY + timedelta(hours=12, minutes=3, seconds=7)
    halves = stream.items_between(DAY, noon) + stream.items_between(noon, DAY + timedelta(days=1))
    assert halves == day_items
    assert DemoStream(seed=8).items_between(DAY, noon) != halves[: len(halves) // 2]


def test_ids_are_unique(day_items):
    assert len({i.key for i in day_items}) == len(day_items)


def test_dm_threads_recur_and_spam_comes_from_new_accounts(day_items):
    dms = [i for i in day_items if i.kind is ItemKind.DM]
    assert all(i.thread_id and i.thread_id.startswith("demo-dm-cafeaurora-") for i in dms)
    assert len({i.thread_id for i in dms}) < len(dms)  # follow-ups land in the same thread
    spam = [i for i in day_items if i.extra["demo_category"] == "spam"]
    assert all(
        i.author.joined_at and i.created_at - i.author.joined_at < timedelta(days=3) for i in spam
    )


def test_crisis_episode_is_a_burst_of_angry_posts():
    start = DAY + timedelta(hours=15)
    episode = CrisisEpisode(
        start=start, duration=timedelta(hours=2), incident="cockroach", brand_handle="cafeaurora"
    )
    stream = DemoStream(seed=3, crises=[episode])
    before = stream.items_between(start - timedelta(hours=2), start)
    during = stream.items_between(start, start + timedelta(hours=2))
    crisis = [i for i in during if i.extra.get("demo_crisis") == "cockroach"]
    assert len(during) > 2 * len(before)
    assert len(crisis) > 100
    assert all(i.extra["demo_sentiment"] == "negative" for i in crisis)
    assert not any("demo_crisis" in i.extra for i in before)


def test_connector_pages_through_the_backfill_then_polls():
    now = DAY + timedelta(hours=20)
    connector = DemoConnector(
        clock=lambda: now, backfill=timedelta(hours=10), max_window=timedelta(hours=4)
    )
    cursor, pages, total = None, 0, []
    while True:
        page = connector.fetch(cursor)
        total.extend(page.items)
        cursor, pages = page.next_cursor, pages + 1
        if not page.has_more:
            break
    assert pages == 3
    assert total == connector.stream.items_between(now - timedelta(hours=10), now)
    assert connector.fetch(cursor).items == ()
    with pytest.raises(Rejected):
        connector.fetch("yesterday")


def test_connector_records_writes_idempotently(day_items):
    clock_at = DAY + timedelta(days=1)
    connector = DemoConnector(clock=lambda: clock_at)
    assert connector.capabilities == frozenset(Capability)
    dm = next(i for i in day_items if i.kind is ItemKind.DM)
    first = connector.reply(dm, "¡Hola! Lo revisamos ahora mismo.", idempotency_key="k1")
    again = connector.reply(dm, "¡Hola! Lo revisamos ahora mismo.", idempotency_key="k1")
    assert first == again and len(connector.actions) == 1
    connector.send_private(dm.author.handle, "Te escribimos por privado", idempotency_key="k2")
    connector.hide("demo-x", hidden=True)
    connector.delete("demo-y")
    assert [a.action for a in connector.actions] == [
        Capability.REPLY,
        Capability.PRIVATE_MESSAGE,
        Capability.HIDE,
        Capability.DELETE,
    ]
    assert connector.hidden == {"demo-x"} and connector.deleted == {"demo-y"}
    metrics = connector.metrics(["a", "b"])
    assert metrics == connector.metrics(["a", "b"]) and metrics["a"].views > 0
    with pytest.raises(Rejected):
        connector.publish("  ", idempotency_key="k3")
