"""Rate-limit budgets per (network, credential, bucket), fed by the networks' headers.

Each network tells how much is left in its own dialect:

* X: ``x-rate-limit-limit``, ``x-rate-limit-remaining``, ``x-rate-limit-reset`` (epoch s).
* Reddit: ``x-ratelimit-used``, ``x-ratelimit-remaining`` (may be fractional),
  ``x-ratelimit-reset`` (seconds until the window resets).
* Mastodon: ``X-RateLimit-Limit``/``-Remaining``/``-Reset`` (reset as an ISO 8601 time).
* Meta: ``X-Business-Use-Case-Usage`` (JSON: per business id, a list of usages with
  ``call_count``, ``total_cputime``, ``total_time`` in percent and
  ``estimated_time_to_regain_access`` in minutes) and ``X-App-Usage`` (percentages).
* Any: ``Retry-After`` (seconds or an HTTP date) on 429/503.

Before the first response, a budget falls back to the network's documented default window
(``DEFAULT_WINDOWS``) and counts calls itself. All time comes from an injected clock.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from .items import Network

__all__ = ["DEFAULT_WINDOWS", "BudgetKey", "Clock", "RateBudget", "RateBudgets", "Window"]

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Window:
    """``calls`` allowed per ``seconds`` when the network has not told us better."""

    calls: int
    seconds: int


# Conservative defaults from each network's public documentation (per user token unless
# noted); headers override them as soon as a response arrives.
DEFAULT_WINDOWS: dict[Network, Window] = {
    Network.X: Window(calls=300, seconds=15 * 60),
    Network.REDDIT: Window(calls=100, seconds=60),
    Network.MASTODON: Window(calls=300, seconds=5 * 60),
    Network.BLUESKY: Window(calls=3000, seconds=5 * 60),
    Network.FACEBOOK: Window(calls=200, seconds=60 * 60),
    Network.INSTAGRAM: Window(calls=200, seconds=60 * 60),
    Network.LINKEDIN: Window(calls=100, seconds=24 * 60 * 60),
    Network.YOUTUBE: Window(calls=10_000, seconds=24 * 60 * 60),  # quota units per day
    Network.TIKTOK: Window(calls=600, seconds=60),
    Network.RSS: Window(calls=60, seconds=60),  # per feed host: be a polite client
}
_FALLBACK = Window(calls=60, seconds=60)
# Meta stops answering at 100 % and the penalty lasts long, so slow down before it.
META_PAUSE_AT_PERCENT = 95


@dataclass(frozen=True, slots=True)
class BudgetKey:
    network: Network
    credential: str
    bucket: str = "default"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # httpx.Headers is case-insensitive already; plain dicts are not.
    value = headers.get(name)
    if value is None:
        lower = name.lower()
        for key, item in headers.items():
            if key.lower() == lower:
                return item
    return value


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


@dataclass
class RateBudget:
    """How much a (network, credential, bucket) may still call, and until when."""

    key: BudgetKey
    clock: Clock
    window: Window = _FALLBACK
    limit: int | None = None
    remaining: float | None = None
    reset_at: datetime | None = None
    blocked_until: datetime | None = None
    reserve: int = 0  # calls kept back for interactive use (a human replying)
    _window_start: datetime | None = field(default=None, repr=False)
    _window_calls: int = field(default=0, repr=False)
    _from_headers: bool = field(default=False, repr=False)

    def spend(self, calls: int = 1) -> None:
        """Record calls about to be made (before headers of their responses arrive)."""
        now = self.clock()
        if self._from_headers and self.remaining is not None:
            if self.reset_at is not None and now >= self.reset_at:
                self.remaining, self.reset_at = None, None
                self._from_headers = False
            else:
                self.remaining = max(0.0, self.remaining - calls)
                return
        if self._window_start is None or now >= self._window_start + timedelta(
            seconds=self.window.seconds
        ):
            self._window_start, self._window_calls = now, 0
        self._window_calls += calls

    def wait_s(self) -> float:
        """Seconds to wait before the next call; 0 when a call may go now."""
        now = self.clock()
        waits = [0.0]
        if self.blocked_until is not None and self.blocked_until > now:
            waits.append((self.blocked_until - now).total_seconds())
        if self._from_headers and self.remaining is not None and self.reset_at is not None:
            if self.remaining < 1 + self.reserve and self.reset_at > now:
                waits.append((self.reset_at - now).total_seconds())
        elif self._window_start is not None:
            window_end = self._window_start + timedelta(seconds=self.window.seconds)
            if self._window_calls >= self.window.calls - self.reserve and window_end > now:
                waits.append((window_end - now).total_seconds())
        return max(waits)

    def update_from_headers(self, headers: Mapping[str, str], *, status: int = 200) -> None:
        """Read any known rate-limit headers of a response (and 429's ``Retry-After``)."""
        now = self.clock()
        self._read_standard(headers, now)
        self._read_meta(headers, now)
        retry = _header(headers, "retry-after")
        if retry is not None and status in (429, 503):
            until = _retry_after(retry, now)
            if until is not None:
                self.block_until(until)
        elif status == 429 and self.wait_s() == 0:
            # Limited without saying until when: back off one default window.
            self.block_until(now + timedelta(seconds=self.window.seconds))

    def block_until(self, until: datetime) -> None:
        """Refuse calls until ``until`` (e.g. from ``RateLimited.reset_at``)."""
        if self.blocked_until is None or until > self.blocked_until:
            self.blocked_until = until

    def _read_standard(self, headers: Mapping[str, str], now: datetime) -> None:
        for prefix in ("x-rate-limit-", "x-ratelimit-", "ratelimit-"):
            remaining = _number(_header(headers, prefix + "remaining"))
            if remaining is None:
                continue
            limit = _number(_header(headers, prefix + "limit"))
            used = _number(_header(headers, prefix + "used"))
            if limit is None and used is not None:
                limit = used + remaining
            reset = _reset_time(_header(headers, prefix + "reset"), now)
            self.remaining = max(0.0, remaining)
            self.limit = int(limit) if limit is not None else self.limit
            self.reset_at = reset or self.reset_at
            self._from_headers = True
            return

    def _read_meta(self, headers: Mapping[str, str], now: datetime) -> None:
        usages: list[Mapping[str, object]] = []
        for name in ("x-business-use-case-usage", "x-app-usage", "x-ad-account-usage"):
            raw = _header(headers, name)
            if not raw:
                continue
            try:
                data = json.loads(raw)
            except (ValueError, RecursionError):
                continue
            if isinstance(data, Mapping) and any(isinstance(v, list) for v in data.values()):
                for entries in data.values():
                    if isinstance(entries, list):
                        usages.extend(e for e in entries if isinstance(e, Mapping))
            elif isinstance(data, Mapping):
                usages.append(data)
        for usage in usages:
            percents = [
                float(v)
                for k in ("call_count", "total_cputime", "total_time", "acc_id_util_pct")
                if isinstance(v := usage.get(k), int | float) and math.isfinite(v)
            ]
            regain = usage.get("estimated_time_to_regain_access")
            if isinstance(regain, int | float) and math.isfinite(regain) and regain > 0:
                self.block_until(now + timedelta(minutes=min(float(regain), 7 * 24 * 60)))
            elif percents and max(percents) >= META_PAUSE_AT_PERCENT:
                # Meta's windows are rolling hours: pausing a few minutes lets usage decay.
                self.block_until(now + timedelta(minutes=5))


def _reset_time(value: str | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    number = _number(value)
    if number is not None:
        if number > 1_000_000_000:  # epoch seconds (X, GitHub-style)
            try:
                return datetime.fromtimestamp(number, UTC)
            except (OverflowError, OSError, ValueError):
                return None
        return now + timedelta(seconds=max(0.0, min(number, 7 * 24 * 3600)))
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _retry_after(value: str, now: datetime) -> datetime | None:
    number = _number(value)
    if number is not None:
        return now + timedelta(seconds=max(0.0, min(number, 7 * 24 * 3600)))
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class RateBudgets:
    """The budgets of one process, created on first use with the network's default window."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._budgets: dict[BudgetKey, RateBudget] = {}

    def get(self, network: Network, credential: str, bucket: str = "default") -> RateBudget:
        key = BudgetKey(network, credential, bucket)
        budget = self._budgets.get(key)
        if budget is None:
            window = DEFAULT_WINDOWS.get(network, _FALLBACK)
            budget = self._budgets[key] = RateBudget(key=key, clock=self._clock, window=window)
        return budget

    def __len__(self) -> int:
        return len(self._budgets)
