"""Excel reports: a summary sheet, then one sheet per chart (its table and a native Excel
chart drawn from those cells) and one per table: the raw numbers, ready to pivot."""

from __future__ import annotations

import io
import re
from typing import Any

import xlsxwriter

from tertulia.insights.dashboards import Chart, Table
from tertulia.insights.reports.content import ReportDoc

CHART_TYPES: dict[str, dict[str, str]] = {
    "stacked": {"type": "column", "subtype": "stacked"}, "bar": {"type": "column"},
    "line": {"type": "line"}, "pie": {"type": "doughnut"},
    "hbar": {"type": "bar", "subtype": "stacked"},
}


def render_xlsx(doc: ReportDoc) -> bytes:
    buf = io.BytesIO()
    # Text from networks stays text: never a formula, never a link.
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    names: set[str] = set()
    summary = book.add_worksheet(_name(doc.t("Summary", "Resumen"), names))
    summary.set_column(0, 0, 34)
    summary.set_column(1, 3, 18)
    summary.write(0, 0, f"{doc.title} · {doc.brand_name}", title)
    summary.write(1, 0, doc.org_name)
    summary.write(2, 0, doc.period_label)
    summary.write(3, 0, doc.comparison_label)
    row = 5
    for section in doc.sections:
        summary.write(row, 0, section.title, bold)
        row += 1
        if section.notice:
            summary.merge_range(row, 0, row, 3, section.notice, wrap)
            summary.set_row(row, 75)
            row += 1
        for kpi in section.kpis:
            summary.write(row, 0, kpi.metric.label(doc.lang))
            summary.write(row, 1, kpi.raw if kpi.raw is not None else "")
            summary.write(row, 2, kpi.value)
            summary.write(row, 3, kpi.change)
            row += 1
        row += 1
        for chart in section.charts:
            _chart_sheet(book, chart, names, bold)
        for table in section.tables:
            _table_sheet(book, table, names, bold)
    book.close()
    return buf.getvalue()


def _name(text: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\']", " ", text).strip()[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        name = f"{base[:26]} {n}"
        n += 1
    taken.add(name.lower())
    return name


def _write_table(sheet: Any, headers: list[str], rows: list[list[Any]], bold: Any) -> None:
    sheet.write_row(0, 0, headers, bold)
    for r, values in enumerate(rows, start=1):
        sheet.write_row(r, 0, ["" if v is None else v for v in values])
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, len(headers), 14)


def _chart_sheet(book: Any, chart: Chart, names: set[str], bold: Any) -> None:
    sheet = book.add_worksheet(_name(chart.title, names))
    headers, rows = chart.table()
    _write_table(sheet, headers, rows, bold)
    if not rows:
        return
    native = book.add_chart(CHART_TYPES[chart.kind])
    n = len(rows)
    series = chart.series[:1] if chart.kind == "pie" else chart.series
    for col, _s in enumerate(series, start=1):
        native.add_series({
            "name": [sheet.name, 0, col],
            "categories": [sheet.name, 1, 0, n, 0],
            "values": [sheet.name, 1, col, n, col],
        })
    native.set_title({"name": chart.title})
    native.set_size({"width": 760, "height": 380})
    sheet.insert_chart(1, len(headers) + 1, native)


def _table_sheet(book: Any, table: Table, names: set[str], bold: Any) -> None:
    sheet = book.add_worksheet(_name(table.title, names))
    _write_table(sheet, table.headers, table.rows, bold)
