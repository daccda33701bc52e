#!/usr/bin/env python3
"""Benchmark: `tertulia import` of a large JSONL file keeps its memory flat.

    python bench/import_memory.py [--size-mb 1024] [--keep]

Writes (once, cached under var/bench/) a deterministic JSONL export of about --size-mb
megabytes: the generated bilingual corpus of bench/match.py repeated with fresh ids, each
line padded with a raw-payload field as real exports carry, about 2 KB a line. Then, in a
child process on a fresh SQLite database with the demo organization's queries, runs
``tertulia import FILE`` exactly as a person would and reports the child's peak resident
memory, its wall time and rows per second. The same is measured on a file a tenth of the
size: memory that does not grow with the file is what "constant memory" means here. The
last line printed is one JSON object; keys carry units.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import platform
import sqlite3

from _corpus import ROOT, VAR, corpus_file

PAD = "x" * 1400  # stands for the raw payload exports carry beside the normalized fields


def export_file(size_mb: int) -> Path:
    path = VAR / f"export_{size_mb}mb.jsonl"
    if path.exists():
        return path
    base = [json.loads(line) for line in corpus_file(50_000, seed=7).open(encoding="utf-8")]
    target = size_mb * 1024 * 1024
    tmp = path.with_suffix(".tmp")
    written = n = 0
    with tmp.open("w", encoding="utf-8") as out:
        while written < target:
            row = dict(base[n % len(base)])
            row["external_id"] = f"{row['external_id']}-{n // len(base)}"
            row["raw"] = PAD
            line = json.dumps(row, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode())
            n += 1
    tmp.replace(path)
    return path


def run_import(path: Path) -> dict[str, float]:
    data = Path(tempfile.mkdtemp(prefix="import-", dir=VAR))
    env = {**os.environ, "TERTULIA_ENV": "dev", "TERTULIA_DATA_DIR": str(data)}
    env.pop("TERTULIA_DATABASE_URL", None)
    tertulia = str(ROOT / ".venv" / "bin" / "tertulia")
    subprocess.run([tertulia, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([tertulia, "demo"], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    # A fresh process whose peak is its own: RUSAGE_CHILDREN reports the largest child.
    done = subprocess.run(
        [sys.executable, "-c",
         "import resource, subprocess, sys; "
         "r = subprocess.run(sys.argv[1:]); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)",
         tertulia, "import", str(path), "--org", "cafe-aurora",
         "--errors", str(data / "errors.csv")],
        env=env, capture_output=True, text=True, check=True,
    )
    wall = time.perf_counter() - started
    peak_kb, code = done.stdout.strip().splitlines()[-1].split()
    if int(code) != 0:
        raise SystemExit(f"tertulia import failed: {done.stderr[-2000:]}")
    rows = sum(1 for _ in path.open(encoding="utf-8"))
    shutil.rmtree(data, ignore_errors=True)
    return {"file_mb": round(path.stat().st_size / 2**20, 1), "rows": rows,
            "wall_s": round(wall, 1), "rows_per_s": round(rows / wall),
            "peak_rss_mb": round(int(peak_kb) / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()
    VAR.mkdir(parents=True, exist_ok=True)
    small = run_import(export_file(max(1, args.size_mb // 10)))
    print("small file:", small, flush=True)
    large = run_import(export_file(args.size_mb))
    print("large file:", large, flush=True)
    print(json.dumps({
        "import_file_mb": large["file_mb"], "import_rows": large["rows"],
        "import_wall_s": large["wall_s"], "import_rows_per_s": large["rows_per_s"],
        "import_peak_rss_mb": large["peak_rss_mb"],
        "small_file_mb": small["file_mb"], "small_peak_rss_mb": small["peak_rss_mb"],
        "rss_growth_mb": round(large["peak_rss_mb"] - small["peak_rss_mb"], 1),
        "target_peak_rss_le_300mb": large["peak_rss_mb"] <= 300,
        "machine": (f"{os.cpu_count()} cores ({platform.machine()}), shared with other work; "
                    f"Python {platform.python_version()}; sqlite {sqlite3.sqlite_version}"),
    }))


if __name__ == "__main__":
    main()
