"""The row-error report of an import: CSV with line, field, value and reason.

Written incrementally (constant memory), and safe to open in a spreadsheet: cells that a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` …) are prefixed with ``'``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from .reader import RowError

__all__ = ["REPORT_COLUMNS", "ErrorReportWriter", "write_error_report"]

REPORT_COLUMNS = ("line", "field", "value", "reason")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


class ErrorReportWriter:
    """Append ``RowError``s to an open text file as they come; counts them."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out, lineterminator="\n")
        self._writer.writerow(REPORT_COLUMNS)
        self.count = 0
        self.lines: set[int] = set()  # distinct bad rows; small next to the file itself

    def write(self, error: RowError) -> None:
        self._writer.writerow(
            (error.line_no, _cell(error.field), _cell(error.value), _cell(error.reason))
        )
        self.count += 1
        self.lines.add(error.line_no)


def write_error_report(errors: Iterable[RowError], out: TextIO) -> int:
    """Write every error to ``out`` as CSV; return how many were written."""
    writer = ErrorReportWriter(out)
    for error in errors:
        writer.write(error)
    return writer.count
