"""`nai trend` at scale: whole-process wall time for a term found in about 60% of the articles and for a
rare one, on bench/archive_bench.py's synthetic archive (kept in bench/data).

    .venv/bin/python bench/trend_bench.py [--articles 1000000] [--runs 20]

Targets (issue 11): p95 under 1 s for the 60% term, under 50 ms for the rare one (Tamanrasset, ~0.1%;
nai expands it to its five spellings). The 60% term is the corpus word whose share of a sample of
articles is nearest 60%. Each run is a new `nai` process, in turn with the others, with its .pyc files.
A 1M archive takes 15-20 minutes to build (resumable) and about 15 GB.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from archive_bench import Corpus, count_articles, synthetic  # noqa: E402
from startup_bench import ENV, NAI, nai_script  # noqa: E402

TARGETS = {"common": 1.0, "rare": 0.050}
#: Floors: what any click program costs to start here, and Python itself (nai trend loads no click).
FLOORS = {'python -c "import click"': "import click", 'python -c "pass"': "pass"}


def common_word(corpus: Corpus, share: float, sample: int = 2000) -> str:
    """The word of the corpus in the nearest share of a sample of its articles."""
    docs: Counter[str] = Counter()
    for i in range(0, sample * 97, 97):
        article = corpus.article(i)
        docs.update({w.lower() for w in re.findall(r"[^\W\d_]+", f"{article.headline} {article.body}")})
    return min(docs, key=lambda w: (abs(docs[w] / sample - share), w))


def timed(command: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=ENV)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--skip-build", action="store_true", help="measure the archive as it is")
    args = parser.parse_args()
    nai_script()
    path = synthetic(args.articles, build_missing=not args.skip_build)
    size = count_articles(path)
    terms = {"common": common_word(Corpus(4), 0.6), "rare": "Tamanrasset"}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        found = {
            level: conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (f'"{t}"',)).fetchone()[
                0
            ]
            for level, t in terms.items()
        }
    commands = {level: [NAI, "--db", str(path), "trend", term, "--format", "json"] for level, term in terms.items()}
    commands.update({floor: [sys.executable, "-c", code] for floor, code in FLOORS.items()})
    for command in commands.values():
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True, env=ENV)  # warm the page cache
    seconds: dict[str, list[float]] = {level: [] for level in commands}
    for _ in range(args.runs):
        for level, command in commands.items():
            seconds[level].append(timed(command))
    inside = in_process(path, terms, args.runs)
    print(f"archive: {path.name} ({size:,} articles); {args.runs} processes each, interleaved")
    print(f"\n{'nai trend TERM':<34}{'articles':>10}{'share':>8}{'median ms':>11}{'p95 ms':>9}{'target ms':>11}")
    for level, term in terms.items():
        p95 = statistics.quantiles(seconds[level], n=20)[-1]
        print(
            f"{level + ': ' + term:<34}{found[level]:>10,}{found[level] / size:>8.1%}"
            f"{statistics.median(seconds[level]) * 1000:>11.1f}{p95 * 1000:>9.1f}{TARGETS[level] * 1000:>11.0f}"
            + ("" if p95 <= TARGETS[level] else "  MISSED")
        )
    for floor in FLOORS:
        median, p95 = statistics.median(seconds[floor]), statistics.quantiles(seconds[floor], n=20)[-1]
        print(f"{floor:<52}{median * 1000:>11.1f}{p95 * 1000:>9.1f}")
    print("\nthe query alone (nai.store.trends.trend, in this process, spellings expanded):")
    for level, term in terms.items():
        print(
            f"  {level + ': ' + term:<32} median {statistics.median(inside[level]) * 1000:7.1f} ms"
            f"   p95 {statistics.quantiles(inside[level], n=20)[-1] * 1000:7.1f} ms"
        )


def in_process(path: Path, terms: dict[str, str], runs: int) -> dict[str, list[float]]:
    from nai.spellings import Spellings
    from nai.store import Archive, trends

    spellings = Spellings.load()
    seconds: dict[str, list[float]] = {level: [] for level in terms}
    with Archive(str(path), create=False) as archive:
        for _ in range(runs):
            for level, term in terms.items():
                began = time.perf_counter()
                trends.trend(archive.conn, [(term, spellings.expand(term))])
                seconds[level].append(time.perf_counter() - began)
    return seconds


if __name__ == "__main__":
    main()
