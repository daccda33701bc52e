"""Per-feed health: what the feeds page shows and when each feed is polled next.

Pure state transitions: ``record_fetch(health, fetch, at=...)`` returns the new state.
Failures back off exponentially (``interval × 2^(failures-1)``, capped at a day); a
``RateLimited`` answer waits at least until its reset. A small per-feed offset, derived
from the URL, spreads polls so that many feeds added together do not fire together.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from ..protocol import RateLimited, Rejected
from .client import FeedFetch

__all__ = ["DEFAULT_INTERVAL_S", "MAX_BACKOFF_S", "FeedHealth", "FeedState", "record_fetch"]

DEFAULT_INTERVAL_S = 15 * 60
MAX_BACKOFF_S = 24 * 60 * 60
DEGRADED_AFTER = 1
FAILING_AFTER = 3


class FeedState(StrEnum):
    NEW = "new"  # never fetched
    OK = "ok"
    DEGRADED = "degraded"  # failed recently, retrying
    FAILING = "failing"  # failed FAILING_AFTER times in a row: someone should look


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """The health of one feed after its latest attempt."""

    url: str
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_status: int | None = None
    consecutive_failures: int = 0
    next_poll_at: datetime | None = None
    etag: str | None = None
    modified: str | None = None
    entries_last_fetch: int = 0
    malformed: str | None = None

    @property
    def state(self) -> FeedState:
        if self.last_attempt_at is None:
            return FeedState.NEW
        if self.consecutive_failures >= FAILING_AFTER:
            return FeedState.FAILING
        if self.consecutive_failures >= DEGRADED_AFTER:
            return FeedState.DEGRADED
        return FeedState.OK

    def due(self, now: datetime) -> bool:
        return self.next_poll_at is None or now >= self.next_poll_at


def _spread_s(url: str, interval_s: int) -> int:
    return zlib.crc32(url.encode("utf-8", "replace")) % max(1, interval_s // 10)


def record_fetch(
    health: FeedHealth,
    fetch: FeedFetch,
    *,
    at: datetime,
    interval_s: int = DEFAULT_INTERVAL_S,
    max_backoff_s: int = MAX_BACKOFF_S,
) -> FeedHealth:
    """The health after ``fetch`` finished at ``at``."""
    spread = timedelta(seconds=_spread_s(health.url, interval_s))
    if fetch.ok:
        return replace(
            health,
            last_attempt_at=at,
            last_success_at=at,
            last_error=None,
            last_status=fetch.status,
            consecutive_failures=0,
            next_poll_at=at + timedelta(seconds=interval_s) + spread,
            etag=fetch.etag,
            modified=fetch.modified,
            entries_last_fetch=len(fetch.entries),
            malformed=fetch.malformed,
        )
    failures = health.consecutive_failures + 1
    backoff_s = min(max_backoff_s, interval_s * 2 ** min(failures - 1, 20))
    next_poll = at + timedelta(seconds=backoff_s) + spread
    error = fetch.error
    if isinstance(error, RateLimited) and error.reset_at > next_poll:
        next_poll = error.reset_at
    message = str(error) if error is not None else "unknown error"
    if isinstance(error, Rejected) and error.status in (404, 410):
        message += " — check the feed address"
    return replace(
        health,
        last_attempt_at=at,
        last_error=message[:500],
        last_status=fetch.status,
        consecutive_failures=failures,
        next_poll_at=next_poll,
        entries_last_fetch=0,
    )
