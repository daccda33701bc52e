"""Lag correlation: the arithmetic, the lags, and an honest reading."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest

from tertulia.insights import correlation as C

D0 = date(2026, 3, 1)


def days(values: list[float], start: date = D0) -> dict[date, float]:
    return {start + timedelta(days=i): v for i, v in enumerate(values)}


def test_pearson_and_spearman_on_known_values() -> None:
    xs, ys = [1, 2, 3, 4, 5], [2, 4, 5, 4, 5]
    # Computed by hand: r = 6 / sqrt(10 * 6) = 0.7746
    assert C.pearson(xs, ys) == pytest.approx(0.7745967, abs=1e-6)
    # Ranks of ys with ties averaged: [1, 2.5, 4, 2.5, 4] → ρ = 0.7379...
    assert C.ranks(ys) == [1.0, 2.5, 4.5, 2.5, 4.5]
    assert C.spearman(xs, ys) == pytest.approx(C.pearson([1, 2, 3, 4, 5],
                                                         [1, 2.5, 4.5, 2.5, 4.5]))
    assert C.pearson([1, 2, 3], [6, 4, 2]) == pytest.approx(-1.0)
    assert C.spearman([1, 2, 3, 4], [1, 8, 27, 64]) == pytest.approx(1.0)  # monotone


def test_constant_or_tiny_series_have_no_coefficient() -> None:
    assert C.pearson([1, 1, 1], [1, 2, 3]) is None
    assert C.pearson([1], [2]) is None
    assert C.p_value(None, 10) is None


def test_p_value_by_fisher_z() -> None:
    # r = 0.5, n = 30: z = atanh(0.5)·sqrt(27) = 2.854 → p = 0.0043
    assert C.p_value(0.5, 30) == pytest.approx(math.erfc(2.8540 / math.sqrt(2)), rel=1e-3)
    assert C.p_value(0.0, 30) == pytest.approx(1.0)


def test_a_campaign_that_moves_sales_three_days_later_is_found_at_lag_plus_three() -> None:
    rng = random.Random(4)
    social = [rng.uniform(50, 150) for _ in range(60)]
    sales = days([0.0] * 3 + [2 * v + rng.uniform(-5, 5) for v in social[:-3]])
    results = C.lag_correlations(days(social), sales)
    assert [r.lag_days for r in results] == list(range(-14, 15))
    best = C.best_lag(results)
    assert best is not None and best.lag_days == 3
    assert best.pearson is not None and best.pearson > 0.95
    assert best.n == 57  # 60 social days paired with the sales three days later
    text = C.reading(results, "Mentions", "Sales", "en")
    assert "Mentions leads Sales by 3 day(s)" in text
    assert "strong positive" in text and "unlikely to be chance" in text
    assert "not causation" in text
    assert "se adelanta 3 día(s)" in C.reading(results, "Menciones", "Ventas", "es")


def test_missing_business_days_are_left_out_not_zero() -> None:
    social = days([float(i) for i in range(20)])
    sales = {d: v * 3 for d, v in social.items() if d.day % 2}  # every other day missing
    lag0 = next(r for r in C.lag_correlations(social, sales) if r.lag_days == 0)
    assert lag0.n == 10
    assert lag0.pearson == pytest.approx(1.0)


def test_small_n_says_so_and_computes_nothing() -> None:
    social = days([1, 5, 2, 8, 3])
    sales = days([2, 9, 3, 15, 5])
    results = C.lag_correlations(social, sales)
    assert all(r.pearson is None for r in results)
    text = C.reading(results, "Mentions", "Sales")
    assert text.startswith("Not enough data: 5 days")
    assert "at least 8" in text


def test_chance_on_few_days_is_not_called_clear() -> None:
    # Noise against noise: the best of 29 lags on 8 to 12 days reaches |r| ≈ 0.7 by chance;
    # corrected for the lags tested it is not "unlikely to be chance".
    rng = random.Random(1)
    social = days([rng.uniform(0, 1) for _ in range(12)])
    sales = days([rng.uniform(0, 1) for _ in range(12)])
    text = C.reading(C.lag_correlations(social, sales), "Mentions", "Sales")
    assert "could well be chance" in text
    assert "hint, not a finding" in text
