"""Ingest on every core: worker processes validate, read and match; this process writes.

A big import spends most of its time in pure Python that needs no database: JSON parsing
and validation, the text models and query matching (see :mod:`tertulia.listening.prepare`).
`PreparePool` runs that half in worker processes, several batches ahead, while the calling
process stores each batch in file order through `pipeline.store` (one transaction per
batch, as `pipeline.ingest`). Workers start with `spawn` (a clean interpreter: forking a
process that runs threads, as the web server does, is unsafe) and with a snapshot of the
organization's active queries taken when the pool opens; once a query is saved during the
import, each later batch is matched again in this process against the current queries.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from tertulia.listening.prepare import Prepared, match, matcher_from, prepare
from tertulia.networks.importer.reader import ParsedRow, RawRow, RowBuilder, RowError

T = TypeVar("T")
_matcher: Any = None
_vendor = ""


def default_workers() -> int:
    """One worker per core but one (the writer's), and at least one."""
    return max(1, (os.cpu_count() or 1) - 1)


def _start(queries: list[tuple[int, str]], vendor: str) -> None:
    global _matcher, _vendor
    _matcher = matcher_from(queries)
    _vendor = vendor
    from tertulia.nlp import enrich

    enrich(["warm up"], [{}])  # load the models once, before the first batch


def _prepare(builder: RowBuilder, rows: Sequence[RawRow]) -> tuple[list[Prepared],
                                                                     list[RowError], float]:
    t0 = time.process_time()
    items = []
    errors = []
    for row in rows:
        for out in builder.rows(row.line_no, row.payload):
            if isinstance(out, ParsedRow):
                items.append(out.item)
            else:
                errors.append(out)
    return prepare(items, _matcher, _vendor), errors, time.process_time() - t0


class PreparePool:
    """Worker processes preparing batches of raw rows for one organization."""

    def __init__(self, org: Any, builder: RowBuilder, *, workers: int | None = None) -> None:
        from django.db import connection

        from tertulia.listening.matching import active_queries, query_version

        self.org = org
        self.version = query_version(org)
        queries = active_queries(org)
        self.brands = {pk: brand for pk, _text, brand in queries}
        self.builder = builder
        self.workers = workers or default_workers()
        self.worker_cpu_s = 0.0
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=([(pk, text) for pk, text, _b in queries], connection.vendor))

    def current_brands(self, prepared: Sequence[Prepared]) -> dict[int, int]:
        """The query → brand map to store `prepared` with. If a query changed since the
        workers started, the batch is matched again here against the current queries."""
        from tertulia.listening.matching import matcher_for, query_version

        if query_version(self.org) == self.version:
            return self.brands
        compiled = matcher_for(self.org)
        if compiled is None:
            for p in prepared:
                p.hits = ()
            return {}
        match(prepared, compiled.matcher)
        return compiled.brands

    def __enter__(self) -> PreparePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(cancel_futures=True)

    def run(self, batches: Iterable[tuple[T, Sequence[RawRow]]]
            ) -> Iterator[tuple[T, list[Prepared], list[RowError]]]:
        """Prepare each (tag, rows) batch; yields (tag, records, errors) in input order,
        keeping two batches per worker in flight."""
        pending: deque[tuple[T, Future[Any]]] = deque()
        ahead = 2 * self.workers
        for tag, rows in batches:
            pending.append((tag, self._pool.submit(_prepare, self.builder, list(rows))))
            if len(pending) >= ahead:
                yield self._take(pending)
        while pending:
            yield self._take(pending)

    def _take(self, pending: deque[tuple[T, Future[Any]]]
              ) -> tuple[T, list[Prepared], list[RowError]]:
        tag, future = pending.popleft()
        prepared, errors, cpu = future.result()
        self.worker_cpu_s += cpu
        return tag, prepared, errors
