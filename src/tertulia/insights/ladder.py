"""The engagement ladder: where each author stands with the brand, from their history. Pure:
no Django import.

Stages, lowest first, decided from one author's history over the LOOKBACK_DAYS before the
end of the period shown (the period included); only authors active in the period are
placed, so the ladder describes the period's conversation:

* **unaware** — talked in the period only about competitors (the brand's competitor
  queries), never about the brand in the whole lookback;
* **interested** — mentioned the brand, but talks about competitors at least as much: the
  brand is one option they are weighing (brand mentions ≤ competitor mentions, and fewer
  than REGULAR_MIN_DAYS days with the brand);
* **first-time participant** — mentioned the brand on one day only in the lookback, and that
  day falls in the period: a first contact;
* **regular** — mentioned the brand on at least REGULAR_MIN_DAYS distinct days of the
  lookback, at least once in the period;
* **enthusiast** — mentioned the brand on at least ENTHUSIAST_MIN_DAYS distinct days of the
  lookback, at least ENTHUSIAST_MIN_PERIOD_DAYS of them in the period, and those mentions
  drew on average at least ENTHUSIAST_MIN_INTERACTIONS interactions (other people listen).

An author with one brand day that fell before the period and who is active in the period
only about competitors is "interested" (they knew us and are looking around).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

LOOKBACK_DAYS = 180
REGULAR_MIN_DAYS = 2
ENTHUSIAST_MIN_DAYS = 5
ENTHUSIAST_MIN_PERIOD_DAYS = 2
ENTHUSIAST_MIN_INTERACTIONS = 1.0


class Stage(StrEnum):
    UNAWARE = "unaware"
    INTERESTED = "interested"
    FIRST_TIME = "first_time"
    REGULAR = "regular"
    ENTHUSIAST = "enthusiast"


STAGES: tuple[Stage, ...] = tuple(Stage)
STAGE_LABELS: dict[Stage, tuple[str, str]] = {
    Stage.UNAWARE: ("Unaware", "No nos conoce"),
    Stage.INTERESTED: ("Interested", "Interesado"),
    Stage.FIRST_TIME: ("First-time participant", "Participa por primera vez"),
    Stage.REGULAR: ("Regular", "Habitual"),
    Stage.ENTHUSIAST: ("Enthusiast", "Entusiasta"),
}


@dataclass(frozen=True, slots=True)
class History:
    """One author's counts over the lookback (which includes the period)."""

    brand_days: int  # distinct days with a brand mention, lookback
    brand_days_in_period: int
    brand_mentions: int  # lookback
    competitor_mentions: int  # lookback
    competitor_mentions_in_period: int
    interactions_in_period: int  # drawn by their brand mentions in the period
    brand_mentions_in_period: int


def classify(h: History) -> Stage | None:
    """The author's stage, or None when they were not active in the period."""
    if h.brand_days_in_period == 0 and h.competitor_mentions_in_period == 0:
        return None
    if h.brand_mentions == 0:
        return Stage.UNAWARE
    if h.brand_days >= ENTHUSIAST_MIN_DAYS and (
            h.brand_days_in_period >= ENTHUSIAST_MIN_PERIOD_DAYS
            and h.interactions_in_period
            >= ENTHUSIAST_MIN_INTERACTIONS * max(1, h.brand_mentions_in_period)):
        return Stage.ENTHUSIAST
    if h.brand_days >= REGULAR_MIN_DAYS and h.brand_days_in_period >= 1:
        return Stage.REGULAR
    if h.brand_mentions <= h.competitor_mentions or h.brand_days_in_period == 0:
        return Stage.INTERESTED
    return Stage.FIRST_TIME


def ladder(histories: Iterable[History]) -> dict[Stage, int]:
    """How many authors stand on each stage (every stage present, 0 when empty)."""
    counts: Counter[Stage] = Counter()
    for h in histories:
        stage = classify(h)
        if stage is not None:
            counts[stage] += 1
    return {s: counts.get(s, 0) for s in STAGES}
