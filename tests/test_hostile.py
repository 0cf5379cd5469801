"""Property-based tests: any byte string parses or fails with ParseError; any query string gives
results or a one-line error and never changes the archive."""

from __future__ import annotations

import gzip
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, GOLDEN_PAGES, LIBYA_URL, Nai
from nai.errors import ParseError, QueryError
from nai.model import Article
from nai.parse import parse_page
from nai.spellings import Spellings
from nai.store import Archive
from nai.store import search as store_search

SEEDS = [p.read_bytes() for p in [*GOLDEN_PAGES, *sorted((FIXTURES / "not-articles").glob("*.html"))]]
TAG = re.compile(rb"<[^<>]{1,400}>")
ENCODINGS = ["utf-16", "utf-32", "cp1252", "latin-1", "shift_jis", "koi8-r", "utf-8-sig", "ascii"]
HYPOTHESIS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@st.composite
def mutated_pages(draw: st.DrawFn) -> bytes:
    page = draw(st.sampled_from(SEEDS))
    for op in draw(st.lists(st.sampled_from(["cut", "delete", "duplicate", "shuffle", "bytes", "encode"]), max_size=4)):
        tags = [m.span() for m in TAG.finditer(page)]
        if op == "cut":
            page = page[: draw(st.integers(0, len(page)))]
        elif op in ("delete", "duplicate", "shuffle") and tags:
            start, end = tags[draw(st.integers(0, len(tags) - 1))]
            if op == "delete":
                page = page[:start] + page[end:]
            elif op == "duplicate":
                page = page[:end] + page[start:end] * draw(st.integers(1, 50)) + page[end:]
            else:
                parts = page[start + 1 : end - 1].split(b" ")
                shuffled = draw(st.permutations(parts))
                page = page[: start + 1] + b" ".join(shuffled) + page[end - 1 :]
        elif op == "bytes":
            at = draw(st.integers(0, len(page)))
            page = page[:at] + draw(st.binary(max_size=200)) + page[at:]
        elif op == "encode":
            page = page.decode("utf-8", "replace").encode(draw(st.sampled_from(ENCODINGS)), "replace")
    return page


@HYPOTHESIS
@given(mutated_pages())
def test_parse_raises_only_parse_error_on_mutated_pages(page: bytes) -> None:
    assert_article_or_reason(page)


@given(
    st.lists(
        st.sampled_from(["<", ">", "</", "p", "div", "b", "td", "tr", "li", "x", " ", "=", '"', "&", "!--", "html"]),
        max_size=300,
    ).map("".join)
)
def test_libxml2_makes_at_most_two_elements_a_tag(markup: str) -> None:
    """A page's elements are counted (against MAX_ELEMENTS) only when its "<"s allow that many
    (page.most_elements): never fewer than libxml2 makes."""
    from lxml import etree

    from nai import page

    for source in (markup, markup.encode("utf-8")):
        tree = etree.fromstring(source, parser=page._PARSER if isinstance(source, str) else page._UTF8_PARSER)
        if tree is not None:
            assert int(page.COUNT_ELEMENTS(tree)) <= page.most_elements(markup.count("<")), markup


@HYPOTHESIS
@given(st.binary(max_size=5000))
def test_parse_raises_only_parse_error_on_random_bytes(page: bytes) -> None:
    assert_article_or_reason(page)


def assert_article_or_reason(page: bytes) -> Article | None:
    """An article with a headline and a body, or a ParseError with a one-line reason: nothing else."""
    try:
        article = parse_page(page, seconds=20)
    except ParseError as exc:
        assert str(exc) and "\n" not in str(exc)
        return None
    assert article.headline and article.body
    return article


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("deep nesting", b"<html><body>" + b"<div><span>" * 50_000 + b"</body></html>"),
        ("10 MB single line", b"<html><body><p>" + b"Haftar " * 1_500_000 + b"</p></body></html>"),
        ("mostly NUL bytes", b"<html><body><h1>x</h1>" + b"\x00" * 4096 + b"<p>y</p></body></html>"),
        ("PDF", b"%PDF-1.7\n" + b"\x00" * 100),
        ("gzip bomb", gzip.compress(b"<p>" * 10_000_000)),
        ("no body at all", b"<html><head><title>x</title></head></html>"),
    ],
)
def test_fixed_hostile_pages(name: str, data: bytes) -> None:
    with pytest.raises(ParseError):
        parse_page(data, seconds=20)


def test_the_time_limit_stops_a_slow_page() -> None:
    big = b"<html><body><h1>A Story</h1><div class='entry-content'>" + b"<p>text</p>" * 90_000 + b"</div></body></html>"
    with pytest.raises(ParseError, match=r"took longer than 0\.01 s"):
        parse_page(big, seconds=0.01)


# ---- queries ---------------------------------------------------------------------------------

FTS_SYNTAX = ["AND", "OR", "NOT", "NEAR(", ")", "(", '"', "*", "^", ":", "-", "+", "{", "}", "headline:", "'", ";"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    db = tmp_path_factory.mktemp("q") / "archive.db"
    assert Nai(db)("ingest", *map(str, GOLDEN_PAGES)).exit_code == 0
    with Archive(db) as opened:
        yield opened


def fingerprint(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT (SELECT group_concat(id || headline || body) FROM articles),"
            " (SELECT count(*) FROM articles_fts_docsize), (SELECT count(*) FROM sqlite_master)"
        ).fetchall()


SPELLINGS = Spellings.load(os.devnull)
queries = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from([*FTS_SYNTAX, "Haftar", "Saied", "DROP TABLE articles", "x"]), max_size=12).map(" ".join),
    st.tuples(st.text(min_size=1, max_size=20), st.integers(500, 600)).map(lambda t: t[0] * t[1]),  # KBs
    st.text(alphabet=st.characters(categories=["Cc", "Zs", "Po"]), max_size=50),
)


@HYPOTHESIS
@given(query=queries, raw=st.booleans())
def test_any_query_gives_results_or_a_query_error(archive: Archive, query: str, raw: bool) -> None:
    before = fingerprint(archive.path)
    expanded = SPELLINGS.expand(query)  # every spelling of the names in it, as nai search reads it
    try:
        hits = store_search.search(archive.conn, query if raw else expanded, fts_syntax=raw, limit=5)
    except QueryError as exc:
        assert raw, "plain queries never fail"
        assert "\n" not in str(exc)
    else:
        assert len(hits) <= 5
        if not raw and not hits:  # what nai search suggests then: the index's words, never an error
            assert all(isinstance(word, str) and word for word in store_search.suggest(archive.conn, expanded))
    assert fingerprint(archive.path) == before


@pytest.mark.parametrize(
    "query", ['NEAR("Haftar"', "\udcff\udcfe", "a" * 10_240, "\x00\x01\x02", "'); DROP TABLE x; --"]
)
@pytest.mark.parametrize("raw", [False, True])
def test_hostile_queries_through_the_cli(archive: Archive, query: str, raw: bool) -> None:
    result = Nai(archive.path)("search", *(["--raw"] if raw else []), "--", query)
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.stderr
    if result.exit_code == 1:
        assert raw and result.stderr.count("\n") == 1


def test_a_plain_query_reads_its_first_32_distinct_words_or_phrases(archive: Archive) -> None:
    """README, limits on input: a plain search reads the first 32 distinct words or phrases (and of
    a phrase, its first 32 words). All of those must match; what comes after them is not read."""
    nai = Nai(archive.path)
    body = nai.json("show", LIBYA_URL, "--format", "json")["body"]
    tokens = re.findall(r"\w+", body)
    words = list(dict.fromkeys(t.lower() for t in tokens))
    unknown = "zzyzxq"  # in no article

    def urls(*terms: str) -> list[str]:
        return [h["url"] for h in nai.json("search", "--format", "json", "--", " ".join(terms))]

    assert urls(*words[:32], unknown) == [LIBYA_URL]  # the 33rd is not read
    assert urls(*words[:31], unknown) == []  # the 32nd is
    assert urls(*[words[0]] * 5000, *words[1:32], unknown) == [LIBYA_URL]  # a word repeated counts once
    assert urls(*[words[0]] * 5000, *words[1:31], unknown) == []
    assert urls('"' + " ".join([*tokens[:32], unknown]) + '"') == [LIBYA_URL]  # a phrase: its first 32 words
    assert urls('"' + " ".join([*tokens[:31], unknown]) + '"') == []


@pytest.mark.parametrize("query", [" ".join(f"w{i}" for i in range(3000)), "a " * 50_000])
def test_long_queries_through_the_cli(archive: Archive, query: str) -> None:
    plain = Nai(archive.path)("search", "--", query)
    assert plain.exit_code == 0
    raw = Nai(archive.path)("search", "--raw", "--", query)
    assert raw.exit_code == 1 and raw.stderr.startswith("nai: --raw query longer than")


def test_a_tag_crowded_with_attributes_is_refused_before_parsing() -> None:
    page = b"<html><body><h1>A</h1><p " + b" ".join(b"a%d='x'" % i for i in range(200_000)) + b">t</p></body></html>"
    with pytest.raises(ParseError, match="more than 1000 attributes"):
        parse_page(page)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16"])
def test_a_crowded_tag_is_refused_in_any_encoding(encoding: str) -> None:
    attributes = " ".join(f"a{i}='é'" for i in range(1200))
    page = f"<html><body><h1>A</h1><p {attributes}>t</p></body></html>".encode(encoding)
    with pytest.raises(ParseError, match="more than 1000 attributes"):
        parse_page(page)


def test_a_run_of_equals_signs_in_the_text_is_not_a_crowded_tag() -> None:
    rule = "=" * 3000  # the byte-level prefilter sees 3,000 "=" in a row; the exact check clears them
    page = f"<html><body><h1>A headline</h1><p>{rule}</p><p>{'Text of the story. ' * 20}</p></body></html>"
    assert parse_page(page.encode()).headline == "A headline"


# ---- malformed URLs: from pages, feeds and sitemaps, all untrusted -----------------------------

ODD_HOSTS = [
    "north-africa.com",
    "[::1",
    "::1]",
    "[::1]x",
    "[zz]",
    "[north-africa.com]",
    "",
    "exa mple.com",
    "a\\b",
    "%41",
]
ODD_PORTS = [None, "", "abc", "99999", "65536", "-1", "0x50", "\uff18\uff10", " 80", "8\x000"]
ODD_PATHS = ["/story/", "/a\x01b/", "/a b/", "/%zz/", "/a\tb/", "/\udcff/", "/" + "a" * 3000, "/a\u2028b/", ""]


@st.composite
def odd_urls(draw: st.DrawFn) -> str:
    """URLs as pages, feeds and sitemaps may hold them: mostly malformed, some fine."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=60))
    scheme = draw(st.sampled_from(["https", "http", "HTTPS", "ftp", "", "javascript"]))
    host = draw(st.sampled_from(ODD_HOSTS) | st.text(max_size=12))
    port = draw(st.sampled_from(ODD_PORTS) | st.text(max_size=6))
    path = draw(st.sampled_from(ODD_PATHS) | st.text(max_size=30))
    url = (f"{scheme}:" if scheme else "") + draw(st.sampled_from(["//", "/", "///", ""])) + host
    url += (f":{port}" if port is not None else "") + path
    if draw(st.booleans()):
        url = "https://web.archive.org/web/20260205101010/" + url
    return url


def assert_usable(url: str | None) -> None:
    """What valid_url lets through, every helper of nai.urls takes, and urllib can take apart."""
    from urllib.parse import urlsplit

    from nai.urls import MAX_URL_CHARS, host_of, url_key, valid_url

    if url is None:
        return
    parts = urlsplit(url)
    assert parts.scheme.lower() in ("http", "https") and parts.hostname and host_of(url)
    assert parts.port is None or 0 <= parts.port <= 65535
    assert url_key(url) and valid_url(url) == url and len(url) <= MAX_URL_CHARS
    assert not re.search("[\x00-\x20\x7f\ud800-\udfff]", url)
    url.encode("utf-8")


@HYPOTHESIS
@given(url=odd_urls(), base=st.sampled_from([None, "https://north-africa.com/x/", "http://127.0.0.1:8000/"]))
def test_valid_url_and_absolute_url_accept_only_urls_every_helper_takes(url: str, base: str | None) -> None:
    from nai.urls import absolute_url, valid_url

    assert_usable(valid_url(url))
    try:
        absolute = absolute_url(url, base)
    except ValueError as exc:  # malformed: a one-line reason
        assert str(exc) and "\n" not in str(exc)
    else:
        assert_usable(absolute)


ARTICLE_SEEDS = [p.read_bytes() for p in GOLDEN_PAGES]
HREF = re.compile(rb'(href|content)="(https?://[^"]*)"')


@HYPOTHESIS
@given(page=st.sampled_from(ARTICLE_SEEDS), urls=st.lists(odd_urls(), min_size=1, max_size=6), data=st.data())
def test_pages_with_malformed_links_give_a_record_or_a_reason(
    page: bytes, urls: list[str], data: st.DataObject
) -> None:
    """Malformed URLs in the canonical link, og:url and the related block's links."""
    import html

    spots = list(HREF.finditer(page))
    for url in urls:
        match = data.draw(st.sampled_from(spots))
        value = html.escape(url, quote=True).encode("utf-8", "surrogateescape")
        page = page.replace(match.group(0), match.group(1) + b'="' + value + b'"')
    article = assert_article_or_reason(page)
    if article is not None:
        assert_usable(article.url)
        for story in article.related:
            assert_usable(story.url)


@HYPOTHESIS
@given(urls=st.lists(odd_urls(), max_size=8))
def test_sitemaps_feeds_and_listings_give_only_usable_urls(urls: list[str]) -> None:
    from xml.sax.saxutils import escape

    from nai.discover import parse_feed, parse_listing, parse_sitemap

    def xml(url: str) -> str:
        return escape(url.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))

    locs = "".join(f"<url><loc>{xml(u)}</loc></url><sitemap><loc>{xml(u)}</loc></sitemap>" for u in urls)
    sitemap = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode()
    feed = (
        "<rss><channel>" + "".join(f"<item><link>{xml(u)}</link></item>" for u in urls) + "</channel></rss>"
    ).encode()
    teasers = "".join(f"<article><h2><a href='{xml(u)}'>x</a></h2></article>" for u in urls)
    listing = f"<html><body>{teasers}<a rel='next' href='{xml(urls[0] if urls else '')}'>n</a></body></html>"
    found: list[str | None] = []
    for parse, data in ((parse_sitemap, sitemap), (parse_feed, feed)):
        try:
            result = parse(data)  # type: ignore[operator]
        except ParseError:
            continue
        entries = [*result[0], *result[1]] if isinstance(result, tuple) else result
        found += [e.url for e in entries]
    articles, next_page, categories = parse_listing(listing.encode(), "https://north-africa.com/")
    for url in [*found, *articles, next_page, *categories]:
        assert_usable(url)
