"""Alert detectors: pure, so tested directly with streams built here."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tertulia.insights.alerts import (
    Baseline,
    Watch,
    binomial_sf,
    hour_of_week,
    poisson_sf,
    seasonal_baseline,
)

MONDAY = datetime(2026, 3, 2, tzinfo=UTC)


@given(st.integers(0, 40), st.floats(0.01, 30))
def test_poisson_tail_matches_the_direct_sum(k: int, lam: float) -> None:
    direct = 1 - sum(math.exp(-lam) * lam ** i / math.factorial(i) for i in range(k))
    assert poisson_sf(k, lam) == pytest.approx(max(direct, 0), abs=1e-9)


@given(st.integers(0, 30), st.integers(0, 30), st.floats(0.01, 0.99))
def test_binomial_tail_matches_the_direct_sum(k: int, n: int, p: float) -> None:
    direct = sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k, n + 1))
    assert binomial_sf(k, n, p) == pytest.approx(direct, abs=1e-9)


def test_baseline_is_the_median_of_the_same_hour_in_previous_weeks() -> None:
    hourly = {}
    for week, count in enumerate([10, 12, 300, 11]):  # one week had a crisis at 9:00 Monday
        hourly[MONDAY + timedelta(weeks=week, hours=9)] = (count, count // 4)
    base = seasonal_baseline(hourly, MONDAY + timedelta(weeks=4))
    assert base.per_hour[hour_of_week(MONDAY + timedelta(hours=9))] == 11.5
    assert base.per_hour[hour_of_week(MONDAY + timedelta(hours=3))] == 0.5, "floor"
    assert 0.2 < base.negative_share[9] < 0.3


def _calm(per_hour: float = 120.0) -> Baseline:
    return Baseline(tuple([per_hour] * 168), tuple([0.25] * 168))


def _feed(watch: Watch, minutes: int, rate_per_min: float, share: float, start: datetime,
          rng: random.Random) -> list:
    alerts = []
    for i in range(minutes):
        n = sum(1 for _ in range(int(rate_per_min * 4)) if rng.random() < 0.25)
        neg = sum(1 for _ in range(n) if rng.random() < share)
        alerts += watch.feed(start + timedelta(minutes=i), n, neg)
    return alerts


def test_calm_traffic_raises_nothing_and_a_spike_fires_once_within_minutes() -> None:
    rng = random.Random(3)
    watch = Watch(_calm())
    assert _feed(watch, 24 * 60, 2.0, 0.25, MONDAY, rng) == []
    onset = MONDAY + timedelta(days=1)
    alerts = _feed(watch, 60, 10.0, 0.25, onset, rng)
    assert [a.kind for a in alerts] == ["volume_spike"], "one alert per episode (cooldown)"
    assert alerts[0].at - onset <= timedelta(minutes=5)
    assert "usually brings" in alerts[0].explain() and "lo habitual" in alerts[0].explain("es")


def test_a_negative_surge_fires_with_its_numbers() -> None:
    rng = random.Random(5)
    watch = Watch(_calm())
    _feed(watch, 120, 2.0, 0.25, MONDAY, rng)
    alerts = _feed(watch, 30, 3.0, 0.8, MONDAY + timedelta(hours=2), rng)
    surge = [a for a in alerts if a.kind == "negative_surge"]
    assert len(surge) == 1
    assert surge[0].observed / surge[0].total > 0.5 and surge[0].baseline_share == 0.25
    assert "negative" in surge[0].explain()
