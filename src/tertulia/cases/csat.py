"""Customer satisfaction figures from survey rows. Pure: insights dashboards and reports call
:func:`summarize` (or ``stats.csat_stats``, which reads the rows) and get numbers back.

* ``average``: mean score (1–5) of the answered surveys, ``None`` when none were answered;
* ``csat_pct``: share of answers scoring 4 or 5, in percent (the usual "CSAT %");
* ``response_rate_pct``: answered ÷ sent, in percent, ``None`` when none were sent.

A survey counts in the period it was *sent* in, so the response rate of a period is the share
of that period's surveys that were ever answered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

Period = Literal["day", "week", "month"]
SATISFIED_MIN = 4


@dataclass(frozen=True, slots=True)
class SurveyRow:
    sent_at: datetime
    score: int | None
    agent: str = ""
    brand: str = ""


@dataclass
class CsatFigures:
    sent: int = 0
    answered: int = 0
    scores: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))

    @property
    def average(self) -> float | None:
        if not self.answered:
            return None
        return round(sum(s * n for s, n in self.scores.items()) / self.answered, 2)

    @property
    def csat_pct(self) -> float | None:
        if not self.answered:
            return None
        happy = sum(n for s, n in self.scores.items() if s >= SATISFIED_MIN)
        return round(100 * happy / self.answered, 1)

    @property
    def response_rate_pct(self) -> float | None:
        if not self.sent:
            return None
        return round(100 * self.answered / self.sent, 1)

    def add(self, row: SurveyRow) -> None:
        self.sent += 1
        if row.score is not None:
            if not 1 <= row.score <= 5:
                raise ValueError(f"a CSAT score is 1 to 5, not {row.score}")
            self.answered += 1
            self.scores[row.score] += 1

    def as_dict(self) -> dict[str, object]:
        return {"sent": self.sent, "answered": self.answered, "average": self.average,
                "csat_pct": self.csat_pct, "response_rate_pct": self.response_rate_pct,
                "scores": dict(self.scores)}


def period_start(at: datetime | date, period: Period) -> date:
    day = at.date() if isinstance(at, datetime) else at
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown period {period!r}: use day, week or month")


@dataclass
class CsatSummary:
    total: CsatFigures
    by_period: dict[date, CsatFigures]
    by_agent: dict[str, CsatFigures]


def summarize(rows: Iterable[SurveyRow], period: Period = "week") -> CsatSummary:
    """Totals, per period (by the sending date, in the rows' own time zone) and per agent."""
    total = CsatFigures()
    by_period: dict[date, CsatFigures] = defaultdict(CsatFigures)
    by_agent: dict[str, CsatFigures] = defaultdict(CsatFigures)
    for row in rows:
        total.add(row)
        by_period[period_start(row.sent_at, period)].add(row)
        by_agent[row.agent].add(row)
    return CsatSummary(total, dict(sorted(by_period.items())), dict(sorted(by_agent.items())))
