#!/usr/bin/env python3
"""Benchmark: dashboard server time when the rollups hold N mentions over two years.

    python bench/insights.py [--mentions N] [--brands 20] [--requests 120]
                             [--database-url postgres://...] [--keep]

Ingesting 10 million mentions through the pipeline would take hours here, so the rollup
rows are **generated directly** with the cardinality real mentions give them (say so in the
output): per brand and local day, N·share(brand)·weight(day) mentions (Zipf shares over
brands, weekly seasonality, a slow trend and a few spikes) spread over 8 networks × 4
languages × 3 sentiments × 5 flags by a multinomial draw, so a brand-day with few mentions
has few rows and a busy one up to a few hundred; each brand has its own mentions (query 0),
its brand query, a campaign query and two competitor queries. Hourly rows are generated for
the last 14 days and author rows for the last 100 days (the only ones any preset reads:
hourly charts cover at most 2 days, top authors the period shown, at most 90 days), and
2,000 real mentions per brand in the last two days feed the bounded keyword sample.

Timed (wall and this process's CPU time; on SQLite the database work is in this process):
--requests GET requests through Django's test client (sessions, permissions,
template rendering included) to the PR dashboard of a random brand with a random preset
(today, 7d, 30d, 90d; compared with the previous period or last year; a network filter one
time in five) and to the executive dashboard across all brands. Prints p50/p95/max per
dashboard; the last line is one JSON object whose keys carry their units.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import machine, make_org, peak_rss_mb, setup_django

NETWORKS = ["x", "instagram", "facebook", "tiktok", "youtube", "reddit", "news", "review"]
NET_P = [0.30, 0.22, 0.14, 0.12, 0.08, 0.06, 0.05, 0.03]
LANGS = ["es", "en", "pt", "fr"]
LANG_P = [0.55, 0.35, 0.06, 0.04]
SENTS = ["positive", "neutral", "negative"]
SENT_P = [0.25, 0.50, 0.25]
FLAGS = ["none", "yellow", "green", "red", "spam"]
FLAG_P = [0.70, 0.12, 0.08, 0.05, 0.05]
DAYS = 730
HOURLY_DAYS = 14
AUTHOR_DAYS = 100
KEYWORD_MENTIONS = 2000
VOCAB = ["café", "aurora", "precio", "entrega", "barista", "latte", "tienda", "pedido",
         "refund", "delivery", "coffee", "beans", "oferta", "cola", "servicio", "calidad"]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def generate(brands: list[Any], queries: dict[int, dict[str, int]], total: int, today: date,
             seed: int) -> dict[str, int]:
    """Insert rollup rows for `total` mentions over DAYS days; returns row counts."""
    import numpy as np
    from django.db import connection, transaction

    from tertulia.insights.models import (
        AuthorDay,
        DailyRollup,
        DailyTotal,
        DaySummary,
        HourlyRollup,
    )
    from tertulia.listening.models import Author

    rng = np.random.default_rng(seed)
    combos = list(itertools.product(NETWORKS, LANGS, SENTS, FLAGS))
    p = np.array([a * b * c * d for a, b, c, d in itertools.product(NET_P, LANG_P, SENT_P,
                                                                     FLAG_P)])
    p = p / p.sum()
    shares = 1 / np.arange(1, len(brands) + 1) ** 0.8
    shares /= shares.sum()
    days = [today - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    weekly = np.array([1.0, 1.05, 1.05, 1.0, 0.95, 0.8, 0.75])
    day_w = np.array([weekly[d.weekday()] * (0.7 + 0.6 * i / DAYS) for i, d in enumerate(days)])
    spikes = rng.choice(DAYS, size=12, replace=False)
    day_w[spikes] *= rng.uniform(2, 5, size=12)
    day_w /= day_w.sum()
    ops = connection.ops
    cols = ("brand_id, query_id, {b}, network, language, sentiment, flag, mentions, likes, "
            "comments, shares, views, reach")
    daily_sql = (f"INSERT INTO {DailyRollup._meta.db_table} ({cols.format(b='day')}) "
                 f"VALUES ({', '.join(['%s'] * 13)})")
    totals_sql = (f"INSERT INTO {DailyTotal._meta.db_table} (brand_id, query_id, day, "
                  "sentiment, flag, mentions, likes, comments, shares, views, reach) "
                  f"VALUES ({', '.join(['%s'] * 11)})")
    summary_sql = (f"INSERT INTO {DaySummary._meta.db_table} (brand_id, query_id, day, "
                   "mentions, positive, neutral, negative, red, yellow, green, spam, likes, "
                   f"comments, shares, views, reach) VALUES ({', '.join(['%s'] * 16)})")
    hourly_sql = (f"INSERT INTO {HourlyRollup._meta.db_table} ({cols.format(b='hour')}) "
                  f"VALUES ({', '.join(['%s'] * 13)})")
    counts = {"daily_rows": 0, "daily_total_rows": 0, "day_summary_rows": 0, "hourly_rows": 0,
              "author_rows": 0}
    diurnal = np.array([0.3, 0.2, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 0.9, 1.1, 1.2, 1.3, 1.4,
                        1.3, 1.2, 1.2, 1.3, 1.4, 1.5, 1.5, 1.3, 1.0, 0.7, 0.5])
    diurnal /= diurnal.sum()

    def rows_for(n: int, scope_rng: Any) -> list[tuple[Any, ...]]:
        draws = scope_rng.multinomial(n, p)
        out = []
        for idx in np.flatnonzero(draws):
            k = int(draws[idx])
            net, lang, sent, flag = combos[idx]
            likes = int(k * scope_rng.gamma(0.6, 12))
            out.append((net, lang, sent, flag, k, likes, likes // 6, likes // 9,
                        likes * 8 if net in ("tiktok", "youtube") else 0,
                        int(k * scope_rng.lognormal(6.5, 1.6))))
        return out

    def insert(sql: str, rows: list[tuple[Any, ...]]) -> None:
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 20_000):
                cursor.executemany(sql, rows[start:start + 20_000])

    scopes = ("own", "brand", "campaign", "rival1", "rival2")
    factor = {"own": 1.0, "brand": 0.93, "campaign": 0.2, "rival1": 0.7, "rival2": 0.45}
    for bi, brand in enumerate(brands):
        batch: list[tuple[Any, ...]] = []
        hourly: list[tuple[Any, ...]] = []
        for di, day in enumerate(days):
            n_own = int(rng.poisson(total * shares[bi] * day_w[di]))
            for scope in scopes:
                n = n_own if scope == "own" else int(rng.binomial(n_own, factor[scope]))
                if scope == "campaign" and (di // 30) % 4:
                    continue  # campaigns run one month in four
                qid = queries[brand.id][scope]
                batch += [(brand.id, qid, ops.adapt_datefield_value(day), *r)
                          for r in rows_for(n, rng)]
                if di >= DAYS - HOURLY_DAYS and scope in ("own", "brand", "rival1", "rival2"):
                    per_hour = rng.multinomial(n, diurnal)
                    for hour, n_h in enumerate(per_hour):
                        at = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
                        hourly += [(brand.id, qid, ops.adapt_datetimefield_value(at), *r)
                                   for r in rows_for(int(n_h), rng)]
        totals: dict[tuple[Any, ...], list[int]] = {}
        summaries: dict[tuple[Any, ...], list[int]] = {}
        slot = {"positive": 1, "neutral": 2, "negative": 3, "red": 4, "yellow": 5, "green": 6,
                "spam": 7}
        for b, q, d, _net, _lang, sent, flag, *sums in batch:
            row = totals.setdefault((b, q, d, sent, flag), [0] * 6)
            for i, v in enumerate(sums):
                row[i] += v
            summary = summaries.setdefault((b, q, d), [0] * 13)
            summary[0] += sums[0]
            summary[slot[sent]] += sums[0]
            if flag in slot:
                summary[slot[flag]] += sums[0]
            for i, v in enumerate(sums[1:]):
                summary[8 + i] += v
        with transaction.atomic():
            insert(daily_sql, batch)
            insert(totals_sql, [(*k, *v) for k, v in totals.items()])
            insert(summary_sql, [(*k, *v) for k, v in summaries.items()])
            insert(hourly_sql, hourly)
        counts["daily_rows"] += len(batch)
        counts["daily_total_rows"] += len(totals)
        counts["day_summary_rows"] += len(summaries)
        counts["hourly_rows"] += len(hourly)
        print(f"  brand {bi + 1}/{len(brands)}: {len(batch):,} daily and {len(hourly):,} "
              f"hourly rows", flush=True)

    # Authors: a Zipf-distributed pool shared by the brands, rows for the last AUTHOR_DAYS.
    org_id = brands[0].organization_id
    pool = 200_000
    now = datetime.now(UTC)
    with transaction.atomic():
        Author.objects.bulk_create([
            Author(organization_id=org_id, network=NETWORKS[i % len(NETWORKS)],
                   handle=f"author{i}", followers=int(rng.lognormal(6.5, 1.8)),
                   first_seen_at=now, last_seen_at=now) for i in range(pool)],
            batch_size=5000)
    ids = list(Author.objects.filter(organization_id=org_id).order_by("id").values_list(
        "id", "followers", "network"))
    author_p = 1 / np.arange(1, pool + 1) ** 1.05
    author_p /= author_p.sum()
    author_sql = (f"INSERT INTO {AuthorDay._meta.db_table} (brand_id, day, author_id, "
                  "language, network, mentions, interactions, followers) "
                  "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)")
    for bi, brand in enumerate(brands):
        rows = []
        for di in range(DAYS - AUTHOR_DAYS, DAYS):
            n = int(total * shares[bi] * day_w[di])
            picked, per = np.unique(rng.choice(pool, size=n, p=author_p), return_counts=True)
            day = ops.adapt_datefield_value(days[di])
            for a, k in zip(picked.tolist(), per.tolist(), strict=True):
                author_id, followers, network = ids[a]
                rows.append((brand.id, day, author_id, LANGS[a % 2], network, k,
                             k * int(rng.integers(0, 40)), followers or 0))
        with transaction.atomic():
            insert(author_sql, rows)
        counts["author_rows"] += len(rows)
    return counts


def keyword_mentions(brands: list[Any], queries: dict[int, dict[str, int]], seed: int) -> int:
    """Real mentions for the bounded keyword sample: the newest 2,000 of each brand."""
    from django.db import transaction

    from tertulia.listening.models import Author, Mention, MentionMatch

    rng = random.Random(seed)
    now = datetime.now(UTC)
    author = Author.objects.filter(organization_id=brands[0].organization_id).first()
    made = 0
    for brand in brands:
        with transaction.atomic():
            mentions = Mention.objects.bulk_create([
                Mention(organization_id=brand.organization_id, network="x",
                        external_id=f"{brand.id}-{i}", kind="post", author=author,
                        text="bench", created_at=now - timedelta(minutes=i),
                        ingested_at=now, updated_at=now, language="es",
                        keywords=rng.sample(VOCAB, 4)) for i in range(KEYWORD_MENTIONS)],
                batch_size=2000)
            MentionMatch.objects.bulk_create([
                MentionMatch(mention=m, query_id=queries[brand.id]["brand"], brand=brand,
                             created_at=m.created_at, sentiment="neutral", network="x",
                             language="es") for m in mentions], batch_size=2000)
        made += len(mentions)
    return made


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mentions", type=int, default=10_000_000)
    ap.add_argument("--brands", type=int, default=20)
    ap.add_argument("--requests", type=int, default=120, help="timed requests per dashboard")
    ap.add_argument("--database-url", help="postgres://... (default: a fresh SQLite file)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()

    data_dir = setup_django(a.database_url, "insights")
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from tertulia.governance.actions import do_grant_role
    from tertulia.governance.audit import Actor
    from tertulia.governance.models import User
    from tertulia.governance.permissions import Role
    from tertulia.listening.models import Query

    t0 = time.perf_counter()
    org, brands = make_org(f"Bench insights {a.seed}", a.brands)
    from tertulia.governance.models import Brand

    Brand.objects.filter(id__in=[b.id for b in brands]).update(timezone="UTC")
    queries: dict[int, dict[str, int]] = {}
    for brand in brands:
        made = {name: Query.objects.create(brand=brand, name=name, kind=kind, text=name).id
                for name, kind in (("brand", "brand"), ("campaign", "campaign"),
                                   ("rival1", "competitor"), ("rival2", "competitor"))}
        queries[brand.id] = {"own": 0, **made}
    today = timezone.now().date()
    print(f"generating rollup rows for {a.mentions:,} mentions over {DAYS} days, "
          f"{a.brands} brands (rows generated directly, not ingested)", flush=True)
    counts = generate(brands, queries, a.mentions, today, a.seed)
    counts["keyword_mentions"] = keyword_mentions(brands, queries, a.seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    build_s = time.perf_counter() - t0
    print(f"built in {build_s:.0f} s: {counts}", flush=True)

    user = User.objects.create_user("bench@insights.test", "bench-password-1")
    do_grant_role(org, user, Role.ORG_OWNER, None, actor=Actor.system("bench"))
    client = Client()
    client.force_login(user)
    rng = random.Random(a.seed)

    def pr_url() -> tuple[str, dict[str, str]]:
        brand = rng.choice(brands)
        params = {"period": rng.choice(["today", "7d", "30d", "30d", "90d"]),
                  "compare": rng.choice(["previous", "previous", "last_year"])}
        if rng.random() < 0.2:
            params["network"] = rng.choice(NETWORKS)
        return f"/o/{org.slug}/b/{brand.slug}/insights/", params

    def exec_url() -> tuple[str, dict[str, str]]:
        return f"/o/{org.slug}/insights/", {
            "period": rng.choice(["7d", "30d", "30d", "90d"]),
            "compare": rng.choice(["previous", "last_year"])}

    results: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for name, make in (("pr", pr_url), ("executive", exec_url)):
        for _ in range(5):  # warm-up
            url, params = make()
            client.get(url, params)
        times, cpu_times = [], []
        for _ in range(a.requests):
            url, params = make()
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url, params)
            times.append(1000 * (time.perf_counter() - started))
            cpu_times.append(1000 * (time.process_time() - cpu_started))
            assert response.status_code == 200, (url, response.status_code)
        results[name] = times
        cpu[name] = cpu_times
        print(f"{name}: p50 {sorted(times)[len(times) // 2]:.1f} ms, p95 {p95(times):.1f} ms, "
              f"max {max(times):.1f} ms over {len(times)} requests (CPU p95 "
              f"{p95(cpu_times):.1f} ms)", flush=True)

    vendor = connection.vendor
    limit = 200 if vendor == "sqlite" else 100
    summary = {
        "mentions": a.mentions,
        "mentions_note": "rollup rows generated directly with realistic cardinality, "
                         "not ingested",
        "brands": a.brands,
        "days": DAYS,
        **counts,
        "build_s": round(build_s, 1),
        "requests_per_dashboard": a.requests,
        "pr_p50_ms": round(sorted(results["pr"])[len(results["pr"]) // 2], 1),
        "pr_p95_ms": round(p95(results["pr"]), 1),
        "pr_max_ms": round(max(results["pr"]), 1),
        "executive_p50_ms": round(sorted(results["executive"])[a.requests // 2], 1),
        "executive_p95_ms": round(p95(results["executive"]), 1),
        "executive_max_ms": round(max(results["executive"]), 1),
        # CPU time of this process per request (SQLite runs in it): on a machine shared
        # with other work it shows the request's own cost better than wall time.
        "pr_cpu_p95_ms": round(p95(cpu["pr"]), 1),
        "executive_cpu_p95_ms": round(p95(cpu["executive"]), 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "database": vendor,
        f"target_p95_le_{limit}ms": max(p95(results["pr"]), p95(results["executive"])) <= limit,
        "peak_rss_mb": peak_rss_mb(),
        "machine": machine(),
    }
    connection.close()
    if not a.keep and not a.database_url:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
