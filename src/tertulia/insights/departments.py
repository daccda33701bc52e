"""The department dashboards of a brand: marketing, sales, customer service, and business
data beside the social figures (lag correlation, ROI per campaign).

They read rollups (`DailyTotal`, `AuthorDay`, `AccountDay`), imported `BusinessFigure`s and
the inbox's conversations of the period; the only mention reads are bounded, ordered
"top posts" of the owned accounts. Formulas live in `metrics` (DEPARTMENT_METRICS), the
ladder in `ladder`, correlation in `correlation`, forecasts in `forecast`: this module only
fetches and arranges. Every chart carries its table (CSV) and drill-down links.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncDate
from django.urls import reverse

from tertulia.governance.models import Brand, SocialAccount
from tertulia.insights import business as B
from tertulia.insights import correlation
from tertulia.insights import forecast as FC
from tertulia.insights import ladder as L
from tertulia.insights import metrics as M
from tertulia.insights.account_days import owned_authors
from tertulia.insights.dashboards import (
    OWN,
    Chart,
    Dashboard,
    Filters,
    Kpi,
    Series,
    Table,
    _bucket_days,
    _bucket_of,
    _day_links,
    _stream,
    _t,
    word,
)
from tertulia.insights.metrics import Grain, Period
from tertulia.insights.models import AccountDay, AuthorDay, BusinessFigure, DailyTotal
from tertulia.listening.models import Mention

# Business metrics that are averaged over days rather than summed.
AVERAGED = frozenset({"nps", "csat"})
SERVICE_HISTORY_DAYS = 56
FORECAST_HORIZON_DAYS = 7
RECONTACT_DAYS = 7


def kpi(metric: M.Metric, now: M.Figures, before: M.Figures | None, lang: str) -> Kpi:
    moved = M.change(metric, now, before)  # type: ignore[arg-type]
    return Kpi(metric, metric.format(moved.current, lang), M.format_change(metric, moved, lang),
               moved.verdict, moved.current)


def _chart_buckets(f: Filters, tz: str) -> tuple[Grain, list[Any], dict[Any, int], list[str],
                                                 list[tuple[date, date]]]:
    """Days or weeks (department charts are never hourly: their sources are daily)."""
    grain = M.grain_for(f.period)
    grain = Grain.DAY if grain == Grain.HOUR else grain
    buckets = M.buckets(f.period, grain, tz)
    return (grain, buckets, {b: i for i, b in enumerate(buckets)},
            [M.bucket_label(b, grain, tz) for b in buckets],
            [_bucket_days(b, grain, tz, f.period) for b in buckets])


def _business_link(brand: Brand, metric: str = "", campaign: str = "") -> str:
    base = reverse("insights:business", args=[brand.organization.slug, brand.slug])
    params = "&".join(p for p in (f"metric={metric}" if metric else "",
                                  f"campaign={campaign}" if campaign else "") if p)
    return f"{base}?{params}" if params else base


# ---------------------------------------------------------------------------------------------
# Business figures


def business_daily(brand: Brand, period: Period, metrics: Iterable[str] | None = None,
                   campaign: str | None = "") -> dict[str, dict[date, float]]:
    """metric → {day: value}; `campaign=""` the brand's own figures, None every campaign's
    summed (a figure per campaign and day adds up)."""
    rows = BusinessFigure.objects.filter(brand=brand, day__gte=period.start,
                                         day__lte=period.end)
    if metrics is not None:
        rows = rows.filter(metric__in=list(metrics))
    if campaign is not None:
        rows = rows.filter(campaign=campaign)
    out: dict[str, dict[date, float]] = defaultdict(dict)
    for metric, day, value in rows.values_list("metric", "day").annotate(
            v=Sum("value")).values_list("metric", "day", "v"):
        out[metric][day] = float(value)
    return dict(out)


def business_totals(series: dict[str, dict[date, float]]) -> dict[str, float | None]:
    """Period totals: sums, or means for scores (NPS, CSAT)."""
    out: dict[str, float | None] = {}
    for metric, days in series.items():
        values = list(days.values())
        if not values:
            out[metric] = None
        elif metric in AVERAGED:
            out[metric] = sum(values) / len(values)
        else:
            out[metric] = sum(values)
    return out


def business_metric_label(key: str, lang: str) -> str:
    known = B.BY_KEY.get(key)
    return known.label(lang) if known else key.replace("_", " ")


def campaigns(brand: Brand) -> list[str]:
    return list(BusinessFigure.objects.filter(brand=brand).exclude(campaign="").values_list(
        "campaign", flat=True).distinct().order_by("campaign"))


@dataclass
class CampaignRoi:
    campaign: str
    cost: float | None
    conversion_value: float | None
    conversions: float | None
    roi: float | None
    mentions: int | None  # matched by the query of the same name, when there is one


def roi_per_campaign(brand: Brand, period: Period) -> list[CampaignRoi]:
    """ROI of every campaign with a cost or a conversion value in the period. A campaign is
    named in the business data; when a query of the brand has that name, its mentions are
    shown beside it."""
    rows = BusinessFigure.objects.filter(
        brand=brand, day__gte=period.start, day__lte=period.end,
        metric__in=("cost", "conversion_value", "conversions")).exclude(campaign="")
    sums: dict[str, dict[str, float]] = defaultdict(dict)
    for name, metric, value in rows.values_list("campaign", "metric").annotate(
            v=Sum("value")).values_list("campaign", "metric", "v"):
        sums[name][metric] = float(value)
    queries = {q.name.lower(): q.id for q in brand.queries.all()}
    mentions: dict[int, int] = {}
    if sums and queries:
        ids = [queries[n.lower()] for n in sums if n.lower() in queries]
        for qid, n in DailyTotal.objects.filter(
                brand=brand, query_id__in=ids, day__gte=period.start,
                day__lte=period.end).values_list("query_id").annotate(n=Sum("mentions")):
            mentions[qid] = int(n)
    out = []
    for name in sorted(sums):
        figs = sums[name]
        qid = queries.get(name.lower())
        out.append(CampaignRoi(name, figs.get("cost"), figs.get("conversion_value"),
                               figs.get("conversions"), M.ROI.value(figs),
                               mentions.get(qid, 0) if qid else None))
    return out


SOCIAL_SERIES = ("mentions", "interactions", "reach", "positive", "negative", "green")
_SOCIAL_LABELS = {"mentions": ("Mentions", "Menciones"),
                  "interactions": ("Interactions", "Interacciones"),
                  "reach": ("Potential reach", "Alcance potencial"),
                  "positive": ("Positive mentions", "Menciones positivas"),
                  "negative": ("Negative mentions", "Menciones negativas"),
                  "green": ("Sales signals", "Señales de venta")}


def social_daily(brand: Brand, period: Period, series: str, query_id: int = OWN
                 ) -> dict[date, float]:
    """One daily social series of the brand (or of one query) from DailyTotal."""
    rows = DailyTotal.objects.filter(brand=brand, query_id=query_id, day__gte=period.start,
                                     day__lte=period.end)
    if series == "positive" or series == "negative":
        rows = rows.filter(sentiment=series)
        expr: Any = Sum("mentions")
    elif series == "green":
        rows = rows.filter(flag="green")
        expr = Sum("mentions")
    elif series == "interactions":
        expr = Sum(F("likes") + F("comments") + F("shares"))
    elif series == "reach":
        expr = Sum("reach")
    else:
        expr = Sum("mentions")
    found = {d: float(v or 0) for d, v in rows.values_list("day").annotate(v=expr)}
    # A day without mentions is a real 0 for social counts (the rollups are complete).
    return {d: found.get(d, 0.0) for d in period.dates()}


def business_dashboard(brand: Brand, f: Filters, lang: str, *, social: str = "mentions",
                       metric: str = "", campaign: str = "") -> Dashboard:
    """Business figures beside the social ones, the lag correlation between the two chosen
    series, and ROI per campaign."""
    period = f.period
    # Lags need days on both sides of the period: read 14 days more of business data.
    wide = Period(period.start - timedelta(days=correlation.MAX_LAG),
                  period.end + timedelta(days=correlation.MAX_LAG))
    figures = business_daily(brand, wide, campaign=campaign)
    available = sorted(figures)
    metric = metric if metric in figures else (
        "sales" if "sales" in figures else (available[0] if available else ""))
    social = social if social in SOCIAL_SERIES else "mentions"
    social_values = social_daily(brand, period, social)
    biz = figures.get(metric, {})
    grain, buckets, index, labels, day_ranges = _chart_buckets(f, brand.timezone)
    social_b: list[float | None] = [0.0] * len(buckets)
    biz_b: list[float | None] = [None] * len(buckets)
    for day, v in social_values.items():
        i = index.get(_bucket_of(day, grain))
        if i is not None:
            social_b[i] = (social_b[i] or 0) + v
    for day, v in biz.items():
        if period.start <= day <= period.end:
            i = index.get(_bucket_of(day, grain))
            if i is not None:
                biz_b[i] = (biz_b[i] or 0) + v
    social_label = _t(*_SOCIAL_LABELS[social], lang)
    metric_label = business_metric_label(metric, lang) if metric else "—"
    base = {"network": "", "language": ""}
    charts = [Chart(
        "beside", _t("Social and business figures", "Cifras sociales y de negocio", lang),
        "line", word("date", lang), labels,
        [Series(social_label, social_b,
                _day_links(brand, base, day_ranges, scope="own",
                           **({"sentiment": social} if social in ("positive", "negative")
                              else {"flag": "green"} if social == "green" else {}))),
         Series(metric_label, biz_b, [_business_link(brand, metric, campaign)] * len(buckets))],
        note="" if biz else _t("No business figures in this period: import them below or "
                               "through the API.",
                               "No hay cifras de negocio en este periodo: impórtelas abajo o "
                               "por la API.", lang))]
    results = correlation.lag_correlations(social_values, biz)
    charts.append(Chart(
        "lag_correlation",
        _t(f"Correlation of {social_label} with {metric_label} by lag (days)",
           f"Correlación de {social_label} con {metric_label} según el desfase (días)", lang),
        "bar", _t("Lag (days; positive: social first)", "Desfase (días; positivo: primero lo "
                  "social)", lang), [str(r.lag_days) for r in results],
        [Series("Pearson r", [None if r.pearson is None else round(r.pearson, 3)
                              for r in results]),
         Series("Spearman ρ", [None if r.spearman is None else round(r.spearman, 3)
                               for r in results])],
        note=correlation.reading(results, social_label, metric_label, lang),
        table_only=[Series(_t("n (days paired)", "n (días emparejados)", lang),
                           [float(r.n) for r in results]),
                    Series("p", [None if r.p_value is None else round(r.p_value, 4)
                                 for r in results])]))
    totals = business_totals({k: {d: v for d, v in days.items()
                                  if period.start <= d <= period.end}
                              for k, days in figures.items()})
    kpis = [kpi(m, totals, None, lang) for m in (M.CONVERSIONS, M.ROI)]
    rois = roi_per_campaign(brand, period)
    roi_table = Table(
        "roi", _t("ROI per campaign", "ROI por campaña", lang),
        [_t("Campaign", "Campaña", lang), _t("Cost", "Coste", lang),
         _t("Conversion value", "Valor de las conversiones", lang),
         _t("Conversions", "Conversiones", lang), "ROI %", word("mentions", lang)],
        [[r.campaign, r.cost, r.conversion_value, r.conversions,
          None if r.roi is None else round(r.roi, 1), r.mentions] for r in rois],
        [_business_link(brand, "cost", r.campaign) for r in rois],
        note="" if rois else _t(
            "ROI needs a campaign column with cost and conversion_value in the business data.",
            "El ROI necesita una columna de campaña con cost y conversion_value en los datos "
            "de negocio.", lang))
    figures_table = Table(
        "business_totals", _t("Business figures of the period", "Cifras de negocio del periodo",
                              lang),
        [_t("Figure", "Cifra", lang), _t("Value", "Valor", lang)],
        [[business_metric_label(k, lang), None if v is None else round(v, 2)]
         for k, v in sorted(totals.items())],
        [_business_link(brand, k, campaign) for k in sorted(totals)])
    return Dashboard(_t("Business data", "Datos de negocio", lang), f, kpis, charts,
                     [roi_table, figures_table], [], None, None)


# ---------------------------------------------------------------------------------------------
# Marketing


def _accounts(brand: Brand) -> list[SocialAccount]:
    return list(SocialAccount.objects.filter(brand=brand, is_active=True).order_by(
        "network", "handle"))


def account_figures(brand: Brand, period: Period) -> tuple[dict[str, float | None],
                                                           list[dict[str, Any]]]:
    """Owned-account totals of the period (Figures for the marketing metrics) and the rows."""
    rows = list(AccountDay.objects.filter(brand=brand, day__gte=period.start,
                                          day__lte=period.end).values(
        "account_id", "day", "followers", "posts", "likes", "comments", "shares", "views"))
    if not rows:
        return ({"followers": None, "follower_growth": None, "owned_posts": 0,
                 "owned_interactions": 0, "impressions": 0}, rows)
    first: dict[int, tuple[date, int]] = {}
    last: dict[int, tuple[date, int]] = {}
    for r in rows:
        if not r["followers"]:
            continue
        a = r["account_id"]
        if a not in first or r["day"] < first[a][0]:
            first[a] = (r["day"], r["followers"])
        if a not in last or r["day"] > last[a][0]:
            last[a] = (r["day"], r["followers"])
    followers = float(sum(v for _d, v in last.values())) if last else None
    growth = float(sum(last[a][1] - first[a][1] for a in last)) if last else None
    return ({"followers": followers, "follower_growth": growth,
             "owned_posts": float(sum(r["posts"] for r in rows)),
             "owned_interactions": float(sum(r["likes"] + r["comments"] + r["shares"]
                                             for r in rows)),
             "impressions": float(sum(r["views"] for r in rows))}, rows)


def ladder_counts(brand: Brand, period: Period) -> dict[L.Stage, int]:
    """The engagement ladder of the period's authors, from AuthorDay (one grouped query)."""
    start = period.end - timedelta(days=L.LOOKBACK_DAYS - 1)
    in_period = Q(day__gte=period.start)
    brand_day = Q(mentions__gt=0)
    rows = AuthorDay.objects.filter(brand=brand, day__gte=min(start, period.start),
                                    day__lte=period.end).values("author_id").annotate(
        brand_days=Sum(Case(When(brand_day, then=Value(1)), default=Value(0),
                            output_field=IntegerField())),
        brand_days_in_period=Sum(Case(When(brand_day & in_period, then=Value(1)),
                                      default=Value(0), output_field=IntegerField())),
        brand_mentions=Sum("mentions"),
        comp_total=Sum("competitor_mentions"),
        competitor_in_period=Sum(Case(When(in_period, then=F("competitor_mentions")),
                                      default=Value(0))),
        interactions_in_period=Sum(Case(When(in_period, then=F("interactions")),
                                        default=Value(0))),
        mentions_in_period=Sum(Case(When(in_period, then=F("mentions")), default=Value(0))),
    ).filter(Q(brand_days_in_period__gt=0) | Q(competitor_in_period__gt=0))
    # The brand's own accounts are not its audience.
    owned = [a for a, pairs in owned_authors([brand.id]).items()
             if any(b == brand.id for b, _acc in pairs)]
    if owned:
        rows = rows.exclude(author_id__in=owned)
    return L.ladder(L.History(
        brand_days=r["brand_days"], brand_days_in_period=r["brand_days_in_period"],
        brand_mentions=r["brand_mentions"], competitor_mentions=r["comp_total"],
        competitor_mentions_in_period=r["competitor_in_period"],
        interactions_in_period=r["interactions_in_period"],
        brand_mentions_in_period=r["mentions_in_period"]) for r in rows.values(
        "brand_days", "brand_days_in_period", "brand_mentions", "comp_total",
        "competitor_in_period", "interactions_in_period", "mentions_in_period"))


def owned_posts(brand: Brand, f: Filters, lang: str, *, worst: bool = False,
                limit: int = 5) -> Table:
    """The owned accounts' posts of the period with the most (or fewest) interactions."""
    authors = [a for a, pairs in owned_authors([brand.id]).items()
               if any(b == brand.id for b, _acc in pairs)]
    start, end = f.period.utc_bounds(brand.timezone)
    rows = Mention.objects.filter(author_id__in=authors, created_at__gte=start,
                                  created_at__lt=end, hidden_at=None).annotate(
        total=F("likes") + F("comments") + F("shares")).select_related("author")
    rows = rows.order_by("total", "created_at") if worst else rows.order_by(
        "-total", "-created_at")
    out, links = [], []
    for m in rows[:limit] if authors else []:
        text = " ".join(m.text.split())
        out.append([text[:140] + ("…" if len(text) > 140 else ""), f"@{m.author.handle}",
                    m.network, m.likes, m.comments, m.shares, m.views])
        links.append(reverse("listening:mention", args=[brand.organization.slug, brand.slug,
                                                        m.id]))
    key, title = ("worst_posts", _t("Content that worked least", "Contenido que menos funcionó",
                                    lang)) if worst else (
        "top_posts", _t("Top posts of the owned accounts", "Mejores publicaciones propias",
                        lang))
    return Table(key, title, [_t("Post", "Publicación", lang), word("author", lang),
                              word("network", lang), _t("Likes", "Me gusta", lang),
                              _t("Comments", "Comentarios", lang),
                              _t("Shares", "Compartidos", lang),
                              _t("Views", "Visualizaciones", lang)], out, links,
                 note="" if authors else _t(
                     "No owned account of this brand has posts brought in yet.",
                     "Ninguna cuenta propia de esta marca tiene aún publicaciones traídas.",
                     lang))


def marketing_dashboard(brand: Brand, f: Filters, lang: str = "en") -> Dashboard:
    period, previous = f.period, f.comparison
    tz = brand.timezone
    now, rows = account_figures(brand, period)
    before = account_figures(brand, previous)[0] if previous else None
    biz_now = business_totals(business_daily(brand, period, ("utm_clicks", "conversions")))
    biz_before = business_totals(business_daily(brand, previous, ("utm_clicks",
                                                                  "conversions"))) \
        if previous else None
    now = {**now, **biz_now}
    before = {**before, **(biz_before or {})} if before is not None else None
    for fig in (now, before):
        if fig is not None:
            fig.setdefault("utm_clicks", None)
            fig.setdefault("conversions", None)
    reach_now = DailyTotal.objects.filter(brand=brand, query_id=OWN, day__gte=period.start,
                                          day__lte=period.end).aggregate(r=Sum("reach"))["r"]
    kpis = [kpi(m, now, before, lang) for m in (
        M.FOLLOWERS, M.FOLLOWER_GROWTH, M.OWNED_POSTS, M.OWNED_INTERACTIONS,
        M.ENGAGEMENT_RATE, M.IMPRESSIONS, M.UTM_CLICKS, M.CONVERSIONS)]
    reach_kpi = kpi(M.REACH, M.Totals(reach=int(reach_now or 0)), None, lang)  # type: ignore[arg-type]
    kpis.insert(5, reach_kpi)

    grain, buckets, index, labels, day_ranges = _chart_buckets(f, tz)
    accounts = _accounts(brand)
    by_account: dict[int, dict[str, list[float | None]]] = {
        a.id: {k: [None if k == "followers" else 0.0] * len(buckets)
               for k in ("followers", "posts", "interactions", "views")} for a in accounts}
    for r in rows:
        series = by_account.get(r["account_id"])
        i = index.get(_bucket_of(r["day"], grain))
        if series is None or i is None:
            continue
        if r["followers"]:
            series["followers"][i] = max(series["followers"][i] or 0, r["followers"])
        series["posts"][i] = (series["posts"][i] or 0) + r["posts"]
        series["interactions"][i] = (series["interactions"][i] or 0) + r["likes"] + \
            r["comments"] + r["shares"]
        series["views"][i] = (series["views"][i] or 0) + r["views"]

    def account_links(a: SocialAccount) -> list[str | None]:
        return _day_links(brand, {"network": a.network}, day_ranges, author=a.handle)

    none_note = "" if rows else _t(
        "No owned-account activity in this period: connect the brand's accounts (Settings → "
        "Accounts) so their posts are brought in.",
        "No hay actividad de cuentas propias en este periodo: conecte las cuentas de la marca "
        "(Ajustes → Cuentas) para traer sus publicaciones.", lang)
    charts = [
        Chart("audience", _t("Audience (followers)", "Audiencia (seguidores)", lang), "line",
              word("date", lang), labels,
              [Series(f"{a.network} @{a.handle}", by_account[a.id]["followers"],
                      account_links(a)) for a in accounts], note=none_note),
        Chart("owned_activity", _t("Posts and interactions of the owned accounts",
                                   "Publicaciones e interacciones de las cuentas propias",
                                   lang), "bar", word("date", lang), labels,
              [*(Series(f"{_t('Posts', 'Publicaciones', lang)} @{a.handle}",
                        by_account[a.id]["posts"], account_links(a), stack="posts")
                 for a in accounts),
               *(Series(f"{word('interactions', lang)} @{a.handle}",
                        by_account[a.id]["interactions"], account_links(a),
                        stack="interactions") for a in accounts)], note=none_note),
    ]
    reach_series: list[float | None] = [0.0] * len(buckets)
    for day, n in DailyTotal.objects.filter(
            brand=brand, query_id=OWN, day__gte=period.start,
            day__lte=period.end).values_list("day").annotate(n=Sum("reach")):
        i = index.get(_bucket_of(day, grain))
        if i is not None:
            reach_series[i] = (reach_series[i] or 0) + n
    views_series: list[float | None] = [
        sum((by_account[a.id]["views"][i] or 0) for a in accounts) for i in range(len(buckets))]
    charts.append(Chart(
        "reach_impressions", _t("Reach and impressions", "Alcance e impresiones", lang),
        "line", word("date", lang), labels,
        [Series(M.REACH.label(lang), reach_series,
                _day_links(brand, {}, day_ranges, scope="own")),
         Series(M.IMPRESSIONS.label(lang), views_series,
                account_links(accounts[0]) if len(accounts) == 1 else None)]))
    biz = business_daily(brand, period, ("utm_clicks", "conversions"))
    utm: dict[str, list[float | None]] = {k: [None] * len(buckets)
                                          for k in ("utm_clicks", "conversions")}
    for k, days in biz.items():
        for day, v in days.items():
            i = index.get(_bucket_of(day, grain))
            if i is not None:
                utm[k][i] = (utm[k][i] or 0) + v
    charts.append(Chart(
        "utm", _t("UTM clicks and conversions", "Clics UTM y conversiones", lang), "bar",
        word("date", lang), labels,
        [Series(M.UTM_CLICKS.label(lang), utm["utm_clicks"],
                [_business_link(brand, "utm_clicks")] * len(buckets)),
         Series(M.CONVERSIONS.label(lang), utm["conversions"],
                [_business_link(brand, "conversions")] * len(buckets))],
        note="" if biz else _t("No UTM clicks or conversions imported for this period.",
                               "No hay clics UTM ni conversiones importados en este periodo.",
                               lang)))
    steps = ladder_counts(brand, period)
    base = {"date_from": period.start.isoformat(), "date_to": period.end.isoformat()}
    charts.append(Chart(
        "ladder", _t("Engagement ladder (authors)", "Escalera de compromiso (autores)", lang),
        "bar", _t("Stage", "Peldaño", lang), [_t(*L.STAGE_LABELS[s], lang) for s in L.STAGES],
        [Series(_t("Authors", "Autores", lang), [float(steps[s]) for s in L.STAGES],
                [_stream(brand, **base, scope="competitors") if s == L.Stage.UNAWARE
                 else _stream(brand, **base, scope="own") for s in L.STAGES])],
        note=_t(f"From each author's last {L.LOOKBACK_DAYS} days of mentions; thresholds on "
                "the metrics reference page.",
                f"A partir de los últimos {L.LOOKBACK_DAYS} días de menciones de cada autor; "
                "los umbrales están en la página de referencia de métricas.", lang)))
    tables = [owned_posts(brand, f, lang), owned_posts(brand, f, lang, worst=True)]
    return Dashboard(_t("Marketing", "Marketing", lang), f, kpis, charts, tables)


# ---------------------------------------------------------------------------------------------
# Sales


def _hours(later: datetime | None, earlier: datetime) -> float | None:
    return None if later is None else max(0.0, (later - earlier).total_seconds() / 3600)


def _conversations(brand: Brand, period: Period, f: Filters | None = None) -> Any:
    """The brand's conversations opened in the period, with the shared network and
    language filters."""
    from tertulia.engagement.models import Conversation

    start, end = period.utc_bounds(brand.timezone)
    rows = Conversation.objects.filter(brand=brand, created_at__gte=start, created_at__lt=end)
    if f is not None and f.network:
        rows = rows.filter(network=f.network)
    if f is not None and f.language:
        rows = rows.filter(language=f.language)
    return rows


def _crm_leads(brand: Brand, period: Period) -> Any | None:
    """The cases app's leads of the period, when the app is installed and the brand has any.
    This is the seam: a connected CRM feeds `tertulia.cases.Lead`, and sales read it."""
    if not apps.is_installed("tertulia.cases"):
        return None
    from tertulia.cases.models import Lead

    if not Lead.objects.filter(brand=brand).exists():
        return None
    start, end = period.utc_bounds(brand.timezone)
    return Lead.objects.filter(brand=brand, origin_at__gte=start, origin_at__lt=end)


def sales_figures(brand: Brand, period: Period, f: Filters | None = None
                  ) -> tuple[M.Figures, str]:
    """(Figures, source of the leads: "crm" or "conversations")."""
    crm = _crm_leads(brand, period)
    if crm is not None:
        from tertulia.cases.leads import time_to_first_contact_s, with_contact

        leads = list(with_contact(crm))
        waits = [s / 3600 for s in (time_to_first_contact_s(x) for x in leads) if s is not None]
        won = [x for x in leads if x.stage == "won"]
        source = "crm"
        social_leads = float(len(leads))
        crm_deals = float(len(won)) if leads else None
        crm_value = float(sum(float(x.value or 0) for x in won)) if won else None
    else:
        rows = list(_conversations(brand, period, f).filter(flag="green").values_list(
            "created_at", "first_response_at"))
        waits = [h for h in (_hours(b, a) for a, b in rows) if h is not None]
        source, social_leads, crm_deals, crm_value = "conversations", float(len(rows)), None, None
    biz = business_totals(business_daily(brand, period, ("leads", "deals", "deal_value")))
    deals = biz.get("deals", crm_deals)
    return ({"social_leads": social_leads,
             "time_to_first_contact_h": M.percentile(waits, 0.5),
             "leads": biz.get("leads") or social_leads or None,
             "deals": deals, "deal_value": biz.get("deal_value", crm_value)}, source)


def sales_dashboard(brand: Brand, f: Filters, lang: str = "en") -> Dashboard:
    period, previous = f.period, f.comparison
    now, source = sales_figures(brand, period, f)
    before = sales_figures(brand, previous, f)[0] if previous else None
    kpis = [kpi(m, now, before, lang) for m in (
        M.SOCIAL_LEADS, M.TIME_TO_FIRST_CONTACT, M.DEAL_CONVERSION, M.DEAL_SIZE)]
    grain, buckets, index, labels, _ranges = _chart_buckets(f, brand.timezone)
    zone = ZoneInfo(brand.timezone)
    leads_b: list[float | None] = [0.0] * len(buckets)
    crm = _crm_leads(brand, period)
    instants = crm.values_list("origin_at", flat=True) if crm is not None else \
        _conversations(brand, period, f).filter(flag="green").values_list("created_at",
                                                                          flat=True)
    for at in instants:
        i = index.get(_bucket_of(at.astimezone(zone).date(), grain))
        if i is not None:
            leads_b[i] = (leads_b[i] or 0) + 1
    biz = business_daily(brand, period, ("deals", "deal_value"))
    deals_b: list[float | None] = [None] * len(buckets)
    for day, v in biz.get("deals", {}).items():
        i = index.get(_bucket_of(day, grain))
        if i is not None:
            deals_b[i] = (deals_b[i] or 0) + v
    inbox = reverse("engagement:inbox", args=[brand.organization.slug])
    lead_links: list[str | None] = [f"{inbox}?brand={brand.slug}&flag=green"] * len(buckets)
    charts = [Chart(
        "leads", _t("Leads from social and deals won", "Contactos desde redes y ventas "
                    "cerradas", lang), "bar", word("date", lang), labels,
        [Series(M.SOCIAL_LEADS.label(lang), leads_b, lead_links),
         Series(_t("Deals won", "Ventas cerradas", lang), deals_b,
                [_business_link(brand, "deals")] * len(buckets))],
        note=_t("Leads come from the CRM (cases)." if source == "crm" else
                "Leads are the conversations flagged green (no CRM lead recorded yet).",
                "Los contactos vienen del CRM (casos)." if source == "crm" else
                "Los contactos son las conversaciones marcadas en verde (aún no hay "
                "contactos del CRM).", lang))]
    from tertulia.insights.dashboards import flag_chart

    charts.append(flag_chart(brand, f, ("green",), _t("Sales signals in mentions",
                                                      "Señales de venta en menciones", lang),
                             lang))
    return Dashboard(_t("Sales", "Ventas", lang), f, kpis, charts, [])


# ---------------------------------------------------------------------------------------------
# Customer service


def service_figures(brand: Brand, period: Period, f: Filters | None = None) -> M.Figures:
    from tertulia.engagement.models import Conversation

    rows = list(_conversations(brand, period, f).values_list(
        "created_at", "first_response_at", "resolved_at", "sla_state", "customer_id"))
    first = [h for h in (_hours(r[1], r[0]) for r in rows) if h is not None]
    resolution = [h for h in (_hours(r[2], r[0]) for r in rows) if h is not None]
    met = sum(1 for r in rows if r[3] == "met")
    breached = sum(1 for r in rows if r[3] == "breached")
    start, end = period.utc_bounds(brand.timezone)
    resolved_rows = Conversation.objects.filter(
        brand=brand, resolved_at__gte=start, resolved_at__lt=end, customer__isnull=False)
    if f is not None and f.network:
        resolved_rows = resolved_rows.filter(network=f.network)
    if f is not None and f.language:
        resolved_rows = resolved_rows.filter(language=f.language)
    resolved = list(resolved_rows.values_list("id", "customer_id", "resolved_at"))
    recontacted = 0
    if resolved:
        later = Conversation.objects.filter(
            brand=brand, customer_id__in={c for _i, c, _r in resolved},
            created_at__gte=min(r for _i, _c, r in resolved),
            created_at__lt=max(r for _i, _c, r in resolved) + timedelta(days=RECONTACT_DAYS))
        opened: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
        for cid, customer, created in later.values_list("id", "customer_id", "created_at"):
            opened[customer].append((cid, created))
        for conv_id, customer, at in resolved:
            if any(cid != conv_id and at < created <= at + timedelta(days=RECONTACT_DAYS)
                   for cid, created in opened[customer]):
                recontacted += 1
    csat = _csat(brand, period)
    return {"handled": float(sum(1 for r in rows if r[1] or r[2])),
            "first_response_p50_h": M.percentile(first, 0.5),
            "first_response_p90_h": M.percentile(first, 0.9),
            "resolution_p50_h": M.percentile(resolution, 0.5),
            "resolution_p90_h": M.percentile(resolution, 0.9),
            "sla_met": float(met), "sla_decided": float(met + breached),
            "recontacted": float(recontacted), "resolved": float(len(resolved)),
            "csat": csat}


def _csat(brand: Brand, period: Period) -> float | None:
    """CSAT % from the cases app's surveys when it has answers, else the imported `csat`."""
    if apps.is_installed("tertulia.cases"):
        from tertulia.cases.stats import csat_stats

        start, end = period.utc_bounds(brand.timezone)
        pct = csat_stats([brand], start, end, tz=brand.timezone).total.csat_pct
        if pct is not None:
            return pct
    return business_totals(business_daily(brand, period, ("csat",))).get("csat")


def contact_volume(brand: Brand, end: date, days: int = SERVICE_HISTORY_DAYS
                   ) -> dict[str, list[float]]:
    """Conversations opened per channel (network) per local day, the `days` up to `end`."""
    from tertulia.engagement.models import Conversation

    period = Period(end - timedelta(days=days - 1), end)
    start, stop = period.utc_bounds(brand.timezone)
    index = {d: i for i, d in enumerate(period.dates())}
    out: dict[str, list[float]] = {}
    for network, day, n in Conversation.objects.filter(
            brand=brand, created_at__gte=start, created_at__lt=stop).annotate(
            d=TruncDate("created_at", tzinfo=ZoneInfo(brand.timezone))).values_list(
            "network", "d").annotate(n=Count("id")).values_list("network", "d", "n"):
        series = out.setdefault(network, [0.0] * days)
        if day in index:
            series[index[day]] += n
    return out


def service_dashboard(brand: Brand, f: Filters, lang: str = "en") -> Dashboard:
    period, previous = f.period, f.comparison
    now = service_figures(brand, period, f)
    before = service_figures(brand, previous, f) if previous else None
    # The forecast is backtested on the history up to the period's end.
    volume = contact_volume(brand, period.end)
    total = [sum(v[i] for v in volume.values()) for i in range(SERVICE_HISTORY_DAYS)]
    overall = FC.forecast(total, season=FC.WEEKLY, horizon=FORECAST_HORIZON_DAYS,
                          holdout=2 * FC.WEEKLY)
    now = {**now, "forecast_mape": overall.mape}
    if before is not None:
        before = {**before, "forecast_mape": None}
    kpis = [kpi(m, now, before, lang) for m in (
        M.CONVERSATIONS_HANDLED, M.FIRST_RESPONSE_MEDIAN, M.FIRST_RESPONSE_P90,
        M.RESOLUTION_MEDIAN, M.RESOLUTION_P90, M.SLA_COMPLIANCE, M.RECONTACT_RATE, M.CSAT,
        M.FORECAST_ERROR)]
    days = [period.end - timedelta(days=SERVICE_HISTORY_DAYS - 1 - i)
            for i in range(SERVICE_HISTORY_DAYS)]
    future = [period.end + timedelta(days=i + 1) for i in range(FORECAST_HORIZON_DAYS)]
    labels = [d.isoformat() for d in (*days, *future)]
    inbox = reverse("engagement:inbox", args=[brand.organization.slug])
    charts = []
    for network, series in sorted(volume.items(), key=lambda kv: -sum(kv[1]))[:4]:
        fc = FC.forecast(series, season=FC.WEEKLY, horizon=FORECAST_HORIZON_DAYS,
                         holdout=2 * FC.WEEKLY)
        fitted = [None if v is None else round(v, 1) for v in fc.fitted]
        error = "" if fc.mae is None else _t(
            f"Model: {fc.model.replace('_', ' ')}; backtest error MAE {fc.mae:.1f} per day"
            + (f", MAPE {fc.mape:.0f} %." if fc.mape is not None else "."),
            f"Modelo: {fc.model.replace('_', ' ')}; error en el backtest MAE {fc.mae:.1f} al "
            "día" + (f", MAPE {fc.mape:.0f} %." if fc.mape is not None else "."), lang)
        link = f"{inbox}?brand={brand.slug}&network={network}"
        charts.append(Chart(
            f"volume_{network}", _t(f"Contacts on {network}: forecast vs actual",
                                    f"Contactos en {network}: pronóstico frente a real", lang),
            "line", word("date", lang), labels,
            [Series(_t("Actual", "Real", lang),
                    [*series, *([None] * FORECAST_HORIZON_DAYS)],
                    [link] * len(labels)),
             Series(_t("Forecast", "Pronóstico", lang),
                    [*fitted, *(round(v, 1) for v in fc.future)]),
             Series(_t("Error (actual − forecast)", "Error (real − pronóstico)", lang),
                    [None if p is None else round(a - p, 1)
                     for a, p in zip(series, fitted, strict=True)]
                    + [None] * FORECAST_HORIZON_DAYS)],
            note=error or _t(f"No forecast: {fc.reason}.", f"Sin pronóstico: {fc.reason}.",
                             lang)))
    if not charts:
        charts.append(Chart("volume", _t("Contacts: forecast vs actual",
                                         "Contactos: pronóstico frente a real", lang),
                            "line", word("date", lang), labels, [],
                            note=_t("No conversations in the last eight weeks.",
                                    "No hay conversaciones en las últimas ocho semanas.",
                                    lang)))
    return Dashboard(_t("Customer service", "Atención al cliente", lang), f, kpis, charts, [])
