"""What a nightly scrape costs: requests and bytes of a first run, a second run with nothing new,
and a run with ten new articles, next to a naive full re-crawl of the same site.

Runs the real `nai scrape` against a mock of the site on 127.0.0.1 (tests/mocksite.py), built
from the fixtures. Usage:  python bench/scrape_bench.py [--articles 3000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from click.testing import CliRunner  # noqa: E402

from mocksite import MockSite, SiteSpec, build_site  # noqa: E402
from nai.cli import cli  # noqa: E402


def scrape(site: MockSite, db: Path) -> tuple[int, int, float, str]:
    site.clear_log()
    start = time.perf_counter()
    result = CliRunner().invoke(cli, ["--db", str(db), "scrape", "--site", site.url, "--delay", "0", "-v"])
    seconds = time.perf_counter() - start
    if result.exit_code != 0:
        raise SystemExit(f"scrape failed: {result.stderr}")
    sent = sum(len(site.routes[r.path].body) for r in site.requests() if r.status == 200 and r.path in site.routes)
    return len(site.requests()), sent, seconds, result.stderr.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    args = parser.parse_args()
    n = args.articles
    with tempfile.TemporaryDirectory() as tmp, MockSite() as site:
        db = Path(tmp) / "bench.db"
        spec = SiteSpec(n=n, recent=0, per_page=1000)
        build_site(site, spec)
        naive_requests = n + 1  # every article page, and one sitemap
        naive_bytes = sum(
            len(r.body) for p, r in site.routes.items() if p.startswith("/story-") and p != "/story-private/"
        )
        rows = [("naive full re-crawl (each night)", naive_requests, naive_bytes, None, "")]
        rows.append(("first run (backfill)", *scrape(site, db)))
        rows.append(("second run, nothing new", *scrape(site, db)))
        spec.n = n + 10
        build_site(site, spec)  # ten new stories: in the sitemap (newer <lastmod>) and the feed
        rows.append(("run with ten new articles", *scrape(site, db)))
    print(f"mock site of {n:,} articles on 127.0.0.1, --delay 0\n")
    print(f"{'run':<34}{'requests':>10}{'bytes':>14}{'seconds':>10}  summary")
    for name, requests, sent, seconds, summary in rows:
        secs = f"{seconds:10.1f}" if seconds is not None else " " * 10
        print(f"{name:<34}{requests:>10,}{sent:>14,}{secs}  {summary.removeprefix('scrape: ')}")


if __name__ == "__main__":
    main()
