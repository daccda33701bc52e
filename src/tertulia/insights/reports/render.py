"""One entry point: a report's content in the asked format, as bytes."""

from __future__ import annotations

from tertulia.insights.reports.content import FORMATS, ReportDoc

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render_report(doc: ReportDoc, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; one of {', '.join(FORMATS)}")
    if fmt == "pdf":
        from tertulia.insights.reports.pdf_file import render_pdf

        return render_pdf(doc)
    if fmt == "pptx":
        from tertulia.insights.reports.pptx_file import render_pptx

        return render_pptx(doc)
    from tertulia.insights.reports.xlsx_file import render_xlsx

    return render_xlsx(doc)
