"""nai serve: the real server (`nai serve` in its own process on 127.0.0.1), its pages and JSON
fetched over HTTP, on an archive built by ingesting the fixture pages and edited copies of them,
in a file not named archive.db. Skipped when Datasette (nai's web extra) is not installed."""

from __future__ import annotations

import contextlib
import hashlib
import html
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from conftest import FIXTURES, LIBYA_URL, PIPELINE_BEST, ROOT, Nai, pipeline_story

needs_datasette = pytest.mark.skipif(
    importlib.util.find_spec("datasette") is None, reason="nai serve needs Datasette: pip install '.[web]'"
)
MOROCCO_URL = "https://north-africa.com/morocco-returns-to-the-eurobond-market-with-a-2-5-billion-issue/"
GHANNOUCHI_URL = "https://north-africa.com/tunisia-appeals-court-extends-rached-ghannouchis-prison-term-by-20-years/"
CHAD_SLUG = "chad-and-niger-agree-joint-patrols-along-lake-chad-border"
CHAD_HEADLINE = "Chad and Niger Agree Joint Patrols Along Lake Chad Border"
OUARGLA_URL = "https://north-africa.com/ouargla-curfew-extended/"
UGTT_URL = "https://north-africa.com/tunisias-ugtt-defies-kais-saied-with-nationwide-strike-call-as-algiers-watches/"
QUERIES = ["Haftar", "Morocco", "the", "border", "Libya Niger", '"Salvador Pass"', "Saied", "al-Tum", "nothing-like-it"]
NAI = [sys.executable, "-m", "nai"]


class Server(NamedTuple):
    process: subprocess.Popen[bytes]
    base: str  # http://127.0.0.1:PORT, as `nai serve -v` printed it
    log: Path  # its stderr

    def stop(self) -> tuple[int, bytes, str]:
        """SIGTERM; its exit status, stdout and stderr."""
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=30)
        return self.process.returncode, out, self.log.read_text(encoding="utf-8")


def start(db: Path, *args: str, env: dict[str, str] | None = None, command: list[str] | None = None) -> Server:
    """`nai -v --db DB serve --port 0 ARGS` (or `command`), once it answers: its URL from its line
    `nai: serving … http://…/archive`. Its stderr goes to a file (a pipe nobody reads would fill)."""
    log = db.parent / f"serve-{time.monotonic_ns()}.log"
    argv = command or [*NAI, "-v", "--db", str(db), "serve", "--port", "0", *args]
    with open(log, "wb") as err:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, env=env)
    deadline = time.monotonic() + 60
    while not (found := re.search(r"nai: serving .*?(http://\S+?)/archive\b", log.read_text(encoding="utf-8"))):
        assert process.poll() is None, log.read_text(encoding="utf-8")
        assert time.monotonic() < deadline, "nai serve said nothing"
        time.sleep(0.05)
    server = Server(process, found.group(1), log)
    while True:  # the socket listens already: this waits until the server takes the request
        try:
            urllib.request.urlopen(server.base + "/-/versions.json", timeout=10).close()
            return server
        except OSError:
            assert process.poll() is None, log.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, "nai serve did not answer"
            time.sleep(0.1)


class Served(NamedTuple):
    base: str
    db: Path
    nai: Nai
    digest: str
    server: Server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def get_json(url: str) -> Any:
    status, text = get(url)
    assert status == 200, text[:500]
    return json.loads(text)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ouargla_page(folder: Path, reads: int) -> Path:
    """The one-paragraph brief as another story, with "[Ouargla]" in its text and `reads` reads."""
    page = (FIXTURES / "naj-one-paragraph.html").read_text(encoding="utf-8")
    page = page.replace(CHAD_SLUG, "ouargla-curfew-extended").replace(CHAD_HEADLINE, "Southern Curfew Lengthened")
    page = page.replace("No date was given for the first deployment.", "The governor of [Ouargla] extended the curfew.")
    page = page.replace('post-views-count">7<', f'post-views-count">{reads}<')
    path = folder / f"ouargla-{reads}.html"
    path.write_text(page, encoding="utf-8")
    return path


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
    # The UGTT story again, read as often: an unchanged count. A story with brackets in its text,
    # read 7, 9 and 40 times on 1 and 2 January and 31 January: a day, then 29 days, apart.
    assert nai("ingest", str(FIXTURES / "naj-quote-list-arabic.html")).exit_code == 0
    for day, reads in (("2026-01-01", 7), ("2026-01-02", 9), ("2026-01-31", 40)):
        assert nai("ingest", str(ouargla_page(folder, reads)), "--observed-at", day).exit_code == 0
    digest = sha256(db)
    server = start(db)
    yield Served(server.base, db, nai, digest, server)
    status, out, err = server.stop()
    assert (status, out) == (0, b""), err  # a server's normal end; stdout is for data


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
    # `marked`, the page's: the same snippet, its marks two noncharacters where nai search has [ ]
    assert [r["marked"].replace("\ufdd0", "[").replace("\ufdd1", "]") for r in rows] == [h["snippet"] for h in hits]


@needs_datasette
def test_the_search_weighs_a_names_spellings_as_one_word_as_nai_search(tmp_path: Path) -> None:
    """A rare spelling named once ranks below the name in headlines, on the page as in nai search
    (nai_discounts): same articles, order and scores, for each spelling typed."""
    from test_search_spellings import IN_PASSING, spelled_apart, url

    nai = spelled_apart(Nai(tmp_path / "archive.db"), tmp_path)
    server = start(nai.db)
    try:
        for query in ("Haftar", "Hifter", "Haftar bread"):
            hits = nai.json("search", query, "--format", "json", "--limit", "50")
            page = f"{server.base}/archive/search.json?" + urllib.parse.urlencode({"q": query, "_shape": "array"})
            rows = get_json(page)
            assert [(r["id"], r["rank"]) for r in rows] == [(h["id"], h["rank"]) for h in hits]
            assert rows[-1]["url"] == url(IN_PASSING) and len(rows) == 5
    finally:
        server.stop()


@needs_datasette
def test_the_search_compares_real_hits(served: Served) -> None:
    """The comparisons above are not all between empty lists: common words rank several articles."""
    counts = [len(served.nai.json("search", q, "--format", "json")) for q in QUERIES]
    assert counts[QUERIES.index("the")] == len(served.nai.jsonl("export")) and counts[QUERIES.index("border")] >= 3
    assert counts[QUERIES.index("Haftar")] == 1 and counts[-1] == 0


@needs_datasette
def test_brackets_in_an_article_are_text_not_marks(served: Served) -> None:
    """nai search marks [Ouargla] in "governor of [Ouargla] extended"; the page marks the match only."""
    assert "of [[Ouargla]] extended" in served.nai.json("search", "Ouargla", "--format", "json")[0]["snippet"]
    status, page = get(f"{served.base}/archive/search?q=governor")
    assert status == 200
    assert "The <mark>governor</mark> of [Ouargla] extended the curfew" in page
    status, page = get(f"{served.base}/archive/search?q=Ouargla")
    assert "governor of [<mark>Ouargla</mark>] extended" in page and "\ufdd0" not in page and "\ufdd1" not in page


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
@pytest.mark.parametrize(("query", "suggested"), [("Hftar", ["Haftar"]), ("Eurobnd", ["Eurobond"]), ("Qwxyzk", [])])
def test_a_query_matching_nothing_suggests_as_nai_search_does(served: Served, query: str, suggested: list[str]) -> None:
    """The same suggestions as `nai search`, one a group of spellings (Hftar: Haftar, not Heftar too)."""
    status, page = get(f"{served.base}/archive/search?" + urllib.parse.urlencode({"q": query}))
    assert status == 200 and f"No article matches <strong>{query}</strong>" in page
    offered = re.findall(r'\?q=[^"]*">([^<]+)</a>', page.split("No article matches", 1)[1].split("</p>", 1)[0])
    assert offered == suggested
    cli = served.nai("search", query, "--format", "json")
    assert [line.split(": ", 2)[-1].rstrip("?") for line in cli.stderr.splitlines()] == (
        [", ".join(suggested)] if suggested else []
    )


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
    history = page.split("Read-count history", 1)[1].split("<table", 1)[1]
    assert history.index(">86<") < history.index(">140<")
    assert "+54" in history
    # and the story it links to lists it back
    status, back = get(f"{served.base}/archive/articles/{morocco}")
    assert f'<a href="/archive/articles/{record["id"]}">{html.escape(record["headline"], quote=False)}</a>' in back


def chart_of(page: str) -> tuple[list[tuple[float, float]], list[str], float]:
    """The article page's chart: its dots (x, y), its labels and its height."""
    svg = page.split('<svg class="nai-chart"', 1)[1].split("</svg>", 1)[0]
    dots = [(float(x), float(y)) for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)]
    return dots, re.findall(r"<text[^>]*>([^<]*)</text>", svg), float(re.findall(r'height="([\d.]+)"', svg)[0])


@needs_datasette
def test_the_read_count_chart_is_to_time_scale_and_labelled(served: Served) -> None:
    """Counts 7, 9, 40 seen on 1, 2 and 31 January: the second dot a 30th of the way across, the
    third highest; the first and last dates and the lowest and highest counts written on it."""
    status, page = get(f"{served.base}/archive/articles/{article_id(served.nai, OUARGLA_URL)}")
    assert status == 200
    dots, labels, _ = chart_of(page)
    (x0, y0), (x1, y1), (x2, y2) = dots
    assert (x1 - x0) / (x2 - x0) == pytest.approx(1 / 30, abs=0.005)
    assert y2 < y1 < y0  # higher counts higher up
    assert labels == ["40", "7", "2026-01-01", "2026-01-31"]


@needs_datasette
def test_an_unchanged_count_is_drawn_across_the_middle_and_said(served: Served) -> None:
    status, page = get(f"{served.base}/archive/articles/{article_id(served.nai, UGTT_URL)}")
    assert status == 200
    dots, labels, height = chart_of(page)
    assert len(dots) == 2 and dots[0][1] == dots[1][1] and 0.3 * height < dots[0][1] < 0.7 * height
    assert "1,204" in labels and "unchanged: 1,204" in labels


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
    # a month's toggle shows that month's articles, through the index on the date (a range, not a LIKE)
    for month in facets["published"]["results"]:
        assert f"published__gte={month['value']}&published__lt=" in month["toggle_url"]
        chosen = get_json(
            month["toggle_url"].replace("/archive/articles?", "/archive/articles.json?") + "&_size=max&_shape=objects"
        )
        assert sorted(r["id"] for r in chosen["rows"]) == sorted(
            r["id"] for r in records if (r["published"] or "").startswith(month["value"])
        )
        selected = [v for v in chosen["facet_results"]["published"]["results"] if v["selected"]]
        assert [v["value"] for v in selected] == [month["value"]]  # and chosen again, it is let go
        assert "published__" not in selected[0]["toggle_url"]
    older = get_json(
        f"{served.base}/archive/articles.json?published__startswith={month['value']}&_size=max&_shape=objects"
    )
    assert sorted(r["id"] for r in older["rows"]) == sorted(r["id"] for r in chosen["rows"])
    assert [v["selected"] for v in older["facet_results"]["published"]["results"]].count(True) == 1
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
    # the text as the full-text index reads it is no page of the archive: neither listed nor served
    assert [v["name"] for v in get_json(f"{served.base}/archive.json")["views"]] == []
    assert get(f"{served.base}/archive/articles_fts_text")[0] == 403
    assert get(f"{served.base}/archive/articles")[0] == 200


WRITES = [
    "delete from articles",
    "update articles set headline = 'x'",
    "drop table articles",
    "with x as (select 1) insert into authors (name) select 'x' from x",
    "with x as (select 1) delete from articles",
    "attach database '{other}' as other",
    "select 1; attach database '{other}' as other",
    "vacuum into '{other}'",
    "pragma journal_mode = delete",
    "pragma user_version = 7",
    "select * from pragma_user_version",
]


@needs_datasette
@pytest.mark.parametrize("sql", WRITES)
def test_no_sql_writes(served: Served, sql: str, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    url = f"{served.base}/archive.json?" + urllib.parse.urlencode({"sql": sql.format(other=other)})
    status, text = get(url)
    assert status == 400, text[:300]
    assert sha256(served.db) == served.digest and not other.exists()


@needs_datasette
def test_the_archive_is_served_read_only_not_immutable(served: Served) -> None:
    """mode=ro: Datasette's "mutable" database, read as it is at each request, never hashed whole."""
    databases = get_json(f"{served.base}/-/databases.json")
    assert [(d["name"], d["is_mutable"], d["hash"]) for d in databases] == [("archive", True, None)]
    assert get(f"{served.base}/archive.db")[0] == 403  # a file that may change is not downloaded whole
    assert len(get_json(f"{served.base}/archive/articles.json?_shape=array")) == len(served.nai.jsonl("export"))
    assert sha256(served.db) == served.digest


@needs_datasette
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize(
    "path", ["/archive/search?q=Haftar", "/archive/search.json", "/archive/articles", "/archive/articles/1", "/"]
)
def test_a_write_is_refused_in_one_line_not_an_error_page(served: Served, method: str, path: str) -> None:
    """Nothing on a read-only archive takes a write: 405 with the methods allowed, never a 500."""
    request = urllib.request.Request(f"{served.base}{path}", data=b"q=Haftar", method=method)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 405 and refused.value.headers["Allow"] == "GET, HEAD"
    assert refused.value.read().decode() == f"405: the archive is read-only; {method} is not allowed\n"
    assert sha256(served.db) == served.digest
    head = urllib.request.Request(f"{served.base}{path}", method="HEAD")
    with urllib.request.urlopen(head, timeout=30) as response:
        assert response.status == 200


def fetching(base: str, stop: threading.Event, seen: list[tuple[int, str]]) -> None:
    while not stop.wait(0.02):
        for path in ("/archive/search?q=the", "/archive/articles.json?_shape=array", "/archive", "/"):
            seen.append(get(base + path))


@needs_datasette
def test_what_is_written_while_serving_shows_at_once(tmp_path: Path) -> None:
    """Committed articles are shown, all of them in the WAL only (a reader's open snapshot keeps
    them from being checkpointed into the file): one ingested before the server starts, then pages
    ingested by `nai ingest` while pages are being read. (An immutable open reads the file alone.)
    Every ingest and file check is another process: a connection closed in this one can drop its
    POSIX locks on the file, the reader's with them."""
    db = tmp_path / "archive.db"
    pages = sorted(FIXTURES.glob("naj-*.html"))

    def ingest(*paths: Path) -> None:
        subprocess.run([*NAI, "--db", str(db), "ingest", *map(str, paths)], check=True, timeout=120)

    def in_the_file() -> int:
        script = "import sqlite3, sys; print(sqlite3.connect(sys.argv[1], uri=True).execute(sys.argv[2]).fetchone()[0])"
        query = [f"{db.resolve().as_uri()}?immutable=1", "SELECT count(*) FROM articles"]
        return int(subprocess.run([sys.executable, "-c", script, *query], capture_output=True, check=True).stdout)

    ingest(pages[0])
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM articles").fetchone()  # a snapshot: what follows stays in the WAL
        ingest(pages[1])
        server = start(db)
        assert in_the_file() == 1 and len(get_json(f"{server.base}/archive/articles.json?_shape=array")) == 2
        stop, seen = threading.Event(), []
        reading = threading.Thread(target=fetching, args=(server.base, stop, seen))
        reading.start()
        try:
            ingest(*pages[2:])
            ingest(ouargla_page(tmp_path, 5))
        finally:
            stop.set()
            reading.join()
        assert in_the_file() == 1
        assert seen and all(status == 200 and "malformed" not in text for status, text in seen)
        rows = get_json(f"{server.base}/archive/articles.json?_shape=array&_size=max")
        status, page = get(f"{server.base}/archive/search?q=Ouargla")
        ouargla = next(row["id"] for row in rows if row["url"] == OUARGLA_URL)
        assert status == 200 and f'href="/archive/articles/{ouargla}"' in page
        status, page = get(f"{server.base}/archive/articles/{ouargla}")
        assert status == 200 and "<h1>Southern Curfew Lengthened</h1>" in page
    status, out, err = server.stop()
    assert (status, out) == (0, b"") and "ERROR" not in err and "malformed" not in err, err
    assert len(rows) == len(Nai(db).jsonl("export")) > 2


@needs_datasette
def test_facet_counts_kept_are_counted_again_once_the_archive_changes(tmp_path: Path) -> None:
    """nai serve keeps a facet's counts until the archive changes (PRAGMA data_version): asked
    again, the same; after another process ingests a page, or edits a section, the new counts,
    on the whole table and under a section chosen."""
    db = tmp_path / "archive.db"
    nai = Nai(db)

    def expected(section: str | None = None) -> dict[str, dict[str, int]]:
        records = [r for r in nai.jsonl("export") if section is None or r["section"] == section]
        return {
            "section": _counts(r["section"] for r in records if r["section"]),
            "author_id": _counts(r["author"]["name"] for r in records if r["author"]),
            "published": _counts(r["published"][:7] for r in records if r["published"]),
        }

    def facets(query: str = "") -> dict[str, dict[str, int]]:
        data = get_json(f"{server.base}/archive/articles.json?_shape=objects{query}")
        return {name: {v["label"]: v["count"] for v in f["results"]} for name, f in data["facet_results"].items()}

    def run(*args: str) -> None:
        subprocess.run([*NAI, "--db", str(db), *args], check=True, timeout=120, capture_output=True)

    run("ingest", *map(str, sorted(FIXTURES.glob("naj-*.html"))))
    server = start(db)
    try:
        first = facets()
        assert first == expected() and facets() == first
        run("ingest", str(ouargla_page(tmp_path, 5)))
        assert facets() == expected() != first
        sahel = "&section=Sahel+Edition"
        assert facets(sahel) == expected("Sahel Edition")
        script = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()"
        change = "UPDATE articles SET section = 'Sahel Edition' WHERE section = 'Maghreb Edition'"
        subprocess.run([sys.executable, "-c", script, str(db), change], check=True)
        assert facets() == expected() and facets(sahel) == expected("Sahel Edition")
        assert "Maghreb Edition" not in facets()["section"]
    finally:
        server.stop()


READ_ONLY_MOUNT = 'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" && shift 2 && exec "$@"'


@needs_datasette
@pytest.mark.skipif(sys.platform != "linux" or not shutil.which("unshare"), reason="needs unshare (Linux)")
def test_an_archive_on_a_read_only_mount_is_served_immutable(tmp_path: Path) -> None:
    """A WAL archive whose folder cannot be written has no -shm for mode=ro: it is served as it was
    at start (immutable), and said so; downloaded whole on loopback only. (A read-only bind mount
    in a mount namespace of its own: root only.)"""
    folder, mount = tmp_path / "files", tmp_path / "mount"
    folder.mkdir()
    mount.mkdir()
    assert Nai(folder / "archive.db")("ingest", str(FIXTURES / "naj-libya-classic.html")).exit_code == 0
    in_read_only_mount = ["unshare", "-m", "sh", "-c", READ_ONLY_MOUNT, "-", str(folder), str(mount)]
    if subprocess.run([*in_read_only_mount, "true"], capture_output=True, timeout=30).returncode != 0:
        pytest.skip("cannot mount (not root)")
    for host, download in (("127.0.0.1", 200), ("0.0.0.0", 403)):
        argv = [*NAI, "-v", "--db", str(mount / "archive.db"), "serve", "--host", host, "--port", "0"]
        server = start(tmp_path / "log", command=[*in_read_only_mount, *argv])
        databases = get_json(f"{server.base}/-/databases.json")
        assert [(d["is_mutable"], d["hash"]) for d in databases] == [(False, None)]
        assert get(f"{server.base}/archive/search?q=Haftar")[0] == 200
        assert get(f"{server.base}/archive.db")[0] == download
        status, out, err = server.stop()
        assert (status, out) == (0, b"") and "neither it nor its folder can be written: served as it is now" in err
    assert not (folder / "archive.db-shm").exists()


@needs_datasette
def test_a_port_in_use_is_one_line_and_exit_1(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    assert Nai(db)("ingest", str(FIXTURES / "naj-libya-classic.html")).exit_code == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*NAI, "-v", "--db", str(db), "serve", "--port", str(port)], capture_output=True, text=True, timeout=60
        )
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        f"nai: 127.0.0.1:{port}: address already in use\n",
    )
    result = subprocess.run(
        [*NAI, "--db", str(db), "serve", "--host", "no-such-host.invalid"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1 and result.stdout == "", result.stderr
    assert re.fullmatch(r"nai: no-such-host\.invalid:8001: [^\n]+\n", result.stderr), result.stderr


@needs_datasette
@pytest.mark.parametrize("host", ["0.0.0.0", "::1"])
def test_the_printed_url_opens_the_archive(tmp_path: Path, host: str) -> None:
    """--port 0 prints the port taken; every address prints 127.0.0.1 (and warns: it is not this
    machine's alone); an IPv6 address is in brackets."""
    if host == "::1" and not socket.has_ipv6:
        pytest.skip("no IPv6")
    db = tmp_path / "news.db"
    assert Nai(db)("ingest", str(FIXTURES / "naj-libya-classic.html")).exit_code == 0
    try:
        server = start(db, "--host", host)
    except AssertionError as exc:
        if "cannot assign requested address" in str(exc):
            pytest.skip("no ::1 here")
        raise
    assert get(f"{server.base}/archive")[0] == 200
    status, _, err = server.stop()
    lines = err.splitlines()
    if host == "0.0.0.0":
        port = server.base.rsplit(":", 1)[1]
        assert server.base.startswith("http://127.0.0.1:") and port != "0"
        assert lines[0] == (
            f"nai: warning: listening on every address, port {port}: anyone who can reach this machine can read "
            "the whole archive and run SQL on it"
        )
        assert lines[1].startswith(f"nai: serving {db} on every address, port {port}: {server.base}/archive here, ")
    else:
        assert server.base.startswith("http://[::1]:") and lines[0].startswith(f"nai: serving {db} at {server.base}")
    assert status == 0


@needs_datasette
def test_sigterm_stops_a_server_sending_a_long_response(tmp_path: Path) -> None:
    """A client that reads nothing of a 6 MB response: SIGTERM still ends the server within seconds, exit 0."""
    db = tmp_path / "news.db"
    assert Nai(db)("ingest", str(FIXTURES / "naj-libya-classic.html")).exit_code == 0
    server = start(db)
    with socket.socket() as client:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.connect(("127.0.0.1", int(server.base.rsplit(":", 1)[1])))
        client.sendall(b"GET /archive.json?sql=select+hex(zeroblob(3000000)) HTTP/1.1\r\nHost: x\r\n\r\n")
        assert client.recv(100).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        status, out, err = server.stop()
        assert time.monotonic() - started < 8
    assert (status, out) == (0, b""), err
    assert "nai: stopped: responses still going out after 3 s cut short" in err


@needs_datasette
def test_an_unreadable_aliases_file_stops_serve_as_it_stops_search(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    assert Nai(db)("ingest", str(FIXTURES / "naj-libya-classic.html")).exit_code == 0
    (tmp_path / "nai").mkdir()
    (tmp_path / "nai" / "aliases.txt").write_bytes(b"Haftar, Hafter\n\xff\xfe not UTF-8\n")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*NAI, "--db", str(db), *args], capture_output=True, text=True, env=env, timeout=60)

    search, serve = run("search", "Haftar"), run("serve", "--port", str(free_port()))
    assert (serve.returncode, serve.stdout) == (1, "")
    assert serve.stderr == search.stderr and search.returncode == 1
    assert re.fullmatch(r"nai: \S+aliases\.txt: cannot read the spellings: [^\n]+\n", serve.stderr), serve.stderr


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
        "nai: nai serve needs Datasette, nai's web extra: pip install '.[web]' in nai's checkout "
        "(pipx: pipx install --force '.[web]')\n",
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
    pages = ("search", "search-common", "search-empty", "search-spellings", "search-misspelt", "search-none")
    pages += ("article", "article-backlinked", "articles")
    assert sorted(s.stem for s in shots) == sorted([*pages, "articles-month", "database"])
    for shot in shots:
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(data[16:20], "big") == 1280


@needs_datasette
def test_a_table_too_big_to_count_at_once_is_many_rows_not_a_wait(tmp_path: Path) -> None:
    """Datasette's time limit does not stop a count(*) (one step of SQLite's, which walks the whole
    table: the limit is checked between steps), so the database page of a 1M-article archive
    counted gigabytes for minutes. nai's counts are interrupted at the limit: the big table is None
    (Datasette writes "many rows") well before a whole count would end; the others are counted."""
    import asyncio

    from datasette.database import Database

    from nai.web.app import datasette

    db = tmp_path / "archive.db"
    assert Nai(db)("ingest", *map(str, sorted(FIXTURES.glob("*.html")))).exit_code == 0
    with contextlib.closing(sqlite3.connect(db)) as conn:  # a table that takes SQLite a while to count
        conn.execute(
            "CREATE TABLE bulk AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 600000)"
            " SELECT i, randomblob(150) AS pad FROM n"
        )
        conn.commit()
    database = datasette(str(db)).get_database("archive")

    async def best_of_3(count: Any) -> tuple[float, dict[str, int | None]]:
        """The least time of three counts, and what the last said."""
        times, counts = [], {}
        for _ in range(3):
            began = time.perf_counter()
            counts = await count()
            times.append(time.perf_counter() - began)
        return min(times), counts

    whole = asyncio.run(database.table_counts(limit=10_000))
    assert whole["bulk"] == 600_000 and whole["articles"] == 6
    stopped, counts = asyncio.run(best_of_3(lambda: database.table_counts(limit=1)))
    assert counts["bulk"] is None and counts["articles"] == 6 and counts["authors"] == 5
    # Datasette's own counts, with the same limit, go on to the end of the big table
    finished, _ = asyncio.run(best_of_3(lambda: Database.table_counts(database, limit=1)))
    assert stopped < finished / 2, (stopped, finished)


@needs_datasette
def test_the_search_page_ranks_a_very_common_words_newest_2000_matches_as_nai_search(tmp_path: Path) -> None:
    """The README's bound on a very common word holds on the web too: 2,000 matches are all ranked
    (the best, the oldest, first); at 2,001 the oldest is not ranked; the page ranks as nai search."""
    from nai.store import Archive

    db = tmp_path / "archive.db"
    story, best = pipeline_story, PIPELINE_BEST
    with Archive(str(db), create=True) as archive, archive.transaction():
        for article in (best, *map(story, range(1999))):
            archive.save(article)
    server = start(db)
    try:

        def page() -> list[str]:
            return [r["url"] for r in get_json(f"{server.base}/archive/search.json?q=pipeline&_shape=array")]

        cli = [h["url"] for h in Nai(db).json("search", "pipeline", "--format", "json")]
        assert page()[0] == best.url and page()[: len(cli)] == cli and len(page()) == 50
        with Archive(str(db)) as archive:
            archive.save(story(1999))
        assert best.url not in page() and len(page()) == 50
    finally:
        server.stop()


@needs_datasette
def test_serve_aliases_adds_spellings_to_the_search_page_as_search_aliases_does(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    nai = Nai(db)
    assert nai("ingest", str(FIXTURES / "naj-libya-classic.html")).exit_code == 0
    mine = tmp_path / "mine.txt"
    mine.write_text("# a wire service's spelling\nHaftar, Xaftar\n", encoding="utf-8")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    for args, found in (((), []), (("--aliases", str(mine)), [LIBYA_URL])):
        server = start(db, *args, env=env)
        try:
            rows = get_json(f"{server.base}/archive/search.json?q=Xaftar&_shape=array")
        finally:
            server.stop()
        assert [r["url"] for r in rows] == found
        cli = nai("search", "Xaftar", *args, "--format", "json")
        assert [h["url"] for h in json.loads(cli.stdout)] == found
    missing = subprocess.run(
        [*NAI, "--db", str(db), "serve", "--port", str(free_port()), "--aliases", str(tmp_path / "none.txt")],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert missing.returncode == 1 and missing.stderr.startswith(f"nai: {tmp_path / 'none.txt'}")
