"""Applying one query to the mentions already stored: on save (in the background, with
progress) and as a preview before saving (the "test" button)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tertulia.listening.models import Mention, MentionMatch, Query
from tertulia.listening.pipeline import document_for
from tertulia.listening.query import compile_queries, parse
from tertulia.listening.signals import query_rematched

CHUNK = 2000
PREVIEW_DAYS = 30
PREVIEW_LIMIT = 50_000


def _chunks(mentions: Any) -> Iterator[list[Mention]]:
    last = 0
    while True:
        rows = list(mentions.filter(id__gt=last).select_related("author").order_by("id")[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1].id


@dataclass
class Preview:
    scanned: int
    matched: int
    days: int
    sample: list[Mention]
    capped: bool


def preview(org: Any, text: str, *, now: datetime | None = None) -> Preview:
    """How many of the last 30 days' mentions a query text would match, with the newest ones."""
    matcher = compile_queries({"q": parse(text)})
    since = (now or timezone.now()) - timedelta(days=PREVIEW_DAYS)
    mentions = Mention.objects.filter(organization=org, created_at__gte=since, hidden_at=None)
    scanned = matched = 0
    sample: list[Mention] = []
    for rows in _chunks(mentions):
        hits = matcher.match_batch(document_for(m) for m in rows)
        for mention, found in zip(rows, hits, strict=True):
            if found:
                matched += 1
                sample.append(mention)
        scanned += len(rows)
        if scanned >= PREVIEW_LIMIT:
            break
    sample.sort(key=lambda m: m.created_at, reverse=True)
    return Preview(scanned, matched, PREVIEW_DAYS, sample[:10], scanned >= PREVIEW_LIMIT)


def backfill(query: Query) -> int:
    """Re-match every stored mention of the organization against `query`. Each chunk commits
    with its progress, so a crash resumes cleanly and the page can show how far it got."""
    org_id = query.brand.organization_id
    mentions = Mention.objects.filter(organization_id=org_id, hidden_at=None)
    Query.objects.filter(id=query.id).update(
        backfill_total=mentions.count(), backfill_done=0, backfill_finished_at=None
    )
    MentionMatch.objects.filter(query=query).delete()
    if not query.is_active:
        Query.objects.filter(id=query.id).update(backfill_finished_at=timezone.now())
        query_rematched.send(sender=Query, query=query)
        return 0
    matcher = compile_queries({query.id: parse(query.text)})
    done = matched = 0
    for rows in _chunks(mentions):
        hits = matcher.match_batch(document_for(m) for m in rows)
        with transaction.atomic():
            MentionMatch.objects.bulk_create(
                [MentionMatch(mention=m, query=query, brand_id=query.brand_id,
                              created_at=m.created_at, sentiment=m.sentiment,
                              network=m.network, language=m.language)
                 for m, found in zip(rows, hits, strict=True) if found],
                ignore_conflicts=True,
            )
            done += len(rows)
            matched += sum(1 for found in hits if found)
            Query.objects.filter(id=query.id).update(backfill_done=done)
    Query.objects.filter(id=query.id).update(backfill_finished_at=timezone.now())
    query_rematched.send(sender=Query, query=query)
    return matched
