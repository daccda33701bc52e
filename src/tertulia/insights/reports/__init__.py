"""Report files (PDF, PPTX, XLSX) built from the same widgets as the dashboards."""

from tertulia.insights.reports.content import FORMATS, TEMPLATES, ReportDoc, build_report
from tertulia.insights.reports.render import render_report

__all__ = ["FORMATS", "TEMPLATES", "ReportDoc", "build_report", "render_report"]
