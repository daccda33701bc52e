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
    NegativeSurge,
    TermBaseline,
    Watch,
    binomial_sf,
    hour_of_week,
    is_influencer,
    poisson_sf,
    query_words,
    seasonal_baseline,
    terms_of,
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


def test_baseline_keeps_a_weekly_hour_and_ignores_a_past_crisis() -> None:
    hourly = {}
    for week, count in enumerate([10, 12, 300, 11]):  # one week had a crisis at 9:00 Monday
        hourly[MONDAY + timedelta(weeks=week, hours=9)] = (count, count // 4)
    base = seasonal_baseline(hourly, MONDAY + timedelta(weeks=4))
    # Clipped to 1.5 × the median + 3: the 300 counts as 20.25, so the mean is 13.3.
    assert base.per_hour[hour_of_week(MONDAY + timedelta(hours=9))] == pytest.approx(13.3125)
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


def test_the_detector_state_survives_a_round_trip_between_minutes() -> None:
    """The minute task keeps the CUSUM state in a row: reloading it mid-episode must fire
    exactly as an uninterrupted watch does."""
    rng_a, rng_b = random.Random(9), random.Random(9)
    whole = Watch(_calm())
    _feed(whole, 60, 2.0, 0.25, MONDAY, rng_a)
    split = Watch(_calm())
    _feed(split, 60, 2.0, 0.25, MONDAY, rng_b)
    onset = MONDAY + timedelta(hours=1)
    expected = _feed(whole, 3, 10.0, 0.25, onset, rng_a)
    first = _feed(split, 1, 10.0, 0.25, onset, rng_b)
    reloaded = Watch(_calm())
    reloaded.load(split.state())
    got = first + _feed(reloaded, 2, 10.0, 0.25, onset + timedelta(minutes=1), rng_b)
    assert [a.at for a in got] == [a.at for a in expected]
    assert got and got[0].kind == "volume_spike"


def test_surge_threshold_grows_with_the_brands_volume() -> None:
    surge = NegativeSurge()
    assert surge.threshold(100) == surge.min_threshold, "a quiet brand keeps the floor"
    busy = surge.threshold(100_000)
    assert busy - surge.threshold(10_000) == pytest.approx(math.log(10), abs=1e-9)
    assert 12 < busy < 14


def test_a_new_hashtag_trends_against_its_own_history() -> None:
    terms = TermBaseline()
    for _ in range(48):
        terms.observe_hour({"#cafe": 30, "#otono": 1})
    at = MONDAY + timedelta(days=2)
    assert terms.trending({"#cafe": 35, "#otono": 2}, at) == [], "usual levels"
    found = terms.trending({"#cafe": 36, "#huelga": 12, "#otono": 3}, at)
    assert [a.subject for a in found] == ["#huelga"]
    assert found[0].observed == 12 and found[0].expected == pytest.approx(0.2)
    assert "#huelga" in found[0].explain() and "lo habitual" in found[0].explain("es")
    assert TermBaseline().trending({"#huelga": 50}, at) == [], "no history: nothing trends"


def test_term_memory_is_bounded_and_round_trips() -> None:
    terms = TermBaseline(capacity=10)
    terms.observe_hour({f"t{i}": i for i in range(50)})
    assert len(terms.rates) == 10 and "t49" in terms.rates
    again = TermBaseline()
    again.load(terms.state())
    assert again.hours_seen == 1 and again.rates.keys() == terms.rates.keys()


def test_terms_and_influencers() -> None:
    assert terms_of("Cola enorme en #CafeAurora, ¡#huelga!", keywords=["cola"]) == {
        "#cafeaurora", "#huelga", "cola"}
    own = query_words(['"cafe aurora" OR @cafeaurora'])
    assert terms_of("cafe aurora #cafeaurora #huelga", keywords=["cafe", "huelga"],
                    exclude=own) == {"#huelga"}, "the brand's own words never trend"
    assert is_influencer(60_000) and not is_influencer(49_999)
    assert is_influencer(6_000, verified=True) and not is_influencer(None)
