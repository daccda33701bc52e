"""Dashboards: the PR / communication dashboard of a brand and the executive one across
brands. They read rollups only (see dashboards.py); every chart downloads as CSV here."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tertulia.governance.access import can, visible_brands
from tertulia.governance.audit import Actor
from tertulia.governance.models import Brand, Organization
from tertulia.governance.permissions import Permission as P
from tertulia.insights import dashboards, metrics
from tertulia.insights.actions import do_request_report
from tertulia.insights.forms import InsightsFilterForm, ReportForm, today_in
from tertulia.insights.models import Report
from tertulia.insights.reports.files import path_of
from tertulia.insights.reports.render import CONTENT_TYPES
from tertulia.web.routing import brand_route, org_route


def _lang() -> str:
    return "es" if (get_language() or "en").startswith("es") else "en"


def _brand_dashboard(request: HttpRequest, brand: Brand
                     ) -> tuple[InsightsFilterForm, dashboards.Dashboard]:
    form = InsightsFilterForm(request.GET or None)
    filters = form.filters(today_in(brand.timezone, timezone.now()))
    return form, dashboards.pr_dashboard(brand, filters, _lang())


@brand_route(P.BRAND_INSIGHTS_VIEW)
def pr(request: HttpRequest, brand: Brand) -> HttpResponse:
    form, board = _brand_dashboard(request, brand)
    return render(request, "insights/pr.html", {
        "org": brand.organization, "brand": brand, "form": form, "board": board,
        "query": _query(request), "section": "insights",
        "can_report": can(request.user, P.BRAND_REPORTS_MANAGE, brand),
    })


@brand_route(P.BRAND_INSIGHTS_VIEW)
def pr_csv(request: HttpRequest, brand: Brand) -> HttpResponse:
    _form, board = _brand_dashboard(request, brand)
    return _csv(board, request.GET.get("widget", ""), f"{brand.slug}")


def _insight_brands(request: HttpRequest, org: Organization) -> list[Brand]:
    return [b for b in visible_brands(request.user, org).select_related("organization")
            if can(request.user, P.BRAND_INSIGHTS_VIEW, b)]


def _executive(request: HttpRequest, org: Organization) -> tuple[
        InsightsFilterForm, dashboards.Dashboard, list[dashboards.BrandLine]]:
    brands = _insight_brands(request, org)
    form = InsightsFilterForm(request.GET or None)
    tz = brands[0].timezone if brands else "UTC"
    board, lines = dashboards.executive_dashboard(
        brands, form.filters(today_in(tz, timezone.now())), _lang())
    return form, board, lines


@org_route(P.BRAND_INSIGHTS_VIEW)
def executive(request: HttpRequest, org: Organization) -> HttpResponse:
    form, board, lines = _executive(request, org)
    return render(request, "insights/executive.html", {
        "org": org, "form": form, "board": board, "lines": lines, "query": _query(request),
        "framework": dashboards.framework(board.totals or dashboards.Totals(), board.previous,
                                          _lang()),
        "section": "insights",
    })


@org_route(P.BRAND_INSIGHTS_VIEW)
def executive_csv(request: HttpRequest, org: Organization) -> HttpResponse:
    _form, board, lines = _executive(request, org)
    if request.GET.get("widget") == "brands":
        headers = [dashboards.word("brand", _lang()),
                   *(m.label(_lang()) for m in dashboards.EXEC_METRICS)]
        rows = [[line.brand.name, *(k.raw for k in line.cells)] for line in lines]
        return _csv_response(headers, rows, f"{org.slug}-brands")
    return _csv(board, request.GET.get("widget", ""), org.slug)


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("widget", None)
    return query.urlencode()


def _csv(board: dashboards.Dashboard, key: str, prefix: str) -> HttpResponse:
    """One widget's table; without `widget`, every widget's, one after the other."""
    period = f"{board.filters.period.start}-{board.filters.period.end}"
    if not key:
        headers: list[str] = []
        rows: list[list[Any]] = []
        for item in [*board.charts, *board.tables]:
            part_headers, part_rows = item.table()
            rows += [[item.title], part_headers, *part_rows, []]
        return _csv_response(headers, rows, f"{prefix}-insights-{period}")
    widget = board.widget(key)
    if widget is None:
        raise Http404("No such chart.")
    headers, rows = widget.table()
    return _csv_response(headers, rows, f"{prefix}-{key}-{period}")


def _safe(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas: keep text inert."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return "" if value is None else value


def _csv_response(headers: list[str], rows: list[list[Any]], name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    if headers:
        writer.writerow([_safe(h) for h in headers])
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return response


@brand_route(P.BRAND_REPORTS_MANAGE)
def reports(request: HttpRequest, brand: Brand) -> HttpResponse:
    """Ask for a report file; the list shows how each one is going and offers it when ready."""
    form = ReportForm(request.POST or None, initial={"language": _lang()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        period = metrics.preset(data["period"], today_in(brand.timezone, timezone.now()))
        do_request_report(brand, template=data["template"], fmt=data["format"],
                          language=data["language"], period=period,
                          compare=metrics.Compare(data["compare"]),
                          actor=Actor.from_request(request, brand.organization))
        messages.success(request, _("The report is being generated; it appears below when "
                                    "ready."))
        return redirect("insights:reports", brand.organization.slug, brand.slug)
    rows = list(Report.objects.filter(brand=brand).select_related("requested_by")[:30])
    context = {"org": brand.organization, "brand": brand, "form": form, "reports": rows,
               "busy": any(r.status in (Report.Status.PENDING, Report.Status.RUNNING)
                           for r in rows), "section": "insights"}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "insights/_report_list.html", context)
    return render(request, "insights/reports.html", context)


@brand_route(P.BRAND_REPORTS_MANAGE)
def report_download(request: HttpRequest, brand: Brand, report_id: int) -> HttpResponse:
    report = Report.objects.filter(id=report_id, brand=brand,
                                   status=Report.Status.DONE).first()
    if report is None:
        raise Http404("No such report.")
    path = path_of(report)
    if not path.is_file():
        raise Http404("The report file is gone.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=report.file_name,
                        content_type=CONTENT_TYPES[report.format])
