#!/usr/bin/env python3
"""Benchmark: live counts of saved inbox views.

    python bench/saved_views.py [--conversations N] [--views 20] [--database-url URL]

Builds the inbox of ``bench/engagement.py`` (N conversations, default 100,000), saves
``--views`` random filter sets as shared views of the organization (the same random filters
the inbox benchmark pages through), then times, 50 times each: one saved view's capped count
alone (``saved_count_p95_ms``) and the inbox's saved-view counts request (``fragment=
saved_counts``, as the owner and as an agent of two brands), which counts every saved view
(``counts_request_p95_ms``; the built-in views are counted by a request of their own).
The last line printed is one JSON object; keys carry units.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import machine, peak_rss_mb, setup_django


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conversations", type=int, default=100_000)
    ap.add_argument("--views", type=int, default=20)
    ap.add_argument("--database-url", help="postgres://... (default: a fresh SQLite file)")
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    data_dir = setup_django(a.database_url, "saved-views")
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    import engagement as inbox_bench
    from tertulia.engagement import inbox
    from tertulia.engagement.forms import InboxFilterForm
    from tertulia.engagement.models import SavedView

    print(f"building {a.conversations} conversations in {data_dir}", flush=True)
    built = inbox_bench.build_inbox(a.conversations, a.seed)
    rng = random.Random(a.seed)
    views = []
    for i in range(a.views):
        params = inbox_bench.random_view(rng, built, as_agent=False)
        base = params.pop("view")
        views.append(SavedView.objects.create(
            organization=built["org"], owner=built["owner"], name=f"view {i}", shared=True,
            base_view=base, filters=params, created_at=timezone.now()))
    owner = built["owner"]
    scope = inbox.inbox_scope(owner, built["org"])
    single_ms = []
    for _ in range(50 if views else 0):
        view = rng.choice(views)
        form = InboxFilterForm(view.filters, scope=scope)
        assert form.is_valid(), form.errors
        t0 = time.perf_counter()
        inbox.capped_count(inbox.apply_view(inbox.apply_filters(
            inbox.base_queryset(scope), form.cleaned_data, owner), view.base_view, owner))
        single_ms.append((time.perf_counter() - t0) * 1000)
    clients = []
    for user in (owner, built["agents"][0]):
        client = Client()
        client.force_login(user)
        clients.append(client)
    url = f"/o/{built['org'].slug}/inbox/"
    for client in clients:  # warm
        assert client.get(url, {"fragment": "saved_counts"}).status_code == 200
    request_ms = []
    for i in range(50):
        t0 = time.perf_counter()
        response = clients[i % 2].get(url, {"fragment": "saved_counts"})
        request_ms.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    summary = {
        "conversations": a.conversations,
        "saved_views": len(views),
        "saved_count_p50_ms": round(statistics.median(single_ms), 2) if single_ms else None,
        "saved_count_p95_ms": round(p95(single_ms), 2) if single_ms else None,
        "counts_request_p50_ms": round(statistics.median(request_ms), 1),
        "counts_request_p95_ms": round(p95(request_ms), 1),
        "peak_rss_mb": peak_rss_mb(),
        "database": connection.vendor,
        "machine": machine(),
    }
    connection.close()
    if not a.database_url:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
