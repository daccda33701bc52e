"""Factories for insights tests: queries of each kind, posts at chosen times, rollup snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tertulia.insights.models import AuthorDay, DailyRollup, DailyTotal, HourlyRollup
from tertulia.listening.models import Query
from tertulia.networks.items import NetworkItem, item_from_dict
from tests.conftest import World

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def post(external_id: str, text: str, *, handle: str = "lucia", at: datetime | None = None,
         likes: int = 0, comments: int = 0, shares: int = 0, views: int = 0,
         followers: int | None = 120, network: str = "x", lang: str | None = None
         ) -> NetworkItem:
    data: dict[str, Any] = {
        "network": network, "external_id": external_id, "author_handle": handle,
        "created_at": (at or T0).isoformat(), "text": text,
        "url": f"https://{network}.example/{handle}/{external_id}",
        "likes": likes, "comments": comments, "shares": shares, "views": views,
    }
    if followers is not None:
        data["author_followers"] = followers
    if lang:
        data["lang_hint"] = lang
    return item_from_dict(data)


@pytest.fixture
def queries(world: World) -> dict[str, Query]:
    """Acme One: its brand query, a campaign query and two competitors; Acme Two: its own."""
    make = Query.objects.create
    return {
        "brand": make(brand=world.a1, name="Aurora", kind=Query.Kind.BRAND,
                      text='"cafe aurora" OR @cafeaurora'),
        "campaign": make(brand=world.a1, name="Otoño", kind=Query.Kind.CAMPAIGN,
                         text="#otonoaurora OR (aurora AND otoño)"),
        "rival": make(brand=world.a1, name="Tostadero", kind=Query.Kind.COMPETITOR,
                      text='"tostadero norte" OR @tostaderonorte'),
        "bruma": make(brand=world.a1, name="Bruma", kind=Query.Kind.COMPETITOR,
                      text='"bruma coffee"'),
        "other": make(brand=world.a2, name="Two", kind=Query.Kind.BRAND,
                      text='"tostadero norte"'),
    }


MEASURES = ("mentions", "likes", "comments", "shares", "views", "reach")


def snapshot() -> dict[str, set[tuple[Any, ...]]]:
    """Every non-empty rollup row, comparable across runs."""
    out: dict[str, set[tuple[Any, ...]]] = {}
    for model, bucket in ((HourlyRollup, "hour"), (DailyRollup, "day")):
        rows = model.objects.values_list("brand_id", "query_id", bucket, "network", "language",
                                         "sentiment", "flag", *MEASURES)
        out[model.__name__] = {r for r in rows if any(r[7:])}
    out["DailyTotal"] = {r for r in DailyTotal.objects.values_list(
        "brand_id", "query_id", "day", "sentiment", "flag", *MEASURES) if any(r[5:])}
    out["AuthorDay"] = {
        r for r in AuthorDay.objects.values_list("brand_id", "day", "author_id", "language",
                                                 "network", "mentions", "interactions",
                                                 "followers") if any(r[5:7])}
    return out


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
