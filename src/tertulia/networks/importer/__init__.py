"""Import of JSONL and CSV exports: streaming reader, column mapping and row-error report."""

from .reader import (
    ImportConfigError,
    ImportReader,
    ParsedRow,
    RowError,
    batched,
    detect_mapping,
    open_import,
)
from .report import ErrorReportWriter, write_error_report

__all__ = [
    "ErrorReportWriter",
    "ImportConfigError",
    "ImportReader",
    "ParsedRow",
    "RowError",
    "batched",
    "detect_mapping",
    "open_import",
    "write_error_report",
]
