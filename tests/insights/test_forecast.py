"""Contact-volume forecasting: the models, the backtest that chooses, the error shown."""

from __future__ import annotations

import random

import pytest

from tertulia.insights import forecast as F

WEEK = [40, 42, 41, 45, 50, 20, 15]


def test_seasonal_naive_repeats_last_week() -> None:
    history = WEEK * 3
    assert F.seasonal_naive(history, 7, 10) == [*WEEK, *WEEK[:3]]
    assert F.seasonal_naive([1, 2], 7, 3) == []


def test_a_pure_weekly_pattern_is_forecast_exactly() -> None:
    result = F.forecast(WEEK * 8, season=7, horizon=7, holdout=14)
    assert result.model == "seasonal_naive"  # ties go to the simpler model
    assert result.mae == pytest.approx(0.0)
    assert result.future == pytest.approx(WEEK)
    assert result.scores["seasonal_naive"] == 0.0


def test_holt_winters_wins_on_a_trend_and_its_backtest_error_is_lower() -> None:
    rng = random.Random(3)
    series = [w + 2.0 * t + rng.uniform(-1, 1) for t, w in
              enumerate(WEEK * 8)]  # weekly season on a rising trend
    result = F.forecast(series, season=7, horizon=7, holdout=14)
    assert result.model == "holt_winters"
    assert result.scores["holt_winters"] < result.scores["seasonal_naive"]
    # Seasonal naive is late by one week of trend: 14 per day.
    assert result.scores["seasonal_naive"] == pytest.approx(14, abs=1.5)
    assert result.mae == pytest.approx(result.scores["holt_winters"], abs=1e-3)
    assert result.mape is not None and result.mape < 5
    # The forecast continues the trend: next week's Monday is above this week's.
    assert result.future[0] > series[-7]
    assert len(result.fitted) == len(series)


def test_backtest_forecasts_each_holdout_point_from_the_past_only() -> None:
    series = [10.0] * 21 + [100.0]  # a surprise on the last day
    scores = F.backtest(series, 7, 1)
    assert scores["seasonal_naive"] == (90.0, 90.0)  # MAE 90, MAPE 90 %


def test_too_little_history_gives_no_forecast_and_says_why() -> None:
    result = F.forecast([3.0] * 10, season=7, horizon=7, holdout=7)
    assert result.model == "" and result.future == [] and result.mae is None
    assert "needs at least 21 points" in result.reason


def test_hourly_series_pick_a_daily_or_weekly_season() -> None:
    assert F.season_for_hours(24 * 10) == 24
    assert F.season_for_hours(24 * 21) == 168
    day = [1, 1, 1, 1, 2, 4, 8, 9, 9, 8, 7, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1]
    result = F.forecast(day * 6, season=24, horizon=24, holdout=24)
    assert result.future == pytest.approx(day)
