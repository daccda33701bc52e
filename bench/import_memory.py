#!/usr/bin/env python3
"""Benchmark: `tertulia import` of a large JSONL file keeps its memory flat.

    python bench/import_memory.py [--size-mb 1024] [--keep]

Writes (once, cached under var/bench/) a deterministic JSONL export of about --size-mb
megabytes: the generated bilingual corpus of bench/match.py repeated with fresh ids, each
line padded with a raw-payload field as real exports carry, about 2 KB a line. Then, in a
child process on a fresh SQLite database with the demo organization's queries, runs
``tertulia import FILE`` exactly as a person would and reports its peak memory (the
importer and its worker processes together), its wall time and rows per second. The same
is measured on a file a tenth of the size: memory that does not grow with the file is what
"constant memory" means here. The last line printed is one JSON object; keys carry units.
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


def run_import(path: Path, extra: list[str]) -> dict[str, float]:
    data = Path(tempfile.mkdtemp(prefix="import-", dir=VAR))
    env = {**os.environ, "TERTULIA_ENV": "dev", "TERTULIA_DATA_DIR": str(data)}
    env.pop("TERTULIA_DATABASE_URL", None)
    tertulia = str(ROOT / ".venv" / "bin" / "tertulia")
    subprocess.run([tertulia, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([tertulia, "demo"], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    # A fresh process whose peak is its own: RUSAGE_CHILDREN reports the largest child. The
    # import's worker processes are separate processes: the memory of the whole tree is
    # sampled from /proc as the sum of proportional set sizes.
    cmd = [tertulia, "import", str(path), "--org", "cafe-aurora",
           "--errors", str(data / "errors.csv"), *extra]
    proc = subprocess.Popen(
        [sys.executable, "-c",
         "import resource, subprocess, sys; "
         "r = subprocess.run(sys.argv[1:]); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)",
         *cmd],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    tree_peak_kb = 0
    while proc.poll() is None:
        tree_peak_kb = max(tree_peak_kb, tree_rss_kb(proc.pid))
        time.sleep(0.2)
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    peak_kb, code = out.strip().splitlines()[-1].split()
    if int(code) != 0:
        raise SystemExit(f"tertulia import failed: {err[-2000:]}")
    rows = sum(1 for _ in path.open(encoding="utf-8"))
    shutil.rmtree(data, ignore_errors=True)
    return {"file_mb": round(path.stat().st_size / 2**20, 1), "rows": rows,
            "wall_s": round(wall, 1), "rows_per_s": round(rows / wall),
            "peak_rss_mb": round(int(peak_kb) / 1024, 1),
            "peak_tree_rss_mb": round(tree_peak_kb / 1024, 1)}


def tree_rss_kb(root: int) -> int:
    """Memory of `root` and all its descendants, in kB: the sum of their proportional set
    sizes (a page shared by two processes counts half in each), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
        todo.extend(children.get(pid, []))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 1) - 1),
                        help="`tertulia import --workers` for both files (default: what it "
                        "picks for a large file, cores - 1)")
    args = parser.parse_args()
    extra = ["--workers", str(args.workers)]
    VAR.mkdir(parents=True, exist_ok=True)
    small = run_import(export_file(max(1, args.size_mb // 10)), extra)
    print("small file:", small, flush=True)
    large = run_import(export_file(args.size_mb), extra)
    print("large file:", large, flush=True)
    print(json.dumps({
        "import_file_mb": large["file_mb"], "import_rows": large["rows"],
        "import_wall_s": large["wall_s"], "import_rows_per_s": large["rows_per_s"],
        "workers": args.workers,
        "import_peak_rss_mb": large["peak_rss_mb"],
        "import_peak_tree_rss_mb": large["peak_tree_rss_mb"],
        "small_file_mb": small["file_mb"], "small_peak_rss_mb": small["peak_rss_mb"],
        "small_peak_tree_rss_mb": small["peak_tree_rss_mb"],
        "rss_growth_mb": round(large["peak_tree_rss_mb"] - small["peak_tree_rss_mb"], 1),
        "target_peak_rss_le_300mb": large["peak_tree_rss_mb"] <= 300,
        "machine": (f"{os.cpu_count()} cores ({platform.machine()}), shared with other work; "
                    f"Python {platform.python_version()}; sqlite {sqlite3.sqlite_version}"),
    }))


if __name__ == "__main__":
    main()
