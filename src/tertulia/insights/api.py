"""Insights over the API: a brand's business figures (write and read) and the lag
correlation between a social series and a business one."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from tertulia.api.permissions import declares, require
from tertulia.api.router_common import answers
from tertulia.governance.access import visible_brands
from tertulia.governance.audit import Actor
from tertulia.governance.models import Brand, Organization
from tertulia.governance.permissions import Permission as P
from tertulia.insights import business as B
from tertulia.insights import correlation, departments
from tertulia.insights.actions import do_import_business_data
from tertulia.insights.metrics import MAX_PERIOD_DAYS, Period
from tertulia.insights.models import BusinessFigure

router = Router(tags=["insights"])
MAX_FIGURES = 5000


def _brand(request: HttpRequest, org_slug: str, brand_slug: str, permission: P) -> Brand:
    token = request.auth  # type: ignore[attr-defined]
    org = Organization.objects.filter(slug=org_slug, id=token.organization_id).first()
    if org is None:
        raise Http404
    brand = visible_brands(request.user, org).filter(slug=brand_slug).first()
    if brand is None:
        raise Http404
    require(request, permission, org=org, brand=brand)
    return brand


class FigureIn(Schema):
    day: str = Field(description="YYYY-MM-DD (or DD/MM/YYYY)")
    metric: str = Field(min_length=1, max_length=60, description="sales, nps, web_visits, "
                        "conversions, conversion_value, cost, utm_clicks, leads, deals, "
                        "deal_value, csat, orders, or a custom name")
    value: float | str
    campaign: str = Field("", max_length=120)


class FiguresIn(Schema):
    figures: list[FigureIn] = Field(max_length=MAX_FIGURES)


class RowErrorOut(Schema):
    line: int
    field: str
    value: str
    reason: str


class ImportOut(Schema):
    import_id: int
    saved: int
    refused: int
    repeated: bool
    errors: list[RowErrorOut]


@router.post("/orgs/{org_slug}/brands/{brand_slug}/business/figures",
             response=answers(ImportOut))
@declares(P.BRAND_BUSINESS_DATA_MANAGE)
def put_figures(request: HttpRequest, org_slug: str, brand_slug: str,
                body: FiguresIn) -> Any:
    """Save daily figures; each is keyed by (metric, campaign, day), so sending the same
    figures again changes nothing. Bad records are refused one by one (`errors`, with their
    position from 1); the good ones are saved."""
    brand = _brand(request, org_slug, brand_slug, P.BRAND_BUSINESS_DATA_MANAGE)
    records = [f.dict() for f in body.figures]
    parsed = B.check_records(records)
    digest = hashlib.sha256(json.dumps(records, sort_keys=True, default=str).encode()
                            ).hexdigest()
    outcome = do_import_business_data(brand, parsed, source="api", file_name="", sha256=digest,
                                      actor=Actor.from_request(request, brand.organization))
    return {"import_id": outcome.record.id, "saved": parsed.figures,
            "refused": len(parsed.errors) + parsed.errors_left_out,
            "repeated": outcome.repeated, "errors": [e.as_dict() for e in parsed.errors]}


class FigureOut(Schema):
    day: date
    metric: str
    campaign: str
    value: float


class RangeQuery(Schema):
    start: date
    end: date
    metric: str = ""
    campaign: str | None = None


@router.get("/orgs/{org_slug}/brands/{brand_slug}/business/figures",
            response=answers(list[FigureOut]))
@declares(P.BRAND_INSIGHTS_VIEW)
def list_figures(request: HttpRequest, org_slug: str, brand_slug: str,
                 q: Query[RangeQuery]) -> Any:
    brand = _brand(request, org_slug, brand_slug, P.BRAND_INSIGHTS_VIEW)
    if q.end < q.start or (q.end - q.start).days + 1 > MAX_PERIOD_DAYS:
        return router.api.create_response(  # type: ignore[union-attr]
            request, {"detail": f"start..end must be 1 to {MAX_PERIOD_DAYS} days"}, status=422)
    rows = BusinessFigure.objects.filter(brand=brand, day__gte=q.start, day__lte=q.end)
    if q.metric:
        rows = rows.filter(metric=q.metric)
    if q.campaign is not None:
        rows = rows.filter(campaign=q.campaign)
    return list(rows.order_by("day", "metric", "campaign").values(
        "day", "metric", "campaign", "value"))


class LagOut(Schema):
    lag_days: int
    n: int
    pearson: float | None
    spearman: float | None
    p_value: float | None


class CorrelationOut(Schema):
    social: str
    metric: str
    lags: list[LagOut]
    best_lag_days: int | None
    reading: str


class CorrelationQuery(Schema):
    start: date
    end: date
    metric: str = "sales"
    social: str = "mentions"
    campaign: str = ""
    lang: str = "en"


@router.get("/orgs/{org_slug}/brands/{brand_slug}/business/correlation",
            response=answers(CorrelationOut))
@declares(P.BRAND_INSIGHTS_VIEW)
def lag_correlation(request: HttpRequest, org_slug: str, brand_slug: str,
                    q: Query[CorrelationQuery]) -> Any:
    """Pearson and Spearman between a social series and a business one for lags −14..+14
    days (positive: social first), with n per lag and a plain-language reading."""
    brand = _brand(request, org_slug, brand_slug, P.BRAND_INSIGHTS_VIEW)
    if q.end < q.start or (q.end - q.start).days + 1 > MAX_PERIOD_DAYS:
        return router.api.create_response(  # type: ignore[union-attr]
            request, {"detail": f"start..end must be 1 to {MAX_PERIOD_DAYS} days"}, status=422)
    if q.social not in departments.SOCIAL_SERIES:
        return router.api.create_response(  # type: ignore[union-attr]
            request, {"detail": f"social must be one of {', '.join(departments.SOCIAL_SERIES)}"},
            status=422)
    period = Period(q.start, q.end)
    social = departments.social_daily(brand, period, q.social)
    wide = Period(q.start.fromordinal(q.start.toordinal() - correlation.MAX_LAG),
                  q.end.fromordinal(q.end.toordinal() + correlation.MAX_LAG))
    biz = departments.business_daily(brand, wide, [q.metric], campaign=q.campaign).get(
        q.metric, {})
    results = correlation.lag_correlations(social, biz)
    best = correlation.best_lag(results)
    lang = "es" if q.lang == "es" else "en"
    return {"social": q.social, "metric": q.metric,
            "lags": [{"lag_days": r.lag_days, "n": r.n, "pearson": r.pearson,
                      "spearman": r.spearman, "p_value": r.p_value} for r in results],
            "best_lag_days": best.lag_days if best else None,
            "reading": correlation.reading(results, q.social, q.metric, lang)}
