"""What a command costs before and while it works: whole-process wall time, start-up included.

    .venv/bin/python bench/startup_bench.py [--articles 5000] [--runs 40]

Prints, as ratios within this one run (so a slower or busier machine moves both sides):
- `nai search QUERY` on an archive of --articles synthetic articles (bench/archive_bench.py's
  corpus, kept in bench/data) against a bare `python -c` script that opens the same file with
  sqlite3 and runs the same FTS5 query (bm25 with the headline weighted, snippets, the 20 best);
  the target is a p95 at most 2x the script's;
- `nai --version` and `nai --help` against `python -c "import click"`; the target is 1.5x.

Each run is a new process, in turn with the others, its output thrown away, as a user runs it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from archive_bench import synthetic  # noqa: E402

BIN = Path(sys.executable).parent
NAI = str(BIN / "nai") if (BIN / "nai").exists() else None


def nai_script(install: str = "nai") -> str:
    """The `nai` script beside this Python, or the bench ends saying what to install."""
    if NAI is None:
        sys.exit(f"no nai script beside {sys.executable}: install {install} in this environment")
    return NAI


BARE_SEARCH = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
rows = conn.execute(
    "SELECT a.id, a.published, a.headline, snippet(articles_fts, -1, '[', ']', '…', 16) FROM articles_fts"
    " JOIN articles a ON a.fts_key = articles_fts.rowid WHERE articles_fts MATCH ?"
    " ORDER BY bm25(articles_fts, 10.0, 1.0) LIMIT 20", (sys.argv[2],)).fetchall()
for row in rows:
    print(*row)
"""


#: As a user's install runs: pip writes each module's .pyc when it installs nai, and an editable
#: install writes them on the first run, unless PYTHONDONTWRITEBYTECODE is set (some CI and
#: sandbox images set it). Without them every run compiles nai's modules again: 16 ms a search.
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=ENV)
    return time.perf_counter() - began


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000, help="archive size (default 5000)")
    parser.add_argument("--runs", type=int, default=40, help="processes of each kind (default 40)")
    parser.add_argument("--query", default="Haftar")
    args = parser.parse_args()
    nai_script()
    path = synthetic(args.articles)
    commands = {
        "nai search": [NAI, "--db", str(path), "search", args.query],
        # the bare script's very query: no other spelling of the name (nai search expands Haftar to six)
        "nai search --exact": [NAI, "--db", str(path), "search", "--exact", args.query],
        "bare python + sqlite3 script": [sys.executable, "-c", BARE_SEARCH, str(path), args.query],
        "nai --version": [NAI, "--version"],
        "nai --help": [NAI, "--help"],
        'python -c "import click"': [sys.executable, "-c", "import click"],
    }
    hits = subprocess.run(commands["nai search"], capture_output=True, text=True, check=True, env=ENV).stdout
    print(
        f"archive: {path.name} ({args.articles:,} articles); `nai search {args.query}` prints "
        f"{hits.count(chr(10))} lines; {args.runs} processes each, interleaved; python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cores"
    )
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():  # warm the page cache and the .pyc files
        timed(command)
    for _ in range(args.runs):
        for name, command in commands.items():
            times[name].append(timed(command))
    print(f"\n{'command':<32}{'median ms':>10}{'p95 ms':>9}")
    for name, values in times.items():
        print(f"{name:<32}{statistics.median(values) * 1000:>10.1f}{p95(values) * 1000:>9.1f}")
    search = p95(times["nai search"]) / p95(times["bare python + sqlite3 script"])
    exact = p95(times["nai search --exact"]) / p95(times["bare python + sqlite3 script"])
    version = p95(times["nai --version"]) / p95(times['python -c "import click"'])
    help_ = p95(times["nai --help"]) / p95(times['python -c "import click"'])
    print(f"\nnai search p95 / bare script p95:       {search:.2f}x  (target <= 2)")
    print(f"nai search --exact p95 / bare script p95: {exact:.2f}x  (the same query as the script's)")
    print(f"nai --version p95 / import click p95:   {version:.2f}x  (target <= 1.5)")
    print(f"nai --help p95 / import click p95:      {help_:.2f}x  (target <= 1.5)")


if __name__ == "__main__":
    main()
