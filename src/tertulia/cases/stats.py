"""Satisfaction figures for dashboards and reports: reads survey rows, then ``csat.summarize``.

``csat_stats(brands, start, end, period="week")`` is the function insights calls; it takes
brands the caller already authorized and returns plain numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from tertulia.cases import csat
from tertulia.cases.models import Survey
from tertulia.governance.models import Brand


def survey_rows(brands: Iterable[Brand], start: datetime, end: datetime,
                tz: str = "UTC") -> list[csat.SurveyRow]:
    zone = ZoneInfo(tz)
    rows = (Survey.objects.filter(brand__in=list(brands), sent_at__gte=start, sent_at__lt=end)
            .select_related("agent", "brand").order_by("sent_at", "id"))
    return [csat.SurveyRow(sent_at=s.sent_at.astimezone(zone), score=s.score,
                           agent=s.agent.display_name if s.agent else "", brand=s.brand.slug)
            for s in rows]


def csat_stats(brands: Iterable[Brand], start: datetime, end: datetime, *,
               period: csat.Period = "week", tz: str = "UTC") -> csat.CsatSummary:
    """Average score, CSAT % and response rate of surveys sent in [start, end), in total,
    per period (in ``tz``) and per agent."""
    return csat.summarize(survey_rows(brands, start, end, tz), period)
