"""A page's bytes to an Article: site rules first, trafilatura second. No I/O.

parse_page() is what ingest, scrape and reparse call: parse_article() within the page limits.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from . import dates
from .defaults import PAGE_SECONDS
from .errors import ParseError, TruncatedPage
from .model import Article, Author
from .page import ARTICLE_TYPES, Page, clean_text, first, ld_name, load_page, text_of
from .sites import rules_for
from .sites.content import find_content
from .urls import capture_time, host_of

log = logging.getLogger(__name__)


# WordPress body classes of pages that list articles rather than hold one.
LISTING_CLASSES = frozenset(
    {"home", "blog", "archive", "category", "tag", "search", "search-results", "date", "error404"}
)
# schema.org types of pages that list articles
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage"})
LISTING_MIN_TEASERS = 4
# A listing's teasers are a headline and an excerpt (WordPress's is 55 words) each: a page with
# this many words of text for each teaser holds more than teasers (an article with a few
# "related" headings).
LISTING_MAX_WORDS_A_TEASER = 250
ARTICLE_CLASSES = re.compile(r"^(single|single-post|single-format-\w+|postid-\d+)$")
GENERIC_TITLE_SUFFIX = re.compile(r"\s+[-–—|·»]\s+[^-–—|·»]{2,60}$")
TRUNCATED = "truncated HTML: the page ends before its article does (no </body></html>)"


def parse_article(html: bytes | str, *, url: str | None = None, charset: str | None = None) -> Article:
    """Parse one article page. `url` is where it came from, used when the page names no URL;
    `charset`, what its HTTP response's Content-Type said (for a fetched page).

    Raises ParseError for anything that is not an article page.
    """
    page = load_page(html, url=url, charset=charset)
    try:
        _check_is_article(page)
        site = rules_for(page)
        article = site.extract(page) if site is not None else extract_generic(page)
        if not article.headline:
            raise ParseError("no headline found: not an article page?")
        if not article.body:
            raise ParseError("no article text found: not an article page?")
    except TruncatedPage:
        raise
    except ParseError as exc:
        if page.cut_in is not None:  # what is missing may be past the cut: fetch it again
            raise TruncatedPage(f"{TRUNCATED}; {exc}") from None
        raise
    if not page.holds_whole():
        raise TruncatedPage(TRUNCATED)
    canonical = extract_url(page)
    host = host_of(canonical) or (site.NAME if site is not None else None)
    return article._replace(
        url=canonical, site=host, notes=tuple(dict.fromkeys(page.notes)), captured_at=capture_of(page)
    )


def extract_url(page: Page) -> str | None:
    """rel=canonical, else og:url, else the URL the caller gave (a malformed one is passed over);
    archive.org captures unwrapped (by Page.absolute)."""
    return first((page.links.get("canonical"), page.meta.get("og:url"), page.url), page.absolute)


def capture_of(page: Page) -> str | None:
    """When the page was captured, when it is one saved from archive.org: its own URL says so
    (rel=canonical and og:url, which the Wayback Machine rewrites to the capture's, else the URL
    the caller gave), with the capture's timestamp."""
    for candidate in (page.links.get("canonical"), page.meta.get("og:url"), page.url):
        if isinstance(candidate, str) and (when := capture_time(candidate.strip())):
            return when
    return None


def _check_is_article(page: Page) -> None:
    """Refuse home pages, category and tag archives, search results: they list articles."""
    classes = page.body_classes
    if any(ARTICLE_CLASSES.match(c) for c in classes):
        return
    if "page" in classes or any(c.startswith("page-id-") for c in classes):
        raise ParseError("not an article page: a static page (body class page)")
    listing = sorted(classes & LISTING_CLASSES)
    if listing:
        raise ParseError(f"not an article page: a listing (body class {', '.join(listing)})")
    types = {t.lower() for obj in page.jsonld for t in _types(obj)}
    if types & LISTING_TYPES and not page.article_ld():
        raise ParseError(f"not an article page: a listing ({', '.join(sorted(types & LISTING_TYPES))})")
    if (page.meta.get("og:type") or "").lower() != "website" or types & (ARTICLE_TYPES - {"webpage"}):
        return  # many news sites say og:type website of their articles; JSON-LD saying Article wins
    teasers = len(page.tree.findall(".//article")) + len(page.tree.xpath(".//*[self::h2 or self::h3][.//a]"))
    if teasers >= LISTING_MIN_TEASERS and len(text_of(page.tree).split()) < LISTING_MAX_WORDS_A_TEASER * teasers:
        raise ParseError(f"not an article page: a listing of {teasers} stories")


def _types(obj: dict[str, object]) -> list[str]:
    value = obj.get("@type")
    return [t for t in (value if isinstance(value, list) else [value]) if isinstance(t, str)]


def extract_generic(page: Page) -> Article:
    """Any site: standard metadata first, trafilatura for the text and what metadata lacks.

    The body is trafilatura's balanced extraction (tables included, comments not), cut where
    its precision mode ends the article when more than a few paragraphs follow there: see
    generic_body. bench/generic_bench.py measures it against trafilatura's settings."""
    import trafilatura  # imported here: this site's pages never need it, and it is slow to load

    if page.cut_in is not None:  # the element trafilatura reads the text from, as near as the page tells
        page.parts = (find_content(page, ()),)

    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        logging.getLogger(name).setLevel(max(logging.getLogger(name).level, logging.ERROR))

    def extraction(precision: bool) -> Any:
        return trafilatura.bare_extraction(
            page.text,
            url=page.url,
            favor_precision=precision,
            fast=precision,
            with_metadata=not precision,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
        )

    doc = extraction(precision=False)
    text = getattr(doc, "text", None) or ""
    precise = extraction(precision=True) if text else None
    paragraphs = generic_body(_paragraphs(text), _paragraphs(getattr(precise, "text", None) or ""))
    ld = page.article_ld() or {}
    title = _clean_generic(getattr(doc, "title", None))
    headline = first((ld.get("headline"), page.meta.get("og:title"), title), _clean_generic) or (
        GENERIC_TITLE_SUFFIX.sub("", _clean_generic(page.title))
    )
    if len(paragraphs) > 1 and paragraphs[0].casefold() in {headline.casefold(), title.casefold()}:
        paragraphs = paragraphs[1:]  # the page's h1 over the text: the record's headline already
    body = "\n\n".join(paragraphs)
    published = first(
        (ld.get("datePublished"), page.meta.get("article:published_time"), getattr(doc, "date", None)), dates.to_iso
    )
    author_name = ld_name(ld.get("author")) or page.first_meta("author") or getattr(doc, "author", None)
    return Article(
        headline=headline,
        body=body,
        published=published,
        author=Author(name=_clean_generic(author_name)) if author_name else None,
        rules="generic",
    )


#: Paragraphs after the last one that trafilatura's precision mode also keeps: up to this many
#: stay (a credit line, "Additional reporting by ...", a last list item it trimmed); a longer run
#: is what follows an article (readers' comments, related stories, newsletter and cookie boxes).
MAX_TRAILING_PARAGRAPHS = 2
TABLE_RULE = re.compile(r"^[|:\- ]+$")


def generic_body(balanced: list[str], precise: list[str]) -> list[str]:
    """The body's paragraphs from trafilatura's balanced and precision extractions of a page.

    Precision mode drops boilerplate after the article, but also short paragraphs within it
    (an interview's questions, list items, a closing line): the balanced paragraphs are kept up
    to the last one precision mode keeps too, and those after it when they are few. When the
    two disagree on where the article is (less than half of precision mode's text is among the
    balanced paragraphs), the balanced extraction stands."""
    found = set(balanced)
    if sum(len(p) for p in precise if p in found) * 2 < sum(map(len, precise)):
        return balanced
    kept = set(precise)
    last = max((i for i, paragraph in enumerate(balanced) if paragraph in kept), default=None)
    if last is None or len(balanced) - last - 1 <= MAX_TRAILING_PARAGRAPHS:
        return balanced
    return balanced[: last + 1]


def _paragraphs(text: str) -> list[str]:
    """trafilatura's text (a paragraph a line) as clean, non-empty paragraphs; a table's rows,
    "| Djanet | 23 |", as "Djanet | 23", without the "|---|---|" rule under the header."""
    out = []
    for line in text.split("\n"):
        paragraph = _clean_generic(line)
        if len(paragraph) > 1 and paragraph[0] == paragraph[-1] == "|":
            paragraph = "" if TABLE_RULE.match(paragraph) else paragraph.strip("|").strip()
        if paragraph:
            out.append(paragraph)
    return out


def _clean_generic(text: str | None) -> str:
    """clean_text, in Unicode's composed form (NFC): pages in decomposed form ("u" and a combining
    diaeresis for "ü") give the words a search for them looks for."""
    return unicodedata.normalize("NFC", clean_text(text))


def parse_page(
    data: bytes, *, url: str | None = None, seconds: float = PAGE_SECONDS, charset: str | None = None
) -> Article:
    """parse_article within a time limit, with the failures of hostile markup as ParseError."""
    try:
        with _time_limit(seconds):
            return parse_article(data, url=url, charset=charset)
    except _PageTimeout:
        raise ParseError(f"took longer than {seconds:g} s to parse (the limit; see --page-seconds)") from None
    except RecursionError:
        raise ParseError("markup nested too deeply") from None
    except MemoryError:
        raise ParseError("out of memory parsing this page") from None


def reparse_page(data: bytes, url: str | None, charset: str | None = None) -> Article:
    """What `nai reparse` and `nai check --repair` run on each stored raw page, with the charset its
    HTTP response named."""
    return parse_page(data, url=url, charset=charset)


def megabytes(n: int) -> str:
    """A size as the limits' messages give it: "8.0 MB"."""
    return f"{n / 1024 / 1024:.1f} MB"


class _PageTimeout(Exception):
    pass


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """SIGALRM after `seconds`, in the main thread (elsewhere: no limit). Checked between Python
    steps, so a single lxml call finishes first; the size and element limits bound those."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _PageTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
