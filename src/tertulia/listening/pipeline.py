"""`ingest(org, items)`: bring a batch of items in, understood, matched and searchable.

One transaction per batch, so a batch killed mid-way leaves nothing behind and its retry
ends exactly as if it had run once. Re-delivered items (same network and external id)
update their engagement counts and edits; they are never duplicated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from tertulia.listening import bulk, search
from tertulia.listening.countries import alpha3
from tertulia.listening.matching import matcher_for
from tertulia.listening.models import Author, Mention, MentionMatch
from tertulia.listening.query import MatchDocument
from tertulia.networks.items import NetworkItem

log = logging.getLogger(__name__)

ENGAGEMENT_FIELDS = ("likes", "comments", "shares", "views")
_KNOWN_FIELDS = ("id", "network", "external_id", "text", *ENGAGEMENT_FIELDS,
                 "author_followers")
# A known author's last-seen time is refreshed at most this often (a write per author per
# batch would dominate ingest).
AUTHOR_SEEN_GRANULARITY = timedelta(hours=1)
Listener = Callable[["IngestResult"], None]
_listeners: list[Listener] = []
_atomic_listeners: list[Listener] = []


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

    @property
    def received(self) -> int:
        return len(self.created) + len(self.updated) + self.skipped_duplicates


def _enrich(texts: list[str], hints: list[dict[str, Any]]) -> list[Any]:
    from tertulia.nlp import enrich

    return enrich(texts, hints)


def _site(url: str) -> str:
    if not url:
        return ""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def _body(item: NetworkItem) -> str:
    return " ".join(p for p in (item.title or "", item.text, "@" + item.author.handle) if p)


def ingest(org: Any, items: Sequence[NetworkItem], *, now: datetime | None = None) -> IngestResult:
    """Store a batch for `org`. Idempotent: the same batch twice changes nothing."""
    now = now or timezone.now()
    result = IngestResult(org.id)
    unique: dict[tuple[str, str], NetworkItem] = {}
    for item in items:
        key = (str(item.network), item.external_id)
        if key in unique:
            result.skipped_duplicates += 1
        unique[key] = item  # the last delivery of an item in a batch wins
    if not unique:
        return result
    with transaction.atomic():
        existing = _existing(org, list(unique))
        fresh = [it for key, it in unique.items() if key not in existing]
        known = [(existing[key], it) for key, it in unique.items() if key in existing]
        authors = _upsert_authors(org, list(unique.values()), now)
        created = _create(org, fresh, authors, now)
        result.created = [m.id for m in created]
        result.updated = _update(known, now, result.engagement_deltas)
        result.matches = _match(org, created)
        search.index((m.id, m.language, _body(m.item)) for m in created)
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


def _existing(org: Any, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Mention]:
    by_network: dict[str, list[str]] = {}
    for network, external_id in keys:
        by_network.setdefault(network, []).append(external_id)
    found: dict[tuple[str, str], Mention] = {}
    for network, ids in by_network.items():
        for start in range(0, len(ids), 500):
            rows = Mention.objects.filter(
                organization=org, network=network, external_id__in=ids[start:start + 500]
            ).only(*_KNOWN_FIELDS)
            for row in rows:
                found[(row.network, row.external_id)] = row
    return found


def _upsert_authors(
    org: Any, items: list[NetworkItem], now: datetime
) -> dict[tuple[str, str], int]:
    """Author ids for the batch. New authors are inserted; known ones are written only
    when their follower count changed or they were last seen over an hour ago."""
    latest: dict[tuple[str, str], NetworkItem] = {}
    for item in items:
        latest[(str(item.network), item.author.handle)] = item
    keys = list(latest)
    have = _authors(org, keys)
    missing = [k for k in keys if k not in have]
    if missing:
        authors = []
        for key in missing:
            a = latest[key].author
            authors.append((org.id, key[0], key[1], a.name or "", a.followers, a.verified,
                            str(a.profile_url or ""), a.location or "", now, now))
        _AUTHORS.insert(authors, ignore_conflicts=True)
        have.update(_authors(org, missing))
    stale_before = now - AUTHOR_SEEN_GRANULARITY
    stale = []
    for key in keys:
        if key in missing:
            continue
        pk, followers, last_seen = have[key]
        fresh = latest[key].author.followers
        if (fresh is not None and fresh != followers) or last_seen < stale_before:
            stale.append((fresh if fresh is not None else followers, now, pk))
    _AUTHOR_SEEN.update(stale)
    return {key: row[0] for key, row in have.items()}


def _authors(
    org: Any, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, int | None, datetime]]:
    """(network, handle) → (id, followers, last seen) of the authors already stored."""
    out: dict[tuple[str, str], tuple[int, int | None, datetime]] = {}
    by_network: dict[str, list[str]] = {}
    for network, handle in keys:
        by_network.setdefault(network, []).append(handle)
    for network, handles in by_network.items():
        for start in range(0, len(handles), 500):
            for pk, handle, followers, last_seen in Author.objects.filter(
                organization=org, network=network, handle__in=handles[start:start + 500]
            ).values_list("id", "handle", "followers", "last_seen_at"):
                out[(network, handle)] = (pk, followers, last_seen)
    return out


@dataclass(slots=True)
class _New:
    """What the rest of a batch needs of a mention just inserted (no model instance: at
    ingest rates building them costs more than the INSERT)."""

    item: NetworkItem
    network: str
    external_id: str
    kind: str
    text: str
    title: str
    url: str
    site: str
    created_at: datetime
    language: str
    country: str
    sentiment: str
    flag: str
    author_followers: int | None
    id: int = 0


def _create(org: Any, items: list[NetworkItem], authors: dict[tuple[str, str], int],
            now: datetime) -> list[_New]:
    if not items:
        return []
    hints = [
        {"lang": it.lang, "author_handle": it.author.handle, "followers": it.author.followers}
        for it in items
    ]
    enriched = _enrich([it.text if it.text else (it.title or "") for it in items], hints)
    rows = []
    new = []
    for item, nlp in zip(items, enriched, strict=True):
        url = str(item.url or "")
        network = str(item.network)
        country = alpha3(item.geo.country_code) if item.geo else ""
        site = _site(url)
        eng = item.engagement
        rows.append((
            org.id, network, item.external_id, str(item.kind), item.thread_id or "",
            item.parent_id or "", item.channel or "", authors[(network, item.author.handle)],
            item.text, item.html or "", item.title or "", url, site, item.created_at, now,
            now, nlp.language, country, nlp.sentiment, nlp.sentiment_score, nlp.flag,
            nlp.flag_confidence, nlp.is_spam, nlp.spam_score, nlp.is_complaint,
            list(nlp.keywords)[:10], nlp.sentiment, nlp.flag, eng.likes, eng.comments,
            eng.shares, eng.views, item.author.followers, item.raw_ref or "",
        ))
        new.append(_New(item, network, item.external_id, str(item.kind), item.text,
                        item.title or "", url, site, item.created_at, nlp.language, country,
                        nlp.sentiment, nlp.flag, item.author.followers))
    _MENTIONS.insert(rows)
    ids = _ids(org, [(m.network, m.external_id) for m in new])
    for m in new:
        m.id = ids[(m.network, m.external_id)]
    return new


def _ids(org: Any, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    by_network: dict[str, list[str]] = {}
    for network, external_id in keys:
        by_network.setdefault(network, []).append(external_id)
    found: dict[tuple[str, str], int] = {}
    for network, ids in by_network.items():
        for start in range(0, len(ids), 500):
            for pk, external_id in Mention.objects.filter(
                organization=org, network=network, external_id__in=ids[start:start + 500]
            ).values_list("id", "external_id"):
                found[(network, external_id)] = pk
    return found


def _update(known: list[tuple[Mention, NetworkItem]], now: datetime,
            deltas: dict[int, tuple[int, int, int, int]]) -> list[int]:
    """A re-delivered item refreshes its counts and, when edited, its text. The change of
    each mention's counts goes into `deltas`."""
    changed = []
    edited = []
    for mention, item in known:
        counts = {f: getattr(item.engagement, f) for f in ENGAGEMENT_FIELDS}
        differs = any(getattr(mention, f) != v for f, v in counts.items())
        text_changed = bool(item.text) and item.text != mention.text
        if not (differs or text_changed):
            continue
        if differs:
            deltas[mention.id] = tuple(  # type: ignore[assignment]
                counts[f] - getattr(mention, f) for f in ENGAGEMENT_FIELDS)
        for name, value in counts.items():
            setattr(mention, name, value)
        if text_changed:
            mention.text = item.text
            edited.append((mention.id, "", _body(item)))
        mention.updated_at = now
        changed.append(mention)
    if changed:
        Mention.objects.bulk_update(changed, [*ENGAGEMENT_FIELDS, "text", "updated_at"],
                                    batch_size=500)
    if edited:
        langs = dict(Mention.objects.filter(id__in=[e[0] for e in edited]).values_list(
            "id", "language"))
        search.index((pk, langs.get(pk, ""), body) for pk, _lang, body in edited)
    return [m.id for m in changed]


def document_for(mention: Mention | _New, item: NetworkItem | None = None) -> MatchDocument:
    """What a query sees of a mention."""
    author = item.author if item is not None else None
    return MatchDocument(
        text=mention.text, title=mention.title or None,
        author=author.handle if author else mention.author.handle,  # type: ignore[union-attr]
        site=mention.site or None, url=mention.url or None, language=mention.language,
        country=mention.country or None, network=mention.network, kind=mention.kind,
        author_followers=mention.author_followers,
        author_verified=author.verified if author else mention.author.verified,  # type: ignore[union-attr]
        sentiment=mention.sentiment, flag=mention.flag, created_at=mention.created_at,
    )


def _match(org: Any, mentions: list[_New]) -> int:
    if not mentions:
        return 0
    compiled = matcher_for(org)
    if compiled is None:
        return 0
    docs = [document_for(m, m.item) for m in mentions]
    rows = []
    for mention, hits in zip(mentions, compiled.matcher.match_batch(docs), strict=True):
        for query_id in hits:
            rows.append((mention.id, query_id, compiled.brands[query_id], mention.created_at,
                         mention.sentiment, mention.network, mention.language))
    return _MATCHES.insert(rows, ignore_conflicts=True)


_MENTIONS = bulk.Table(Mention, [
    "organization_id", "network", "external_id", "kind", "thread_id", "parent_id", "channel",
    "author_id", "text", "html", "title", "url", "site", "created_at", "ingested_at",
    "updated_at", "language", "country", "sentiment", "sentiment_score", "flag",
    "flag_confidence", "is_spam", "spam_score", "is_complaint", "keywords", "model_sentiment",
    "model_flag", "likes", "comments", "shares", "views", "author_followers", "raw_ref",
])
_AUTHORS = bulk.Table(Author, [
    "organization_id", "network", "handle", "name", "followers", "verified", "profile_url",
    "location", "first_seen_at", "last_seen_at",
])
_AUTHOR_SEEN = bulk.Table(Author, ["followers", "last_seen_at"])
_MATCHES = bulk.Table(MentionMatch, [
    "mention_id", "query_id", "brand_id", "created_at", "sentiment", "network", "language",
])
