"""nai serve: the real server (`nai serve` in its own process on 127.0.0.1), its pages and JSON
fetched over HTTP, on an archive built by ingesting the fixture pages and an edited copy of one,
in a file not named archive.db. Skipped when Datasette (the extra nai[web]) is not installed."""

from __future__ import annotations

import hashlib
import html
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from conftest import FIXTURES, LIBYA_URL, ROOT, Nai

needs_datasette = pytest.mark.skipif(
    importlib.util.find_spec("datasette") is None, reason="nai serve needs Datasette: pip install 'nai[web]'"
)
MOROCCO_URL = "https://north-africa.com/morocco-returns-to-the-eurobond-market-with-a-2-5-billion-issue/"
GHANNOUCHI_URL = "https://north-africa.com/tunisia-appeals-court-extends-rached-ghannouchis-prison-term-by-20-years/"
QUERIES = ["Haftar", "Morocco", "the", "border", "Libya Niger", '"Salvador Pass"', "Saied", "al-Tum", "nothing-like-it"]


class Served(NamedTuple):
    base: str
    db: Path
    nai: Nai
    digest: str
    server: subprocess.Popen[bytes]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def get_json(url: str) -> Any:
    status, text = get(url)
    assert status == 200, text[:500]
    return json.loads(text)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("web")
    db = folder / "north africa #1 (copy).db"  # any name: the database is still `archive`
    nai = Nai(db)
    assert nai("ingest", *map(str, sorted(FIXTURES.glob("*.html")))).exit_code == 0
    # The Libya story again, read more, with the Morocco story (archived) first among its related.
    page = (FIXTURES / "naj-libya-classic.html").read_text(encoding="utf-8")
    page = page.replace(GHANNOUCHI_URL, MOROCCO_URL).replace(">86<", ">140<")
    (folder / "libya-later.html").write_text(page, encoding="utf-8")
    time.sleep(0.002)  # a later observation time
    assert nai("ingest", str(folder / "libya-later.html")).exit_code == 0
    digest = sha256(db)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "nai", "--db", str(db), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert server.poll() is None, server.communicate()[1].decode()
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "nai serve did not answer"
            time.sleep(0.1)
    yield Served(base, db, nai, digest, server)
    server.send_signal(signal.SIGTERM)
    out, err = server.communicate(timeout=30)
    assert (server.returncode, out) == (0, b""), err.decode()  # a server's normal end; stdout is for data


def article_id(nai: Nai, url: str) -> int:
    record: dict[str, Any] = nai.jsonl("show", url, "--format", "json")[0]
    return int(record["id"])


@needs_datasette
@pytest.mark.parametrize("query", QUERIES)
def test_the_search_json_ranks_as_nai_search(served: Served, query: str) -> None:
    """Same articles, same order, same scores and snippets as `nai search --format json`."""
    hits = served.nai.json("search", query, "--format", "json", "--limit", "50")
    url = f"{served.base}/archive/search.json?" + urllib.parse.urlencode({"q": query, "_shape": "array"})
    rows = get_json(url)
    assert [(r["id"], r["rank"], r["snippet"]) for r in rows] == [(h["id"], h["rank"], h["snippet"]) for h in hits]
    assert [r["headline"] for r in rows] == [h["headline"] for h in hits]


@needs_datasette
def test_the_search_compares_real_hits(served: Served) -> None:
    """The comparisons above are not all between empty lists: common words rank several articles."""
    counts = [len(served.nai.json("search", q, "--format", "json")) for q in QUERIES]
    assert counts[QUERIES.index("the")] == len(served.nai.jsonl("export")) and counts[QUERIES.index("border")] >= 3
    assert counts[QUERIES.index("Haftar")] == 1 and counts[-1] == 0


@needs_datasette
def test_the_search_page_shows_hits_with_marked_snippets(served: Served) -> None:
    libya = article_id(served.nai, LIBYA_URL)
    status, page = get(f"{served.base}/archive/search?q=Haftar")
    assert status == 200
    hit = served.nai.json("search", "Haftar", "--format", "json")[0]
    assert html.escape(hit["headline"], quote=False) in page
    assert f'href="/archive/articles/{libya}"' in page
    assert "<mark>Haftar</mark>" in page
    assert html.escape(hit["snippet"].split("[")[0].strip(), quote=False) in page
    assert 'name="q" value="Haftar"' in page


@needs_datasette
@pytest.mark.parametrize("query", ["", "   ", "?q=", '"', "'); drop table articles; --"])
def test_an_empty_or_odd_query_is_a_page_not_an_error(served: Served, query: str) -> None:
    status, page = get(f"{served.base}/archive/search?" + urllib.parse.urlencode({"q": query}))
    assert status == 200, page[:500]
    assert get_json(f"{served.base}/archive/search.json?" + urllib.parse.urlencode({"q": query}))["rows"] == []
    status, page = get(f"{served.base}/archive/search")
    assert status == 200 and "Search the archive" in page


@needs_datasette
def test_the_article_page_has_body_links_and_read_counts(served: Served) -> None:
    record = served.nai.jsonl("show", LIBYA_URL, "--format", "json")[0]
    morocco = article_id(served.nai, MOROCCO_URL)
    status, page = get(f"{served.base}/archive/articles/{record['id']}")
    assert status == 200
    assert f"<h1>{html.escape(record['headline'], quote=False)}</h1>" in page
    paragraphs = record["body"].split("\n\n")
    assert len(paragraphs) >= 3
    for paragraph in paragraphs:
        assert f"<p>{html.escape(paragraph)}</p>" in page
    # its related stories in page order: the archived one links to its page, the other to the site
    first, second = record["related"][:2]
    assert first["url"] == MOROCCO_URL
    related = page.split("Related stories", 1)[1]
    assert f'<a href="/archive/articles/{morocco}">{html.escape(first["headline"], quote=False)}</a>' in related
    assert f'href="{second["url"]}"' in related
    assert related.index(html.escape(first["headline"], quote=False)) < related.index(
        html.escape(second["headline"], quote=False)
    )
    # the read-count history: both observations, in order, and the growth
    history = page.split("Read-count history", 1)[1]
    assert history.index(">86<") < history.index(">140<")
    assert "+54" in history
    # and the story it links to lists it back
    status, back = get(f"{served.base}/archive/articles/{morocco}")
    assert f'<a href="/archive/articles/{record["id"]}">{html.escape(record["headline"], quote=False)}</a>' in back


@needs_datasette
def test_the_article_page_keeps_datasettes_json(served: Served) -> None:
    record = served.nai.jsonl("show", LIBYA_URL, "--format", "json")[0]
    data = get_json(f"{served.base}/archive/articles/{record['id']}.json?_shape=array")
    assert [(r["id"], r["headline"], r["read_count"]) for r in data] == [(record["id"], record["headline"], 140)]


@needs_datasette
def test_articles_are_faceted_by_section_author_and_month(served: Served) -> None:
    records = served.nai.jsonl("export")
    data = get_json(f"{served.base}/archive/articles.json?_size=max")
    facets = data["facet_results"]
    assert {name: {v["label"]: v["count"] for v in f["results"]} for name, f in facets.items()} == {
        "section": _counts(r["section"] for r in records if r["section"]),
        "author_id": _counts(r["author"]["name"] for r in records if r["author"]),
        "published": _counts(r["published"][:7] for r in records if r["published"]),
    }
    assert facets["published"]["type"] == "month"
    months = [v["value"] for v in facets["published"]["results"]]
    assert months == sorted(months, reverse=True)  # newest first
    # a month's toggle shows that month's articles
    month = facets["published"]["results"][-1]
    chosen = get_json(month["toggle_url"].replace("/archive/articles?", "/archive/articles.json?") + "&_shape=array")
    assert sorted(r["id"] for r in chosen) == sorted(
        r["id"] for r in records if (r["published"] or "").startswith(month["value"])
    )
    # on the page too, newest article first
    status, page = get(f"{served.base}/archive/articles")
    assert status == 200 and "published (month)" in page and "author_id" in page
    newest = max(records, key=lambda r: r["published"] or "")
    assert page.index(html.escape(newest["headline"], quote=False)) < page.index(
        html.escape(min(records, key=lambda r: r["published"] or "9")["headline"], quote=False)
    )


def _counts(values: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


@needs_datasette
def test_noisy_tables_are_hidden(served: Served) -> None:
    tables = {t["name"]: t["hidden"] for t in get_json(f"{served.base}/archive.json")["tables"]}
    assert not tables["articles"] and not tables["read_counts"] and not tables["related"]
    assert tables["raw_pages"] and tables["raw_dicts"] and tables["urls"] and tables["_nai_migrations"]


@needs_datasette
def test_the_archive_is_served_immutable(served: Served) -> None:
    databases = get_json(f"{served.base}/-/databases.json")
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("archive", False)]
    for sql in ("delete from articles", "update articles set headline = 'x'", "drop table articles"):
        status, text = get(f"{served.base}/archive.json?" + urllib.parse.urlencode({"sql": sql}))
        assert status == 400, text[:300]
    request = urllib.request.Request(
        f"{served.base}/archive/search", data=b"q=Haftar", method="POST", headers={"Accept": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=30)
    assert len(get_json(f"{served.base}/archive/articles.json?_shape=array")) == len(served.nai.jsonl("export"))
    assert sha256(served.db) == served.digest


BLOCK_DATASETTE = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "datasette" or name.startswith("datasette."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Block())
from nai.cli import cli
cli(prog_name="nai")
"""


def test_serve_without_datasette_says_how_to_install_it(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    assert Nai(db)("ingest", str(FIXTURES / "naj-libya-classic.html")).exit_code == 0
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_DATASETTE, "--db", str(db), "serve", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        "nai: nai serve needs Datasette: pip install 'nai[web]'\n",
    )


@needs_datasette
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="no chromium (Debian: apt-get install chromium)")
def test_the_pages_render_in_chromium(tmp_path: Path) -> None:
    """bench/screenshots.py: each page rendered by headless Chromium into a PNG of the full width."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "screenshots.py"), "--out", str(tmp_path), "--height", "900"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"},
    )
    assert result.returncode == 0, result.stderr
    shots = sorted(tmp_path.glob("*.png"))
    pages = ("search", "search-common", "search-empty", "search-none", "article", "article-backlinked", "articles")
    assert sorted(s.stem for s in shots) == sorted([*pages, "articles-month", "database"])
    for shot in shots:
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(data[16:20], "big") == 1280
