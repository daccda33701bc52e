"""Report files on disk: generated in the background, kept under <data dir>/reports/."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from tertulia.governance.models import Brand
from tertulia.insights.dashboards import Filters
from tertulia.insights.metrics import Compare, Period
from tertulia.insights.models import Report
from tertulia.insights.reports.content import build_report
from tertulia.insights.reports.render import render_report

log = logging.getLogger(__name__)


def folder(report: Report) -> Path:
    return Path(settings.DATA_DIR) / "reports" / str(report.organization_id)


def path_of(report: Report) -> Path:
    return folder(report) / report.file_name


def _brands_for(report: Report) -> list[Brand]:
    """The brands an executive summary may cover: those the requester may see insights of
    (an agency's person sees only the brands granted to the agency)."""
    from tertulia.governance.access import can, visible_brands
    from tertulia.governance.permissions import Permission

    user = report.requested_by
    if user is None or not user.is_active:
        return [report.brand]
    return [b for b in visible_brands(user, report.brand.organization).filter(is_active=True)
            if can(user, Permission.BRAND_INSIGHTS_VIEW, b)] or [report.brand]


def generate(report_id: int, *, now: datetime | None = None) -> str:
    report = Report.objects.select_related("brand", "brand__organization",
                                           "requested_by").filter(
        id=report_id).first()
    if report is None or report.status == Report.Status.DONE:
        return ""
    Report.objects.filter(id=report.id).update(status=Report.Status.RUNNING, progress=10)
    try:
        brand = report.brand
        filters = Filters(Period(report.period_start, report.period_end),
                          Compare(report.compare))
        doc = build_report(brand, report.template, report.language, filters,
                           brands=_brands_for(report), now=now or timezone.now())
        Report.objects.filter(id=report.id).update(progress=50)
        data = render_report(doc, report.format)
        name = f"{report.id}-{brand.slug}-{doc.filename}.{report.format}"
        target = folder(report)
        target.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(data)
    except Exception as error:  # the page shows that it failed, and why
        log.exception("report %s failed", report_id)
        Report.objects.filter(id=report.id).update(
            status=Report.Status.FAILED, error=str(error)[:500], finished_at=timezone.now())
        return ""
    Report.objects.filter(id=report.id).update(
        status=Report.Status.DONE, progress=100, file_name=name, size_bytes=len(data),
        finished_at=timezone.now())
    return name
