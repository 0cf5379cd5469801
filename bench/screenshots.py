"""Screenshots of `nai serve`'s pages in headless Chromium, to look at how they read.

    .venv/bin/python bench/screenshots.py [--db ARCHIVE] [--out DIR] [--chromium PATH]

Without --db it builds a demo archive in a temporary folder: the pages in fixtures/, then an
edited copy of the Libya story whose read count has grown (86 -> 140) and whose first related
story is the Morocco one, which is archived, so the article pages show a link into the archive,
a backlink and a read-count history of two observations. It starts `nai serve` on a free port of
127.0.0.1, takes each page in PAGES at 1280 px wide into DIR (default /tmp/nai-screenshots),
and stops the server. Needs nai[web] and Chromium (Debian: apt-get install chromium).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NAI = [str(BIN / "nai")] if (BIN / "nai").exists() else [sys.executable, "-m", "nai"]
LIBYA = ROOT / "fixtures" / "naj-libya-classic.html"
GHANNOUCHI = "https://north-africa.com/tunisia-appeals-court-extends-rached-ghannouchis-prison-term-by-20-years/"
MOROCCO = "https://north-africa.com/morocco-returns-to-the-eurobond-market-with-a-2-5-billion-issue/"
GHANNOUCHI_TITLE = "Tunisia Appeals Court Extends Rached Ghannouchi&#8217;s Prison Term by 20 Years"
MOROCCO_TITLE = "Morocco Returns to the Eurobond Market With a $2.5 Billion Issue"
PAGES = {
    "search": "/archive/search?q=Haftar",
    "search-common": "/archive/search?q=Morocco",
    "search-empty": "/archive/search",
    "search-spellings": "/archive/search?q=Qadhafi",  # the archive writes Gaddafi: found by another spelling
    "search-misspelt": "/archive/search?q=Eurobnd",  # no match; did you mean Eurobond?
    "search-none": "/archive/search?q=Tamanrasset",  # no match, and nothing close
    "article": "/archive/articles/2",
    "article-backlinked": "/archive/articles/1",
    "articles": "/archive/articles",
    "articles-month": "/archive/articles?published__gte=2026-02&published__lt=2026-03",
    "database": "/archive",
}


def demo_archive(folder: Path) -> Path:
    """The fixtures, then the Libya story again with more reads and a related story in the archive."""
    db = folder / "demo archive.db"
    subprocess.run([*NAI, "--db", str(db), "ingest", *map(str, sorted((ROOT / "fixtures").glob("*.html")))], check=True)
    page = LIBYA.read_text(encoding="utf-8").replace(GHANNOUCHI, MOROCCO).replace(GHANNOUCHI_TITLE, MOROCCO_TITLE)
    page = page.replace('<span class="post-views-count">86</span>', '<span class="post-views-count">140</span>')
    edited = folder / "libya-later.html"
    edited.write_text(page, encoding="utf-8")
    time.sleep(0.01)  # another observation time
    subprocess.run([*NAI, "--db", str(db), "ingest", str(edited)], check=True)
    return db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"nai serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nai serve did not answer at {url} within {seconds:g} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="the archive to serve (default: a demo archive of the fixtures)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "nai-screenshots")
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser"))
    parser.add_argument("--height", type=int, default=1800)
    args = parser.parse_args()
    if not args.chromium:
        raise SystemExit("no chromium found (Debian: apt-get install chromium); give --chromium PATH")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nai-shots-") as tmp:
        folder = Path(tmp)
        db = args.db or demo_archive(folder)
        port = free_port()
        server = subprocess.Popen([*NAI, "--db", str(db), "serve", "--port", str(port)])
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/archive", server)
            for name, path in PAGES.items():
                shot = args.out / f"{name}.png"
                subprocess.run(
                    [
                        args.chromium,
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--no-first-run",
                        f"--user-data-dir={folder / 'chromium'}",
                        f"--screenshot={shot}",
                        f"--window-size=1280,{args.height}",
                        base + path,
                    ],
                    check=True,
                    capture_output=True,
                    env={**os.environ, "LANG": "en_US.UTF-8"},
                    timeout=120,
                )
                print(f"{shot}  {path}")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
