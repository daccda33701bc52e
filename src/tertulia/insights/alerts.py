"""Trend and crisis detectors over rollup series. Pure: no Django import.

Two detectors per brand (or per query):

* **Volume spike**: the mentions of a trailing window (5, 15 and 60 minutes) against what
  the same hour of the week usually brings (the median of the previous weeks' hourly
  rollups, the "hour-of-week seasonal baseline"). It fires when the window holds at least
  `ratio` times the expected count, at least `min_count` mentions, and a count that high
  would happen by chance with probability below `p_max` (Poisson tail).
* **Negative-sentiment surge**: the negative mentions of the window against the share of
  negatives the same hour of the week usually has. It fires when the share rose by at least
  `min_rise`, with at least `min_count` negatives, and the binomial tail is below `p_max`.

Each detector then keeps quiet for `cooldown`, so an episode raises one alert. The caller
feeds one reading per minute: how many mentions (and negatives) arrived that minute —
in production the increase of the current hour's rollup row since the previous reading.
Every alert carries its numbers and baseline, so it can say why it fired.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

WINDOWS_MIN = (5, 15, 60)
HOURS_PER_WEEK = 168


def hour_of_week(at: datetime) -> int:
    return at.weekday() * 24 + at.hour


def poisson_sf(k: int, lam: float) -> float:
    """P(X ≥ k) for X ~ Poisson(lam)."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    term = math.exp(k * math.log(lam) - lam - math.lgamma(k + 1))
    total, i = term, k
    while term > total * 1e-12 and i < k + 10_000:
        i += 1
        term *= lam / i
        total += term
    return min(1.0, total)


def binomial_sf(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 1.0
    if k > n or p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    total = 0.0
    for i in range(k, n + 1):
        term = math.exp(math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
                        + i * log_p + (n - i) * log_q)
        total += term
        if term < total * 1e-12:
            break
    return min(1.0, total)


@dataclass(frozen=True, slots=True)
class Baseline:
    """Expected mentions per hour and negative share, for each hour of the week."""

    per_hour: tuple[float, ...]
    negative_share: tuple[float, ...]

    def per_minute(self, at: datetime) -> float:
        return self.per_hour[hour_of_week(at)] / 60.0


def seasonal_baseline(hourly: Mapping[datetime, tuple[int, int]], until: datetime, *,
                      weeks: int = 4, floor_per_hour: float = 0.5,
                      default_negative_share: float = 0.25) -> Baseline:
    """From hourly (mentions, negatives) before `until`: per hour of the week, the median of
    the previous `weeks` weeks. Hours never seen count as `floor_per_hour`, so a quiet
    brand's first mentions are judged against a small but non-zero expectation."""
    start = until - timedelta(weeks=weeks)
    counts: list[list[int]] = [[] for _ in range(HOURS_PER_WEEK)]
    negatives = [0] * HOURS_PER_WEEK
    totals = [0] * HOURS_PER_WEEK
    for at, (n, neg) in hourly.items():
        if start <= at < until:
            how = hour_of_week(at)
            counts[how].append(n)
            totals[how] += n
            negatives[how] += neg
    per_hour = []
    shares = []
    all_neg, all_total = sum(negatives), sum(totals)
    overall = all_neg / all_total if all_total else default_negative_share
    for how in range(HOURS_PER_WEEK):
        seen = counts[how] + [0] * (weeks - len(counts[how]))  # an hour with no row had 0
        per_hour.append(max(floor_per_hour, float(median(seen))))
        # Few mentions make a noisy share: lean on the brand's overall share.
        prior = 20
        shares.append((negatives[how] + prior * overall) / (totals[how] + prior))
    return Baseline(tuple(per_hour), tuple(shares))


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str  # "volume_spike" or "negative_surge"
    at: datetime
    window_min: int
    observed: int
    expected: float
    total: int = 0  # for a surge: all mentions of the window
    baseline_share: float = 0.0
    p_value: float = 0.0

    def explain(self, lang: str = "en") -> str:
        if self.kind == "volume_spike":
            if lang == "es":
                return (f"{self.observed} menciones en {self.window_min} min; lo habitual a "
                        f"esta hora de la semana son {self.expected:.1f}.")
            return (f"{self.observed} mentions in {self.window_min} min; this hour of the "
                    f"week usually brings {self.expected:.1f}.")
        share = 100 * self.observed / self.total if self.total else 0
        if lang == "es":
            return (f"{self.observed} de {self.total} menciones negativas en "
                    f"{self.window_min} min ({share:.0f} %); lo habitual es "
                    f"{100 * self.baseline_share:.0f} %.")
        return (f"{self.observed} of {self.total} mentions negative in {self.window_min} min "
                f"({share:.0f} %); usually {100 * self.baseline_share:.0f} %.")


@dataclass
class VolumeSpike:
    ratio: float = 3.0
    min_count: int = 5
    p_max: float = 1e-5
    cooldown: timedelta = timedelta(hours=6)
    _quiet_until: datetime | None = None

    def check(self, at: datetime, windows: Mapping[int, tuple[int, int]],
              baseline: Baseline) -> Alert | None:
        if self._quiet_until is not None and at < self._quiet_until:
            return None
        for minutes, (count, _neg) in sorted(windows.items()):
            expected = baseline.per_minute(at) * minutes
            if count < self.min_count or count < self.ratio * expected:
                continue
            p = poisson_sf(count, expected)
            if p < self.p_max:
                self._quiet_until = at + self.cooldown
                return Alert("volume_spike", at, minutes, count, expected, p_value=p)
        return None


@dataclass
class NegativeSurge:
    min_rise: float = 0.25
    min_count: int = 4
    p_max: float = 1e-5
    cooldown: timedelta = timedelta(hours=6)
    _quiet_until: datetime | None = None

    def check(self, at: datetime, windows: Mapping[int, tuple[int, int]],
              baseline: Baseline) -> Alert | None:
        if self._quiet_until is not None and at < self._quiet_until:
            return None
        share0 = baseline.negative_share[hour_of_week(at)]
        for minutes, (count, negative) in sorted(windows.items()):
            if negative < self.min_count or not count:
                continue
            if negative / count < share0 + self.min_rise:
                continue
            p = binomial_sf(negative, count, share0)
            if p < self.p_max:
                self._quiet_until = at + self.cooldown
                return Alert("negative_surge", at, minutes, negative, count * share0,
                             total=count, baseline_share=share0, p_value=p)
        return None


@dataclass
class Watch:
    """Both detectors for one brand or query, fed one reading per minute."""

    baseline: Baseline
    volume: VolumeSpike = field(default_factory=VolumeSpike)
    negative: NegativeSurge = field(default_factory=NegativeSurge)
    _minutes: deque[tuple[int, int]] = field(
        default_factory=lambda: deque(maxlen=max(WINDOWS_MIN)))

    def feed(self, at: datetime, mentions: int, negatives: int) -> list[Alert]:
        self._minutes.append((mentions, negatives))
        recent = list(self._minutes)
        windows = {}
        for minutes in WINDOWS_MIN:
            if len(recent) >= minutes:
                part = recent[-minutes:]
                windows[minutes] = (sum(n for n, _ in part), sum(g for _, g in part))
        if not windows:
            return []
        fired = [self.volume.check(at, windows, self.baseline),
                 self.negative.check(at, windows, self.baseline)]
        return [a for a in fired if a is not None]
