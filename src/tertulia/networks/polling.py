"""Polling RSS/Atom sources: conditional GET, ingest, health and back-off per feed.

``poll_rss`` never raises for anything a feed can do: every outcome, good or bad, ends in
the feed's ``FeedState`` and on the source, and failures wait longer before the next try
(``rss.health.record_fetch``). Every URL fetched, redirects included, passes ``check_url``
(by default ``public_url_guard``), so a feed address cannot reach the server's own network.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.db import transaction
from django.db.models import F

from tertulia.listening.models import Source
from tertulia.listening.pipeline import ingest
from tertulia.networks import safe_http
from tertulia.networks.models import FeedState
from tertulia.networks.protocol import ConnectorError, Rejected, Unavailable
from tertulia.networks.rss.client import FeedFetch
from tertulia.networks.rss.connector import RssConnector
from tertulia.networks.rss.health import record_fetch
from tertulia.networks.safe_http import public_client

__all__ = ["make_url_guard", "poll_rss", "public_url_guard"]

log = logging.getLogger(__name__)

Resolver = Callable[[str, int], Iterable[str]]


def make_url_guard(
    *, resolve: Resolver = safe_http.resolve, allow_hosts: Iterable[str] = ()
) -> Callable[[str], None]:
    """A ``check_url`` that refuses non-HTTP(S) URLs and hosts resolving to a private,
    loopback, link-local or otherwise non-public address. ``allow_hosts`` skips the
    address check for the named hosts (tests and deliberate intranet feeds)."""
    allowed = {h.lower().rstrip(".") for h in allow_hosts}

    def guard(url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise Rejected(f"only http and https feeds can be read, not {parts.scheme or '?'}")
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise Rejected("the feed address has no host")
        if host in allowed:
            return
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            addresses = list(resolve(host, port))
        except (OSError, UnicodeError, ValueError):
            raise Rejected(f"cannot resolve the host {host}") from None
        if not addresses:
            raise Rejected(f"cannot resolve the host {host}")
        for address in addresses:
            if not safe_http.is_public(address):
                raise Rejected(f"{host} resolves to a non-public address ({address})")

    return guard


public_url_guard = make_url_guard()


def poll_rss(
    source: Source,
    *,
    clock: Callable[[], datetime],
    client: httpx.Client | None = None,
    check_url: Callable[[str], None] | None = None,
    force: bool = False,
) -> int:
    """Fetch ``source`` if it is due (or ``force``), ingest new entries, record health.

    Returns how many new mentions were stored. When no client is given, a fresh one that
    can only connect to public addresses is used (and closed): see ``safe_http``.
    """
    state, _created = FeedState.objects.get_or_create(source=source)
    state.source = source
    now = clock()
    health = state.health()
    if not force and not health.due(now):
        return 0
    http = client or public_client()
    connector = RssConnector(source.url, client=http, clock=clock,
                             check_url=check_url or public_url_guard)
    cursor = json.dumps({"etag": state.etag or None, "modified": state.last_modified or None})
    items: tuple[Any, ...] = ()
    try:
        items = connector.fetch(cursor).items
        fetch = connector.last_fetch
    except ConnectorError:
        fetch = connector.last_fetch
    except Exception as error:  # a feed that breaks the parser must not stop the other feeds
        log.exception("feed %s: unexpected error", source.url)
        fetch = FeedFetch(url=source.url, status=None, etag=state.etag or None,
                          modified=state.last_modified or None,
                          error=Unavailable(f"unexpected error reading the feed: {error!r}"))
    finally:
        if client is None:
            http.close()
    if fetch is None:  # pragma: no cover - RssConnector always records its fetch
        fetch = FeedFetch(url=source.url, status=None, etag=None, modified=None,
                          error=Unavailable("no fetch was recorded"))
    health = record_fetch(health, fetch, at=now)
    for index, error in connector.last_rejected:
        log.info("feed %s: entry %d skipped: %s", source.url, index, error)
    return _store(source, state, health, fetch, list(items), now)


def _store(source: Source, state: FeedState, health: Any, fetch: FeedFetch,
           items: list[Any], now: datetime) -> int:
    with transaction.atomic():
        created = len(ingest(source.organization, items, now=now).created) if items else 0
        state.apply(health)
        state.save()
        changes: dict[str, Any] = {
            "last_run_at": now,
            "last_error": health.last_error or "",
            "consecutive_failures": health.consecutive_failures,
            "cursor": json.dumps({"etag": health.etag, "modified": health.modified})[:1000],
            "items_ingested": F("items_ingested") + created,
        }
        if fetch.ok:
            changes["last_ok_at"] = now
        if fetch.moved_to and len(fetch.moved_to) <= 1000:
            changes["url"] = fetch.moved_to  # a permanent redirect: remember the new home
        Source.objects.filter(id=source.id).update(**changes)
    if not fetch.ok:
        log.warning("feed %s failed: %s", source.url, health.last_error)
    source.refresh_from_db()
    return created
