"""Lag correlation between two daily series ("did the campaign move sales?"). Pure: no
Django import.

`lag_correlations(social, business)` pairs the social series on day d with the business
series on day d + lag, for every lag from −MAX_LAG to +MAX_LAG days, and computes Pearson's
r (linear) and Spearman's ρ (rank: robust to a few huge days) over the days where both
values exist. A positive lag means social moves first; a negative lag, business first.

Honesty rules, because a correlation on a handful of days means nothing:
* fewer than MIN_PAIRS common days: no coefficient at all (None), and the reading says why;
* each coefficient carries its n and an approximate two-sided p-value (Fisher z), and the
  reading only calls a relation "clear" when |r| ≥ 0.5 and p, multiplied by the number of
  lags tested (Bonferroni: the best of 29 tries is easy to find by chance), is < 0.05;
* the reading always says that correlation is not causation and that testing 29 lags makes
  one of them look good by chance (the best lag is reported with that caveat).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

MAX_LAG = 14
MIN_PAIRS = 8
STRONG_R = 0.5
MODERATE_R = 0.3
SIGNIFICANT_P = 0.05


@dataclass(frozen=True, slots=True)
class LagResult:
    lag_days: int
    n: int
    pearson: float | None
    spearman: float | None
    p_value: float | None  # of Pearson's r, two-sided, Fisher z approximation


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r, or None when n < 2 or either series is constant."""
    n = len(xs)
    if n != len(ys) or n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1, ties sharing their average rank (what Spearman's ρ needs)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        rank = (i + j) / 2 + 1
        for k in range(i, j + 1):
            out[order[k]] = rank
        i = j + 1
    return out


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's ρ: Pearson's r of the ranks (ties averaged)."""
    if len(xs) != len(ys) or len(xs) < 2:
        return None
    return pearson(ranks(xs), ranks(ys))


def p_value(r: float | None, n: int) -> float | None:
    """Two-sided p-value of r ≠ 0 by Fisher's z (normal approximation; fine from n ≈ 8)."""
    if r is None or n < 4:
        return None
    if abs(r) >= 1.0:
        return 0.0
    z = math.atanh(r) * math.sqrt(n - 3)
    return math.erfc(abs(z) / math.sqrt(2))


def lag_correlations(social: Mapping[date, float], business: Mapping[date, float],
                     max_lag: int = MAX_LAG) -> list[LagResult]:
    """One result per lag in −max_lag..+max_lag: social on day d against business on day
    d + lag, over the days where both have a value (missing days are left out, not 0)."""
    out = []
    for lag in range(-max_lag, max_lag + 1):
        xs, ys = [], []
        for day, x in social.items():
            y = business.get(day + timedelta(days=lag))
            if y is not None and x is not None:
                xs.append(float(x))
                ys.append(float(y))
        n = len(xs)
        if n < MIN_PAIRS:
            out.append(LagResult(lag, n, None, None, None))
            continue
        r = pearson(xs, ys)
        out.append(LagResult(lag, n, r, spearman(xs, ys), p_value(r, n)))
    return out


def best_lag(results: Sequence[LagResult]) -> LagResult | None:
    """The lag with the largest |Pearson r| (ties: the smallest |lag|), or None."""
    scored = [r for r in results if r.pearson is not None]
    if not scored:
        return None
    return max(scored, key=lambda r: (abs(r.pearson or 0.0), -abs(r.lag_days)))


def strength(r: float) -> str:
    a = abs(r)
    if a >= STRONG_R:
        return "strong"
    if a >= MODERATE_R:
        return "moderate"
    return "weak"


_READ = {
    "en": {
        "none": ("Not enough data: {n} days with both figures (at least {min} are needed "
                 "for any reading)."),
        "flat": "No lag gives a correlation (one of the series does not vary).",
        "lead": "{social} leads {business} by {days} day(s)",
        "lag": "{business} leads {social} by {days} day(s)",
        "same": "{social} and {business} move on the same day",
        "strong": "a strong", "moderate": "a moderate", "weak": "only a weak",
        "up": "positive", "down": "negative",
        "body": ("{when}: {strength} {sign} relation (Pearson r = {r}, Spearman ρ = {rho}, "
                 "n = {n} days, p ≈ {p})."),
        "clear": " It is unlikely to be chance alone.",
        "unclear": " It could well be chance.",
        "small": " With fewer than 30 days, read it as a hint, not a finding.",
        "caveat": (" Correlation is not causation, and the best of {lags} lags looks better "
                   "than it is: confirm it with a planned test (a period or region without "
                   "the campaign)."),
    },
    "es": {
        "none": ("No hay datos suficientes: {n} días con ambas cifras (hacen falta al menos "
                 "{min} para cualquier lectura)."),
        "flat": "Ningún desfase da correlación (una de las series no varía).",
        "lead": "{social} se adelanta {days} día(s) a {business}",
        "lag": "{business} se adelanta {days} día(s) a {social}",
        "same": "{social} y {business} se mueven el mismo día",
        "strong": "una relación fuerte", "moderate": "una relación moderada",
        "weak": "solo una relación débil",
        "up": "positiva", "down": "negativa",
        "body": ("{when}: {strength} {sign} (r de Pearson = {r}, ρ de Spearman = {rho}, "
                 "n = {n} días, p ≈ {p})."),
        "clear": " Es poco probable que sea solo azar.",
        "unclear": " Bien podría ser azar.",
        "small": " Con menos de 30 días, tómelo como un indicio, no como una conclusión.",
        "caveat": (" Correlación no es causalidad, y el mejor de {lags} desfases parece mejor "
                   "de lo que es: confírmelo con una prueba planificada (un periodo o una "
                   "región sin la campaña)."),
    },
}


def _fmt(value: float | None, lang: str, digits: int = 2) -> str:
    if value is None:
        return "—"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "es" else text


def reading(results: Sequence[LagResult], social: str, business: str,
            lang: str = "en") -> str:
    """A plain-language sentence about the best lag, honest about n and chance."""
    words = _READ["es" if lang == "es" else "en"]
    best = best_lag(results)
    if best is None:
        most = max((r.n for r in results), default=0)
        if most < MIN_PAIRS:
            return words["none"].format(n=most, min=MIN_PAIRS)
        return words["flat"]
    r = best.pearson or 0.0
    if best.lag_days > 0:
        when = words["lead"].format(social=social, business=business, days=best.lag_days)
    elif best.lag_days < 0:
        when = words["lag"].format(social=social, business=business, days=-best.lag_days)
    else:
        when = words["same"].format(social=social, business=business)
    text = words["body"].format(
        when=when, strength=words[strength(r)], sign=words["up" if r >= 0 else "down"],
        r=_fmt(r, lang), rho=_fmt(best.spearman, lang), n=best.n,
        p=_fmt(best.p_value, lang, 3))
    tested = sum(1 for x in results if x.pearson is not None)
    clear = abs(r) >= STRONG_R and best.p_value is not None and \
        best.p_value * tested < SIGNIFICANT_P
    text += words["clear"] if clear else words["unclear"]
    if best.n < 30:
        text += words["small"]
    text += words["caveat"].format(lags=len(results))
    return text
