"""Changes people make in insights: asking for a report file."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tertulia.governance.audit import Actor, AuditAction, record
from tertulia.governance.models import Brand
from tertulia.insights.metrics import Compare, Period
from tertulia.insights.models import Report
from tertulia.insights.reports import FORMATS, TEMPLATES


@transaction.atomic
def do_request_report(brand: Brand, *, template: str, fmt: str, language: str,
                      period: Period, compare: Compare, actor: Actor,
                      now: datetime | None = None) -> Report:
    """Record the request (audited: the figures leave the platform) and generate the file in
    the background once the request has committed."""
    if template not in TEMPLATES or fmt not in FORMATS or language not in ("es", "en"):
        raise ValueError("unknown report template, format or language")
    report = Report.objects.create(
        organization=brand.organization, brand=brand, template=template, format=fmt,
        language=language, period_start=period.start, period_end=period.end,
        compare=compare.value, requested_by=actor.user, created_at=now or timezone.now(),
    )
    record(brand.organization, actor, AuditAction.REPORT_REQUESTED, obj=report, brand=brand,
           after={"template": template, "format": fmt, "language": language,
                  "period": [period.start.isoformat(), period.end.isoformat()]})
    from tertulia.insights.tasks import generate_report

    transaction.on_commit(lambda: generate_report(report.id))
    return report
