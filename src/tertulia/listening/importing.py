"""Importing exported mentions (JSONL or CSV) into an organization: constant memory, row-level
errors kept in a report, good rows kept, and re-running the same file changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import reset_queries

from tertulia.listening.pipeline import ingest
from tertulia.networks.importer.reader import ParsedRow, RowError, batched, open_import
from tertulia.networks.importer.report import ErrorReportWriter

BATCH = 1000


@dataclass
class ImportSummary:
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    report: Path | None = None


def import_file(
    org: Any, path: Path, *, mapping: dict[str, str] | None = None, report_path: Path,
    progress: Callable[[int, int], None] | None = None, batch_size: int = BATCH,
) -> ImportSummary:
    """Read `path` in batches and ingest them. Each batch commits on its own, so an
    interrupted import keeps what it committed and a re-run skips it (dedupe on the
    network and external id)."""
    summary = ImportSummary(report=report_path)
    report_path.parent.mkdir(parents=True, exist_ok=True)
    with open(report_path, "w", encoding="utf-8", newline="") as out, open_import(
        path, mapping=mapping
    ) as reader:
        report = ErrorReportWriter(out)
        for chunk in batched(reader, batch_size):
            items = []
            for row in chunk:
                if isinstance(row, RowError):
                    report.write(row)
                    summary.errors += 1
                elif isinstance(row, ParsedRow):
                    items.append(row.item)
            summary.rows_read += len(chunk)
            if items:
                result = ingest(org, items)
                summary.created += len(result.created)
                summary.updated += len(result.updated)
                summary.unchanged += len(items) - len(result.created) - len(result.updated)
            # A long import outlives any request: drop the debug query log as a request
            # would, or a development install's memory grows with the file.
            reset_queries()
            if progress is not None:
                progress(reader.bytes_read, reader.total_bytes)
    return summary
