"""Polling sources: fetch from a connector from its cursor, ingest, remember where we are."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from tertulia.listening.models import Source
from tertulia.listening.pipeline import IngestResult, ingest
from tertulia.networks.protocol import ConnectorError, FetchResult

log = logging.getLogger(__name__)
MAX_PAGES_PER_POLL = 10
POLLED_KINDS = (Source.Kind.DEMO, Source.Kind.RSS)


def _connector(source: Source, clock: Callable[[], datetime]) -> object:
    if source.kind == Source.Kind.DEMO:
        from tertulia.networks.demo.connector import DemoConnector

        # Pages of one hour (a few hundred items): each page is one write transaction, and
        # short ones keep the embedded SQLite responsive while a day of backfill arrives.
        return DemoConnector(clock=clock, max_window=timedelta(hours=1))
    raise ValueError(f"source kind {source.kind!r} is not polled")


def poll(source: Source, *, clock: Callable[[], datetime] = timezone.now) -> int:
    """Bring a source up to date. Each page is ingested and its cursor saved together, so a
    crash between pages re-fetches at most one page, which ingest absorbs idempotently.
    RSS/Atom feeds keep their own state and back-off: `networks.polling.poll_rss`."""
    if source.kind == Source.Kind.RSS:
        from tertulia.networks.polling import poll_rss

        return poll_rss(source, clock=clock)
    connector = _connector(source, clock)
    total = 0
    for _ in range(MAX_PAGES_PER_POLL):
        try:
            page: FetchResult = connector.fetch(source.cursor or None)  # type: ignore[attr-defined]
        except ConnectorError as error:
            Source.objects.filter(id=source.id).update(
                last_run_at=clock(), last_error=str(error)[:2000],
                consecutive_failures=source.consecutive_failures + 1,
            )
            log.warning("source %s failed: %s", source, error)
            return total
        with transaction.atomic():
            result: IngestResult = ingest(source.organization, list(page.items), now=clock())
            source.cursor = page.next_cursor or source.cursor
            source.items_ingested += len(result.created)
            source.last_run_at = source.last_ok_at = clock()
            source.last_error = ""
            source.consecutive_failures = 0
            source.save()
        total += len(result.created)
        if not page.has_more:
            break
    return total


def poll_all(kind: str | None = None) -> int:
    sources = Source.objects.filter(is_active=True).select_related("organization")
    if kind:
        sources = sources.filter(kind=kind)
    return sum(poll(source) for source in sources if source.kind in POLLED_KINDS)
