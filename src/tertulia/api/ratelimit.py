"""Per-token request budget of the API: a fixed one-minute window counted in the cache."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

WINDOW_S = 60


class RateLimited(Exception):
    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(f"More than {limit} requests in a minute with this token.")
        self.retry_after = retry_after
        self.limit = limit


def spend(token_id: int, *, limit: int | None = None, now: float | None = None) -> None:
    """Count one request of the token; raises ``RateLimited`` past the minute's budget."""
    limit = settings.API_REQUESTS_PER_MINUTE if limit is None else limit
    now = time.time() if now is None else now
    window = int(now // WINDOW_S)
    key = f"api-rate:{token_id}:{window}"
    cache.add(key, 0, timeout=WINDOW_S * 2)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr: this request opens the window
        cache.set(key, 1, timeout=WINDOW_S * 2)
        used = 1
    if used > limit:
        raise RateLimited(retry_after=max(1, int((window + 1) * WINDOW_S - now)), limit=limit)
