#!/usr/bin/env python3
"""Benchmark: matching alone, K saved queries against a stream of posts, on one core.

    python bench/match.py [--corpus FILE.jsonl] [--queries FILE] [--posts N] [--ks 10,100]

With no files it builds its own data, deterministically: a bilingual corpus from the real
texts in ../shared/data/*/train.jsonl with the fictional brands of
../shared/peers/brands.py mixed into a few percent of posts, and queries from
../shared/peers/make_queries.py (same generator, same seed). A queries file has one
``id<TAB>query`` per line; the first K lines are used for each K.

It also times the peer's naive matcher (../shared/peers/naive_query.py: every query's
regexes tested on every post) on the same posts and queries, capped at --naive-seconds
per K, and checks on a sample that the compiled matcher agrees with the reference
interpreter. The last line printed is one JSON object; key names carry their units.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from bisect import bisect_left
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "src"))

from tertulia.listening.query import (  # noqa: E402
    MatchDocument,
    compile_queries,
    evaluate,
    parse,
)

NETWORKS = ["x", "x", "x", "facebook", "instagram", "youtube", "reddit", "review", "rss"]


def _peers():
    sys.path.insert(0, str(SHARED / "peers"))
    import brands  # type: ignore[import-not-found]
    import naive_query  # type: ignore[import-not-found]

    return brands, naive_query


def build_corpus(n_posts: int, seed: int) -> list[dict]:
    """Real posts (English and Spanish) with brand mentions in ~4% of them."""
    brands, _ = _peers()
    rng = random.Random(seed)
    texts: list[tuple[str, str]] = []
    for path in sorted((SHARED / "data").glob("*/train.jsonl")):
        lang = "es" if "_es_" in path.parent.name else "en"
        with path.open(encoding="utf-8") as f:
            for line in f:
                t = json.loads(line).get("text") or ""
                if t.strip():
                    texts.append((t, lang))
    universe = brands.brand_universe()
    cum, acc = [], 0.0
    for w in brands.zipf_weights(len(universe)):
        acc += w
        cum.append(acc)
    topics = list(brands.TOPICS)
    start = datetime(2025, 3, 1, tzinfo=UTC)
    out = []
    for i in range(n_posts):
        text, lang = texts[rng.randrange(len(texts))]
        if rng.random() < 0.04:
            b = universe[bisect_left(cum, rng.random() * cum[-1])]
            name = rng.choice(
                [rng.choice(b["aliases"]), "@" + b["handle"], "#" + b["hashtag"], b["name"]]
            )
            words = text.split()
            words.insert(rng.randint(0, len(words)), name)
            if rng.random() < 0.7:
                topic = brands.TOPICS[rng.choice(topics)][lang]
                words.insert(rng.randint(0, len(words)), rng.choice(topic))
            if rng.random() < 0.4:
                pool = brands.NEG_Q if rng.random() < 0.6 else brands.POS_Q
                words.insert(rng.randint(0, len(words)), rng.choice(pool))
            text = " ".join(words)
        network = rng.choice(NETWORKS)
        handle = f"user{rng.randrange(50_000):05d}"
        out.append(
            {
                "network": network,
                "external_id": f"{network}-{i}",
                "author_handle": handle,
                "author_followers": int(rng.paretovariate(1.2) * 50),
                "created_at": (start + timedelta(seconds=37 * i)).isoformat(),
                "text": text,
                "url": f"https://{network}.example.com/{handle}/status/{i}",
                "lang_hint": lang,
            }
        )
    return out


def load_corpus(path: str, limit: int) -> list[dict]:
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
                if len(out) >= limit:
                    break
    return out


def generated_queries(k: int, seed: int) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "q.txt")
        subprocess.run(
            [sys.executable, str(SHARED / "peers" / "make_queries.py"), "-k", str(k),
             "--seed", str(seed), "-o", path],
            check=True,
        )  # fmt: skip
        return load_queries(path)


def load_queries(path: str) -> list[tuple[str, str]]:
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.strip():
                qid, q = line.split("\t", 1)
                out.append((qid, q))
    return out


def time_matcher(queries: list[tuple[str, str]], docs: list[MatchDocument], repeat: int) -> dict:
    """Compile, then match the whole stream ``repeat`` times; the fastest pass counts.

    The machine is shared, so single passes are noisy; the best pass is the usual way
    to report what the code costs. The matcher lives on between passes as it would in
    the pipeline (its index adapts to key frequencies during the first pass).
    """
    t0 = time.perf_counter()
    matcher = compile_queries({qid: q for qid, q in queries})
    compile_s = time.perf_counter() - t0
    best_wall = best_cpu = float("inf")
    results: list = []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        results = matcher.match_batch(docs)
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return {
        "matcher": matcher,
        "results": results,
        "compile_s": compile_s,
        "posts_per_s": len(docs) / best_wall,
        "posts_per_cpu_s": len(docs) / best_cpu,
        "matches": sum(len(r) for r in results),
        "posts_matched": sum(1 for r in results if r),
    }


def time_naive(queries, texts: list[str], max_seconds: float) -> dict:
    _, naive_query = _peers()
    compiled = [(qid, naive_query.compile_query(q)) for qid, q in queries]
    results = []
    t0 = time.perf_counter()
    deadline = t0 + max_seconds
    for text in texts:
        t = text.lower()
        results.append({qid for qid, f in compiled if f(t)})
        if time.perf_counter() > deadline:
            break
    dt = time.perf_counter() - t0
    return {"posts_per_s": len(results) / dt, "posts": len(results), "results": results}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", help="JSONL posts (network, external_id, text, ...)")
    ap.add_argument("--queries", help="id<TAB>query per line")
    ap.add_argument("--posts", type=int, default=50_000, help="posts to generate or read")
    ap.add_argument("--ks", default="10,100,1000,10000")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--naive-seconds", type=float, default=15.0, help="time cap per K")
    ap.add_argument("--check-posts", type=int, default=300, help="interpreter sample size")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes per K (best counts)")
    a = ap.parse_args()
    ks = [int(x) for x in a.ks.split(",")]

    t0 = time.perf_counter()
    rows = load_corpus(a.corpus, a.posts) if a.corpus else build_corpus(a.posts, a.seed)
    all_queries = load_queries(a.queries) if a.queries else generated_queries(max(ks), a.seed)
    docs = [MatchDocument.from_dict(r) for r in rows]
    texts = [r.get("text") or "" for r in rows]
    print(f"{len(docs)} posts, {len(all_queries)} queries ready in {time.perf_counter() - t0:.1f}s")

    summary: dict[str, float | int | str] = {"posts": len(docs)}
    for k in ks:
        if k > len(all_queries):
            print(f"K={k}: only {len(all_queries)} queries available, skipped")
            continue
        queries = all_queries[:k]
        m = time_matcher(queries, docs, a.repeat)
        n = time_naive(queries, texts, a.naive_seconds)
        speedup = m["posts_per_s"] / n["posts_per_s"]
        same = sum(1 for x, y in zip(m["results"], n["results"], strict=False) if x == y)
        print(
            f"K={k:>5}: {m['posts_per_s']:>9.0f} posts/s ({m['posts_per_cpu_s']:.0f}/cpu-s)"
            f"  compile {m['compile_s'] * 1000:.0f} ms"
            f"  patterns {m['matcher'].pattern_count}  posts matched"
            f" {100 * m['posts_matched'] / len(docs):.2f}%  matches/post"
            f" {m['matches'] / len(docs):.3f}  | naive {n['posts_per_s']:.1f}"
            f" posts/s (n={n['posts']})  speedup x{speedup:.0f}"
            f"  same result as naive on {100 * same / max(1, n['posts']):.1f}% of its posts",
            flush=True,
        )
        summary[f"match_posts_per_s_{k}q"] = round(m["posts_per_s"])
        summary[f"match_posts_per_cpu_s_{k}q"] = round(m["posts_per_cpu_s"])
        summary[f"naive_posts_per_s_{k}q"] = round(n["posts_per_s"], 1)
        summary[f"speedup_vs_naive_{k}q"] = round(speedup, 1)
        summary[f"compile_ms_{k}q"] = round(m["compile_s"] * 1000)
        summary[f"posts_matched_pct_{k}q"] = round(100 * m["posts_matched"] / len(docs), 2)
        # Work above the fixed per-post cost is proportional to matches produced.
        summary[f"matches_per_post_{k}q"] = round(m["matches"] / len(docs), 4)
        summary[f"same_as_naive_pct_{k}q"] = round(100 * same / max(1, n["posts"]), 1)
        if k == min(max(ks), 1000):
            # Agreement with the reference interpreter on a sample (slow by design).
            parsed = {qid: parse(q) for qid, q in queries}
            rng = random.Random(a.seed)
            sample = rng.sample(range(len(docs)), min(a.check_posts, len(docs)))
            agree = sum(
                1
                for i in sample
                if m["results"][i] == {qid for qid, q in parsed.items() if evaluate(q, docs[i])}
            )
            summary[f"interpreter_agreement_pct_{k}q"] = round(100 * agree / len(sample), 2)
            print(f"interpreter agrees on {agree}/{len(sample)} sampled posts at K={k}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
