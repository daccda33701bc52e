#!/usr/bin/env python3
"""Benchmark: the mention stream's search (term + 30-day range + sentiment) at scale.

    python bench/search.py [--mentions N] [--database-url URL] [--searches 200]

Builds a fresh database with N mentions (default 1,000,000) fast, bypassing the
pipeline: authors, mentions and mention matches go in with raw SQL executemany, the
full-text index through ``tertulia.listening.search.index`` in chunks. Mentions are spread
evenly over 365 days, carry real texts from ../shared/data, three sentiments and
matches of several brands' queries. Then it times --searches randomized searches through
the stream view's own code path (``StreamFilterForm`` → ``listening.views._filtered`` →
``_page``, first page of 50): a word drawn from the corpus (so common words come up as
often as they occur), a random 30-day window and one sentiment. It prints EXPLAIN for the
slowest search. PostgreSQL: pass a throw-away database's URL. The last line printed is one
JSON object; keys carry units.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import machine, make_org, peak_rss_mb, setup_django, text_pool

START = datetime(2025, 1, 1, tzinfo=UTC)
DAYS = 365
NETWORKS = ["x", "x", "x", "facebook", "instagram", "youtube", "reddit", "review", "rss"]
SENTIMENTS = ["negative", "neutral", "positive"]
SENT_WEIGHTS = [0.3, 0.5, 0.2]
CHUNK = 20_000
WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


def _insert_sql(model: Any, columns: list[str]) -> str:
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {model._meta.db_table} ({cols}) VALUES ({marks})"


def build(n: int, n_brands: int, queries_per_brand: int, n_authors: int, seed: int) -> dict:
    """Org, brands, queries (ORM, few rows), then authors/mentions/matches/FTS (raw SQL)."""
    from django.db import connection, transaction

    from tertulia.listening import search
    from tertulia.listening.models import Author, Mention, MentionMatch, Query

    rng = random.Random(seed)
    pool = text_pool()
    org, brands = make_org(f"Bench search {os.getpid()}", n_brands)
    queries = Query.objects.bulk_create([
        Query(brand=b, name=f"q{j}", text=f'"brand {i}" OR topic{j}', is_active=True)
        for i, b in enumerate(brands) for j in range(queries_per_brand)
    ])
    by_brand = [[q for q in queries if q.brand_id == b.id] for b in brands]
    brand_weights = [1 / (i + 1) for i in range(n_brands)]  # Zipf-ish: brand 0 is busiest
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(datetime.now(UTC))

    with connection.cursor() as c:
        c.execute("SELECT coalesce(max(id), 0) FROM listening_author")
        author0 = c.fetchone()[0] + 1
        c.execute("SELECT coalesce(max(id), 0) FROM listening_mention")
        mention0 = c.fetchone()[0] + 1

    a_cols = ["id", "organization_id", "network", "handle", "name", "followers", "verified",
              "profile_url", "location", "first_seen_at", "last_seen_at"]
    authors = []
    for i in range(n_authors):
        authors.append((author0 + i, org.id, NETWORKS[i % len(NETWORKS)], f"user{i:06d}", "",
                        int(rng.paretovariate(1.2) * 50), False, "", "", now, now))
    m_cols = ["id", "organization_id", "network", "external_id", "kind", "thread_id",
              "parent_id", "channel", "author_id", "text", "html", "title", "url", "site",
              "created_at", "ingested_at", "updated_at", "language", "country", "sentiment",
              "sentiment_score", "flag", "flag_confidence", "is_spam", "spam_score",
              "is_complaint", "keywords", "likes", "comments", "shares", "views",
              "author_followers", "raw_ref", "hidden_at", "purge_after", "model_sentiment",
              "model_flag"]
    mm_cols = ["mention_id", "query_id", "brand_id", "created_at", "sentiment", "network",
               "language"]
    m_sql = _insert_sql(Mention, m_cols)
    mm_sql = _insert_sql(MentionMatch, mm_cols)
    span = DAYS * 86400
    t0 = time.perf_counter()
    t_fts = 0.0
    n_matches = 0
    with transaction.atomic(), connection.cursor() as c:
        c.executemany(_insert_sql(Author, a_cols), authors)
        for start in range(0, n, CHUNK):
            rows, match_rows, fts_rows = [], [], []
            for i in range(start, min(n, start + CHUNK)):
                pk = mention0 + i
                text, lang = pool[rng.randrange(len(pool))]
                a = rng.randrange(n_authors)
                net = authors[a][2]
                at = adapt(START + timedelta(seconds=span * i / n + rng.random()))
                sent = rng.choices(SENTIMENTS, SENT_WEIGHTS)[0]
                rows.append((
                    pk, org.id, net, f"{net}-{pk}", "post", "", "", "", author0 + a, text, "",
                    "", "", "", at, now, now, lang, "", sent, 0.8, "none", 0.0, False, 0.0,
                    False, "[]", 0, 0, 0, 0, authors[a][5], "", None, None, sent, "none",
                ))
                first = rng.choices(range(n_brands), brand_weights)[0]
                chosen = [first]
                if rng.random() < 0.2:
                    chosen.append(rng.randrange(n_brands))
                seen = set()
                for b in chosen:
                    q = rng.choice(by_brand[b])
                    if q.id in seen:
                        continue
                    seen.add(q.id)
                    match_rows.append((pk, q.id, q.brand_id, at, sent, net, lang))
                fts_rows.append((pk, lang, f"{text} @{authors[a][3]}"))
            c.executemany(m_sql, rows)
            c.executemany(mm_sql, match_rows)
            n_matches += len(match_rows)
            t = time.perf_counter()
            search.index(fts_rows)
            t_fts += time.perf_counter() - t
            done = min(n, start + CHUNK)
            if done % 200_000 == 0 or done == n:
                print(f"  {done} mentions, {time.perf_counter() - t0:.0f}s", flush=True)
        if connection.vendor == "postgresql":
            for table in ("listening_author", "listening_mention"):
                c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                          f"(SELECT max(id) FROM {table}))")
    t_commit = time.perf_counter()
    with connection.cursor() as c:
        c.execute("ANALYZE")
    return {"org": org, "brands": brands, "pool": pool, "matches": n_matches,
            "fts_s": t_fts, "analyze_s": time.perf_counter() - t_commit}


def term_sampler(pool: list[tuple[str, str]], rng: random.Random):
    """A word of 4+ letters from a random corpus text: frequent words come up often."""
    def pick() -> str:
        while True:
            words = WORD.findall(pool[rng.randrange(len(pool))][0])
            if words:
                return rng.choice(words).lower()

    return pick


def run_searches(brands: list[Any], pool: list[tuple[str, str]], k: int, seed: int) -> list:
    from tertulia.listening.forms import StreamFilterForm
    from tertulia.listening.views import _filtered, _page

    rng = random.Random(seed + 1)
    pick = term_sampler(pool, rng)
    out = []
    for _ in range(k):
        brand = rng.choice(brands)
        d0 = START.date() + timedelta(days=rng.randrange(DAYS - 30))
        data = {"q": pick(), "date_from": d0.isoformat(),
                "date_to": (d0 + timedelta(days=29)).isoformat(),
                "sentiment": rng.choice(SENTIMENTS)}
        t0 = time.perf_counter()
        form = StreamFilterForm(data, brand=brand)
        qs = _filtered(brand, form)
        rows, _cursor = _page(qs, None)
        ms = (time.perf_counter() - t0) * 1000
        out.append((ms, data, brand, len(rows)))
    return out


def explain(brand: Any, data: dict) -> str:
    from tertulia.listening.forms import StreamFilterForm
    from tertulia.listening.views import PAGE_SIZE, _filtered

    qs = _filtered(brand, StreamFilterForm(data, brand=brand))
    return qs.order_by("-created_at", "-id")[: PAGE_SIZE + 1].explain()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mentions", type=int, default=1_000_000)
    ap.add_argument("--database-url", help="postgres://... (default: a fresh SQLite file)")
    ap.add_argument("--searches", type=int, default=200)
    ap.add_argument("--brands", type=int, default=5)
    ap.add_argument("--queries-per-brand", type=int, default=4)
    ap.add_argument("--authors", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help="keep the bench data folder")
    a = ap.parse_args()

    data_dir = setup_django(a.database_url, "search")
    print(f"building {a.mentions} mentions in {data_dir}", flush=True)
    t0 = time.perf_counter()
    built = build(a.mentions, a.brands, a.queries_per_brand, a.authors, a.seed)
    build_s = time.perf_counter() - t0
    print(f"built in {build_s:.1f}s (FTS {built['fts_s']:.1f}s, ANALYZE "
          f"{built['analyze_s']:.1f}s); {built['matches']} matches", flush=True)

    run_searches(built["brands"], built["pool"], 10, a.seed + 99)  # warm caches and imports
    results = run_searches(built["brands"], built["pool"], a.searches, a.seed)
    times = sorted(r[0] for r in results)
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    slowest = sorted(results, key=lambda r: -r[0])[:5]
    print("slowest searches:")
    for ms, data, brand, n in slowest:
        print(f"  {ms:8.1f} ms  q={data['q']!r} {data['date_from']}..{data['date_to']} "
              f"{data['sentiment']} brand={brand.name} rows={n}")
    ms, data, brand, _n = slowest[0]
    print("EXPLAIN of the slowest:\n  " + explain(brand, data).replace("\n", "\n  "))
    from django.db import connection

    summary = {
        "mentions": a.mentions,
        "matches": built["matches"],
        "build_s": round(build_s, 1),
        "build_fts_s": round(built["fts_s"], 1),
        "searches": len(results),
        "search_p50_ms": round(p50, 1),
        "search_p95_ms": round(p95, 1),
        "search_max_ms": round(times[-1], 1),
        "search_mean_ms": round(statistics.fmean(times), 1),
        "empty_pages": sum(1 for r in results if r[3] == 0),
        "target_p95_le_300ms": p95 <= 300,
        "peak_rss_mb": peak_rss_mb(),
        "database": connection.vendor,
        "machine": machine(),
    }
    connection.close()
    if not a.keep and not a.database_url:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
