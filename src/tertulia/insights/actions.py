"""Changes people make in insights: asking for a report file, importing business data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tertulia.governance.audit import Actor, AuditAction, record
from tertulia.governance.models import Brand
from tertulia.insights.business import Parsed
from tertulia.insights.metrics import Compare, Period
from tertulia.insights.models import BusinessFigure, BusinessImport, Report
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


# ---------------------------------------------------------------------------------------------
# Business data


@dataclass
class ImportOutcome:
    """What an import did: the recorded import, and whether this same file had been
    imported before (its figures are then replaced by the same values: nothing changes)."""

    record: BusinessImport
    repeated: bool


def do_import_business_data(brand: Brand, parsed: Parsed, *, source: str, file_name: str,
                            sha256: str, actor: Actor, now: datetime | None = None
                            ) -> ImportOutcome:
    """Save the good rows of a checked file (see `business.parse`) as the brand's daily
    figures, keyed by (metric, campaign, day): importing the same file again replaces each
    figure by the same value, so it is idempotent. The refused rows are kept on the import
    record (line, field, reason) for the person to fix and upload again."""
    now = now or timezone.now()
    with transaction.atomic():
        repeated = bool(sha256) and BusinessImport.objects.filter(
            brand=brand, sha256=sha256).exists()
        record_ = BusinessImport.objects.create(
            brand=brand, source=source, file_name=file_name[:200], sha256=sha256,
            rows_total=parsed.total_rows, rows_saved=len(parsed.rows),
            figures_saved=parsed.figures, errors=[e.as_dict() for e in parsed.errors],
            created_by=actor.user, created_at=now)
        figures = [BusinessFigure(brand=brand, metric=metric, campaign=row.campaign,
                                  day=row.day, value=value, imported=record_, updated_at=now)
                   for row in parsed.rows for metric, value in row.values.items()]
        for start in range(0, len(figures), 2000):
            BusinessFigure.objects.bulk_create(
                figures[start:start + 2000], update_conflicts=True,
                unique_fields=["brand", "metric", "campaign", "day"],
                update_fields=["value", "imported", "updated_at"])
        days = [r.day for r in parsed.rows]
        record(brand.organization, actor, AuditAction.BUSINESS_DATA_IMPORTED, obj=record_,
               brand=brand, after={
                   "source": source, "file_name": file_name[:200], "sha256": sha256,
                   "rows_saved": len(parsed.rows), "figures": parsed.figures,
                   "rows_refused": len(parsed.errors) + parsed.errors_left_out,
                   "metrics": sorted({m for r in parsed.rows for m in r.values}),
                   "days": [min(days).isoformat(), max(days).isoformat()] if days else [],
                   "repeated": repeated})
    return ImportOutcome(record_, repeated)
