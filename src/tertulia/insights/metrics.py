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
from typing import Any
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

    @classmethod
    def of_summaries(cls, rows: Iterable[Mapping[str, object]]) -> Totals:
        """Totals of DaySummary rows (sentiment and flag counts are columns there)."""
        names = ("mentions", "positive", "neutral", "negative", "red", "yellow", "green",
                 "spam", "likes", "comments", "shares", "views", "reach")
        acc = dict.fromkeys(names, 0)
        for row in rows:
            for name in names:
                acc[name] += int(row[name] or 0)  # type: ignore[call-overload]
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
    COUNT = "count"
    HOURS = "hours"
    MONEY = "money"


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
    Unit.COUNT: ("count", "recuento"),
    Unit.HOURS: ("hours (wall clock)", "horas (de reloj)"),
    Unit.MONEY: ("the currency of the imported business data",
                 "la moneda de los datos de negocio importados"),
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
    # Mention metrics read `Totals`; department metrics (DEPARTMENT_METRICS) read `Figures`.
    compute: Callable[[Any], float | None]
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


# ---------------------------------------------------------------------------------------------
# Department metrics: marketing, sales, customer service, business data. They are computed
# from `Figures`, named inputs the dashboards read from owned-account days, conversations
# and imported business figures (never from mentions one by one).

Figures = Mapping[str, float | None]


def _get(f: Figures, key: str) -> float | None:
    return f.get(key)


def _fig_ratio(f: Figures, num: str, den: str, scale: float = 1.0) -> float | None:
    a, b = f.get(num), f.get(den)
    if a is None or b is None or b == 0:
        return None
    return scale * a / b


def _engagement_rate(f: Figures) -> float | None:
    interactions, posts, followers = f.get("owned_interactions"), f.get("owned_posts"), \
        f.get("followers")
    if interactions is None or not posts or not followers:
        return None
    return 100.0 * interactions / posts / followers


def _roi(f: Figures) -> float | None:
    value, cost = f.get("conversion_value"), f.get("cost")
    if value is None or not cost:
        return None
    return 100.0 * (value - cost) / cost


_NO_ACCOUNT_EN = ("No owned account with activity in the period (connect one, or its "
                  "posts are not brought in yet): shown as —.")
_NO_ACCOUNT_ES = ("Ninguna cuenta propia con actividad en el periodo (conecte una, o aún no "
                  "se traen sus publicaciones): se muestra —.")
_NO_CONV_EN = "No conversation in the period qualifies: shown as — (not 0)."
_NO_CONV_ES = "Ninguna conversación del periodo cuenta: se muestra — (no 0)."
_NO_BIZ_EN = ("Needs imported business data (Business data page or API); without it the "
              "value is —.")
_NO_BIZ_ES = ("Necesita datos de negocio importados (página Datos de negocio o API); sin "
              "ellos el valor es —.")

FOLLOWERS = Metric(
    "followers", "Followers", "Seguidores",
    "Sum over the brand's owned accounts of the follower count the network last reported "
    "in the period (on the account's own posts).",
    "Suma, para las cuentas propias de la marca, del último número de seguidores que dio la "
    "red en el periodo (en las publicaciones de la propia cuenta).",
    Unit.PEOPLE, Good.UP, _NO_ACCOUNT_EN, _NO_ACCOUNT_ES, lambda f: _get(f, "followers"),
)
FOLLOWER_GROWTH = Metric(
    "follower_growth", "Audience growth", "Crecimiento de la audiencia",
    "Followers on the last day of the period with a report − followers on the first such "
    "day, summed over owned accounts.",
    "Seguidores el último día del periodo con dato − seguidores el primer día con dato, "
    "sumado para las cuentas propias.",
    Unit.PEOPLE, Good.UP, "An account reported on a single day adds 0; no account: —.",
    "Una cuenta con dato en un solo día suma 0; sin cuentas: —.",
    lambda f: _get(f, "follower_growth"),
)
OWNED_POSTS = Metric(
    "owned_posts", "Posts published", "Publicaciones",
    "Posts, comments and replies written by the brand's owned accounts in the period.",
    "Publicaciones, comentarios y respuestas escritos por las cuentas propias de la marca en "
    "el periodo.",
    Unit.COUNT, Good.NEUTRAL, _ZERO_EN, _ZERO_ES, lambda f: _get(f, "owned_posts"),
)
OWNED_INTERACTIONS = Metric(
    "owned_interactions", "Interactions on owned posts", "Interacciones en publicaciones propias",
    "Likes + comments + shares of the owned accounts' posts, as last reported.",
    "Me gusta + comentarios + compartidos de las publicaciones de las cuentas propias, según "
    "el último dato.",
    Unit.INTERACTIONS, Good.UP, _ZERO_EN, _ZERO_ES, lambda f: _get(f, "owned_interactions"),
)
IMPRESSIONS = Metric(
    "impressions", "Impressions (views of owned posts)",
    "Impresiones (vistas de publicaciones propias)",
    "Views of the owned accounts' posts, as last reported by the network.",
    "Visualizaciones de las publicaciones de las cuentas propias, según el último dato de la "
    "red.",
    Unit.VIEWS, Good.UP, "Networks that do not report views add 0.",
    "Las redes que no dan visualizaciones suman 0.", lambda f: _get(f, "impressions"),
)
ENGAGEMENT_RATE = Metric(
    "engagement_rate", "Engagement rate", "Tasa de interacción",
    "Interactions on owned posts ÷ owned posts ÷ followers × 100: the share of the audience "
    "that interacts with an average post.",
    "Interacciones en publicaciones propias ÷ publicaciones propias ÷ seguidores × 100: la "
    "parte de la audiencia que interactúa con una publicación media.",
    Unit.PERCENT, Good.UP, "No posts or no follower count: —.",
    "Sin publicaciones o sin número de seguidores: —.", _engagement_rate, decimals=2,
)
UTM_CLICKS = Metric(
    "utm_clicks", "UTM clicks", "Clics UTM",
    "Sum of the imported daily `utm_clicks` figures (clicks on tagged links) of the period.",
    "Suma de las cifras diarias importadas de `utm_clicks` (clics en enlaces etiquetados) del "
    "periodo.",
    Unit.COUNT, Good.UP, _NO_BIZ_EN, _NO_BIZ_ES, lambda f: _get(f, "utm_clicks"),
)
CONVERSIONS = Metric(
    "conversions", "Conversions", "Conversiones",
    "Sum of the imported daily `conversions` figures of the period.",
    "Suma de las cifras diarias importadas de `conversions` del periodo.",
    Unit.COUNT, Good.UP, _NO_BIZ_EN, _NO_BIZ_ES, lambda f: _get(f, "conversions"),
)
CLICK_CONVERSION_RATE = Metric(
    "click_conversion_rate", "Click-to-conversion rate", "Conversión de clics",
    "Conversions ÷ UTM clicks × 100, both from the imported business data.",
    "Conversiones ÷ clics UTM × 100, ambos de los datos de negocio importados.",
    Unit.PERCENT, Good.UP, _NO_BIZ_EN, _NO_BIZ_ES,
    lambda f: _fig_ratio(f, "conversions", "utm_clicks", 100.0), decimals=1,
)
SOCIAL_LEADS = Metric(
    "social_leads", "Leads from social", "Contactos comerciales desde redes",
    "Conversations flagged green (purchase intent) opened in the period, in the brand's "
    "inbox. When a CRM is connected, its leads of origin “social” replace this count.",
    "Conversaciones marcadas en verde (intención de compra) abiertas en el periodo en la "
    "bandeja de la marca. Con un CRM conectado, sus contactos de origen «redes» sustituyen "
    "este recuento.",
    Unit.COUNT, Good.UP, _ZERO_EN, _ZERO_ES, lambda f: _get(f, "social_leads"),
)
TIME_TO_FIRST_CONTACT = Metric(
    "time_to_first_contact", "Time to first contact (median)",
    "Tiempo hasta el primer contacto (mediana)",
    "Median, over the period's leads from social that got an answer, of the hours from the "
    "conversation's start to the brand's first reply.",
    "Mediana, entre los contactos comerciales del periodo que recibieron respuesta, de las "
    "horas desde el inicio de la conversación hasta la primera respuesta de la marca.",
    Unit.HOURS, Good.DOWN, _NO_CONV_EN, _NO_CONV_ES,
    lambda f: _get(f, "time_to_first_contact_h"), decimals=1,
)
DEAL_CONVERSION = Metric(
    "deal_conversion", "Conversion to deal", "Conversión a venta",
    "Deals won ÷ leads × 100 in the period: deals from the imported business data (`deals`), "
    "leads from the imported `leads` when present, else the leads from social.",
    "Ventas cerradas ÷ contactos comerciales × 100 en el periodo: ventas de los datos de "
    "negocio importados (`deals`); contactos de `leads` importados si existen, si no, los "
    "contactos desde redes.",
    Unit.PERCENT, Good.UP, _NO_BIZ_EN, _NO_BIZ_ES,
    lambda f: _fig_ratio(f, "deals", "leads", 100.0), decimals=1,
)
DEAL_SIZE = Metric(
    "deal_size", "Average deal size", "Importe medio por venta",
    "Imported `deal_value` ÷ imported `deals` over the period.",
    "`deal_value` importado ÷ `deals` importados en el periodo.",
    Unit.MONEY, Good.UP, _NO_BIZ_EN, _NO_BIZ_ES,
    lambda f: _fig_ratio(f, "deal_value", "deals"), decimals=2,
)
CONVERSATIONS_HANDLED = Metric(
    "conversations_handled", "Conversations handled", "Conversaciones atendidas",
    "Conversations of the brand opened in the period that got at least one reply or were "
    "resolved.",
    "Conversaciones de la marca abiertas en el periodo que recibieron al menos una respuesta "
    "o se resolvieron.",
    Unit.COUNT, Good.NEUTRAL, _ZERO_EN, _ZERO_ES, lambda f: _get(f, "handled"),
)
FIRST_RESPONSE_MEDIAN = Metric(
    "first_response_median", "First response (median)", "Primera respuesta (mediana)",
    "Median of the hours from a conversation's start to the brand's first reply, over the "
    "period's conversations that got one.",
    "Mediana de las horas desde el inicio de una conversación hasta la primera respuesta de "
    "la marca, entre las conversaciones del periodo que la recibieron.",
    Unit.HOURS, Good.DOWN, _NO_CONV_EN, _NO_CONV_ES,
    lambda f: _get(f, "first_response_p50_h"), decimals=1,
)
FIRST_RESPONSE_P90 = Metric(
    "first_response_p90", "First response (p90)", "Primera respuesta (p90)",
    "The 90th percentile of the same hours: nine in ten conversations were answered sooner.",
    "El percentil 90 de las mismas horas: nueve de cada diez conversaciones se respondieron "
    "antes.",
    Unit.HOURS, Good.DOWN, _NO_CONV_EN, _NO_CONV_ES,
    lambda f: _get(f, "first_response_p90_h"), decimals=1,
)
RESOLUTION_MEDIAN = Metric(
    "resolution_median", "Resolution time (median)", "Tiempo de resolución (mediana)",
    "Median of the hours from a conversation's start to its resolution, over the period's "
    "conversations that were resolved.",
    "Mediana de las horas desde el inicio de una conversación hasta su resolución, entre "
    "las conversaciones del periodo que se resolvieron.",
    Unit.HOURS, Good.DOWN, _NO_CONV_EN, _NO_CONV_ES,
    lambda f: _get(f, "resolution_p50_h"), decimals=1,
)
RESOLUTION_P90 = Metric(
    "resolution_p90", "Resolution time (p90)", "Tiempo de resolución (p90)",
    "The 90th percentile of the same hours.", "El percentil 90 de las mismas horas.",
    Unit.HOURS, Good.DOWN, _NO_CONV_EN, _NO_CONV_ES,
    lambda f: _get(f, "resolution_p90_h"), decimals=1,
)
SLA_COMPLIANCE = Metric(
    "sla_compliance", "SLA compliance", "Cumplimiento del SLA",
    "Conversations of the period whose SLA was met ÷ those whose SLA was met or breached "
    "× 100 (business hours, as the inbox's SLA clock counts them).",
    "Conversaciones del periodo con el SLA cumplido ÷ las que lo cumplieron o lo "
    "incumplieron × 100 (en horario laboral, como lo cuenta el reloj de SLA de la bandeja).",
    Unit.PERCENT, Good.UP, "No conversation with an SLA decided in the period: —.",
    "Ninguna conversación con SLA decidido en el periodo: —.",
    lambda f: _fig_ratio(f, "sla_met", "sla_decided", 100.0), decimals=1,
)
RECONTACT_RATE = Metric(
    "recontact_rate", "Re-contact rate", "Tasa de recontacto",
    "Conversations resolved in the period whose customer opened another conversation "
    "within 7 days of the resolution ÷ conversations resolved × 100. Conversations without "
    "a known customer cannot be followed and are left out of both.",
    "Conversaciones resueltas en el periodo cuyo cliente abrió otra conversación en los 7 "
    "días siguientes a la resolución ÷ conversaciones resueltas × 100. Las conversaciones "
    "sin cliente conocido no se pueden seguir y quedan fuera de ambos.",
    Unit.PERCENT, Good.DOWN, "Nothing resolved in the period: —.",
    "Nada resuelto en el periodo: —.",
    lambda f: _fig_ratio(f, "recontacted", "resolved", 100.0), decimals=1,
)
CSAT = Metric(
    "csat", "CSAT", "CSAT",
    "Mean of the imported daily `csat` figures (0–100) of the period.",
    "Media de las cifras diarias importadas de `csat` (0–100) del periodo.",
    Unit.PERCENT, Good.UP, _NO_BIZ_EN, _NO_BIZ_ES, lambda f: _get(f, "csat"), decimals=1,
)
FORECAST_ERROR = Metric(
    "forecast_error", "Forecast error (MAPE)", "Error del pronóstico (MAPE)",
    "Mean absolute percentage error of the chosen daily contact-volume model, measured by "
    "forecasting each of the last 14 days from the days before it (rolling backtest).",
    "Error porcentual absoluto medio del modelo elegido para el volumen diario de contactos, "
    "medido pronosticando cada uno de los últimos 14 días a partir de los anteriores "
    "(backtest móvil).",
    Unit.PERCENT, Good.DOWN, "Fewer than four weeks of history: no forecast, —.",
    "Menos de cuatro semanas de historia: sin pronóstico, —.",
    lambda f: _get(f, "forecast_mape"), decimals=1,
)
ROI = Metric(
    "roi", "ROI", "ROI",
    "(conversion value − cost) ÷ cost × 100, from the imported `conversion_value` and "
    "`cost` of a campaign (or of the brand) over the period.",
    "(valor de las conversiones − coste) ÷ coste × 100, a partir de `conversion_value` y "
    "`cost` importados de una campaña (o de la marca) en el periodo.",
    Unit.PERCENT, Good.UP, "No cost imported (or cost 0): —; no conversion value: —.",
    "Sin coste importado (o coste 0): —; sin valor de conversión: —.", _roi, decimals=1,
)

DEPARTMENT_METRICS: tuple[Metric, ...] = (
    FOLLOWERS, FOLLOWER_GROWTH, OWNED_POSTS, OWNED_INTERACTIONS, IMPRESSIONS, ENGAGEMENT_RATE,
    UTM_CLICKS, CONVERSIONS, CLICK_CONVERSION_RATE, SOCIAL_LEADS, TIME_TO_FIRST_CONTACT,
    DEAL_CONVERSION, DEAL_SIZE, CONVERSATIONS_HANDLED, FIRST_RESPONSE_MEDIAN,
    FIRST_RESPONSE_P90, RESOLUTION_MEDIAN, RESOLUTION_P90, SLA_COMPLIANCE, RECONTACT_RATE,
    CSAT, FORECAST_ERROR, ROI,
)
BY_KEY: dict[str, Metric] = {m.key: m for m in (*METRICS, *DEPARTMENT_METRICS)}


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-quantile (0..1) by linear interpolation between closest ranks; None if empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


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
