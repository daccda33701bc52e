"""Department dashboards (marketing, sales, customer service), business data beside the
social figures, and the business data import (upload → preview with the detected mapping
→ import, with row-level errors). Views parse and render; `departments` computes,
`business` checks files, `actions.do_import_business_data` saves."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tertulia.governance.access import can
from tertulia.governance.audit import Actor
from tertulia.governance.models import Brand
from tertulia.governance.permissions import Permission as P
from tertulia.insights import business as B
from tertulia.insights import departments
from tertulia.insights.actions import do_import_business_data
from tertulia.insights.dashboards import Dashboard
from tertulia.insights.forms import InsightsFilterForm, today_in
from tertulia.insights.models import BusinessImport
from tertulia.insights.views import _csv, _csv_response, _lang, _query
from tertulia.web.routing import brand_route, post_only

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_SHA = re.compile(r"^[0-9a-f]{64}$")

BOARDS: dict[str, Callable[..., Dashboard]] = {
    "marketing": departments.marketing_dashboard,
    "sales": departments.sales_dashboard,
    "service": departments.service_dashboard,
}


def _board(request: HttpRequest, brand: Brand, name: str
           ) -> tuple[InsightsFilterForm, Dashboard]:
    form = InsightsFilterForm(request.GET or None)
    filters = form.filters(today_in(brand.timezone, timezone.now()))
    if name == "business":
        return form, departments.business_dashboard(
            brand, filters, _lang(), social=request.GET.get("social", "mentions"),
            metric=request.GET.get("metric", ""), campaign=request.GET.get("campaign", ""))
    return form, BOARDS[name](brand, filters, _lang())


def _page(request: HttpRequest, brand: Brand, name: str) -> HttpResponse:
    form, board = _board(request, brand, name)
    context = {"org": brand.organization, "brand": brand, "form": form, "board": board,
               "query": _query(request), "section": "insights", "department": name,
               "csv_name": f"insights:{name}_csv"}
    if name == "business":
        context.update({
            "imports": BusinessImport.objects.filter(brand=brand)[:10],
            "can_import": can(request.user, P.BRAND_BUSINESS_DATA_MANAGE, brand),
            "social_choices": [(k, _t_social(k)) for k in departments.SOCIAL_SERIES],
            "metric_choices": sorted(
                {m for m in departments.business_daily(brand, board.filters.period, None,
                                                       None)} | {"sales"}),
            "campaign_choices": departments.campaigns(brand),
            "chosen": {k: request.GET.get(k, "") for k in ("social", "metric", "campaign")},
        })
    return render(request, "insights/department.html", context)


def _t_social(key: str) -> str:
    en, es = departments._SOCIAL_LABELS[key]
    return es if _lang() == "es" else en


@brand_route(P.BRAND_INSIGHTS_VIEW)
def marketing(request: HttpRequest, brand: Brand) -> HttpResponse:
    return _page(request, brand, "marketing")


@brand_route(P.BRAND_INSIGHTS_VIEW)
def sales(request: HttpRequest, brand: Brand) -> HttpResponse:
    return _page(request, brand, "sales")


@brand_route(P.BRAND_INSIGHTS_VIEW)
def service(request: HttpRequest, brand: Brand) -> HttpResponse:
    return _page(request, brand, "service")


@brand_route(P.BRAND_INSIGHTS_VIEW)
def business(request: HttpRequest, brand: Brand) -> HttpResponse:
    return _page(request, brand, "business")


def _csv_view(name: str) -> Callable[[HttpRequest, Brand], HttpResponse]:
    def view(request: HttpRequest, brand: Brand) -> HttpResponse:
        _form, board = _board(request, brand, name)
        return _csv(board, request.GET.get("widget", ""), f"{brand.slug}-{name}")

    view.__name__ = f"{name}_csv"
    return brand_route(P.BRAND_INSIGHTS_VIEW)(view)


marketing_csv = _csv_view("marketing")
sales_csv = _csv_view("sales")
service_csv = _csv_view("service")
business_csv = _csv_view("business")


# ---------------------------------------------------------------------------------------------
# Import


def _upload_folder(brand: Brand) -> Path:
    return Path(settings.DATA_DIR) / "uploads" / "business" / str(brand.id)


def _brand_names(brand: Brand) -> tuple[str, ...]:
    return (brand.slug, brand.name)


@brand_route(P.BRAND_BUSINESS_DATA_MANAGE)
def business_import(request: HttpRequest, brand: Brand) -> HttpResponse:
    """GET: the upload form. POST with a file: check it and show the preview (first rows,
    detected columns, mapping, every refused row); nothing is saved yet."""
    context: dict[str, object] = {"org": brand.organization, "brand": brand,
                                  "section": "insights", "max_mb": MAX_UPLOAD_BYTES // 2**20,
                                  "known": B.KNOWN_METRICS, "lang": _lang()}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("Choose a CSV or XLSX file to upload.")
        elif upload.size and upload.size > MAX_UPLOAD_BYTES:
            context["error"] = _("The file is larger than %(mb)s MB: split it in parts.") % {
                "mb": MAX_UPLOAD_BYTES // 2**20}
        else:
            data = upload.read()
            name = Path(upload.name or "upload.csv").name[:200]
            try:
                parsed = B.parse(data, name, brand_names=_brand_names(brand))
            except B.FileError as exc:
                context["error"] = _("The file cannot be imported: %(reason)s.") % {
                    "reason": B.reason_in(str(exc), _lang())}
            else:
                sha = hashlib.sha256(data).hexdigest()
                folder = _upload_folder(brand)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / sha).write_bytes(data)
                context.update(_preview_context(parsed, sha, name, brand))
    return render(request, "insights/business_import.html", context)


def _preview_context(parsed: B.Parsed, sha: str, name: str, brand: Brand) -> dict[str, object]:
    lang = _lang()
    targets = [("date", _("date")), ("campaign", _("campaign")), ("brand", _("brand")),
               ("ignore", _("ignore")), *((m.key, m.label(lang)) for m in B.KNOWN_METRICS)]
    return {
        "parsed": parsed, "sha256": sha, "file_name": name,
        "errors": [{**e.as_dict(), "reason_shown": B.reason_in(e.reason, lang)}
                   for e in parsed.errors],
        "headers": [c.header for c in parsed.columns],
        "targets": targets,
        "repeated": BusinessImport.objects.filter(brand=brand, sha256=sha).first(),
    }


@brand_route(P.BRAND_BUSINESS_DATA_MANAGE)
@post_only
def business_import_commit(request: HttpRequest, brand: Brand) -> HttpResponse:
    """Import the previewed file with the mapping the person confirmed."""
    sha = request.POST.get("sha256", "")
    path = _upload_folder(brand) / sha
    if not _SHA.match(sha) or not path.is_file():
        messages.error(request, _("That upload has expired: upload the file again."))
        return redirect("insights:business_import", brand.organization.slug, brand.slug)
    name = Path(request.POST.get("file_name", "upload.csv")).name[:200]
    mapping = {key.removeprefix("map:"): value for key, value in request.POST.items()
               if key.startswith("map:")}
    data = path.read_bytes()
    try:
        parsed = B.parse(data, name, brand_names=_brand_names(brand), mapping=mapping)
    except B.FileError as exc:
        messages.error(request, _("The file cannot be imported: %(reason)s.") % {
            "reason": B.reason_in(str(exc), _lang())})
        return redirect("insights:business_import", brand.organization.slug, brand.slug)
    outcome = do_import_business_data(
        brand, parsed, source="xlsx" if data[:2] == b"PK" else "csv", file_name=name,
        sha256=sha, actor=Actor.from_request(request, brand.organization))
    path.unlink(missing_ok=True)
    messages.success(request, _("%(figures)s figures imported from %(rows)s rows; %(errors)s "
                                "problems listed below.") % {
        "figures": parsed.figures, "rows": len(parsed.rows),
        "errors": len(parsed.errors) + parsed.errors_left_out})
    if outcome.repeated:
        messages.info(request, _("This file had been imported before: its figures were "
                                 "replaced by the same values, nothing was counted twice."))
    return redirect("insights:business_import_detail", brand.organization.slug, brand.slug,
                    outcome.record.id)


def _import_of(brand: Brand, import_id: int) -> BusinessImport:
    found = BusinessImport.objects.filter(brand=brand, id=import_id).first()
    if found is None:
        raise Http404("No such import.")
    return found


@brand_route(P.BRAND_BUSINESS_DATA_MANAGE)
def business_import_detail(request: HttpRequest, brand: Brand, import_id: int
                           ) -> HttpResponse:
    record = _import_of(brand, import_id)
    errors = [{**e, "reason_shown": B.reason_in(str(e.get("reason", "")), _lang())}
              for e in record.errors]
    return render(request, "insights/business_import_detail.html", {
        "org": brand.organization, "brand": brand, "record": record, "errors": errors,
        "section": "insights"})


@brand_route(P.BRAND_BUSINESS_DATA_MANAGE)
def business_import_errors(request: HttpRequest, brand: Brand, import_id: int
                           ) -> HttpResponse:
    """The refused rows as CSV, to fix them in the spreadsheet and upload again."""
    record = _import_of(brand, import_id)
    return _csv_response(["line", "field", "value", "reason"],
                         [[e.get("line"), e.get("field"), e.get("value"), e.get("reason")]
                          for e in record.errors], f"{brand.slug}-import-{record.id}-errors")
