"""PDF reports: the HTML template `insights/report_pdf.html` through WeasyPrint, with the
charts as SVG images drawn by matplotlib."""

from __future__ import annotations

import base64
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from tertulia.insights.reports.charts import chart_svg
from tertulia.insights.reports.content import ReportDoc


def _image(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def render_pdf(doc: ReportDoc) -> bytes:
    from weasyprint import HTML

    sections: list[dict[str, Any]] = []
    for section in doc.sections:
        sections.append({
            "s": section,
            "charts": [(chart, _image(chart_svg(chart))) for chart in section.charts],
        })
    with translation.override(doc.lang):  # numbers read 1.234 in Spanish
        html = render_to_string("insights/report_pdf.html", {"doc": doc, "sections": sections,
                                                             "lang": doc.lang})
    return HTML(string=html).write_pdf()
