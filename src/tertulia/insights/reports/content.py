"""What each report template says: sections of KPIs, charts and tables taken from the
dashboards, in Spanish or English. Where a department's data source is not connected yet
(owned-account metrics, CRM leads, service cases) the report says so plainly and shows
only what exists: it never invents a number."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tertulia.governance.models import Brand
from tertulia.insights import dashboards as D
from tertulia.insights import metrics as M
from tertulia.insights.dashboards import Chart, Filters, Kpi, Table

TEMPLATES = ("executive", "marketing", "pr", "sales", "service", "weekly")
FORMATS = ("pdf", "pptx", "xlsx")

TITLES = {
    "executive": ("Executive report", "Informe ejecutivo"),
    "marketing": ("Marketing report", "Informe de marketing"),
    "pr": ("PR and communication report", "Informe de PR y comunicación"),
    "sales": ("Sales report", "Informe de ventas"),
    "service": ("Customer service report", "Informe de atención al cliente"),
    "weekly": ("Community weekly", "Semanal de comunidad"),
}

NOT_CONNECTED = {
    "owned": (
        "Owned-account metrics (followers and their change, posts, reach and impressions of "
        "the brand's own posts, engagement rate, clicks) need a connected account source. "
        "None is connected yet, so this report shows only what listening measures: the "
        "mentions of the brand.",
        "Las métricas de las cuentas propias (seguidores y su evolución, publicaciones, "
        "alcance e impresiones de las publicaciones de la marca, tasa de interacción, clics) "
        "necesitan una fuente de cuentas conectada. Aún no hay ninguna, así que este informe "
        "muestra solo lo que mide la escucha: las menciones de la marca.",
    ),
    "crm": (
        "Leads, time to first contact, conversion to deal and deal size need CRM or business "
        "data. No such source is connected yet, so none of those figures is shown. What "
        "exists: mentions showing purchase intent (sales signals).",
        "Los contactos comerciales, el tiempo hasta el primer contacto, la conversión a "
        "oportunidad y su importe necesitan datos de CRM o de negocio. Aún no hay ninguna "
        "fuente conectada, así que no se muestra ninguna de esas cifras. Lo que existe: las "
        "menciones con intención de compra (señales de venta).",
    ),
    "cases": (
        "Cases handled, first response and resolution times, SLA compliance, re-contact "
        "rate, CSAT and the contact forecast need the service inbox's case data, which is "
        "not connected to reports yet. What exists: mentions asking for help (service "
        "requests) and public criticism (critical mentions).",
        "Los casos atendidos, los tiempos de primera respuesta y de resolución, el "
        "cumplimiento de SLA, la tasa de recontacto, el CSAT y la previsión de contactos "
        "necesitan los datos de casos de la bandeja de atención, que aún no están conectados "
        "a los informes. Lo que existe: las menciones que piden ayuda (peticiones de "
        "servicio) y la crítica pública (menciones críticas).",
    ),
}


@dataclass
class Section:
    title: str
    kpis: list[Kpi] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notice: str = ""
    text: str = ""


@dataclass
class ReportDoc:
    template: str
    lang: str
    title: str
    org_name: str
    brand_name: str
    filters: Filters
    generated_at: datetime
    timezone: str
    sections: list[Section]

    def t(self, en: str, es: str) -> str:
        return es if self.lang == "es" else en

    @property
    def period_label(self) -> str:
        p = self.filters.period
        return f"{p.start.isoformat()} – {p.end.isoformat()}"

    @property
    def comparison_label(self) -> str:
        c = self.filters.comparison
        if c is None:
            return ""
        return self.t("compared with ", "comparado con ") + \
            f"{c.start.isoformat()} – {c.end.isoformat()}"

    @property
    def filename(self) -> str:
        return f"{self.template}-{self.filters.period.start}-{self.filters.period.end}"


def _t(en: str, es: str, lang: str) -> str:
    return es if lang == "es" else en


def _kpis(board: D.Dashboard, lang: str, metrics: tuple[M.Metric, ...]) -> list[Kpi]:
    assert board.totals is not None
    return [D._kpi(m, board.totals, board.previous, lang) for m in metrics]


def build_report(brand: Brand, template: str, lang: str, filters: Filters, *,
                 brands: list[Brand] | None = None, now: datetime) -> ReportDoc:
    """The content of one report. `brands` are those the executive summary covers (the
    requester's visible brands; all the organization's from the command line)."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown report template {template!r}; one of {', '.join(TEMPLATES)}")
    pr = D.pr_dashboard(brand, filters, lang)
    w = {item.key: item for item in [*pr.charts, *pr.tables]}
    sections: list[Section] = []
    if template == "executive":
        exec_board, lines = D.executive_dashboard(brands or [brand], filters, lang)
        sections.append(Section(_t("Across brands", "Todas las marcas", lang),
                                kpis=exec_board.kpis, charts=exec_board.charts,
                                tables=[_brand_table(lines, lang)]))
        for stage, kpis, note in D.framework(exec_board.totals or M.Totals(),
                                             exec_board.previous, lang):
            sections.append(Section(stage, kpis=kpis, notice=note))
        sections.append(Section(brand.name, kpis=_kpis(pr, lang, (
            M.MENTIONS, M.REACH, M.NET_SENTIMENT, M.SHARE_OF_VOICE)),
            charts=[w["volume"], w["share_of_voice"]]))
    elif template == "pr":
        sections.append(Section(_t("Summary", "Resumen", lang), kpis=pr.kpis))
        sections.append(Section(_t("Volume and sentiment", "Volumen y sentimiento", lang),
                                charts=[w["volume"], w["net_sentiment"]]))
        sections.append(Section(_t("Share of voice", "Cuota de conversación", lang),
                                charts=[w["share_of_voice"], w["competitor_sentiment"]]))
        sections.append(Section(_t("Where the conversation happens", "Dónde se conversa", lang),
                                charts=[w["network"], w["language"]]))
        sections.append(Section(_t("Voices and themes", "Voces y temas", lang),
                                tables=[w["top_authors"], w["top_keywords"]]))
    elif template == "marketing":
        sections.append(Section(_t("Owned accounts", "Cuentas propias", lang),
                                notice=_t(*NOT_CONNECTED["owned"], lang)))
        sections.append(Section(_t("Reach and interactions of the mentions",
                                   "Alcance e interacciones de las menciones", lang),
                                kpis=_kpis(pr, lang, (M.MENTIONS, M.REACH, M.INTERACTIONS,
                                                      M.VIEWS, M.INTERACTIONS_PER_MENTION,
                                                      M.POSITIVE_SHARE)),
                                charts=[w["volume"], w["network"]]))
        sections.append(Section(_t("Best content about the brand",
                                   "El mejor contenido sobre la marca", lang),
                                tables=[D.top_mentions(brand, filters, lang), w["top_authors"]]))
    elif template == "sales":
        sections.append(Section(_t("Leads and deals", "Contactos y oportunidades", lang),
                                notice=_t(*NOT_CONNECTED["crm"], lang)))
        sections.append(Section(_t("Sales signals in the conversation",
                                   "Señales de venta en la conversación", lang),
                                kpis=_kpis(pr, lang, (M.SALES_SIGNALS, M.MENTIONS,
                                                      M.NET_SENTIMENT)),
                                charts=[D.flag_chart(brand, filters, ("green",), _t(
                                    "Sales signals over time", "Señales de venta en el tiempo",
                                    lang), lang)]))
    elif template == "service":
        sections.append(Section(_t("Cases and response times", "Casos y tiempos de respuesta",
                                   lang), notice=_t(*NOT_CONNECTED["cases"], lang)))
        sections.append(Section(_t("Customers asking for help",
                                   "Clientes que piden ayuda", lang),
                                kpis=_kpis(pr, lang, (M.SERVICE_REQUESTS, M.CRITICAL_MENTIONS,
                                                      M.NEGATIVE_SHARE, M.MENTIONS)),
                                charts=[D.flag_chart(brand, filters, ("yellow", "red"), _t(
                                    "Service requests and critical mentions over time",
                                    "Peticiones de servicio y menciones críticas en el tiempo",
                                    lang), lang), w["network"]]))
    else:  # weekly
        sections.append(Section(_t("Followers and posts", "Seguidores y publicaciones", lang),
                                notice=_t(*NOT_CONNECTED["owned"], lang)))
        likes = M.Metric("likes", "Likes", "Me gusta", "", "", M.Unit.INTERACTIONS, M.Good.UP,
                         "", "", lambda t: t.likes)
        comments = M.Metric("comments", "Comments", "Comentarios", "", "",
                            M.Unit.INTERACTIONS, M.Good.UP, "", "", lambda t: t.comments)
        sections.append(Section(_t("The week in mentions", "La semana en menciones", lang),
                                kpis=_kpis(pr, lang, (M.MENTIONS, likes, comments,
                                                      M.INTERACTIONS, M.NET_SENTIMENT)),
                                charts=[w["volume"]]))
        sections.append(Section(_t("Top mentions of the week", "Menciones destacadas", lang),
                                tables=[D.top_mentions(brand, filters, lang)]))
    return ReportDoc(template, lang, _t(*TITLES[template], lang), brand.organization.name,
                     brand.name, filters, now, brand.timezone, sections)


def _brand_table(lines: list[D.BrandLine], lang: str) -> Table:
    headers = [D.word("brand", lang), *(m.label(lang) for m in D.EXEC_METRICS)]
    rows = [[line.brand.name, *(f"{k.value} ({k.change})" if k.change != "—" else k.value
                                for k in line.cells)] for line in lines]
    return Table("brands", _t("Brands", "Marcas", lang), headers, rows)
