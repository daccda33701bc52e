"""`ingest(org, items)`: bring a batch of items in, understood, matched and searchable.

One transaction per batch, so a batch killed mid-way leaves nothing behind and its retry
ends exactly as if it had run once. Re-delivered items (same network and external id)
update their engagement counts and edits; they are never duplicated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from tertulia.listening import bulk, prepare, search
from tertulia.listening.matching import matcher_for
from tertulia.listening.models import Author, Mention, MentionMatch
from tertulia.listening.prepare import MENTION_COLUMNS, Prepared, plain
from tertulia.listening.query import MatchDocument
from tertulia.networks.items import NetworkItem

log = logging.getLogger(__name__)

ENGAGEMENT_FIELDS = ("likes", "comments", "shares", "views")
# A known author's last-seen time is refreshed at most this often (a write per author per
# batch would dominate ingest).
AUTHOR_SEEN_GRANULARITY = timedelta(hours=1)
Listener = Callable[["IngestResult"], None]
_listeners: list[Listener] = []
_atomic_listeners: list[Listener] = []
# The database-free stages, module globals so bench/ingest.py can time each.
_read = prepare.read
_match = prepare.match


def on_ingested(listener: Listener, *, atomic: bool = False) -> Listener:
    """Register a function called with each batch's result (inbox, rollups, alerts, SSE).

    By default it runs after the batch commits. With `atomic=True` it runs inside the
    batch's transaction, just before the commit, so what it derives (rollups) commits with
    the batch or not at all; it runs in a savepoint, and its error is logged without losing
    the batch."""
    (_atomic_listeners if atomic else _listeners).append(listener)
    return listener


@dataclass
class IngestResult:
    organization_id: int
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    matches: int = 0
    skipped_duplicates: int = 0
    # Re-delivered mentions whose counts changed: id → change of (likes, comments, shares,
    # views), so derived sums can add the change instead of recounting.
    engagement_deltas: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)
    # What was stored of each new mention, so listeners need not read it back: (id, record)
    # in batch order, the brand of each query id in the records' hits, and the batch's clock.
    new: list[tuple[int, Prepared]] = field(default_factory=list, repr=False)
    query_brands: dict[int, int] = field(default_factory=dict, repr=False)
    ingested_at: datetime | None = None

    def matched_brands(self) -> dict[int, set[int]]:
        """New mention id → the brands whose queries it matched."""
        out: dict[int, set[int]] = {}
        for pk, p in self.new:
            for query_id in p.hits:
                brand = self.query_brands.get(query_id)
                if brand is not None:
                    out.setdefault(pk, set()).add(brand)
        return out

    @property
    def received(self) -> int:
        return len(self.created) + len(self.updated) + self.skipped_duplicates


def ingest(org: Any, items: Sequence[NetworkItem], *, now: datetime | None = None) -> IngestResult:
    """Store a batch for `org`. Idempotent: the same batch twice changes nothing."""
    unique: dict[tuple[str, str], NetworkItem] = {}
    skipped = 0
    for item in items:
        key = (str(item.network), item.external_id)
        if key in unique:
            skipped += 1
        unique[key] = item  # the last delivery of an item in a batch wins
    with transaction.atomic():
        existing = _existing(org, list(unique))
        fresh = [plain(it) for key, it in unique.items() if key not in existing]
        _read(fresh, [unique[p.key].lang for p in fresh])
        compiled = matcher_for(org) if fresh else None
        _match(fresh, compiled.matcher if compiled else None)
        prepare.stored_values(fresh, connection.vendor)
        known = [plain(it) for key, it in unique.items() if key in existing]
        result = _store(org, fresh, known, existing, compiled.brands if compiled else {},
                        now or timezone.now())
    result.skipped_duplicates += skipped
    return result


def store(org: Any, prepared: Sequence[Prepared], *, brands: dict[int, int],
          now: datetime | None = None) -> IngestResult:
    """Store records `prepare()` already read and matched (in a worker process, say);
    `brands` maps each query id in their hits to its brand. Idempotent as `ingest`."""
    unique: dict[tuple[str, str], Prepared] = {}
    skipped = 0
    for p in prepared:
        if p.key in unique:
            skipped += 1
        unique[p.key] = p
    with transaction.atomic():
        existing = _existing(org, list(unique))
        fresh = [p for key, p in unique.items() if key not in existing]
        known = [p for key, p in unique.items() if key in existing]
        result = _store(org, fresh, known, existing, brands, now or timezone.now())
    result.skipped_duplicates += skipped
    return result


def _store(org: Any, fresh: list[Prepared], known: list[Prepared],
           existing: dict[tuple[str, str], _Stored], brands: dict[int, int],
           now: datetime) -> IngestResult:
    """The writes of one batch, inside its transaction."""
    result = IngestResult(org.id)
    if not (fresh or known):
        return result
    authors = _upsert_authors(org, fresh + known, now)
    created, raced = _create(org, fresh, authors, now)
    result.skipped_duplicates = raced
    result.created = [pk for pk, _p in created]
    result.new, result.query_brands, result.ingested_at = created, brands, now
    result.updated = _update([(existing[p.key], p) for p in known], now,
                             result.engagement_deltas)
    result.matches = _store_matches(created, brands)
    search.index(((pk, p.language, p.body) for pk, p in created), new=True)
    _notify_atomic(result)
    transaction.on_commit(lambda: _notify(result))
    return result


def _notify_atomic(result: IngestResult) -> None:
    for listener in _atomic_listeners:
        try:
            with transaction.atomic():
                listener(result)
        except Exception:  # derived data can be rebuilt; the batch cannot be fetched again
            log.exception("in-batch ingest listener %r failed", listener)


def _notify(result: IngestResult) -> None:
    for listener in _listeners:
        try:
            listener(result)
        except Exception:  # a failing listener must not lose the batch
            log.exception("ingest listener %r failed", listener)


@dataclass(slots=True)
class _Stored:
    """What a re-delivery is compared with."""

    id: int
    text: str
    counts: tuple[int, int, int, int]
    language: str


def _existing(org: Any, keys: list[tuple[str, str]]) -> dict[tuple[str, str], _Stored]:
    found: dict[tuple[str, str], _Stored] = {}
    for network, ids in _by_network(keys).items():
        for pk, external_id, text, likes, comments, shares, views, language in bulk.select_in(
            Mention, ["id", "external_id", "text", *ENGAGEMENT_FIELDS, "language"],
            {"organization": org.id, "network": network}, "external_id", ids,
        ):
            found[(network, external_id)] = _Stored(pk, text, (likes, comments, shares, views),
                                                    language)
    return found


def _by_network(keys: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for network, value in keys:
        out.setdefault(network, []).append(value)
    return out


def _upsert_authors(
    org: Any, items: list[Prepared], now: datetime
) -> dict[tuple[str, str], int]:
    """Author ids for the batch. New authors are inserted; known ones are written only
    when their follower count changed or they were last seen over an hour ago."""
    latest: dict[tuple[str, str], Prepared] = {}
    for p in items:
        latest[(p.network, p.handle)] = p
    keys = list(latest)
    stale_before = now - AUTHOR_SEEN_GRANULARITY
    have: dict[tuple[str, str], tuple[int, int | None, bool]] = {}
    for network, handles in _by_network(keys).items():
        for pk, handle, followers, seen in bulk.select_in(
            Author, ["id", "handle", "followers", "last_seen_at"],
            {"organization": org.id, "network": network}, "handle", handles,
        ):
            if seen.tzinfo is None:  # SQLite's driver gives naive UTC
                seen = seen.replace(tzinfo=UTC)
            have[(network, handle)] = (pk, followers, seen < stale_before)
    ids = {key: row[0] for key, row in have.items()}
    missing = [k for k in keys if k not in have]
    if missing:
        rows = []
        for key in missing:
            p = latest[key]
            rows.append((org.id, p.network, p.handle, p.author_name, p.author_followers,
                         p.author_verified, p.author_url, p.author_location, now, now))
        for pk, network, handle in _AUTHORS.insert_returning(
                rows, ["id", "network", "handle"], ignore_conflicts=True):
            ids[(network, handle)] = pk
        for network, handles in _by_network([k for k in missing if k not in ids]).items():
            for pk, handle in bulk.select_in(  # written meanwhile by a concurrent batch
                Author, ["id", "handle"], {"organization": org.id, "network": network},
                "handle", handles,
            ):
                ids[(network, handle)] = pk
    stale = []
    for key, (pk, followers, seen_long_ago) in have.items():
        fresh = latest[key].author_followers
        if (fresh is not None and fresh != followers) or seen_long_ago:
            stale.append((fresh if fresh is not None else followers, now, pk))
    _AUTHOR_SEEN.update(stale)
    return ids


def _create(org: Any, fresh: list[Prepared], authors: dict[tuple[str, str], int],
            now: datetime) -> tuple[list[tuple[int, Prepared]], int]:
    """Insert the new mentions: (id, record) of each, and how many a concurrent batch had
    inserted first (skipped)."""
    if not fresh:
        return [], 0
    org_id = org.id
    rows = []
    for p in fresh:
        assert p.row, "new mentions are read by the text models before they are stored"
        rows.append((org_id, authors[(p.network, p.handle)], now, now, *p.row))
    table = _MENTIONS_SQLITE if connection.vendor == "sqlite" else _MENTIONS
    ids = {(network, external_id): pk for pk, network, external_id in
           table.insert_returning(rows, ["id", "network", "external_id"],
                                  ignore_conflicts=True)}
    created = [(ids[p.key], p) for p in fresh if p.key in ids]
    return created, len(fresh) - len(created)


def _update(known: list[tuple[_Stored, Prepared]], now: datetime,
            deltas: dict[int, tuple[int, int, int, int]]) -> list[int]:
    """A re-delivered item refreshes its counts and, when edited, its text. The change of
    each mention's counts goes into `deltas`."""
    rows = []
    edited = []
    for stored, p in known:
        counts = (p.likes, p.comments, p.shares, p.views)
        text_changed = bool(p.text) and p.text != stored.text
        if counts == stored.counts and not text_changed:
            continue
        if counts != stored.counts:
            deltas[stored.id] = (counts[0] - stored.counts[0], counts[1] - stored.counts[1],
                                 counts[2] - stored.counts[2], counts[3] - stored.counts[3])
        if text_changed:
            edited.append((stored.id, stored.language, p.body))
        rows.append((*counts, p.text if text_changed else stored.text, now, stored.id))
    _MENTION_REFRESH.update(rows)
    search.index(edited)
    return [row[-1] for row in rows]


def document_for(mention: Mention) -> MatchDocument:
    """What a query sees of a stored mention (a backfill matches those)."""
    return MatchDocument(
        text=mention.text, title=mention.title or None, author=mention.author.handle,
        site=mention.site or None, url=mention.url or None, language=mention.language,
        country=mention.country or None, network=mention.network, kind=mention.kind,
        author_followers=mention.author_followers, author_verified=mention.author.verified,
        sentiment=mention.sentiment, flag=mention.flag, created_at=mention.created_at,
    )


def _store_matches(created: list[tuple[int, Prepared]], brands: dict[int, int]) -> int:
    rows = []
    for pk, p in created:
        if p.hits:
            r = p.reading
            for query_id in p.hits:
                brand = brands.get(query_id)
                if brand is not None:  # a query deleted since the matcher was built
                    rows.append((pk, query_id, brand, p.created_at, r.sentiment if r else "",
                                 p.network, p.language))
    return _MATCHES.insert(rows, ignore_conflicts=True)


_MENTION_INSERT = ["organization_id", "author_id", "ingested_at", "updated_at", *MENTION_COLUMNS]
_MENTIONS = bulk.Table(Mention, _MENTION_INSERT, ready=set(MENTION_COLUMNS) - {"keywords"})
_MENTIONS_SQLITE = bulk.Table(Mention, _MENTION_INSERT, ready=MENTION_COLUMNS)
_AUTHORS = bulk.Table(Author, [
    "organization_id", "network", "handle", "name", "followers", "verified", "profile_url",
    "location", "first_seen_at", "last_seen_at",
])
_AUTHOR_SEEN = bulk.Table(Author, ["followers", "last_seen_at"])
_MENTION_REFRESH = bulk.Table(Mention, [*ENGAGEMENT_FIELDS, "text", "updated_at"])
_MATCHES = bulk.Table(MentionMatch, [
    "mention_id", "query_id", "brand_id", "created_at", "sentiment", "network", "language",
])
