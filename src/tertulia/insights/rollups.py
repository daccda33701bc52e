"""Keeping the rollup tables equal to what the mentions say.

Three ways in, one arithmetic (`Accumulator`):

* `apply_batch(result)`: the ingest pipeline calls it inside each batch's transaction
  (registered with `on_ingested(..., atomic=True)` in `InsightsConfig.ready`). New mentions
  add their counts; re-delivered ones add only the change of their engagement counts, so a
  batch delivered twice counts once. One grouped upsert per table per batch.
* `move_mention(...)`: a person corrected a mention's sentiment or flag; its counts move
  from the old bucket to the new one, in the correction's transaction.
* `rebuild_brand(brand, start, end)` / `rebuild_rollups(org, start, end)`: recompute a range
  from the mentions, idempotently, one month per transaction (the repair job and the CLI).

Because maintenance commits with the data it summarizes, a concurrent rebuild sees either
both or neither, and never counts a batch twice. If an update ever fails, the batch still
commits, the brand is marked dirty and `repair_dirty()` rebuilds it from that instant.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from tertulia.governance.models import Brand, Organization
from tertulia.insights import account_days
from tertulia.insights.models import (
    OWN,
    AccountDay,
    AuthorDay,
    DailyRollup,
    DailyTotal,
    DaySummary,
    HourlyRollup,
    RollupState,
)
from tertulia.listening.models import MentionMatch, Query

log = logging.getLogger(__name__)

COMPETITOR = Query.Kind.COMPETITOR.value
# The beginning of time for "rebuild everything": older than any mention.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ID_CHUNK = 500
# One row per match, with what the rollups need of its mention. Raw SQL: at ingest rates
# the ORM's per-value conversions cost more than the query.
_SOURCE_SQL = """
SELECT mm.brand_id, mm.query_id, q.kind, mm.mention_id, m.created_at, m.network,
       m.language, m.sentiment, m.flag, m.likes, m.comments, m.shares, m.views,
       m.author_followers, m.author_id
FROM listening_mentionmatch mm
JOIN listening_query q ON q.id = mm.query_id
JOIN listening_mention m ON m.id = mm.mention_id
WHERE m.hidden_at IS NULL AND {where}
"""


def _source_rows(where: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(_SOURCE_SQL.format(where=where), params)
        return cursor.fetchall()


def _aware(value: datetime | str) -> datetime:
    """SQLite hands raw datetimes back as UTC text; PostgreSQL as aware datetimes."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(slots=True)
class Source:
    """One mention as one brand sees it: its dimensions, counts and matching queries."""

    brand_id: int
    mention_id: int
    created_at: datetime
    network: str
    language: str
    sentiment: str
    flag: str
    likes: int
    comments: int
    shares: int
    views: int
    followers: int
    author_id: int
    query_ids: list[int]
    own: bool  # matched by at least one query that is not a competitor query


def _sources(rows: Iterable[Sequence[Any]],
             mention_ids: set[int] | None = None) -> list[Source]:
    """Fold match rows (see _SOURCE_SQL) into one Source per (brand, mention); with
    `mention_ids`, keep only those mentions."""
    found: dict[tuple[int, int], Source] = {}
    for (brand_id, query_id, kind, mention_id, created_at, network, language, sentiment,
         flag, likes, comments, shares, views, followers, author_id) in rows:
        if mention_ids is not None and mention_id not in mention_ids:
            continue
        key = (brand_id, mention_id)
        source = found.get(key)
        if source is None:
            source = found[key] = Source(
                brand_id, mention_id, _aware(created_at), network, language, sentiment, flag,
                likes, comments, shares, views, followers or 0, author_id, [], False)
        source.query_ids.append(query_id)
        if kind != COMPETITOR:
            source.own = True
    return list(found.values())


class Accumulator:
    """Grouped sums for the three tables, then one upsert per table.

    `zones` maps brand id → the time zone its daily rows are cut in. `day_window`, when set,
    limits daily and author rows to mentions inside [start, end) (a rebuild slice whose
    hours reach a little past its days)."""

    def __init__(self, zones: dict[int, ZoneInfo],
                 day_window: tuple[datetime, datetime] | None = None) -> None:
        self.zones = zones
        self.day_window = day_window
        self.hourly: dict[tuple[Any, ...], list[int]] = {}
        self.daily: dict[tuple[Any, ...], list[int]] = {}
        self.totals: dict[tuple[Any, ...], list[int]] = {}
        self.summaries: dict[tuple[Any, ...], list[int]] = {}
        self.authors: dict[tuple[Any, ...], list[Any]] = {}

    def add(self, s: Source, *, sign: int = 1, counts: tuple[int, int, int, int] | None = None,
            mentions: int = 1, authors: bool = True) -> None:
        """Add a mention's contribution (`sign=-1` takes it away). `counts` replaces its
        (likes, comments, shares, views) and `mentions=0` adds only those: the change of a
        re-delivered mention."""
        likes, comments, shares, views = counts or (s.likes, s.comments, s.shares, s.views)
        reach = s.followers if mentions else 0
        m = (sign * mentions, sign * likes, sign * comments, sign * shares, sign * views,
             sign * reach)
        hour = s.created_at.replace(minute=0, second=0, microsecond=0)
        in_days = self.day_window is None or (
            self.day_window[0] <= s.created_at < self.day_window[1])
        day = s.created_at.astimezone(self.zones[s.brand_id]).date() if in_days else None
        scopes = [*s.query_ids, OWN] if s.own else s.query_ids
        dims = (s.network, s.language, s.sentiment, s.flag)
        tables = [(self.hourly, hour, dims)]
        if day:
            tables += [(self.daily, day, dims), (self.totals, day, (s.sentiment, s.flag))]
        for table, bucket, values in tables:
            for query_id in scopes:
                key = (s.brand_id, query_id, bucket, *values)
                row = table.get(key)
                if row is None:
                    table[key] = list(m)
                else:
                    row[0] += m[0]
                    row[1] += m[1]
                    row[2] += m[2]
                    row[3] += m[3]
                    row[4] += m[4]
                    row[5] += m[5]
        if day is not None:
            # DaySummary: the same counts with sentiment and flag as columns.
            summary = [m[0] if s.sentiment == "positive" else 0,
                       m[0] if s.sentiment == "neutral" else 0,
                       m[0] if s.sentiment == "negative" else 0,
                       m[0] if s.flag == "red" else 0, m[0] if s.flag == "yellow" else 0,
                       m[0] if s.flag == "green" else 0, m[0] if s.flag == "spam" else 0]
            for query_id in scopes:
                key = (s.brand_id, query_id, day)
                row = self.summaries.get(key)
                if row is None:
                    self.summaries[key] = [m[0], *summary, *m[1:]]
                else:
                    for i, v in enumerate((m[0], *summary, *m[1:])):
                        row[i] += v
        if day is not None and authors:
            key = (s.brand_id, day, s.author_id, s.language)
            author = self.authors.get(key)
            if author is None:
                author = self.authors[key] = [s.network, 0, 0, 0, 0]
            if s.own:
                author[1] += sign * mentions
                author[2] += sign * (likes + comments + shares)
                author[3] = max(author[3], reach)
            else:  # only competitors: what the engagement ladder reads
                author[4] += sign * mentions

    def flush(self) -> None:
        ops = connection.ops
        hours: dict[datetime, Any] = {}
        days: dict[date, Any] = {}

        def hour(h: datetime) -> Any:
            if h not in hours:
                hours[h] = ops.adapt_datetimefield_value(h)
            return hours[h]

        def day(d: date) -> Any:
            if d not in days:
                days[d] = ops.adapt_datefield_value(d)
            return days[d]

        _upsert(HourlyRollup._meta.db_table, "hour", [
            (b, q, hour(h), *dims, *m) for (b, q, h, *dims), m in self.hourly.items()])
        _upsert(DailyRollup._meta.db_table, "day", [
            (b, q, day(d), *dims, *m) for (b, q, d, *dims), m in self.daily.items()])
        _upsert(DailyTotal._meta.db_table, "day", [
            (b, q, day(d), *dims, *m) for (b, q, d, *dims), m in self.totals.items()],
            dims=("sentiment", "flag"))
        _upsert(DaySummary._meta.db_table, "day", [
            (b, q, day(d), *m) for (b, q, d), m in self.summaries.items()],
            dims=(), sums=SUMMARY_SUMS)
        _upsert_authors([(b, day(d), a, lang, *row)
                         for (b, d, a, lang), row in self.authors.items()])
        self.hourly.clear()
        self.daily.clear()
        self.totals.clear()
        self.summaries.clear()
        self.authors.clear()


SUMS = ("mentions", "likes", "comments", "shares", "views", "reach")
SUMMARY_SUMS = ("mentions", "positive", "neutral", "negative", "red", "yellow", "green", "spam",
                "likes", "comments", "shares", "views", "reach")
DIMS = ("network", "language", "sentiment", "flag")


def _upsert(table: str, bucket: str, rows: list[tuple[Any, ...]],
            dims: tuple[str, ...] = DIMS, sums: tuple[str, ...] = SUMS) -> None:
    if not rows:
        return
    cols = ("brand_id", "query_id", bucket, *dims, *sums)
    key = ", ".join(cols[:3 + len(dims)])
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sums)
    sql = (f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "
           f"ON CONFLICT ({key}) DO UPDATE SET {updates}")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _upsert_authors(rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    table = AuthorDay._meta.db_table
    greatest = "MAX" if connection.vendor == "sqlite" else "GREATEST"
    sql = (f"INSERT INTO {table} (brand_id, day, author_id, language, network, mentions, "
           "interactions, followers, competitor_mentions) "
           "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
           "ON CONFLICT (brand_id, day, author_id, language) DO UPDATE SET "
           f"mentions = {table}.mentions + excluded.mentions, "
           f"interactions = {table}.interactions + excluded.interactions, "
           f"followers = {greatest}({table}.followers, excluded.followers), "
           f"competitor_mentions = {table}.competitor_mentions + excluded.competitor_mentions")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# ---------------------------------------------------------------------------------------------
# Time zones the daily rows are cut in


def zones_for(brand_ids: Iterable[int]) -> dict[int, ZoneInfo]:
    """The zone of each brand's daily rows (its RollupState), creating missing states."""
    ids = set(brand_ids)
    found = dict(RollupState.objects.filter(brand_id__in=ids).values_list("brand_id",
                                                                           "timezone"))
    missing = ids - set(found)
    if missing:
        fresh = dict(Brand.objects.filter(id__in=missing).values_list("id", "timezone"))
        RollupState.objects.bulk_create(
            [RollupState(brand_id=b, timezone=tz) for b, tz in fresh.items()],
            ignore_conflicts=True)
        found.update(RollupState.objects.filter(brand_id__in=missing).values_list(
            "brand_id", "timezone"))
    return {b: ZoneInfo(tz) for b, tz in found.items()}


def mark_dirty(brand_ids: Iterable[int], since: datetime) -> None:
    """Owe these brands a rebuild from `since` (kept at the earliest owed instant)."""
    for brand_id in set(brand_ids):
        zones_for([brand_id])
        RollupState.objects.filter(brand_id=brand_id, dirty_since__isnull=True).update(
            dirty_since=since)
        RollupState.objects.filter(brand_id=brand_id, dirty_since__gt=since).update(
            dirty_since=since)


# ---------------------------------------------------------------------------------------------
# Incremental: one ingest batch, one correction


def _sources_of(mention_ids: Sequence[int]) -> list[Source]:
    """The sources of these mentions. A batch's new ids are (nearly) contiguous, so they are
    read as id ranges, which costs far less than binding each id."""
    wanted = set(mention_ids)
    ordered = sorted(wanted)
    rows: list[tuple[Any, ...]] = []
    start = 0
    while start < len(ordered):
        # Cut where the gap to the next id is wide: a range must not sweep other batches.
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] - ordered[end] <= 8:
            end += 1
        rows += _source_rows("mm.mention_id BETWEEN %s AND %s",
                             [ordered[start], ordered[end]])
        start = end + 1
    return _sources(rows, wanted)


def apply_batch(result: Any) -> None:
    """Add a committed-with-us ingest batch (`IngestResult`) to the rollups."""
    deltas: dict[int, tuple[int, int, int, int]] = getattr(result, "engagement_deltas", {})
    ids = [*result.created, *deltas]
    if not ids:
        return
    sources: list[Source] = []
    try:
        with transaction.atomic():
            sources = _sources_of(ids)
            if not sources:
                account_days.apply_batch(result.organization_id, ids)
                return
            acc = Accumulator(zones_for({s.brand_id for s in sources}))
            for source in sources:
                delta = deltas.get(source.mention_id)
                if delta is None:
                    acc.add(source)
                elif any(delta):
                    acc.add(source, counts=delta, mentions=0)
            acc.flush()
            account_days.apply_batch(result.organization_id, ids)
    except Exception:  # never lose the batch over derived data: repair it later
        log.exception("rollup update failed; the brands will be rebuilt")
        since = min((s.created_at for s in sources), default=EPOCH)
        brands = {s.brand_id for s in sources} or set(
            MentionMatch.objects.filter(mention_id__in=ids[:ID_CHUNK]).values_list(
                "brand_id", flat=True))
        mark_dirty(brands, since)


def move_mention(mention_id: int, field: str, old: str, new: str) -> None:
    """A person changed a mention's sentiment or flag: move its counts between buckets."""
    if field not in ("sentiment", "flag") or old == new:
        return
    sources = _sources_of([mention_id])
    if not sources:
        return
    acc = Accumulator(zones_for({s.brand_id for s in sources}))
    for source in sources:
        acc.add(replace(source, **{field: old}), sign=-1, authors=False)
        acc.add(replace(source, **{field: new}), authors=False)
    acc.flush()


# ---------------------------------------------------------------------------------------------
# Rebuild: the repair job


@dataclass
class RebuildSummary:
    brands: int = 0
    slices: int = 0
    mentions: int = 0
    hourly_rows: int = 0
    daily_rows: int = 0


def _floor_hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def _ceil_hour(at: datetime) -> datetime:
    floor = _floor_hour(at)
    return floor if floor == at else floor + timedelta(hours=1)


def _month_slices(start: date, end: date) -> Iterable[tuple[date, date]]:
    cursor = start
    while cursor <= end:
        next_month = (cursor.replace(day=1) + timedelta(days=32)).replace(day=1)
        last = min(end, next_month - timedelta(days=1))
        yield cursor, last
        cursor = last + timedelta(days=1)


def rebuild_brand(brand: Brand, start: date | None = None, end: date | None = None, *,
                  now: datetime | None = None,
                  progress: Callable[[date, date], None] | None = None) -> RebuildSummary:
    """Recompute the brand's rollups for local days `start`..`end` (default: everything)
    from its mentions. Idempotent; each month commits on its own. A brand whose time zone
    changed since its daily rows were cut is rebuilt whole in the new zone."""
    now = now or timezone.now()
    summary = RebuildSummary(brands=1)
    state_tz = zones_for([brand.id])[brand.id]
    zone = ZoneInfo(brand.timezone)
    everything = start is None or state_tz.key != brand.timezone
    matches = MentionMatch.objects.filter(brand=brand)
    bounds = matches.aggregate(first=Min("created_at"), last=Max("created_at"))
    today = now.astimezone(zone).date()
    if everything:
        with transaction.atomic():
            for model in (HourlyRollup, DailyRollup, DailyTotal, DaySummary, AuthorDay,
                          AccountDay):
                model.objects.filter(brand=brand).delete()
            RollupState.objects.filter(brand=brand).update(timezone=brand.timezone)
        if bounds["first"] is None:
            _finish(brand, now)
            return summary
        start = bounds["first"].astimezone(zone).date()
        end = max(today, bounds["last"].astimezone(zone).date())
    else:
        assert start is not None
        zone = state_tz
        if bounds["first"] is not None:
            start = max(start, bounds["first"].astimezone(zone).date())
        if end is None:
            end = max(today, bounds["last"].astimezone(zone).date()) if bounds["last"] else today
    zones = {brand.id: zone}
    for first, last in _month_slices(start, end):
        _rebuild_slice(brand, first, last, zones, summary)
        if progress is not None:
            progress(first, last)
    _finish(brand, now)
    return summary


def _rebuild_slice(brand: Brand, first: date, last: date, zones: dict[int, ZoneInfo],
                   summary: RebuildSummary) -> None:
    zone = zones[brand.id]
    day_start = datetime.combine(first, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    day_end = datetime.combine(last + timedelta(days=1), datetime.min.time(),
                               tzinfo=zone).astimezone(UTC)
    # Hours are whole: a zone with a half-hour offset starts its day inside an hour, and
    # that hour is recomputed whole by both slices that touch it.
    hour_start, hour_end = _floor_hour(day_start), _ceil_hour(day_end)
    with transaction.atomic():
        HourlyRollup.objects.filter(brand=brand, hour__gte=hour_start,
                                    hour__lt=hour_end).delete()
        DailyRollup.objects.filter(brand=brand, day__gte=first, day__lte=last).delete()
        DailyTotal.objects.filter(brand=brand, day__gte=first, day__lte=last).delete()
        DaySummary.objects.filter(brand=brand, day__gte=first, day__lte=last).delete()
        AuthorDay.objects.filter(brand=brand, day__gte=first, day__lte=last).delete()
        ops = connection.ops
        rows = _source_rows("mm.brand_id = %s AND mm.created_at >= %s AND mm.created_at < %s",
                            [brand.id, ops.adapt_datetimefield_value(hour_start),
                             ops.adapt_datetimefield_value(hour_end)])
        acc = Accumulator(zones, day_window=(day_start, day_end))
        sources = _sources(rows)
        for source in sources:
            acc.add(source)
        summary.slices += 1
        summary.mentions += sum(1 for s in sources if day_start <= s.created_at < day_end)
        summary.hourly_rows += len(acc.hourly)
        summary.daily_rows += len(acc.daily)
        acc.flush()
        account_days.rebuild_account_days(brand, first, last)


def _finish(brand: Brand, now: datetime) -> None:
    RollupState.objects.filter(brand=brand).update(rebuilt_at=now)


def rebuild_rollups(org: Organization, start: date | None = None, end: date | None = None, *,
                    now: datetime | None = None,
                    progress: Callable[[Brand, date, date], None] | None = None,
                    ) -> RebuildSummary:
    """Rebuild every brand of the organization for local days `start`..`end`."""
    total = RebuildSummary()
    for brand in org.brands.order_by("id"):
        part = rebuild_brand(
            brand, start, end, now=now,
            progress=(lambda a, b, brand=brand: progress(brand, a, b)) if progress else None)
        total.brands += 1
        total.slices += part.slices
        total.mentions += part.mentions
        total.hourly_rows += part.hourly_rows
        total.daily_rows += part.daily_rows
    return total


def repair_dirty(*, now: datetime | None = None) -> int:
    """Rebuild every brand that is owed a repair, from the instant it is owed. Returns how
    many brands were repaired."""
    repaired = 0
    for state in RollupState.objects.filter(dirty_since__isnull=False).select_related("brand"):
        since = state.dirty_since
        assert since is not None
        brand = state.brand
        moved = state.timezone != brand.timezone
        start = None if moved or since <= EPOCH else since.astimezone(
            ZoneInfo(state.timezone)).date()
        rebuild_brand(brand, start, now=now)
        # Clear only what we repaired: a newer debt recorded meanwhile stays owed.
        RollupState.objects.filter(brand=brand, dirty_since=since).update(dirty_since=None)
        repaired += 1
    return repaired


def mentions_hidden(mention_ids: Sequence[int]) -> None:
    """Mentions were hidden (deleted upstream, erased): owe their brands a rebuild from the
    oldest of them, run right after the commit. Idempotent, so it may be called for
    mentions already hidden; call it in the transaction that hides them."""
    ids = list(mention_ids)
    if not ids:
        return
    oldest: dict[int, datetime] = {}
    for start in range(0, len(ids), ID_CHUNK):
        for brand_id, first in MentionMatch.objects.filter(
                mention_id__in=ids[start:start + ID_CHUNK]).values_list("brand_id").annotate(
                first=Min("created_at")):
            oldest[brand_id] = min(first, oldest.get(brand_id, first))
    for brand_id, since in oldest.items():
        mark_dirty([brand_id], since)
    if oldest:
        from tertulia.insights.tasks import repair_rollups

        transaction.on_commit(repair_rollups)
