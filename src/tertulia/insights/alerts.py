"""Trend and crisis detectors over per-minute counts. Pure: no Django import.

Two detectors per brand (or per query), fed one reading per minute (how many mentions and
how many negatives arrived that minute):

* **Volume spike**: a Poisson CUSUM against the hour-of-week seasonal baseline. Each minute
  adds the log-likelihood ratio of "the rate is `design_ratio` times the usual" against
  "the rate is the usual": `n·ln(r) − (r − 1)·λ`, where λ is the minute's expected count.
  The score never goes below zero, so it forgets calm stretches, and it crosses
  `threshold` within a minute or two of a large spike on a busy brand and after a handful of
  mentions on a quiet one. CUSUM is the fastest detector for a given false-alarm rate
  (Lorden, Moustakides); a fixed window either waits too long (60 min) or is too noisy
  (5 min).
* **Negative-sentiment surge**: a binomial CUSUM on the share of negatives among the
  minute's mentions, against the share the same hour of the week usually has, tuned to a
  rise of `design_rise`. It conditions on the volume, so a busy hour with the usual mood
  stays quiet and a quiet hour turning sour still counts; it needs `min_count` negatives.

Each detector keeps quiet for `cooldown` after it fires, so an episode raises one alert.
Every alert says why it fired: the mentions since the score last stood at zero (the
estimated onset), what the baseline expected over the same minutes, and the tail
probability of that count under the baseline.

The baseline (`seasonal_baseline`) is robust: per hour of the week, the mean of the
previous weeks after outliers (past crises) are clipped, shrunk towards the brand's
hour-of-day profile scaled by its weekday level, so a quiet brand's four samples per hour
do not make a noisy expectation.

Beside them, two detectors of a different kind: `TermBaseline` (a term or hashtag trending
against its own history) and `is_influencer` (a high-reach author mentioning the brand).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any

HOURS_PER_WEEK = 168
_HASHTAG = re.compile(r"#(\w{2,})")
KINDS = ("volume_spike", "negative_surge", "trending_term", "influencer", "owned_activity")


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

    @property
    def weekly_mentions(self) -> float:
        return sum(self.per_hour)


def seasonal_baseline(hourly: Mapping[datetime, tuple[int, int]], until: datetime, *,
                      weeks: int = 4, floor_per_hour: float = 0.5,
                      default_negative_share: float = 0.25, shrink_weeks: float = 2.0,
                      clip_ratio: float = 1.5) -> Baseline:
    """From hourly (mentions, negatives) before `until` (UTC hour starts).

    Per hour of the week: the mean of the previous `weeks` weeks (an hour without a row had
    0), each value clipped to `clip_ratio` times their median so a past crisis does not
    teach the detector that crises are normal. Where that mean is within Poisson noise of
    the pooled expectation (the median of that hour of the day over all the days, times
    the weekday's level), it is shrunk towards it with the weight of `shrink_weeks` weeks. Hours
    below `floor_per_hour` count as that, so a quiet brand's first mentions are judged
    against a small but non-zero expectation."""
    start = until - timedelta(weeks=weeks)
    days = weeks * 7
    grid = [[0] * 24 for _ in range(days)]  # day index from `start`, hour of day
    negatives = [0] * HOURS_PER_WEEK
    totals = [0] * HOURS_PER_WEEK
    for at, (n, neg) in hourly.items():
        if start <= at < until:
            day = (at - start).days
            grid[day][(at - start).seconds // 3600] = n
            how = hour_of_week(at)
            totals[how] += n
            negatives[how] += neg
    day_of = [(start + timedelta(days=d)) for d in range(days)]
    profile = [float(median(grid[d][h] for d in range(days))) for h in range(24)]
    day_totals = [sum(grid[d]) for d in range(days)]
    typical_day = float(median(day_totals)) or 1.0
    weekday_level = []
    for wd in range(7):
        mine = [day_totals[d] for d in range(days) if day_of[d].weekday() == wd]
        weekday_level.append((float(median(mine)) / typical_day) if mine and typical_day
                             else 1.0)
    per_hour: list[float] = [0.0] * HOURS_PER_WEEK
    samples: list[list[float]] = [[] for _ in range(HOURS_PER_WEEK)]
    for d in range(days):
        for h in range(24):
            at = day_of[d] + timedelta(hours=h)
            samples[hour_of_week(at)].append(float(grid[d][h]))
    for how in range(HOURS_PER_WEEK):
        wd, h = divmod(how, 24)
        pooled = profile[h] * weekday_level[wd]
        own = samples[how]
        if not own:
            per_hour[how] = max(floor_per_hour, pooled)
            continue
        cap = clip_ratio * float(median(own)) + 3.0
        values = [min(v, cap) for v in own]
        mean = sum(values) / len(values)
        # Within Poisson noise of the pooled expectation, the pooled one sharpens it; an
        # hour that really differs (a weekly show, a Monday meeting) keeps its own level.
        noise = 2.0 * math.sqrt(max(pooled, 1.0) / len(values))
        if abs(mean - pooled) <= noise:
            mean = (sum(values) + shrink_weeks * pooled) / (len(values) + shrink_weeks)
        per_hour[how] = max(floor_per_hour, mean)
    all_neg, all_total = sum(negatives), sum(totals)
    overall = all_neg / all_total if all_total else default_negative_share
    prior = 20  # Few mentions make a noisy share: lean on the brand's overall share.
    shares = tuple((negatives[how] + prior * overall) / (totals[how] + prior)
                   for how in range(HOURS_PER_WEEK))
    return Baseline(tuple(per_hour), shares)


@dataclass(frozen=True, slots=True)
class Alert:
    """Why a detector fired: the counts since the estimated onset against the baseline."""

    kind: str  # one of KINDS
    at: datetime
    window_min: int
    observed: int
    expected: float
    total: int = 0  # for a surge: all mentions of the window
    baseline_share: float = 0.0
    p_value: float = 0.0
    score: float = 0.0
    subject: str = ""  # the term, or the author handle
    evidence: tuple[int, ...] = ()  # mention ids behind it, when the caller knows them

    def explain(self, lang: str = "en") -> str:
        es = lang == "es"
        if self.kind == "volume_spike":
            if es:
                return (f"{self.observed} menciones en {self.window_min} min; lo habitual a "
                        f"esta hora de la semana son {self.expected:.1f}.")
            return (f"{self.observed} mentions in {self.window_min} min; this hour of the "
                    f"week usually brings {self.expected:.1f}.")
        if self.kind == "negative_surge":
            share = 100 * self.observed / self.total if self.total else 0
            if es:
                return (f"{self.observed} de {self.total} menciones negativas en "
                        f"{self.window_min} min ({share:.0f} %); lo habitual es "
                        f"{100 * self.baseline_share:.0f} %.")
            return (f"{self.observed} of {self.total} mentions negative in "
                    f"{self.window_min} min ({share:.0f} %); usually "
                    f"{100 * self.baseline_share:.0f} %.")
        if self.kind == "trending_term":
            if es:
                return (f"«{self.subject}» aparece en {self.observed} menciones en "
                        f"{self.window_min} min; lo habitual son {self.expected:.1f}.")
            return (f"“{self.subject}” appears in {self.observed} mentions in "
                    f"{self.window_min} min; usually {self.expected:.1f}.")
        if self.kind == "influencer":
            if es:
                return (f"@{self.subject}, con {self.observed:,} seguidores, ha mencionado "
                        f"la marca (umbral {self.expected:,.0f}).")
            return (f"@{self.subject}, with {self.observed:,} followers, mentioned the "
                    f"brand (threshold {self.expected:,.0f}).")
        if es:
            return f"Actividad inesperada en la cuenta propia @{self.subject}."
        return f"Unexpected activity on the owned account @{self.subject}."


@dataclass
class _Cusum:
    """A one-sided CUSUM score with the counts accumulated since it last stood at zero."""

    score: float = 0.0
    minutes: int = 0
    observed: int = 0
    total: int = 0
    expected: float = 0.0
    quiet_until: datetime | None = None

    def reset(self) -> None:
        self.score, self.minutes, self.observed, self.total, self.expected = 0.0, 0, 0, 0, 0.0

    def add(self, llr: float, observed: int, total: int, expected: float) -> None:
        self.score += llr
        if self.score <= 0:
            self.reset()
            return
        self.minutes += 1
        self.observed += observed
        self.total += total
        self.expected += expected

    def quiet(self, at: datetime) -> bool:
        return self.quiet_until is not None and at < self.quiet_until

    def state(self) -> dict[str, Any]:
        return {"score": self.score, "minutes": self.minutes, "observed": self.observed,
                "total": self.total, "expected": self.expected,
                "quiet_until": self.quiet_until.isoformat() if self.quiet_until else None}

    def load(self, data: Mapping[str, Any]) -> None:
        self.score = float(data.get("score", 0.0))
        self.minutes = int(data.get("minutes", 0))
        self.observed = int(data.get("observed", 0))
        self.total = int(data.get("total", 0))
        self.expected = float(data.get("expected", 0.0))
        quiet = data.get("quiet_until")
        self.quiet_until = datetime.fromisoformat(quiet) if quiet else None


@dataclass
class VolumeSpike:
    design_ratio: float = 4.0
    threshold: float = 10.0
    min_count: int = 5
    cooldown: timedelta = timedelta(hours=6)
    cusum: _Cusum = field(default_factory=_Cusum)

    def step(self, at: datetime, mentions: int, expected: float) -> Alert | None:
        lam = max(expected, 1e-6)
        llr = mentions * math.log(self.design_ratio) - (self.design_ratio - 1) * lam
        self.cusum.add(llr, mentions, mentions, lam)
        c = self.cusum
        if c.quiet(at):
            c.reset()
            return None
        if c.score < self.threshold or c.observed < self.min_count:
            return None
        alert = Alert("volume_spike", at, c.minutes, c.observed, c.expected,
                      p_value=poisson_sf(c.observed, c.expected), score=c.score)
        c.quiet_until = at + self.cooldown
        c.reset()
        return alert


@dataclass
class NegativeSurge:
    """The threshold grows with the brand's volume: a binomial CUSUM's false alarms come
    per mention, not per minute, so a brand with a hundred times the mentions needs a
    threshold about ln(100) higher to keep the same false alarms per week. It is set so the
    expected time to a false alarm is `arl_weeks` weeks (Siegmund's approximation,
    ARL₀ ≈ e^h / |drift|), and never below `min_threshold`."""

    design_rise: float = 0.4
    min_threshold: float = 8.0
    arl_weeks: float = 20.0
    min_count: int = 5
    cooldown: timedelta = timedelta(hours=6)
    cusum: _Cusum = field(default_factory=_Cusum)

    def threshold(self, weekly_mentions: float, share0: float = 0.25) -> float:
        p0, p1 = self._shares(share0)
        drift = p0 * math.log(p0 / p1) + (1 - p0) * math.log((1 - p0) / (1 - p1))  # KL
        return max(self.min_threshold,
                   math.log(max(1.0, self.arl_weeks * weekly_mentions * drift)))

    def _shares(self, share0: float) -> tuple[float, float]:
        p0 = min(max(share0, 0.01), 0.9)
        return p0, min(p0 + self.design_rise, 0.97)

    def step(self, at: datetime, mentions: int, negatives: int, share0: float,
             weekly_mentions: float = 0.0) -> Alert | None:
        p0, p1 = self._shares(share0)
        llr = (negatives * math.log(p1 / p0)
               + (mentions - negatives) * math.log((1 - p1) / (1 - p0)))
        self.cusum.add(llr, negatives, mentions, mentions * p0)
        c = self.cusum
        if c.quiet(at):
            c.reset()
            return None
        if c.score < self.threshold(weekly_mentions, share0) or c.observed < self.min_count:
            return None
        alert = Alert("negative_surge", at, c.minutes, c.observed, c.expected, total=c.total,
                      baseline_share=p0, p_value=binomial_sf(c.observed, c.total, p0),
                      score=c.score)
        c.quiet_until = at + self.cooldown
        c.reset()
        return alert


@dataclass
class Watch:
    """Both volume detectors for one brand or query, fed one reading per minute.

    Its state (`state()` / `load()`) is small and JSON-able, so a periodic task can keep it
    in a database row between minutes and any worker can take the next reading."""

    baseline: Baseline
    volume: VolumeSpike = field(default_factory=VolumeSpike)
    negative: NegativeSurge = field(default_factory=NegativeSurge)

    def feed(self, at: datetime, mentions: int, negatives: int) -> list[Alert]:
        fired = [
            self.volume.step(at, mentions, self.baseline.per_minute(at)),
            self.negative.step(at, mentions, negatives,
                               self.baseline.negative_share[hour_of_week(at)],
                               self.baseline.weekly_mentions),
        ]
        return [a for a in fired if a is not None]

    def state(self) -> dict[str, Any]:
        return {"volume": self.volume.cusum.state(), "negative": self.negative.cusum.state()}

    def load(self, data: Mapping[str, Any]) -> None:
        self.volume.cusum.load(data.get("volume", {}))
        self.negative.cusum.load(data.get("negative", {}))


# --- trending terms ---------------------------------------------------------------------

@dataclass
class TermBaseline:
    """Each term's usual mentions per hour, as an exponentially weighted mean of the hours
    seen so far, bounded to the `capacity` most frequent terms (so its memory does not
    grow with the vocabulary). A term trends when an hour holds at least `min_count`
    mentions with it, `ratio` times its usual count, and a Poisson tail below `p_max`; a
    term never seen is judged against `prior_per_hour`."""

    rates: dict[str, float] = field(default_factory=dict)
    hours_seen: int = 0
    half_life_hours: float = 72.0
    capacity: int = 2000
    prior_per_hour: float = 0.2
    min_count: int = 8
    ratio: float = 5.0
    p_max: float = 1e-6
    warmup_hours: int = 24

    def trending(self, counts: Mapping[str, int], at: datetime, window_min: int = 60
                 ) -> list[Alert]:
        """Terms of `counts` (mentions per term in the last `window_min` minutes) that
        trend. Nothing trends before `warmup_hours` of history: everything is new then."""
        if self.hours_seen < self.warmup_hours:
            return []
        out = []
        scale = window_min / 60
        for term, count in sorted(counts.items(), key=lambda kv: -kv[1]):
            if count < self.min_count:
                break
            usual = max(self.rates.get(term, 0.0), self.prior_per_hour) * scale
            if count < self.ratio * usual:
                continue
            p = poisson_sf(count, usual)
            if p < self.p_max:
                out.append(Alert("trending_term", at, window_min, count, usual, p_value=p,
                                 subject=term))
        return out

    def observe_hour(self, counts: Mapping[str, int]) -> None:
        """Fold one finished hour's counts into the usual rates."""
        keep = 0.5 ** (1 / self.half_life_hours)
        for term in list(self.rates):
            self.rates[term] *= keep
        for term, count in counts.items():
            self.rates[term] = self.rates.get(term, 0.0) + (1 - keep) * count
        if len(self.rates) > self.capacity:
            top = sorted(self.rates.items(), key=lambda kv: -kv[1])[: self.capacity]
            self.rates = dict(top)
        self.hours_seen += 1

    def state(self) -> dict[str, Any]:
        return {"rates": {t: round(r, 5) for t, r in self.rates.items() if r >= 1e-4},
                "hours_seen": self.hours_seen}

    def load(self, data: Mapping[str, Any]) -> None:
        self.rates = {str(t): float(r) for t, r in data.get("rates", {}).items()}
        self.hours_seen = int(data.get("hours_seen", 0))


def terms_of(text: str, hashtags: Iterable[str] = (), keywords: Iterable[str] = (),
             exclude: Iterable[str] = ()) -> set[str]:
    """The terms a mention counts for: its hashtags (with #, lower-cased) and keywords,
    less `exclude` (the words of the brand's own queries, which are always there)."""
    out = {"#" + h.lower().lstrip("#") for h in hashtags if h}
    out |= {"#" + tag.lower() for tag in _HASHTAG.findall(text)}
    # A keyword that is also a hashtag of the mention counts once, as the hashtag.
    out |= {k.lower() for k in keywords if k and "#" + k.lower() not in out}
    out.discard("#")
    return out - set(exclude)


# --- influencers ------------------------------------------------------------------------

def query_words(texts: Iterable[str]) -> set[str]:
    """The words and hashtags of query texts, as `terms_of` spells them."""
    out: set[str] = set()
    for text in texts:
        for word in re.findall(r"[#@]?\w+", text.lower()):
            bare = word.lstrip("#@")
            out |= {bare, "#" + bare}
    return out


def is_influencer(followers: int | None, *, verified: bool = False,
                  threshold_followers: int = 50_000) -> bool:
    """A mention by an author with at least `threshold_followers` followers (or a verified
    author with a tenth of them) is one the team wants to see at once."""
    if followers is None:
        return False
    if verified:
        return followers >= threshold_followers // 10
    return followers >= threshold_followers
