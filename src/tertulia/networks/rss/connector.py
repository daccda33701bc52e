"""``RssConnector``: one feed behind the connector protocol (fetch only)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import httpx

from ..items import ItemValidationError, Network
from ..protocol import BaseConnector, Capability, FetchResult
from .client import FeedFetch, fetch_feed
from .mapping import map_entries

__all__ = ["RssConnector"]


class RssConnector(BaseConnector):
    """Polls one feed. The cursor carries the conditional-GET validators (ETag and
    Last-Modified) as JSON, so a poll with an unchanged feed is a cheap 304.

    Errors raise the typed connector errors; ``last_fetch`` keeps the raw outcome for
    ``health.record_fetch`` and ``last_rejected`` the entries that could not be mapped.
    """

    network = Network.RSS
    capabilities = frozenset({Capability.FETCH})

    def __init__(
        self,
        url: str,
        *,
        client: httpx.Client,
        clock: Callable[[], datetime],
        check_url: Callable[[str], None] | None = None,
    ) -> None:
        self.url = url
        self.name = f"rss:{url}"
        self._client = client
        self._clock = clock
        self._check_url = check_url
        self.last_fetch: FeedFetch | None = None
        self.last_rejected: list[tuple[int, ItemValidationError]] = []

    def fetch(self, cursor: str | None) -> FetchResult:
        etag, modified = _validators(cursor)
        fetch = fetch_feed(
            self._client,
            self.url,
            clock=self._clock,
            etag=etag,
            modified=modified,
            check_url=self._check_url,
        )
        self.last_fetch = fetch
        if fetch.error is not None:
            raise fetch.error
        next_cursor = json.dumps({"etag": fetch.etag, "modified": fetch.modified})
        if fetch.not_modified:
            return FetchResult(items=(), next_cursor=next_cursor)
        items, self.last_rejected = map_entries(
            fetch.entries, feed_url=self.url, feed=fetch.feed, fetched_at=self._clock()
        )
        return FetchResult(items=tuple(items), next_cursor=next_cursor)


def _validators(cursor: str | None) -> tuple[str | None, str | None]:
    if not cursor:
        return None, None
    try:
        data = json.loads(cursor)
    except ValueError:
        return None, None  # an unreadable cursor only costs one full fetch
    if not isinstance(data, dict):
        return None, None
    etag, modified = data.get("etag"), data.get("modified")
    return (
        etag if isinstance(etag, str) else None,
        modified if isinstance(modified, str) else None,
    )
