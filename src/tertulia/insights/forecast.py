"""Forecasting contact volume (customer service: "how many conversations tomorrow?"). Pure:
no Django import.

Two candidate models, chosen per series by a rolling-origin backtest:

* **seasonal naive**: tomorrow is the same weekday last week (weekly seasonality only);
* **Holt-Winters** (additive level + trend + weekly season, fixed smoothing constants
  searched on a small grid): follows trends and weekly patterns.

Daily data carries the weekly seasonality (period 7). Hourly data carries the daily one
(period 24) and, with at least three weeks, the weekly one (period 168): `season_length`
says which. The backtest forecasts each of the last `holdout` points from the data before
it (one step ahead) and scores the models by MAE; the one with the lower error is used and
its error is what the dashboard shows beside the forecast ("forecast error"). With too
little history (fewer than two seasons) there is no forecast, and the reason is said.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WEEKLY = 7
DAILY_HOURS = 24
WEEKLY_HOURS = 168
ALPHAS = (0.1, 0.3, 0.5)
BETAS = (0.0, 0.05)
GAMMAS = (0.1, 0.3)


@dataclass(frozen=True, slots=True)
class Forecast:
    model: str  # "seasonal_naive" or "holt_winters"; "" when there is too little history
    fitted: list[float | None]  # one-step-ahead forecast of every observed point (None: none)
    future: list[float]  # forecast of the next `horizon` points
    mae: float | None  # backtest mean absolute error of the chosen model
    mape: float | None  # backtest mean absolute % error (points with actual 0 left out)
    scores: dict[str, float]  # backtest MAE of every candidate
    reason: str = ""


def seasonal_naive(history: Sequence[float], season: int, horizon: int) -> list[float]:
    """Each future point repeats the same point of the last full season."""
    if len(history) < season:
        return []
    last = list(history[-season:])
    return [last[i % season] for i in range(horizon)]


def holt_winters(history: Sequence[float], season: int, horizon: int, alpha: float,
                 beta: float, gamma: float) -> tuple[list[float], list[float | None]]:
    """Additive Holt-Winters. Returns (forecast of the next `horizon` points, one-step
    forecasts of the history: None for the first season, used to initialize)."""
    n = len(history)
    if n < 2 * season:
        return [], [None] * n
    first = sum(history[:season]) / season
    second = sum(history[season:2 * season]) / season
    level = first
    trend = (second - first) / season
    seasonal = [history[i] - first for i in range(season)]
    fitted: list[float | None] = [None] * season
    for t in range(season, n):
        s = seasonal[t % season]
        fitted.append(level + trend + s)
        value = history[t]
        new_level = alpha * (value - s) + (1 - alpha) * (level + trend)
        trend = beta * (new_level - level) + (1 - beta) * trend
        seasonal[t % season] = gamma * (value - new_level) + (1 - gamma) * s
        level = new_level
    future = [level + (h + 1) * trend + seasonal[(n + h) % season] for h in range(horizon)]
    return [max(0.0, v) for v in future], [None if v is None else max(0.0, v)
                                          for v in fitted]


def _best_hw(history: Sequence[float], season: int) -> tuple[float, float, float]:
    """The grid point with the lowest one-step error over the history itself."""
    best, best_err = (0.3, 0.0, 0.1), math.inf
    for a in ALPHAS:
        for b in BETAS:
            for g in GAMMAS:
                _f, fitted = holt_winters(history, season, 0, a, b, g)
                errors = [abs(f - v) for f, v in zip(fitted, history, strict=True)
                          if f is not None]
                if errors and (err := sum(errors) / len(errors)) < best_err:
                    best, best_err = (a, b, g), err
    return best


def _one_step(model: str, history: Sequence[float], season: int) -> float | None:
    if model == "seasonal_naive":
        out = seasonal_naive(history, season, 1)
    else:
        a, b, g = _best_hw(history, season)
        out, _fitted = holt_winters(history, season, 1, a, b, g)
    return out[0] if out else None


def backtest(series: Sequence[float], season: int, holdout: int
             ) -> dict[str, tuple[float, float | None]]:
    """Rolling origin: forecast each of the last `holdout` points from what came before it.
    Returns {model: (MAE, MAPE %)}, only for models that could forecast every point."""
    out: dict[str, tuple[float, float | None]] = {}
    for model in ("seasonal_naive", "holt_winters"):
        errors, pct = [], []
        for t in range(len(series) - holdout, len(series)):
            guess = _one_step(model, series[:t], season)
            if guess is None:
                break
            errors.append(abs(guess - series[t]))
            if series[t]:
                pct.append(abs(guess - series[t]) / abs(series[t]) * 100)
        else:
            if errors:
                out[model] = (sum(errors) / len(errors),
                              sum(pct) / len(pct) if pct else None)
    return out


def forecast(series: Sequence[float], *, season: int = WEEKLY, horizon: int = 7,
             holdout: int | None = None) -> Forecast:
    """Pick the model with the lower backtest MAE (ties go to the simpler seasonal naive)
    and forecast `horizon` points past the series."""
    values = [float(v) for v in series]
    holdout = holdout if holdout is not None else min(2 * season, max(0, len(values) // 4))
    if len(values) < 2 * season + holdout or holdout < 1:
        return Forecast("", [None] * len(values), [], None, None, {},
                        reason=f"needs at least {2 * season + max(holdout, 1)} points of "
                               f"history, has {len(values)}")
    scores = backtest(values, season, holdout)
    if not scores:
        return Forecast("", [None] * len(values), [], None, None, {},
                        reason="no model could be backtested")
    naive = scores.get("seasonal_naive", (math.inf, None))
    hw = scores.get("holt_winters", (math.inf, None))
    model = "holt_winters" if hw[0] < naive[0] else "seasonal_naive"
    mae, mape = scores[model]
    if model == "seasonal_naive":
        future = seasonal_naive(values, season, horizon)
        fitted: list[float | None] = [None] * season + [
            values[t - season] for t in range(season, len(values))]
    else:
        a, b, g = _best_hw(values, season)
        future, fitted = holt_winters(values, season, horizon, a, b, g)
    return Forecast(model, fitted, future, mae, mape,
                    {k: round(v[0], 3) for k, v in scores.items()})


def season_for_hours(hours: int) -> int:
    """Hourly series: the weekly season once three weeks are there, else the daily one."""
    return WEEKLY_HOURS if hours >= 3 * WEEKLY_HOURS else DAILY_HOURS
