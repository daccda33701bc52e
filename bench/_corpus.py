"""Shared helpers of the database benchmarks (ingest.py, search.py).

Corpus and query files (cached under var/bench/), a fresh Django database in a throw-away
data folder, the machine description and peak memory. Nothing here times anything.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
VAR = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def corpus_file(n_posts: int, seed: int) -> Path:
    """The generated corpus (bench/match.py's build_corpus) as JSONL, built once and cached."""
    path = VAR / f"corpus_{n_posts}_s{seed}.jsonl"
    if not path.exists():
        from match import build_corpus  # type: ignore[import-not-found]

        VAR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            for row in build_corpus(n_posts, seed):
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        tmp.replace(path)
    return path


def queries_file(k: int, seed: int) -> Path:
    """``id<TAB>query`` lines from ../shared/peers/make_queries.py, built once and cached."""
    path = VAR / f"queries_{k}_s{seed}.txt"
    if not path.exists():
        from match import generated_queries  # type: ignore[import-not-found]

        VAR.mkdir(parents=True, exist_ok=True)
        rows = generated_queries(k, seed)
        path.write_text("".join(f"{qid}\t{q}\n" for qid, q in rows), encoding="utf-8")
    return path


def load_queries(path: str | Path) -> list[tuple[str, str]]:
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.strip():
                qid, q = line.split("\t", 1)
                out.append((qid, q))
    return out


def text_pool() -> list[tuple[str, str]]:
    """(text, language) of every real post under ../shared/data/*/train.jsonl."""
    texts: list[tuple[str, str]] = []
    for path in sorted((SHARED / "data").glob("*/train.jsonl")):
        lang = "es" if "_es_" in path.parent.name else "en"
        with path.open(encoding="utf-8") as f:
            for line in f:
                t = json.loads(line).get("text") or ""
                if t.strip():
                    texts.append((t, lang))
    return texts


def setup_django(database_url: str | None, label: str) -> Path:
    """A fresh data folder under var/bench/, Django configured on it, migrations applied.

    SQLite: a new file in that folder. PostgreSQL: the URL given, which should name a
    throw-away database (the bench adds its own organization and deletes nothing).
    DEBUG is switched off after setup: in dev it is on, and the query log it keeps would
    both cost time and grow memory, which production does not pay.
    """
    VAR.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix=f"{label}-", dir=VAR))
    os.environ["TERTULIA_ENV"] = "dev"
    os.environ["TERTULIA_DATA_DIR"] = str(data_dir)
    os.environ["TERTULIA_DATABASE_URL"] = database_url or f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ.setdefault("TERTULIA_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tertulia.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    return data_dir


def make_org(name: str, n_brands: int):
    from tertulia.governance.actions import do_create_brand, do_create_organization
    from tertulia.governance.audit import Actor

    actor = Actor.system("bench")
    org = do_create_organization(name, actor=actor)
    brands = [do_create_brand(org, f"Brand {i:02d}", actor=actor) for i in range(n_brands)]
    return org, brands


def machine() -> str:
    from django.db import connection

    db = connection.vendor
    if db == "sqlite":
        db += f" {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as c:
            c.execute("SHOW server_version")
            db += f" {c.fetchone()[0]}"
    return (f"{os.cpu_count()} cores ({platform.machine()}), shared with other work; "
            f"Python {platform.python_version()}; {db}; {platform.system()} "
            f"{platform.release()}")


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
