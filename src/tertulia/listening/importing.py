"""Importing exported mentions (JSONL or CSV) into an organization: constant memory, row-level
errors kept in a report, good rows kept, and re-running the same file changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, reset_queries

from tertulia.listening.pipeline import IngestResult, ingest, store
from tertulia.networks.importer.reader import (
    ImportReader,
    ParsedRow,
    RawRow,
    RowError,
    batched,
    open_import,
)
from tertulia.networks.importer.report import ErrorReportWriter

BATCH = 1000
# Below this size the workers' start (loading the text models: about a second) costs more
# than they save.
PARALLEL_FROM_BYTES = 8 * 1024 * 1024
# The importing process's SQLite page cache while workers run beside it (kB).
IMPORT_CACHE_KB = 16_000


def auto_workers(path: Path) -> int:
    """Worker processes worth starting for a file: none for small ones."""
    from tertulia.listening.parallel import default_workers

    return default_workers() if path.stat().st_size >= PARALLEL_FROM_BYTES else 0


@dataclass
class ImportSummary:
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    report: Path | None = None
    worker_cpu_s: float = 0.0  # CPU time the worker processes spent preparing rows


def import_file(
    org: Any, path: Path, *, mapping: dict[str, str] | None = None, report_path: Path,
    progress: Callable[[int, int], None] | None = None, batch_size: int = BATCH,
    workers: int = 0,
) -> ImportSummary:
    """Read `path` in batches and ingest them. Each batch commits on its own, so an
    interrupted import keeps what it committed and a re-run skips it (dedupe on the
    network and external id). With `workers` ≥ 1, validation, the text models and matching
    run in that many worker processes while this one writes (see `listening.parallel`)."""
    summary = ImportSummary(report=report_path)
    report_path.parent.mkdir(parents=True, exist_ok=True)
    with open(report_path, "w", encoding="utf-8", newline="") as out, open_import(
        path, mapping=mapping
    ) as reader:
        report = ErrorReportWriter(out)
        run = _in_workers if workers > 0 else _in_process
        for errors, rows, good, result, (done, total) in run(org, reader, batch_size,
                                                             workers, summary):
            for error in errors:
                report.write(error)
            summary.errors += len(errors)
            summary.rows_read += rows
            if result is not None:
                summary.created += len(result.created)
                summary.updated += len(result.updated)
                summary.unchanged += good - len(result.created) - len(result.updated)
            # A long import outlives any request: drop the debug query log as a request
            # would, or a development install's memory grows with the file.
            reset_queries()
            if progress is not None:
                progress(done, total)
    return summary


# (errors, rows read, good rows, what storing them did, (bytes read, bytes in all))
_Step = tuple[list[RowError], int, int, IngestResult | None, tuple[int, int]]


def _in_process(org: Any, reader: ImportReader, batch_size: int, _workers: int,
                _summary: ImportSummary) -> Iterator[_Step]:
    for chunk in batched(reader, batch_size):
        items = [row.item for row in chunk if isinstance(row, ParsedRow)]
        errors = [row for row in chunk if isinstance(row, RowError)]
        result = ingest(org, items) if items else None
        yield errors, len(chunk), len(items), result, (reader.bytes_read,
                                                       reader.total_bytes or 0)


@contextmanager
def _page_cache(kilobytes: int) -> Iterator[None]:
    """SQLite's page cache held to `kilobytes` while importing (pages beyond it stay in the
    operating system's file cache): the workers' text models need the memory more."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-int(kilobytes)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _in_workers(org: Any, reader: ImportReader, batch_size: int, workers: int,
                summary: ImportSummary) -> Iterator[_Step]:
    from tertulia.listening.parallel import PreparePool

    def batches() -> Iterator[tuple[tuple[list[RowError], int, int], list[RawRow]]]:
        for chunk in batched(reader.raw(), batch_size):
            early = [row for row in chunk if isinstance(row, RowError)]
            rows = [row for row in chunk if isinstance(row, RawRow)]
            yield (early, len(chunk), reader.bytes_read), rows

    with PreparePool(org, reader.builder, workers=workers) as pool, _page_cache(IMPORT_CACHE_KB):
        for (early, n, done), prepared, errors in pool.run(batches()):
            result = (store(org, prepared, brands=pool.current_brands(prepared))
                      if prepared else None)
            summary.worker_cpu_s = pool.worker_cpu_s
            yield (sorted(early + errors, key=lambda e: e.line_no), n, len(prepared), result,
                   (done, reader.total_bytes or 0))
