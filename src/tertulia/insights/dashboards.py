"""What the dashboards show, read from the rollups (never from the mentions, except the
bounded keyword sample). Views render it, `chart.csv` exports it and reports reuse it.

A dashboard is a list of KPI cards, charts and tables. Each chart carries its numbers as a
table (what the CSV download writes) and, per point, the link into the mention stream with
the same filters (the drill-down).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db.models import Max, QuerySet, Sum
from django.urls import reverse

from tertulia.governance.models import Brand
from tertulia.insights import metrics as M
from tertulia.insights.metrics import Compare, Grain, Period, Totals
from tertulia.insights.models import (
    OWN,
    AuthorDay,
    DailyRollup,
    DailyTotal,
    DaySummary,
    HourlyRollup,
    RollupState,
)
from tertulia.listening.forms import LANGUAGES
from tertulia.listening.models import Author, Mention, MentionMatch, Query

SUMS = ("mentions", "likes", "comments", "shares", "views", "reach")
SENTIMENTS = ("positive", "neutral", "negative")
KEYWORD_SAMPLE = 1000
TOP_N = 10
STREAM_LANGUAGES = {code for code, _label in LANGUAGES if code}

_WORDS: dict[str, tuple[str, str]] = {
    "positive": ("Positive", "Positivas"), "neutral": ("Neutral", "Neutras"),
    "negative": ("Negative", "Negativas"), "mentions": ("Mentions", "Menciones"),
    "date": ("Date", "Fecha"), "network": ("Network", "Red"), "language": ("Language", "Idioma"),
    "net": ("Net sentiment", "Sentimiento neto"), "brand": ("Brand", "Marca"),
    "author": ("Author", "Autor"), "followers": ("Followers", "Seguidores"),
    "interactions": ("Interactions", "Interacciones"), "keyword": ("Keyword", "Palabra clave"),
    "share": ("Share of voice %", "Cuota de conversación %"),
    "previous": ("Comparison period", "Periodo de comparación"),
}


def word(key: str, lang: str) -> str:
    return _WORDS[key][1 if lang == "es" else 0]


@dataclass(frozen=True)
class Filters:
    """The filters every widget of a dashboard shares."""

    period: Period
    compare: Compare = Compare.PREVIOUS
    network: str = ""
    language: str = ""

    @property
    def comparison(self) -> Period | None:
        return M.compare(self.period, self.compare)


@dataclass
class Series:
    name: str
    values: list[float | None]
    links: list[str | None] | None = None
    stack: str = ""
    key: str = ""  # e.g. "negative": fixes the series colour


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "bar", "stacked", "line", "pie", "hbar"
    category_label: str
    categories: list[str]
    series: list[Series]
    note: str = ""
    # Columns of the data table and the CSV that are not drawn (e.g. the n behind each
    # correlation, on another scale than the coefficients).
    table_only: list[Series] = field(default_factory=list)

    @property
    def table_series(self) -> list[Series]:
        return [*self.series, *self.table_only]

    def table(self) -> tuple[list[str], list[list[Any]]]:
        headers = [self.category_label, *(s.name for s in self.table_series)]
        rows = [[c, *(s.values[i] for s in self.table_series)]
                for i, c in enumerate(self.categories)]
        return headers, rows

    def spec(self) -> dict[str, Any]:
        """What the ECharts initializer in insights.js reads (through json_script)."""
        return {
            "key": self.key, "title": self.title, "kind": self.kind,
            "categories": self.categories,
            "series": [{"name": s.name, "values": s.values, "links": s.links,
                        "stack": s.stack, "key": s.key} for s in self.series],
        }

    def data_html(self) -> str:
        """The chart's numbers as an HTML table with a drill-down link per value. Built
        here with the standard library's escape: a template loop, or Django's format_html,
        over every point costs more than the rest of the page."""
        from html import escape

        from django.utils.safestring import mark_safe

        from tertulia.insights.templatetags.insights import num

        def cell(value: float | None, link: str | None) -> str:
            text = "—" if value is None else escape(str(num(value)))
            if link and value:
                return f'<td><a href="{escape(link)}">{text}</a></td>'
            return f"<td>{text}</td>"

        head = "".join(f"<th>{escape(str(s.name))}</th>" for s in self.table_series)
        body = "".join(
            f"<tr><td>{escape(str(category))}</td>"
            + "".join(cell(v, link) for v, link in values) + "</tr>"
            for category, values in self.rows)
        # Every value above went through escape(): the result is safe to insert.
        return mark_safe(
            f'<table class="table table-sm"><thead><tr><th>{escape(self.category_label)}'
            f"</th>{head}</tr></thead><tbody>{body}</tbody></table>")

    @property
    def rows(self) -> list[tuple[str, list[tuple[float | None, str | None]]]]:
        """Per category: each series' value with its drill-down link (the data table)."""
        return [(c, [(s.values[i], s.links[i] if s.links else None)
                     for s in self.table_series]) for i, c in enumerate(self.categories)]


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    links: list[str | None] = field(default_factory=list)
    note: str = ""

    def table(self) -> tuple[list[str], list[list[Any]]]:
        return self.headers, self.rows

    @property
    def linked_rows(self) -> list[tuple[list[Any], str | None]]:
        return [(row, self.links[i] if i < len(self.links) else None)
                for i, row in enumerate(self.rows)]


@dataclass
class Kpi:
    metric: M.Metric
    value: str
    change: str
    verdict: str
    raw: float | None


@dataclass
class Dashboard:
    title: str
    filters: Filters
    kpis: list[Kpi]
    charts: list[Chart]
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    totals: Totals | None = None
    previous: Totals | None = None

    def widget(self, key: str) -> Chart | Table | None:
        for item in [*self.charts, *self.tables]:
            if item.key == key:
                return item
        return None


# ---------------------------------------------------------------------------------------------
# Reading rollups


def _rollups(brand_ids: Iterable[int], query_ids: Iterable[int], period: Period, tz: str,
             f: Filters, grain: Grain, *, by_dims: bool = False) -> QuerySet[Any]:
    """Rollup rows of the period. Without a network or language filter, and unless the
    caller groups by network or language (`by_dims`), daily reads use DailyTotal, whose
    size does not grow with the variety of networks and languages."""
    if grain == Grain.DAY and not (by_dims or f.network or f.language):
        return DailyTotal.objects.filter(day__gte=period.start, day__lte=period.end,
                                         brand_id__in=list(brand_ids),
                                         query_id__in=list(query_ids))
    if grain == Grain.HOUR:
        start, end = period.utc_bounds(tz)
        rows: QuerySet[Any] = HourlyRollup.objects.filter(
            hour__gte=start.replace(minute=0, second=0, microsecond=0), hour__lt=end)
    else:
        rows = DailyRollup.objects.filter(day__gte=period.start, day__lte=period.end)
    rows = rows.filter(brand_id__in=list(brand_ids), query_id__in=list(query_ids))
    if f.network:
        rows = rows.filter(network=f.network)
    if f.language:
        rows = rows.filter(language=f.language)
    return rows


def _sums() -> dict[str, Sum]:
    return {name: Sum(name) for name in SUMS}


SUMMARY_SUMS = ("mentions", "positive", "neutral", "negative", "red", "yellow", "green",
                "spam", "likes", "comments", "shares", "views", "reach")


def _summarized(f: Filters, grain: Grain) -> bool:
    """Whether DaySummary (one row per brand, query and day) can answer: daily reads
    without a network or language filter."""
    return grain == Grain.DAY and not (f.network or f.language)


def totals_by_query(brand_ids: list[int], query_ids: list[int], period: Period, tz: str,
                    f: Filters, grain: Grain) -> dict[tuple[int, int], Totals]:
    """(brand id, query id) → Totals of the period, for every pair that has rows."""
    out: dict[tuple[int, int], Totals] = {}
    if not brand_ids or not query_ids:
        return out
    if _summarized(f, grain):
        rows = DaySummary.objects.filter(
            brand_id__in=brand_ids, query_id__in=query_ids, day__gte=period.start,
            day__lte=period.end).values("brand_id", "query_id").annotate(
            **{name: Sum(name) for name in SUMMARY_SUMS})
        for row in rows:
            out[(row["brand_id"], row["query_id"])] = Totals.of_summaries([row])
        return out
    grouped: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for row in _rollups(brand_ids, query_ids, period, tz, f, grain).values(
            "brand_id", "query_id", "sentiment", "flag").annotate(**_sums()):
        grouped.setdefault((row["brand_id"], row["query_id"]), []).append(row)
    return {k: Totals.of_rows(v) for k, v in grouped.items()}


def sentiment_series(brand: Brand, period: Period, f: Filters, read_grain: Grain
                     ) -> list[tuple[datetime | date, str, int]]:
    """(bucket, sentiment, mentions) of the brand's own mentions."""
    if _summarized(f, read_grain):
        out: list[tuple[datetime | date, str, int]] = []
        for day, pos, neu, neg in DaySummary.objects.filter(
                brand=brand, query_id=OWN, day__gte=period.start,
                day__lte=period.end).values_list("day", "positive", "neutral", "negative"):
            out += [(day, "positive", pos), (day, "neutral", neu), (day, "negative", neg)]
        return out
    bucket_field = "hour" if read_grain == Grain.HOUR else "day"
    return [(r[bucket_field], r["sentiment"], r["n"]) for r in _rollups(
        [brand.id], [OWN], period, brand.timezone, f, read_grain).values(
        bucket_field, "sentiment").annotate(n=Sum("mentions"))]


def _read_grain(period: Period) -> Grain:
    """Hourly rows for an hourly chart; daily rows for everything else."""
    return Grain.HOUR if M.grain_for(period) == Grain.HOUR else Grain.DAY


def competitor_queries(brand: Brand) -> list[Query]:
    return list(brand.queries.filter(kind=Query.Kind.COMPETITOR).order_by("name"))


def _bucket_of(value: datetime | date, grain: Grain) -> datetime | date:
    if grain == Grain.WEEK:
        assert isinstance(value, date)
        return M.week_start(value)
    return value


@lru_cache(maxsize=256)
def _stream_base(org_slug: str, brand_slug: str) -> str:
    return reverse("listening:stream", args=[org_slug, brand_slug])


def _stream(brand: Brand, **params: Any) -> str:
    base = _stream_base(brand.organization.slug, brand.slug)
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    if clean.get("language") and clean["language"] not in STREAM_LANGUAGES:
        clean.pop("language")
    return f"{base}?{urlencode(clean)}" if clean else base


def _day_links(brand: Brand, fixed: dict[str, Any], days: list[tuple[date, date]],
               **extra: Any) -> list[str | None]:
    """One stream link per bucket: the fixed filters are encoded once (a chart has up to a
    few hundred points), the ISO dates need no quoting."""
    head = _stream(brand, **{k: v for k, v in fixed.items()
                             if k not in ("date_from", "date_to")}, **extra)
    sep = "&" if "?" in head else "?"
    return [f"{head}{sep}date_from={a.isoformat()}&date_to={b.isoformat()}" for a, b in days]


def _bucket_days(bucket: datetime | date, grain: Grain, tz: str, period: Period
                 ) -> tuple[date, date]:
    """The local days a bucket covers (the stream filters by day)."""
    if grain == Grain.HOUR:
        assert isinstance(bucket, datetime)
        day = bucket.astimezone(ZoneInfo(tz)).date()
        return day, day
    assert isinstance(bucket, date)
    if grain == Grain.WEEK:
        return max(bucket, period.start), min(bucket + timedelta(days=6), period.end)
    return bucket, bucket


# ---------------------------------------------------------------------------------------------
# The PR / communication dashboard of one brand


def pr_dashboard(brand: Brand, f: Filters, lang: str = "en") -> Dashboard:
    tz = brand.timezone
    period, previous = f.period, f.comparison
    grain = M.grain_for(period)
    read_grain = _read_grain(period)
    base = {"date_from": period.start.isoformat(), "date_to": period.end.isoformat(),
            "network": f.network, "language": f.language}
    rivals = competitor_queries(brand)
    rival_ids = [q.id for q in rivals]
    found = totals_by_query([brand.id], [OWN, *rival_ids], period, tz, f, read_grain)
    by_rival = {q: found.get((brand.id, q), Totals()) for q in rival_ids}
    current = found.get((brand.id, OWN), Totals()).with_competitors(
        sum(t.mentions for t in by_rival.values()) if rivals else None)
    before = None
    if previous is not None:
        prev_found = totals_by_query([brand.id], [OWN, *rival_ids], previous, tz, f,
                                     _read_grain(previous))
        before = prev_found.get((brand.id, OWN), Totals()).with_competitors(
            sum(prev_found.get((brand.id, q), Totals()).mentions for q in rival_ids)
            if rivals else None)
    kpis = [_kpi(m, current, before, lang) for m in (
        M.MENTIONS, M.REACH, M.INTERACTIONS, M.NET_SENTIMENT, M.NEGATIVE_SHARE,
        M.SHARE_OF_VOICE)]

    buckets = M.buckets(period, grain, tz)
    index = {b: i for i, b in enumerate(buckets)}
    counts = {s: [0.0] * len(buckets) for s in SENTIMENTS}
    for at, sentiment, n in sentiment_series(brand, period, f, read_grain):
        bucket = _bucket_of(at, grain)
        if bucket in index and sentiment in counts:
            counts[sentiment][index[bucket]] += n
    labels = [M.bucket_label(b, grain, tz) for b in buckets]
    day_ranges = [_bucket_days(b, grain, tz, period) for b in buckets]
    volume = Chart(
        "volume", _t("Mentions over time by sentiment", "Menciones en el tiempo por sentimiento",
                     lang),
        "stacked", word("date", lang), labels,
        [Series(word(s, lang), counts[s],
                _day_links(brand, base, day_ranges, sentiment=s, scope="own"),
                stack="sentiment", key=s) for s in SENTIMENTS],
    )
    net_values: list[float | None] = []
    for i in range(len(buckets)):
        total = sum(counts[s][i] for s in SENTIMENTS)
        net_values.append(None if not total else round(
            100 * (counts["positive"][i] - counts["negative"][i]) / total, 1))
    net = Chart("net_sentiment", _t("Net sentiment over time", "Sentimiento neto en el tiempo",
                                    lang), "line", word("date", lang), labels,
                [Series(word("net", lang), net_values,
                        _day_links(brand, base, day_ranges, scope="own"))])

    charts = [volume, net]
    sov_categories = [brand.name, *(q.name for q in rivals)]
    sov_totals = [current, *(by_rival[q.id] for q in rivals)]
    sov_links = [_stream(brand, **{**base, "scope": "own"}),
                 *(_stream(brand, **{**base, "query": q.id}) for q in rivals)]
    note = "" if rivals else _t(
        "This brand has no competitor query yet: add one on the Queries page (type "
        "“Competitor”) to see share of voice.",
        "Esta marca aún no tiene consultas de competidor: añada una en la página de consultas "
        "(tipo «Competidor») para ver la cuota de conversación.", lang)
    charts.append(Chart("share_of_voice", _t("Share of voice", "Cuota de conversación", lang),
                        "pie", word("brand", lang), sov_categories,
                        [Series(word("mentions", lang), [t.mentions for t in sov_totals],
                                sov_links)], note=note))
    charts.append(Chart(
        "competitor_sentiment",
        _t("Sentiment against competitors", "Sentimiento frente a los competidores", lang),
        "hbar", word("brand", lang), sov_categories,
        [Series(word(s, lang), [getattr(t, s) for t in sov_totals],
                [_stream(brand, **{**base, "scope": "own", "sentiment": s}),
                 *(_stream(brand, **{**base, "query": q.id, "sentiment": s}) for q in rivals)],
                stack="sentiment", key=s) for s in SENTIMENTS], note=note))
    # One grouped read for both pies.
    by_dims: dict[str, dict[str, int]] = {"network": {}, "language": {}}
    for network, language, n in _rollups([brand.id], [OWN], period, tz, f, read_grain,
                                         by_dims=True).values_list(
            "network", "language").annotate(n=Sum("mentions")).values_list(
            "network", "language", "n"):
        by_dims["network"][network] = by_dims["network"].get(network, 0) + n
        by_dims["language"][language] = by_dims["language"].get(language, 0) + n
    for dim, title_en, title_es in (
        ("network", "Mentions by network", "Menciones por red"),
        ("language", "Mentions by language", "Menciones por idioma"),
    ):
        split = sorted(by_dims[dim].items(), key=lambda r: (-r[1], r[0]))
        split = [(k, n) for k, n in split if n]
        charts.append(Chart(dim, _t(title_en, title_es, lang), "pie", word(dim, lang),
                            [k for k, _n in split],
                            [Series(word("mentions", lang), [n for _k, n in split],
                                    [_stream(brand, **{**base, dim: k, "scope": "own"})
                                     for k, _n in split])]))
    tables = [top_authors(brand, f, lang), top_keywords(brand, f, lang)]
    notes = []
    state = RollupState.objects.filter(brand=brand).first()
    if state is not None and (state.timezone != brand.timezone or state.dirty_since):
        notes.append(_t("These figures are being recomputed in the background (a query was "
                        "re-applied or the brand's time zone changed); reload in a minute.",
                        "Estas cifras se están recalculando en segundo plano (se volvió a "
                        "aplicar una consulta o cambió la zona horaria de la marca); recargue "
                        "en un minuto.", lang))
    return Dashboard(_t("PR and communication", "PR y comunicación", lang), f, kpis, charts,
                     tables, notes, current, before)


def _kpi(metric: M.Metric, current: Totals, before: Totals | None, lang: str) -> Kpi:
    moved = M.change(metric, current, before)
    return Kpi(metric, metric.format(moved.current, lang), M.format_change(metric, moved, lang),
               moved.verdict, moved.current)


def _t(en: str, es: str, lang: str) -> str:
    return es if lang == "es" else en


def top_authors(brand: Brand, f: Filters, lang: str) -> Table:
    """The own-mention authors with the largest audience in the period (AuthorDay rows)."""
    rows = AuthorDay.objects.filter(brand=brand, day__gte=f.period.start,
                                    day__lte=f.period.end, mentions__gt=0)
    walk_rows = AuthorDay.objects.filter(brand=brand)
    if f.network:
        rows, walk_rows = rows.filter(network=f.network), walk_rows.filter(network=f.network)
    if f.language:
        rows, walk_rows = rows.filter(language=f.language), walk_rows.filter(
            language=f.language)
    # Walk the brand's rows from the largest audience down (index author_day_followers,
    # no sort) until TOP_N distinct authors active in the period are found, instead of
    # grouping every author of the period: the cost follows TOP_N, not the authors.
    picked: list[int] = []
    seen: set[int] = set()
    walk = walk_rows.order_by("-followers").values_list("author_id", "day", "mentions")
    offset, chunk_size = 0, TOP_N * 20
    while len(picked) < TOP_N:
        chunk = list(walk[offset:offset + chunk_size])
        for author_id, day, mentions in chunk:
            if mentions and f.period.start <= day <= f.period.end and author_id not in seen:
                seen.add(author_id)
                picked.append(author_id)
                if len(picked) == TOP_N:
                    break
        if len(chunk) < chunk_size:
            break
        offset += len(chunk)
        chunk_size = min(chunk_size * 4, 20_000)
    top = sorted(rows.filter(author_id__in=picked).values("author_id").annotate(
        followers=Max("followers"), mentions=Sum("mentions"),
        interactions=Sum("interactions")), key=lambda r: (-r["followers"], -r["mentions"],
                                                          r["author_id"]))
    authors = {a.id: a for a in Author.objects.filter(id__in=[r["author_id"] for r in top])}
    base = {"date_from": f.period.start.isoformat(), "date_to": f.period.end.isoformat(),
            "language": f.language, "scope": "own"}
    out, links = [], []
    for row in top:
        author = authors.get(row["author_id"])
        if author is None:
            continue
        out.append([f"@{author.handle}", author.network, row["followers"], row["mentions"],
                    row["interactions"]])
        links.append(_stream(brand, **base, author=author.handle, network=author.network))
    return Table("top_authors", _t("Top authors by reach", "Autores con más alcance", lang),
                 [word("author", lang), word("network", lang), word("followers", lang),
                  word("mentions", lang), word("interactions", lang)], out, links)


def top_keywords(brand: Brand, f: Filters, lang: str) -> Table:
    """The most used keywords of the period's newest own mentions (a bounded sample)."""
    start, end = f.period.utc_bounds(brand.timezone)
    matches = MentionMatch.objects.filter(brand=brand, created_at__gte=start,
                                          created_at__lt=end).exclude(
        query__kind=Query.Kind.COMPETITOR)
    if f.network:
        matches = matches.filter(network=f.network)
    if f.language:
        matches = matches.filter(language=f.language)
    # One bounded read, newest first, driven by the (brand, created_at) index; a mention
    # matched by two own queries comes twice and counts once.
    rows = matches.filter(mention__hidden_at=None).order_by("-created_at").values_list(
        "mention_id", "mention__keywords")[:KEYWORD_SAMPLE + KEYWORD_SAMPLE // 4]
    seen: set[int] = set()
    counter: Counter[str] = Counter()
    for mention_id, keywords in rows:
        if mention_id in seen:
            continue
        seen.add(mention_id)
        counter.update({str(k) for k in keywords or ()})
        if len(seen) >= KEYWORD_SAMPLE:
            break
    ids = seen
    top = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    base = {"date_from": f.period.start.isoformat(), "date_to": f.period.end.isoformat(),
            "network": f.network, "language": f.language, "scope": "own"}
    note = _t(f"From the newest {len(ids):,} mentions of the period.",
              f"De las {len(ids):,} menciones más recientes del periodo.", lang) \
        if len(ids) >= KEYWORD_SAMPLE else ""
    return Table("top_keywords", _t("Top keywords and themes", "Temas y palabras clave", lang),
                 [word("keyword", lang), word("mentions", lang)],
                 [[k, n] for k, n in top], [_stream(brand, **base, q=k) for k, _n in top],
                 note=note)


# ---------------------------------------------------------------------------------------------
# The executive dashboard: the few numbers that matter, across brands


EXEC_METRICS = (M.MENTIONS, M.REACH, M.NET_SENTIMENT, M.SHARE_OF_VOICE, M.INTERACTIONS,
                M.SALES_SIGNALS, M.CRITICAL_MENTIONS)


@dataclass
class BrandLine:
    brand: Brand
    totals: Totals
    previous: Totals | None
    cells: list[Kpi]
    url: str


def executive_dashboard(brands: list[Brand], f: Filters, lang: str = "en"
                        ) -> tuple[Dashboard, list[BrandLine]]:
    period, previous = f.period, f.comparison
    ids = [b.id for b in brands]
    rivals: dict[int, list[int]] = {}
    for q in Query.objects.filter(brand_id__in=ids, kind=Query.Kind.COMPETITOR):
        rivals.setdefault(q.brand_id, []).append(q.id)
    rival_ids = [q for qs in rivals.values() for q in qs]

    def read(p: Period) -> dict[int, Totals]:
        found = totals_by_query(ids, [OWN, *rival_ids], p, "UTC", f, Grain.DAY)
        comp: dict[int, int] = dict.fromkeys(ids, 0)
        for (brand_id, query_id), t in found.items():
            if query_id != OWN:
                comp[brand_id] += t.mentions
        return {b: found.get((b, OWN), Totals()).with_competitors(
            comp[b] if b in rivals else None) for b in ids}

    now = read(period)
    before = read(previous) if previous is not None else None
    lines = []
    for brand in brands:
        cur = now[brand.id]
        prev = before[brand.id] if before else None
        lines.append(BrandLine(
            brand, cur, prev, [_kpi(m, cur, prev, lang) for m in EXEC_METRICS],
            reverse("insights:pr", args=[brand.organization.slug, brand.slug])))
    all_now = sum((line.totals for line in lines), Totals())
    all_before = sum((line.previous for line in lines if line.previous), Totals()) \
        if before else None
    kpis = [_kpi(m, all_now, all_before, lang) for m in (
        M.MENTIONS, M.REACH, M.INTERACTIONS, M.NET_SENTIMENT, M.SALES_SIGNALS,
        M.CRITICAL_MENTIONS)]

    grain = M.grain_for(period)
    grain = Grain.DAY if grain == Grain.HOUR else grain
    buckets = M.buckets(period, grain, "UTC")
    index = {b: i for i, b in enumerate(buckets)}
    series: dict[int, list[float | None]] = {b: [0.0] * len(buckets) for b in ids}
    if _summarized(f, Grain.DAY):
        day_rows = DaySummary.objects.filter(
            brand_id__in=ids, query_id=OWN, day__gte=period.start,
            day__lte=period.end).values_list("brand_id", "day", "mentions")
    else:
        day_rows = _rollups(ids, [OWN], period, "UTC", f, Grain.DAY).values_list(
            "brand_id", "day").annotate(n=Sum("mentions")).values_list("brand_id", "day", "n")
    for brand_id, day, n in day_rows:
        bucket = _bucket_of(day, grain)
        if bucket in index:
            series[brand_id][index[bucket]] += n  # type: ignore[operator]
    labels = [M.bucket_label(b, grain, "UTC") for b in buckets]
    charts = [
        Chart("brands_volume", _t("Mentions per brand over time",
                                  "Menciones por marca en el tiempo", lang),
              "line", word("date", lang), labels,
              [Series(b.name, series[b.id]) for b in brands]),
        Chart("brands_net_sentiment", _t("Net sentiment per brand", "Sentimiento neto por marca",
                                         lang), "bar", word("brand", lang),
              [b.name for b in brands],
              [Series(word("net", lang), [_round(M.NET_SENTIMENT.value(line.totals))
                                          for line in lines],
                      [line.url for line in lines])]),
    ]
    dashboard = Dashboard(_t("Executive summary", "Resumen ejecutivo", lang), f, kpis, charts,
                          [], [], all_now, all_before)
    return dashboard, lines


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# The measurement framework: what each stage reads today, and what is not connected yet.
FRAMEWORK: tuple[tuple[str, str, str, tuple[M.Metric, ...], str, str], ...] = (
    ("awareness", "Awareness", "Notoriedad", (M.MENTIONS, M.REACH, M.SHARE_OF_VOICE), "", ""),
    ("evaluation", "Evaluation", "Valoración", (M.NET_SENTIMENT, M.NEGATIVE_SHARE), "", ""),
    ("engagement", "Engagement", "Interacción", (M.INTERACTIONS, M.INTERACTIONS_PER_MENTION),
     "Owned-account engagement (followers, posts, engagement rate) needs a connected "
     "account: not connected yet.",
     "La interacción de las cuentas propias (seguidores, publicaciones, tasa de interacción) "
     "necesita una cuenta conectada: aún no está conectada."),
    ("loyalty", "Loyalty", "Fidelidad", (),
     "Needs customer and CRM data (repeat buyers, NPS): no data source is connected yet.",
     "Necesita datos de clientes y CRM (compradores recurrentes, NPS): aún no hay ninguna "
     "fuente de datos conectada."),
    ("conversion", "Conversion", "Conversión", (M.SALES_SIGNALS,),
     "Leads, deals and sales need CRM or business data: not connected yet. Sales signals "
     "are mentions showing purchase intent.",
     "Los contactos, oportunidades y ventas necesitan datos de CRM o de negocio: aún no "
     "están conectados. Las señales de venta son menciones con intención de compra."),
)


def framework(totals: Totals, previous: Totals | None, lang: str
              ) -> list[tuple[str, list[Kpi], str]]:
    out = []
    for _key, en, es, stage_metrics, note_en, note_es in FRAMEWORK:
        out.append((_t(en, es, lang), [_kpi(m, totals, previous, lang) for m in stage_metrics],
                    _t(note_en, note_es, lang)))
    return out


def flag_chart(brand: Brand, f: Filters, flags: tuple[str, ...], title: str, lang: str
               ) -> Chart:
    """Own mentions carrying these flags, per bucket (sales signals, service requests)."""
    period, tz = f.period, brand.timezone
    grain, read_grain = M.grain_for(period), _read_grain(period)
    bucket_field = "hour" if read_grain == Grain.HOUR else "day"
    rows = _rollups([brand.id], [OWN], period, tz, f, read_grain).filter(
        flag__in=flags).values(bucket_field, "flag").annotate(n=Sum("mentions"))
    buckets = M.buckets(period, grain, tz)
    index = {b: i for i, b in enumerate(buckets)}
    counts: dict[str, list[float | None]] = {fl: [0.0] * len(buckets) for fl in flags}
    for row in rows:
        bucket = _bucket_of(row[bucket_field], grain)
        if bucket in index:
            counts[row["flag"]][index[bucket]] += row["n"]  # type: ignore[operator]
    names = {"green": _t("Sales signals", "Señales de venta", lang),
             "yellow": _t("Service requests", "Peticiones de servicio", lang),
             "red": _t("Critical mentions", "Menciones críticas", lang)}
    day_ranges = [_bucket_days(b, grain, tz, period) for b in buckets]
    return Chart(f"flags_{'_'.join(flags)}", title, "stacked", word("date", lang),
                 [M.bucket_label(b, grain, tz) for b in buckets],
                 [Series(names.get(fl, fl), counts[fl],
                         _day_links(brand, {"network": f.network, "language": f.language},
                                    day_ranges, flag=fl, scope="own"),
                         stack="flag") for fl in flags])


def top_mentions(brand: Brand, f: Filters, lang: str, limit: int = 10) -> Table:
    """The period's own mentions with the most interactions (a bounded, ordered query)."""
    from django.db.models import F

    start, end = f.period.utc_bounds(brand.timezone)
    ids = MentionMatch.objects.filter(brand=brand, created_at__gte=start, created_at__lt=end
                                      ).exclude(query__kind=Query.Kind.COMPETITOR)
    rows = Mention.objects.filter(id__in=ids.values("mention_id"), hidden_at=None)
    if f.network:
        rows = rows.filter(network=f.network)
    if f.language:
        rows = rows.filter(language=f.language)
    top = rows.annotate(total=F("likes") + F("comments") + F("shares")).select_related(
        "author").order_by("-total", "-created_at")[:limit]
    out, links = [], []
    for m in top:
        text = " ".join(m.text.split())
        out.append([text[:140] + ("…" if len(text) > 140 else ""), f"@{m.author.handle}",
                    m.network, m.likes, m.comments, m.shares])
        links.append(reverse("listening:mention", args=[brand.organization.slug, brand.slug,
                                                        m.id]))
    return Table("top_mentions", _t("Top mentions by interactions",
                                    "Menciones con más interacciones", lang),
                 [_t("Mention", "Mención", lang), word("author", lang), word("network", lang),
                  _t("Likes", "Me gusta", lang), _t("Comments", "Comentarios", lang),
                  _t("Shares", "Compartidos", lang)], out, links)
