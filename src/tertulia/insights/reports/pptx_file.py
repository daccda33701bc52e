"""PowerPoint reports with native charts: the numbers stay editable in PowerPoint."""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.util import Inches, Pt

from tertulia.insights.dashboards import Chart, Table
from tertulia.insights.reports.content import ReportDoc, Section

CHART_TYPES = {
    "stacked": XL_CHART_TYPE.COLUMN_STACKED, "bar": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "line": XL_CHART_TYPE.LINE_MARKERS, "pie": XL_CHART_TYPE.DOUGHNUT,
    "hbar": XL_CHART_TYPE.BAR_STACKED,
}
MAX_TABLE_ROWS = 12


def render_pptx(doc: ReportDoc) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    cover = prs.slides.add_slide(prs.slide_layouts[0])
    cover.shapes.title.text = f"{doc.title} · {doc.brand_name}"
    cover.placeholders[1].text = (f"{doc.org_name}\n{doc.period_label}"
                                  + (f" ({doc.comparison_label})" if doc.comparison_label
                                     else ""))
    for section in doc.sections:
        if section.kpis or section.notice or not (section.charts or section.tables):
            _summary_slide(prs, doc, section)
        for chart in section.charts:
            _chart_slide(prs, chart)
        for table in section.tables:
            _table_slide(prs, table)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _titled(prs: Presentation, title: str):
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = title
    slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(28)
    return slide


def _summary_slide(prs: Presentation, doc: ReportDoc, section: Section) -> None:
    slide = _titled(prs, section.title)
    top = Inches(1.6)
    if section.kpis:
        rows = len(section.kpis) + 1
        shape = slide.shapes.add_table(rows, 3, Inches(0.6), top, Inches(12), Inches(0.4) * rows)
        table = shape.table
        for col, head in enumerate((doc.t("Metric", "Métrica"), doc.t("Value", "Valor"),
                                    doc.t("Change", "Cambio"))):
            table.cell(0, col).text = head
        for row, kpi in enumerate(section.kpis, start=1):
            table.cell(row, 0).text = kpi.metric.label(doc.lang)
            table.cell(row, 1).text = kpi.value
            table.cell(row, 2).text = kpi.change
        top += Inches(0.4) * rows + Inches(0.3)
    if section.notice:
        box = slide.shapes.add_textbox(Inches(0.6), top, Inches(12), Inches(1.5))
        box.text_frame.word_wrap = True
        box.text_frame.text = section.notice
        box.text_frame.paragraphs[0].font.size = Pt(16)


def _chart_slide(prs: Presentation, chart: Chart) -> None:
    slide = _titled(prs, chart.title)
    data = CategoryChartData()
    data.categories = chart.categories or ["—"]
    series = chart.series[:1] if chart.kind == "pie" else chart.series
    for s in series:
        data.add_series(s.name, s.values if chart.categories else [0])
    frame = slide.shapes.add_chart(CHART_TYPES[chart.kind], Inches(0.6), Inches(1.5),
                                   Inches(12), Inches(5.6), data)
    native = frame.chart
    native.has_legend = chart.kind == "pie" or len(series) > 1
    if native.has_legend:
        native.legend.position = XL_LEGEND_POSITION.BOTTOM
        native.legend.include_in_layout = False
    if chart.note:
        box = slide.shapes.add_textbox(Inches(0.6), Inches(7.0), Inches(12), Inches(0.4))
        box.text_frame.text = chart.note


def _table_slide(prs: Presentation, table: Table) -> None:
    slide = _titled(prs, table.title)
    rows = table.rows[:MAX_TABLE_ROWS]
    shape = slide.shapes.add_table(len(rows) + 1, len(table.headers), Inches(0.6),
                                   Inches(1.5), Inches(12), Inches(0.38) * (len(rows) + 1))
    grid = shape.table
    for col, head in enumerate(table.headers):
        grid.cell(0, col).text = str(head)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            grid.cell(r, col).text = "" if value is None else str(value)
            grid.cell(r, col).text_frame.paragraphs[0].font.size = Pt(12)
    if not rows:
        box = slide.shapes.add_textbox(Inches(0.6), Inches(2.4), Inches(12), Inches(0.5))
        box.text_frame.text = "—"
