"""Every number the dashboards and reports show, defined once. Pure: no Django import.

A metric is computed from `Totals`, the sums of rollup rows over one scope (a brand's own
mentions, one query) and one period. Each `Metric` states its formula, unit, which
direction is good and what it does when data is missing, in English and Spanish; the
reference page `docs/{en,es}/reference/metrics.md` is generated from `METRICS` (see
`tertulia.insights.docs`) and a test keeps it in sync.

Periods are whole days in the brand's time zone (`Period`), compared with the period just
before or with the same days a year earlier (`compare`). `utc_bounds` turns a period into
the UTC instants that rollup rows are stored in.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

# ---------------------------------------------------------------------------------------------
# Totals: what a metric is computed from


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums of rollup rows. Every field is additive, so totals of parts add up to the whole."""

    mentions: int = 0
    positive: int = 0
    neutral: int = 0
    negative: int = 0
    red: int = 0
    yellow: int = 0
    green: int = 0
    spam: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0
    views: int = 0
    reach: int = 0
    # Mentions of the brand's competitors (their competitor queries) in the same period and
    # filters; None when the brand has no competitor query, so share of voice is unknown.
    competitor_mentions: int | None = None

    def __add__(self, other: Totals) -> Totals:
        values = {}
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            values[f.name] = a + b if a is not None and b is not None else (
                a if b is None else b)
        return Totals(**values)

    @classmethod
    def of_rows(cls, rows: Iterable[Mapping[str, object]]) -> Totals:
        """Totals of rollup rows given as mappings with `sentiment`, `flag` and the sums."""
        acc = dict.fromkeys(("mentions", "positive", "neutral", "negative", "red", "yellow",
                             "green", "spam", "likes", "comments", "shares", "views",
                             "reach"), 0)
        for row in rows:
            n = int(row["mentions"])  # type: ignore[call-overload]
            acc["mentions"] += n
            sentiment = row.get("sentiment")
            if sentiment in ("positive", "neutral", "negative"):
                acc[str(sentiment)] += n
            flag = row.get("flag")
            if flag in ("red", "yellow", "green", "spam"):
                acc[str(flag)] += n
            for name in ("likes", "comments", "shares", "views", "reach"):
                acc[name] += int(row[name])  # type: ignore[call-overload]
        return cls(**acc)

    def with_competitors(self, competitor_mentions: int | None) -> Totals:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["competitor_mentions"] = competitor_mentions
        return Totals(**values)

    @property
    def interactions(self) -> int:
        return self.likes + self.comments + self.shares


# ---------------------------------------------------------------------------------------------
# Metric definitions


class Unit(StrEnum):
    MENTIONS = "mentions"
    PEOPLE = "people"
    INTERACTIONS = "interactions"
    VIEWS = "views"
    RATIO = "ratio"
    PERCENT = "percent"
    POINTS = "points"


class Good(StrEnum):
    """Which way a change is good news."""

    UP = "up"
    DOWN = "down"
    NEUTRAL = "neutral"  # neither: more volume may be a campaign or a crisis


UNIT_LABELS: dict[Unit, tuple[str, str]] = {
    Unit.MENTIONS: ("mentions", "menciones"),
    Unit.PEOPLE: ("people (potential)", "personas (potenciales)"),
    Unit.INTERACTIONS: ("interactions", "interacciones"),
    Unit.VIEWS: ("views", "visualizaciones"),
    Unit.RATIO: ("interactions per mention", "interacciones por mención"),
    Unit.PERCENT: ("% (changes in percentage points)", "% (los cambios, en puntos porcentuales)"),
    Unit.POINTS: ("points, −100 to +100", "puntos, de −100 a +100"),
}

GOOD_LABELS: dict[Good, tuple[str, str]] = {
    Good.UP: ("higher is better", "más es mejor"),
    Good.DOWN: ("lower is better", "menos es mejor"),
    Good.NEUTRAL: ("neither: read it in context", "ninguna: se lee en contexto"),
}


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    label_en: str
    label_es: str
    formula_en: str
    formula_es: str
    unit: Unit
    good: Good
    missing_en: str
    missing_es: str
    compute: Callable[[Totals], float | None]
    decimals: int = 0

    def label(self, lang: str) -> str:
        return self.label_es if lang == "es" else self.label_en

    def value(self, totals: Totals) -> float | None:
        return self.compute(totals)

    def format(self, value: float | None, lang: str = "en") -> str:
        """The value as people read it: thousands separated, the unit's sign, `—` if none."""
        if value is None:
            return "—"
        text = format_number(value, self.decimals, lang)
        if self.unit == Unit.PERCENT:
            return f"{text} %"
        if self.unit == Unit.POINTS and value > 0:
            return f"+{text}"
        return text


def format_number(value: float, decimals: int = 0, lang: str = "en") -> str:
    text = f"{value:,.{decimals}f}"
    if lang == "es":  # 12.345,6 — the Spanish convention
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return text


def _ratio(num: float, den: float, scale: float = 1.0) -> float | None:
    return None if den == 0 else scale * num / den


def _share_of_voice(t: Totals) -> float | None:
    if t.competitor_mentions is None:
        return None
    return _ratio(t.mentions, t.mentions + t.competitor_mentions, 100.0)


_NO_MENTIONS_EN = "No mentions in the period: shown as — (not 0)."
_NO_MENTIONS_ES = "Sin menciones en el periodo: se muestra — (no 0)."
_ZERO_EN = "Nothing counted is 0."
_ZERO_ES = "Si no hay nada que contar, es 0."

MENTIONS = Metric(
    "mentions", "Mentions", "Menciones",
    "Number of distinct mentions matched by at least one of the brand's own queries "
    "(every query but competitor queries).",
    "Número de menciones distintas que encajan con al menos una consulta propia de la marca "
    "(todas salvo las de competidores).",
    Unit.MENTIONS, Good.NEUTRAL, _ZERO_EN, _ZERO_ES, lambda t: t.mentions,
)
REACH = Metric(
    "reach", "Potential reach", "Alcance potencial",
    "Sum over mentions of the author's followers when the mention was brought in. "
    "An upper bound of the people who could have seen them: one person following two "
    "authors counts twice.",
    "Suma, por mención, de los seguidores de su autor cuando se recogió. Es una cota "
    "superior de quién pudo verlas: quien sigue a dos autores cuenta dos veces.",
    Unit.PEOPLE, Good.UP,
    "A mention whose author's follower count is unknown adds 0.",
    "Una mención cuyo autor no tiene número de seguidores conocido suma 0.",
    lambda t: t.reach,
)
INTERACTIONS = Metric(
    "interactions", "Interactions", "Interacciones",
    "Likes + comments + shares of the mentions, as last reported by the network "
    "(re-delivered items update them).",
    "Me gusta + comentarios + compartidos de las menciones, según el último dato de la red "
    "(los elementos que llegan de nuevo los actualizan).",
    Unit.INTERACTIONS, Good.UP,
    "Counts a network does not report add 0.", "Los recuentos que la red no da suman 0.",
    lambda t: t.interactions,
)
VIEWS = Metric(
    "views", "Views", "Visualizaciones",
    "Views of the mentions, as last reported by the network.",
    "Visualizaciones de las menciones, según el último dato de la red.",
    Unit.VIEWS, Good.UP,
    "Most networks do not report views: they add 0, so compare views only within one "
    "network.",
    "La mayoría de redes no dan visualizaciones: suman 0, así que compárelas solo dentro de "
    "una misma red.",
    lambda t: t.views,
)
INTERACTIONS_PER_MENTION = Metric(
    "interactions_per_mention", "Interactions per mention", "Interacciones por mención",
    "Interactions ÷ mentions.", "Interacciones ÷ menciones.",
    Unit.RATIO, Good.UP, _NO_MENTIONS_EN, _NO_MENTIONS_ES,
    lambda t: _ratio(t.interactions, t.mentions), decimals=1,
)
POSITIVE_SHARE = Metric(
    "positive_share", "Positive share", "Porcentaje positivo",
    "Positive mentions ÷ mentions × 100.", "Menciones positivas ÷ menciones × 100.",
    Unit.PERCENT, Good.UP, _NO_MENTIONS_EN, _NO_MENTIONS_ES,
    lambda t: _ratio(t.positive, t.mentions, 100.0), decimals=1,
)
NEGATIVE_SHARE = Metric(
    "negative_share", "Negative share", "Porcentaje negativo",
    "Negative mentions ÷ mentions × 100.", "Menciones negativas ÷ menciones × 100.",
    Unit.PERCENT, Good.DOWN, _NO_MENTIONS_EN, _NO_MENTIONS_ES,
    lambda t: _ratio(t.negative, t.mentions, 100.0), decimals=1,
)
NET_SENTIMENT = Metric(
    "net_sentiment", "Net sentiment", "Sentimiento neto",
    "(positive − negative) ÷ mentions × 100. Neutral mentions count in the denominator, so "
    "a mostly neutral conversation stays near 0.",
    "(positivas − negativas) ÷ menciones × 100. Las neutras cuentan en el denominador, así "
    "que una conversación casi toda neutra queda cerca de 0.",
    Unit.POINTS, Good.UP, _NO_MENTIONS_EN, _NO_MENTIONS_ES,
    lambda t: _ratio(t.positive - t.negative, t.mentions, 100.0), decimals=1,
)
SHARE_OF_VOICE = Metric(
    "share_of_voice", "Share of voice", "Cuota de conversación",
    "Brand mentions ÷ (brand mentions + mentions of every competitor query of the brand) "
    "× 100, with the same period and filters.",
    "Menciones de la marca ÷ (menciones de la marca + menciones de cada consulta de "
    "competidor de la marca) × 100, con el mismo periodo y filtros.",
    Unit.PERCENT, Good.UP,
    "No competitor query, or no mentions at all: shown as —. A competitor without a "
    "query is not counted.",
    "Sin consultas de competidor, o sin ninguna mención: se muestra —. Un competidor sin "
    "consulta no cuenta.",
    _share_of_voice, decimals=1,
)
SALES_SIGNALS = Metric(
    "sales_signals", "Sales signals", "Señales de venta",
    "Mentions flagged green (purchase intent, price or availability questions) by the text "
    "models or by a person.",
    "Menciones marcadas en verde (intención de compra, preguntas de precio o disponibilidad) "
    "por los modelos de texto o por una persona.",
    Unit.MENTIONS, Good.UP, _ZERO_EN, _ZERO_ES, lambda t: t.green,
)
SERVICE_REQUESTS = Metric(
    "service_requests", "Service requests", "Peticiones de servicio",
    "Mentions flagged yellow (a customer needs help) by the text models or by a person.",
    "Menciones marcadas en amarillo (un cliente necesita ayuda) por los modelos de texto o "
    "por una persona.",
    Unit.MENTIONS, Good.NEUTRAL, _ZERO_EN, _ZERO_ES, lambda t: t.yellow,
)
CRITICAL_MENTIONS = Metric(
    "critical_mentions", "Critical mentions", "Menciones críticas",
    "Mentions flagged red (public criticism that may need a public answer).",
    "Menciones marcadas en rojo (crítica pública que puede necesitar respuesta pública).",
    Unit.MENTIONS, Good.DOWN, _ZERO_EN, _ZERO_ES, lambda t: t.red,
)
SPAM_SHARE = Metric(
    "spam_share", "Spam share", "Porcentaje de spam",
    "Mentions flagged spam ÷ mentions × 100. Spam is counted in every other metric too, as "
    "in the mention stream; mark it to see how much it weighs.",
    "Menciones marcadas como spam ÷ menciones × 100. El spam cuenta también en las demás "
    "métricas, como en el flujo de menciones; márquelo para ver cuánto pesa.",
    Unit.PERCENT, Good.DOWN, _NO_MENTIONS_EN, _NO_MENTIONS_ES,
    lambda t: _ratio(t.spam, t.mentions, 100.0), decimals=1,
)

METRICS: tuple[Metric, ...] = (
    MENTIONS, REACH, INTERACTIONS, VIEWS, INTERACTIONS_PER_MENTION, POSITIVE_SHARE,
    NEGATIVE_SHARE, NET_SENTIMENT, SHARE_OF_VOICE, SALES_SIGNALS, SERVICE_REQUESTS,
    CRITICAL_MENTIONS, SPAM_SHARE,
)
BY_KEY: dict[str, Metric] = {m.key: m for m in METRICS}


# ---------------------------------------------------------------------------------------------
# Comparing two periods


@dataclass(frozen=True, slots=True)
class Change:
    """How a metric moved from the comparison period to this one."""

    current: float | None
    previous: float | None
    delta: float | None  # in the metric's unit; percentage points for percentages
    percent: float | None  # relative change; None when the previous value is 0 or missing
    verdict: str  # "good", "bad", "flat" or "" (no comparison or direction)


def change(metric: Metric, current: Totals, previous: Totals | None) -> Change:
    now = metric.value(current)
    if previous is None:
        return Change(now, None, None, None, "")
    before = metric.value(previous)
    if now is None or before is None:
        return Change(now, before, None, None, "")
    delta = now - before
    percent = None if before == 0 else 100.0 * delta / abs(before)
    if abs(delta) < 10 ** -(metric.decimals + 1):
        verdict = "flat"
    elif metric.good == Good.NEUTRAL:
        verdict = ""
    else:
        verdict = "good" if (delta > 0) == (metric.good == Good.UP) else "bad"
    return Change(now, before, delta, percent, verdict)


def format_change(metric: Metric, moved: Change, lang: str = "en") -> str:
    """`+12.5 %` for counts, `+3.1 pp` for percentages, `—` without a comparison."""
    if moved.delta is None:
        return "—"
    if metric.unit in (Unit.PERCENT, Unit.POINTS):
        sign = "+" if moved.delta > 0 else ""
        unit = " pp" if metric.unit == Unit.PERCENT else (" pts" if lang == "en" else " ptos")
        return f"{sign}{format_number(moved.delta, 1, lang)}{unit}"
    if moved.percent is None:
        return ("new" if lang == "en" else "nuevo") if moved.delta > 0 else "—"
    sign = "+" if moved.percent > 0 else ""
    return f"{sign}{format_number(moved.percent, 1, lang)} %"


# ---------------------------------------------------------------------------------------------
# Periods, in the brand's time zone


class Compare(StrEnum):
    PREVIOUS = "previous"
    LAST_YEAR = "last_year"
    NONE = "none"


class Grain(StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"


MAX_PERIOD_DAYS = 400
HOURLY_UP_TO_DAYS = 2
DAILY_UP_TO_DAYS = 92


@dataclass(frozen=True, slots=True)
class Period:
    """Whole local days, `start` to `end` inclusive."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period ends on or after its start")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def utc_bounds(self, tz: str) -> tuple[datetime, datetime]:
        """[first local midnight, the local midnight after the last day) as UTC instants."""
        zone = ZoneInfo(tz)
        start = datetime.combine(self.start, time.min, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)
        return start, end.astimezone(UTC)

    def previous(self) -> Period:
        """The same number of days just before."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def last_year(self) -> Period:
        """The same calendar days a year earlier (29 February becomes the 28th)."""
        return Period(_year_earlier(self.start), _year_earlier(self.end))

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def label(self, lang: str = "en") -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def _year_earlier(day: date) -> date:
    year = day.year - 1
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def compare(period: Period, mode: Compare | str) -> Period | None:
    mode = Compare(mode)
    if mode == Compare.PREVIOUS:
        return period.previous()
    if mode == Compare.LAST_YEAR:
        return period.last_year()
    return None


PRESETS: dict[str, tuple[str, str]] = {
    "today": ("Today", "Hoy"),
    "yesterday": ("Yesterday", "Ayer"),
    "7d": ("Last 7 days", "Últimos 7 días"),
    "30d": ("Last 30 days", "Últimos 30 días"),
    "90d": ("Last 90 days", "Últimos 90 días"),
    "mtd": ("This month", "Este mes"),
    "last_month": ("Last month", "El mes pasado"),
    "last_week": ("Last week (Mon–Sun)", "La semana pasada (lun–dom)"),
}


def preset(name: str, today: date) -> Period:
    """A named period ending today (in the brand's time zone), or a past calendar one."""
    if name == "today":
        return Period(today, today)
    if name == "yesterday":
        day = today - timedelta(days=1)
        return Period(day, day)
    if name in ("7d", "30d", "90d"):
        return Period(today - timedelta(days=int(name[:-1]) - 1), today)
    if name == "mtd":
        return Period(today.replace(day=1), today)
    if name == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last)
    if name == "last_week":
        monday = today - timedelta(days=today.weekday() + 7)
        return Period(monday, monday + timedelta(days=6))
    raise ValueError(f"unknown period {name!r}")


def local_today(now_utc: datetime, tz: str) -> date:
    return now_utc.astimezone(ZoneInfo(tz)).date()


def grain_for(period: Period) -> Grain:
    """Hours for a day or two, days up to a quarter, weeks beyond: a chart keeps ≤ ~100
    points, and its cost follows the days shown, never the mentions."""
    if period.days <= HOURLY_UP_TO_DAYS:
        return Grain.HOUR
    if period.days <= DAILY_UP_TO_DAYS:
        return Grain.DAY
    return Grain.WEEK


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def buckets(period: Period, grain: Grain, tz: str) -> list[datetime | date]:
    """Every bucket of the period, so a chart shows empty hours or days as 0, not as gaps.
    Hours are UTC instants (rollup rows are stored per UTC hour); days and weeks are local
    dates (a week is named by its Monday)."""
    if grain == Grain.HOUR:
        start, end = period.utc_bounds(tz)
        hour = start.replace(minute=0, second=0, microsecond=0)
        out: list[datetime | date] = []
        while hour < end:
            out.append(hour)
            hour += timedelta(hours=1)
        return out
    if grain == Grain.DAY:
        return list(period.dates())
    weeks: list[datetime | date] = []
    for day in period.dates():
        monday = week_start(day)
        if not weeks or weeks[-1] != monday:
            weeks.append(monday)
    return weeks


def bucket_label(bucket: datetime | date, grain: Grain, tz: str) -> str:
    if grain == Grain.HOUR:
        assert isinstance(bucket, datetime)
        return bucket.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M")
    return bucket.isoformat()
