"""`ingest(org, items)`: bring a batch of items in, understood, matched and searchable.

One transaction per batch, so a batch killed mid-way leaves nothing behind and its retry
ends exactly as if it had run once. Re-delivered items (same network and external id)
update their engagement counts and edits; they are never duplicated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from tertulia.listening import search
from tertulia.listening.matching import matcher_for
from tertulia.listening.models import Author, Mention, MentionMatch
from tertulia.listening.query import MatchDocument
from tertulia.networks.items import NetworkItem

log = logging.getLogger(__name__)

ENGAGEMENT_FIELDS = ("likes", "comments", "shares", "views")
Listener = Callable[["IngestResult"], None]
_listeners: list[Listener] = []


def on_ingested(listener: Listener) -> Listener:
    """Register a function called after each committed batch (inbox, rollups, alerts, SSE)."""
    _listeners.append(listener)
    return listener


@dataclass
class IngestResult:
    organization_id: int
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    matches: int = 0
    skipped_duplicates: int = 0

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
        result.updated = _update(known, now)
        result.matches = _match(org, created)
        search.index((m.id, m.language, m._search_body) for m in created)  # type: ignore[attr-defined]
        transaction.on_commit(lambda: _notify(result))
    return result


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
            ).only("id", "network", "external_id", "text", "likes", "comments", "shares",
                   "views", "author_followers")
            for row in rows:
                found[(row.network, row.external_id)] = row
    return found


def _upsert_authors(
    org: Any, items: list[NetworkItem], now: datetime
) -> dict[tuple[str, str], int]:
    latest: dict[tuple[str, str], NetworkItem] = {}
    for item in items:
        latest[(str(item.network), item.author.handle)] = item
    keys = list(latest)
    have = _author_ids(org, keys)
    missing = [k for k in keys if k not in have]
    if missing:
        Author.objects.bulk_create(
            [
                Author(
                    organization=org, network=network, handle=handle,
                    name=latest[(network, handle)].author.name or "",
                    followers=latest[(network, handle)].author.followers,
                    verified=latest[(network, handle)].author.verified,
                    profile_url=str(latest[(network, handle)].author.profile_url or ""),
                    location=latest[(network, handle)].author.location or "",
                    first_seen_at=now, last_seen_at=now,
                )
                for network, handle in missing
            ],
            batch_size=500, ignore_conflicts=True,
        )
        have.update(_author_ids(org, missing))
    stale = [
        Author(id=have[k], followers=latest[k].author.followers, last_seen_at=now)
        for k in keys if k not in missing and latest[k].author.followers is not None
    ]
    if stale:
        Author.objects.bulk_update(stale, ["followers", "last_seen_at"], batch_size=500)
    return have


def _author_ids(org: Any, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    by_network: dict[str, list[str]] = {}
    for network, handle in keys:
        by_network.setdefault(network, []).append(handle)
    for network, handles in by_network.items():
        for start in range(0, len(handles), 500):
            for pk, handle in Author.objects.filter(
                organization=org, network=network, handle__in=handles[start:start + 500]
            ).values_list("id", "handle"):
                out[(network, handle)] = pk
    return out


def _create(org: Any, items: list[NetworkItem], authors: dict[tuple[str, str], int],
            now: datetime) -> list[Mention]:
    if not items:
        return []
    hints = [
        {"lang": it.lang, "author_handle": it.author.handle, "followers": it.author.followers}
        for it in items
    ]
    enriched = _enrich([it.text if it.text else (it.title or "") for it in items], hints)
    mentions = []
    for item, nlp in zip(items, enriched, strict=True):
        url = str(item.url or "")
        mention = Mention(
            organization=org, network=str(item.network), external_id=item.external_id,
            kind=str(item.kind), thread_id=item.thread_id or "", parent_id=item.parent_id or "",
            channel=item.channel or "", author_id=authors[(str(item.network), item.author.handle)],
            text=item.text, html=item.html or "", title=item.title or "", url=url,
            site=_site(url), created_at=item.created_at, ingested_at=now, updated_at=now,
            language=nlp.language, country=(item.geo.country_code or "") if item.geo else "",
            sentiment=nlp.sentiment, sentiment_score=nlp.sentiment_score, flag=nlp.flag,
            model_sentiment=nlp.sentiment, model_flag=nlp.flag,
            flag_confidence=nlp.flag_confidence, is_spam=nlp.is_spam, spam_score=nlp.spam_score,
            is_complaint=nlp.is_complaint, keywords=list(nlp.keywords)[:10],
            likes=item.engagement.likes, comments=item.engagement.comments,
            shares=item.engagement.shares, views=item.engagement.views,
            author_followers=item.author.followers, raw_ref=item.raw_ref or "",
        )
        mention._item = item  # type: ignore[attr-defined]
        mention._search_body = _body(item)  # type: ignore[attr-defined]
        mentions.append(mention)
    created = Mention.objects.bulk_create(mentions, batch_size=500)
    # SQLite and PostgreSQL both return primary keys from bulk_create.
    for mention, original in zip(created, mentions, strict=True):
        mention._item = original._item  # type: ignore[attr-defined]
        mention._search_body = original._search_body  # type: ignore[attr-defined]
    return created


def _update(known: list[tuple[Mention, NetworkItem]], now: datetime) -> list[int]:
    """A re-delivered item refreshes its counts and, when edited, its text."""
    changed = []
    edited = []
    for mention, item in known:
        counts = {f: getattr(item.engagement, f) for f in ENGAGEMENT_FIELDS}
        differs = any(getattr(mention, f) != v for f, v in counts.items())
        text_changed = bool(item.text) and item.text != mention.text
        if not (differs or text_changed):
            continue
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


def document_for(mention: Mention, item: NetworkItem | None = None) -> MatchDocument:
    """What a query sees of a mention."""
    author = item.author if item is not None else None
    return MatchDocument(
        text=mention.text, title=mention.title or None,
        author=author.handle if author else mention.author.handle,
        site=mention.site or None, url=mention.url or None, language=mention.language,
        country=mention.country or None, network=mention.network, kind=mention.kind,
        author_followers=mention.author_followers,
        author_verified=author.verified if author else mention.author.verified,
        sentiment=mention.sentiment, flag=mention.flag, created_at=mention.created_at,
    )


def _match(org: Any, mentions: list[Mention]) -> int:
    if not mentions:
        return 0
    compiled = matcher_for(org)
    if compiled is None:
        return 0
    docs = [document_for(m, m._item) for m in mentions]  # type: ignore[attr-defined]
    rows = []
    for mention, hits in zip(mentions, compiled.matcher.match_batch(docs), strict=True):
        for query_id in hits:
            rows.append(MentionMatch(
                mention_id=mention.id, query_id=query_id, brand_id=compiled.brands[query_id],
                created_at=mention.created_at, sentiment=mention.sentiment,
                network=mention.network, language=mention.language,
            ))
    MentionMatch.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)
