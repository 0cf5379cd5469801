"""Any folder, any file name, any link: inputs that are odd but real never stop a batch.

A named pipe, a socket or a device inside a folder is skipped (a named pipe named as an argument is
read: `nai ingest <(curl -s URL)`); a file name that is not UTF-8 is ingested and printed with its
bytes escaped; a malformed URL from a page, a feed, a sitemap or a redirect is dropped with a -v
note; an unexpected error while handling one input fails that input alone.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import FIXTURES, LIBYA_URL, Nai, scrape
from mocksite import TEMPLATE_RELATED, MockSite, Route, SiteSpec, build_site

CLASSIC = FIXTURES / "naj-libya-classic.html"
PAGE = CLASSIC.read_bytes()
RELATED = TEMPLATE_RELATED[0]  # the first story of the classic page's related block
MALFORMED = {
    "port not a number": "https://north-africa.com:abc/{}",
    "port out of range": "https://north-africa.com:99999/{}",
    "IPv6 bracket open": "https://[::1/{}",
    "IPv6 not an address": "https://[north-africa.com]/{}",
    "archive.org capture of a bad URL": "https://web.archive.org/web/2026/https://north-africa.com:abc/{}",
    "no host": "https:///{}",
    "a host of dots": "https://./{}",
}


def story(slug: str, page: bytes = PAGE) -> bytes:
    """The classic page under another URL."""
    return page.replace(LIBYA_URL.encode(), f"https://north-africa.com/{slug}/".encode())


def rows(db: Path, query: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(query, params).fetchall()


def run_nai(db: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "nai", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


# ---- folders: regular files only ----------------------------------------------------------------


def test_a_folder_walk_skips_pipes_sockets_and_devices_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.html").write_bytes(story("a"))
    os.mkfifo(folder / "b-pipe.html")  # nobody writes to it: opening it would wait forever
    (folder / "c-link.html").symlink_to(folder / "a.html")  # a symlink to a page is read
    (folder / "d-link-to-pipe.html").symlink_to(folder / "b-pipe.html")
    (folder / "e-null.html").symlink_to(os.devnull)
    monkeypatch.chdir(folder)  # a socket's path must be short
    server = socket.socket(socket.AF_UNIX)
    server.bind("f-socket.html")
    try:
        result = run_nai(tmp_path / "a.db", "-v", "ingest", str(folder))
    finally:
        server.close()
    lines = result.stderr.splitlines()
    assert result.returncode == 0, result.stderr  # skipping is not failing
    assert f"nai: {folder / 'b-pipe.html'}: skipped: a named pipe" in lines
    assert f"nai: {folder / 'd-link-to-pipe.html'}: skipped: a named pipe" in lines
    assert f"nai: {folder / 'e-null.html'}: skipped: a device" in lines
    assert f"nai: {folder / 'f-socket.html'}: skipped: a socket" in lines
    assert f"new: {folder / 'a.html'} (id 1)" in lines
    assert f"unchanged: {folder / 'c-link.html'} (id 1)" in lines
    assert "1 new, 0 updated, 1 unchanged, 0 failed" in lines


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_named_pipe_given_as_an_argument_is_read(tmp_path: Path, jobs: str) -> None:
    """`nai ingest <(curl -s URL) --url URL`: the shell passes /dev/fd/N, a pipe."""
    url = "https://north-africa.com/through-a-pipe/"
    page = PAGE.replace(b'rel="canonical"', b'rel="x-canonical"').replace(b"og:url", b"og:x")
    fifo = tmp_path / "page.fifo"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as f:
            f.write(page)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    result = run_nai(tmp_path / "a.db", "ingest", "--jobs", jobs, str(fifo), "--url", url)
    assert result.returncode == 0, result.stderr
    read, written = os.pipe()  # and /dev/fd/N itself, as process substitution gives it
    with os.fdopen(written, "wb") as w:
        threading.Thread(target=lambda: (w.write(story("fd")), w.close()), daemon=True).start()
        result = run_nai(tmp_path / "a.db", "ingest", "--jobs", jobs, f"/dev/fd/{read}", pass_fds=(read,))
    os.close(read)
    assert result.returncode == 0, result.stderr
    assert rows(tmp_path / "a.db", "SELECT url FROM articles ORDER BY id") == [
        (url,),
        ("https://north-africa.com/fd/",),
    ]


def test_a_named_pipe_past_the_size_limit_is_refused(tmp_path: Path) -> None:
    """A pipe's size is 0 to stat: the page is read on past it, and not past --max-mb."""
    fifo = tmp_path / "big.fifo"
    os.mkfifo(fifo)
    page = PAGE.replace(b"</body>", b"<p>" + b"word " * 300_000 + b"</p></body>")  # 1.5 MB

    def write() -> None:
        with open(fifo, "wb") as f, contextlib.suppress(BrokenPipeError):
            f.write(page)

    threading.Thread(target=write, daemon=True).start()
    result = run_nai(tmp_path / "a.db", "ingest", "--max-mb", "1", str(fifo))
    assert result.returncode == 1
    assert result.stderr.startswith(f"nai: {fifo}: too large: more than 1.0 MB"), result.stderr


# ---- file names that are not UTF-8 -----------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_ingested_and_printed_escaped(nai: Nai, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    latin1 = os.fsdecode(bytes(folder) + b"/caf\xe9.html")  # as old Latin-1 tools write it
    Path(latin1).write_bytes(story("cafe"))
    Path(os.fsdecode(bytes(folder) + b"/vide\xe9.html")).write_bytes(b"")
    Path(os.fsdecode(bytes(folder) + b"/lost\xff.html")).symlink_to(tmp_path / "nowhere.html")
    (folder / "two\nlines.html").write_bytes(b"")
    shown = f"{folder}/caf\\xe9.html"

    result = nai("-v", "ingest", str(folder))

    lines = result.stderr.splitlines()
    assert result.exit_code == 1  # the empty pages failed
    assert f"new: {shown} (id 1)" in lines
    assert f"nai: {folder}/vide\\xe9.html: empty page" in lines
    assert f"nai: {folder}/two\\nlines.html: empty page" in lines
    assert any(line.startswith(f"nai: {folder}/lost\\xff.html: ") for line in lines), lines
    assert rows(nai.db, "SELECT source FROM raw_pages") == [(shown,)]
    again = nai("-v", "ingest", latin1)  # named as an argument too
    assert again.exit_code == 0 and again.stderr.splitlines()[0] == f"unchanged: {shown} (id 1)"
    missing = nai("ingest", os.fsdecode(bytes(folder) + b"/gone\xe9.html"))
    assert missing.stderr == f"nai: {folder}/gone\\xe9.html: no such file or directory\n"


# ---- malformed links in pages ------------------------------------------------------------------


@pytest.mark.parametrize("kind", MALFORMED)
def test_a_malformed_related_link_is_dropped_and_the_batch_goes_on(
    nai: Nai, tmp_path: Path, kind: str, db_path: Path
) -> None:
    bad, good = tmp_path / "bad.html", tmp_path / "good.html"
    broken = MALFORMED[kind].format("tunisia-appeals-court/")
    bad.write_bytes(story("bad").replace(RELATED.encode(), broken.encode()))
    good.write_bytes(story("good"))

    result = nai("-v", "ingest", str(bad), str(good))

    assert result.exit_code == 0, result.stderr
    assert f"nai: {bad}: dropped a malformed URL" in result.stderr and broken in result.stderr
    records = {r["url"]: r for r in nai.jsonl("export")}
    assert set(records) == {"https://north-africa.com/bad/", "https://north-africa.com/good/"}
    assert [r["url"] for r in records["https://north-africa.com/bad/"]["related"]] == [TEMPLATE_RELATED[1]]
    assert len(records["https://north-africa.com/good/"]["related"]) == 2
    assert nai("check").exit_code == 0
    quiet = nai("ingest", str(bad))  # a note, not a warning: cron mails nothing
    assert (quiet.exit_code, quiet.stderr) == (0, "")


@pytest.mark.parametrize("kind", MALFORMED)
def test_a_malformed_canonical_url_yields_to_the_next_source_of_the_url(nai: Nai, tmp_path: Path, kind: str) -> None:
    page = tmp_path / "page.html"
    broken = MALFORMED[kind].format("x/")
    page.write_bytes(
        PAGE.replace(f'rel="canonical" href="{LIBYA_URL}"'.encode(), f'rel="canonical" href="{broken}"'.encode())
    )
    assert page.read_bytes() != PAGE
    result = nai("-v", "ingest", str(page))
    assert result.exit_code == 0, result.stderr
    assert "dropped a malformed URL" in result.stderr
    assert [r["url"] for r in nai.jsonl("export")] == [LIBYA_URL]  # og:url


@pytest.mark.parametrize("url", ["https://north-africa.com:abc/x/", "https://[::1/x/", "ftp://north-africa.com/x/"])
def test_a_malformed_url_option_is_a_usage_error(nai: Nai, url: str) -> None:
    result = nai("ingest", str(CLASSIC), "--url", url)
    assert result.exit_code == 2 and "--url" in result.stderr
    assert nai("scrape", "--site", url).exit_code == 2


def test_show_with_a_malformed_url_finds_nothing(nai: Nai) -> None:
    nai("ingest", str(CLASSIC))
    result = nai("show", "https://north-africa.com:abc/x/")
    assert result.exit_code == 1 and result.stderr.startswith("nai: https://north-africa.com:abc/x/: no such article")


# ---- an unexpected error fails its input alone --------------------------------------------------


@pytest.fixture
def boom(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The parser raises an error nai does not expect on any page holding "BOOM" (also in the
    worker processes of --jobs, which are forked from this one)."""
    from nai import ingest

    real = ingest.parse_page

    def parse_page(data: bytes, **kwargs: object) -> object:
        if b"BOOM" in data:
            raise RuntimeError("the parser tripped")
        return real(data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest, "parse_page", parse_page)
    yield


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_unexpected_error_in_parsing_fails_that_input_alone(nai: Nai, tmp_path: Path, boom: None, jobs: str) -> None:
    pages = []
    for n in range(5):
        page = tmp_path / f"p{n}.html"
        page.write_bytes(story(f"s{n}") + (b"<!-- BOOM -->" if n == 2 else b""))
        pages.append(str(page))
    result = nai("ingest", "--jobs", jobs, *pages)
    assert result.exit_code == 1
    assert result.stderr == f"nai: {pages[2]}: unexpected error: RuntimeError: the parser tripped\n"
    assert len(nai.jsonl("export")) == 4


def test_an_unexpected_error_in_storing_fails_that_input_alone_and_leaves_nothing(
    nai: Nai, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nai.store import Archive

    real = Archive._write_related

    def write_related(self: Archive, article_id: int, related: tuple[object, ...]) -> None:
        real(self, article_id, related)  # type: ignore[arg-type]
        url = self.one("SELECT url FROM articles WHERE id = ?", article_id)
        if url and url["url"].endswith("/s1/"):  # halfway through storing s1
            raise RuntimeError("the store tripped")

    monkeypatch.setattr(Archive, "_write_related", write_related)
    pages = []
    for n in range(3):
        page = tmp_path / f"p{n}.html"
        page.write_bytes(story(f"s{n}"))
        pages.append(str(page))
    result = nai("ingest", "--jobs", "1", *pages)
    assert result.exit_code == 1
    assert result.stderr == f"nai: {pages[1]}: unexpected error: RuntimeError: the store tripped\n"
    assert sorted(r["url"] for r in nai.jsonl("export")) == [
        "https://north-africa.com/s0/",
        "https://north-africa.com/s2/",
    ]
    assert nai("check").stdout == "ok\n"
    assert rows(nai.db, "SELECT count(*) FROM raw_pages") == [(2,)]
    assert rows(nai.db, "SELECT count(*) FROM related") == [(4,)]


# ---- malformed URLs met by a scrape -----------------------------------------------------------


def test_a_malformed_sitemap_loc_is_dropped_and_the_sitemap_is_recorded_as_read(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=12, recent=0, feed_pages=1, related=False))
    sitemap = site.routes["/wp-sitemap-posts-post-1.xml"]  # stories 1-5 are only in this one
    bad = "http://127.0.0.1:abc/story-99/"
    sitemap.body = sitemap.body.replace(b"</urlset>", f"<url><loc>{bad}</loc></url></urlset>".encode())
    index = site.routes["/wp-sitemap.xml"]  # no <lastmod> for that sitemap: it is asked for each run
    index.body = re.sub(rb"(wp-sitemap-posts-post-1\.xml</loc>)<lastmod>[^<]*</lastmod>", rb"\1", index.body)
    code, stderr = scrape(nai, site, "-v")
    assert code == 0, stderr
    assert "dropped a malformed URL" in stderr and bad in stderr
    assert rows(nai.db, "SELECT count(*) FROM articles") == [(12,)]
    assert rows(nai.db, "SELECT status, error FROM urls WHERE url LIKE '%/wp-sitemap-posts-post-1.xml'") == [
        (200, None)
    ]
    # the next night: the index has not changed (304), that sitemap has a new story
    site.routes["/story-13/"] = Route(site.routes["/story-1/"].body.replace(b"/story-1/", b"/story-13/"))
    sitemap.body = sitemap.body.replace(b"</urlset>", f"<url><loc>{site.url}/story-13/</loc></url></urlset>".encode())
    site.clear_log()
    code, stderr = scrape(nai, site)
    assert (code, stderr) == (0, "")  # the dropped URL is a -v note: cron mails nothing
    assert [r.status for r in site.requests("/wp-sitemap.xml")] == [304]
    assert [r.status for r in site.requests("/wp-sitemap-posts-post-1.xml")] == [200]
    assert rows(nai.db, "SELECT count(*) FROM articles") == [(13,)]


WHERE = ["sitemap", "robots", "feed", "listing", "related", "redirect"]


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("form", ["http://127.0.0.1:abc/story-{n}/", "http://[::1/story-{n}/"])
def test_a_malformed_url_anywhere_in_a_scrape_is_dropped(nai: Nai, site: MockSite, where: str, form: str) -> None:
    build_site(site, SiteSpec(n=6, recent=0, sitemap=where not in ("feed", "listing"), related=False))
    bad = form.format(n=99)
    if where == "sitemap":
        route = site.routes["/wp-sitemap-posts-post-1.xml"]
        route.body = route.body.replace(b"</urlset>", f"<url><loc>{bad}</loc></url></urlset>".encode())
    elif where == "robots":
        route = site.routes["/robots.txt"]
        route.body = f"Sitemap: {form.format(n=98).rstrip('/')}.xml\n".encode() + route.body
    elif where == "feed":
        route = site.routes["/feed/"]
        route.body = route.body.replace(b"</channel>", f"<item><link>{bad}</link></item></channel>".encode())
    elif where == "listing":
        route = site.routes["/"]
        teaser = f"<article class='post'><h2><a href='{bad}'>Story 99</a></h2></article>"
        route.body = route.body.replace(b"</body>", teaser.encode() + b"</body>")
    elif where == "related":
        route = site.routes["/story-6/"]
        route.body = route.body.replace(TEMPLATE_RELATED[0].encode(), bad.encode())
    else:
        site.routes["/story-6/"] = Route(b"", status=301, headers={"Location": bad})
    code, stderr = scrape(nai, site, "-v")
    assert code == 0, stderr
    assert "Traceback" not in stderr and "unexpected error" not in stderr
    stored = 5 if where == "redirect" else 6
    assert rows(nai.db, "SELECT count(*) FROM articles") == [(stored,)]
    assert rows(nai.db, "SELECT count(*) FROM urls WHERE url LIKE '%story-9_%'") == [(0,)]
    if where != "redirect":
        assert "dropped a malformed URL" in stderr
    assert form.format(n=98 if where == "robots" else 99)[:20] in stderr and "malformed URL" in stderr
    code, stderr = scrape(nai, site, "-v")
    assert code == 0, stderr


def test_an_unexpected_error_on_one_article_fails_that_url_alone(
    nai: Nai, site: MockSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nai import scrape as scrape_module

    build_site(site, SiteSpec(n=6, recent=0, related=False))
    real = scrape_module.parse_page

    def parse_page(data: bytes, **kwargs: object) -> object:
        if str(kwargs.get("url", "")).endswith("/story-3/"):
            raise RuntimeError("the parser tripped")
        return real(data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(scrape_module, "parse_page", parse_page)
    code, stderr = scrape(nai, site)
    assert code == 1
    assert stderr == f"nai: {site.url}/story-3/: unexpected error: RuntimeError: the parser tripped\n"
    assert rows(nai.db, "SELECT count(*) FROM articles") == [(5,)]
    monkeypatch.setattr(scrape_module, "parse_page", real)  # the bug is fixed: the URL is tried again
    site.clear_log()
    assert scrape(nai, site) == (0, "")
    assert [r.path for r in site.article_requests()] == ["/story-3/"]
    assert rows(nai.db, "SELECT count(*) FROM articles") == [(6,)]


def test_an_unexpected_error_on_one_sitemap_fails_it_alone_and_its_index_is_read_again(
    nai: Nai, site: MockSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nai import scrape as scrape_module

    build_site(site, SiteSpec(n=12, recent=0, feed_pages=1, related=False))
    real = scrape_module.parse_sitemap
    trip = site.routes["/wp-sitemap-posts-post-1.xml"].body  # stories 1-5 are only in this one

    def parse_sitemap(data: bytes) -> object:
        if data == trip:
            raise RuntimeError("the sitemap reader tripped")
        return real(data)

    monkeypatch.setattr(scrape_module, "parse_sitemap", parse_sitemap)
    code, stderr = scrape(nai, site)
    assert code == 1
    assert stderr == (
        f"nai: {site.url}/wp-sitemap-posts-post-1.xml: unexpected error: RuntimeError: the sitemap reader tripped\n"
    )
    assert rows(nai.db, "SELECT count(*) FROM articles") == [(7,)]
    monkeypatch.setattr(scrape_module, "parse_sitemap", real)
    site.clear_log()
    assert scrape(nai, site)[0] == 0
    assert [r.status for r in site.requests("/wp-sitemap-posts-post-1.xml")] == [200]
    assert rows(nai.db, "SELECT count(*) FROM articles") == [(12,)]


# ---- usage errors: one line, as every other error ------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["search", "-Haftar"], "No such option '-H' (a word that starts with '-' goes after '--'"),
        (["--bogus"], "No such option '--bogus'"),
        (["serach", "Haftar"], "No such command 'serach'"),
        (["search"], "Missing argument 'QUERY'"),
        (["trend", "Haftar", "--since", "2026-13"], "Invalid value for '--since': '2026-13' is not a date"),
        (["search", "Haftar", "--sort", "Reads"], "Invalid value for '--sort'"),
        (["-v", "-q", "stats"], "-v and -q contradict each other"),
        (
            ["trend", "Haftar", "--since", "2026-05", "--until", "2026-01"],
            "--since 2026-05-01 is after --until 2026-01-31",
        ),
        (["trend", "Haftar", " "], "a QUERY has no word"),
        (["trend", "!!!"], "a QUERY has no word"),
        (["search", "Haftar", "--since", "2026-03", "--until", "2026-02"], "--since 2026-03-01 is after --until"),
        (["stats", "--jsn"], "No such option '--jsn' (see"),
    ],
)
def test_a_usage_error_is_one_line_naming_the_help_to_read(tmp_path: Path, args: list[str], says: str) -> None:
    """The real command: one line on stderr, the error and where to read the usage, exit 2."""
    result = run_nai(tmp_path / "a.db", *args)
    assert (result.returncode, result.stdout) == (2, "")
    [line] = result.stderr.splitlines()
    command = "nai" if args[0].startswith("-") or args[0] == "serach" else f"nai {args[0]}"
    assert line.startswith(f"nai: {says}") and line.endswith(f"(see '{command} --help')"), line


def test_nai_alone_shows_its_help_and_a_missing_command_is_one_line(tmp_path: Path) -> None:
    alone = subprocess.run([sys.executable, "-m", "nai"], capture_output=True, text=True, cwd=tmp_path)
    assert "Usage: nai [OPTIONS] COMMAND" in alone.stdout + alone.stderr and "Commands:" in alone.stdout + alone.stderr
    missing = run_nai(tmp_path / "a.db")
    assert (missing.returncode, missing.stderr) == (2, "nai: Missing command (see 'nai --help')\n")


def test_an_argument_with_a_newline_is_quoted_on_one_line(nai: Nai) -> None:
    assert nai("ingest", str(FIXTURES / "naj-libya-classic.html")).exit_code == 0
    result = nai("history", "a\nb")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("nai: ") and "a\\nb" in line
