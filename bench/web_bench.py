"""`nai serve` at scale: each page's time over HTTP on 127.0.0.1, and whether its facets came back.

    .venv/bin/python bench/web_bench.py [--articles 1000000] [--runs 10]

Serves archive_bench.py's synthetic archive (kept in bench/data; build it with trend_bench.py or
archive_bench.py) with `nai serve` and fetches each page of PAGES `--runs` times, in turn, after one
fetch of each to warm the page cache. It prints each page's median and p95 (the whole request, as a
browser waits for it) and, for the articles pages, the facets that Datasette left out because they
took longer than its limit (`facet_time_limit_ms`, 200 ms). A page is counted whole: the body read.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from archive_bench import count_articles, synthetic  # noqa: E402
from screenshots import free_port, wait_for  # noqa: E402
from startup_bench import ENV, NAI, nai_script  # noqa: E402

PAGES = {
    "search, a rare word": "/archive/search?q=Tamanrasset",
    "search, a common word": "/archive/search?q=their",
    "search, nothing (did you mean)": "/archive/search?q=Tamanrasst",
    "articles, 3 facets": "/archive/articles",
    "articles, a section chosen": "/archive/articles?section=Sahel+Edition",
    "articles, a month chosen": "/archive/articles?published__gte=2025-06&published__lt=2025-07",
    "an article": "/archive/articles/500000",
    "the database (tables counted)": "/archive",
    "the home page": "/",
}
FACETED = {"articles, 3 facets", "articles, a section chosen", "articles, a month chosen"}


def fetch(url: str) -> tuple[float, bytes]:
    """The time to the page's last byte, and its body; an error page's too (its status counted)."""
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read()
        ERRORS[url] = ERRORS.get(url, 0) + 1
    return time.perf_counter() - began, body


ERRORS: dict[str, int] = {}  # url -> error pages (Datasette's "SQL query took too long" is a 400)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    nai_script("nai[web]")
    path = synthetic(args.articles, build_missing=False)
    if not path.exists():
        sys.exit(f"no {path}: build it first (bench/trend_bench.py --articles {args.articles})")
    size = count_articles(path)
    port = free_port()
    server = subprocess.Popen([NAI, "--db", str(path), "serve", "--port", str(port)], env=ENV)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/archive", server, seconds=600)  # a first start migrates an older archive
        timed_out: dict[str, list[str]] = {}
        for page in PAGES.values():  # warm the page cache
            fetch(base + page)
        seconds: dict[str, list[float]] = {name: [] for name in PAGES}
        for _ in range(args.runs):
            for name, page in PAGES.items():
                took, _ = fetch(base + page)
                seconds[name].append(took)
        for name in FACETED:
            page = PAGES[name]
            data = json.loads(fetch(base + page.replace("/archive/articles", "/archive/articles.json", 1))[1])
            timed_out[name] = data.get("facets_timed_out", []) if data.get("ok", True) else ["(the page failed)"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"archive: {path.name} ({size:,} articles); {args.runs} fetches a page, in turn")
    print(f"\n{'page':<34}{'median ms':>11}{'p95 ms':>9}{'errors':>8}  facets timed out")
    for name, taken in seconds.items():
        p95 = statistics.quantiles(taken, n=20)[-1] if len(taken) > 1 else taken[0]
        left_out = ", ".join(timed_out.get(name, [])) or ("none" if name in FACETED else "")
        errors = ERRORS.get(base + PAGES[name], 0)
        print(f"{name:<34}{statistics.median(taken) * 1000:>11.1f}{p95 * 1000:>9.1f}{errors:>8}  {left_out}")


if __name__ == "__main__":
    main()
