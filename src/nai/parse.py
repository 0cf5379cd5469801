"""A page's bytes to an Article: site rules first, trafilatura second. No I/O.

parse_page() is what ingest, scrape and reparse call: parse_article() within the page limits.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from . import dates
from .defaults import PAGE_SECONDS
from .errors import ParseError
from .model import Article, Author
from .page import Page, clean_text, first, ld_name, load_page
from .sites import rules_for
from .urls import host_of

log = logging.getLogger(__name__)


# WordPress body classes of pages that list articles rather than hold one.
LISTING_CLASSES = frozenset(
    {"home", "blog", "archive", "category", "tag", "search", "search-results", "date", "error404"}
)
# schema.org types of pages that list articles
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage"})
LISTING_MIN_TEASERS = 4
ARTICLE_CLASSES = re.compile(r"^(single|single-post|single-format-\w+|postid-\d+)$")
GENERIC_TITLE_SUFFIX = re.compile(r"\s+[-–—|·»]\s+[^-–—|·»]{2,60}$")


def parse_article(html: bytes | str, *, url: str | None = None) -> Article:
    """Parse one article page. `url` is where it came from, used when the page names no URL.

    Raises ParseError for anything that is not an article page.
    """
    page = load_page(html, url=url)
    _check_is_article(page)
    canonical = extract_url(page)
    site = rules_for(page)
    article = site.extract(page) if site is not None else extract_generic(page)
    if not article.headline:
        raise ParseError("no headline found: not an article page?")
    if not article.body:
        raise ParseError("no article text found: not an article page?")
    host = host_of(canonical) or (site.NAME if site is not None else None)
    return dataclasses.replace(article, url=canonical, site=host, notes=tuple(dict.fromkeys(page.notes)))


def extract_url(page: Page) -> str | None:
    """rel=canonical, else og:url, else the URL the caller gave (a malformed one is passed over);
    archive.org captures unwrapped (by Page.absolute)."""
    return first((page.links.get("canonical"), page.meta.get("og:url"), page.url), page.absolute)


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
    if (page.meta.get("og:type") or "").lower() != "website":
        return  # the teasers are counted only then: a quarter of a millisecond on an AMP page
    teasers = len(page.tree.findall(".//article")) + len(page.tree.xpath(".//*[self::h2 or self::h3][.//a]"))
    if teasers >= LISTING_MIN_TEASERS:
        raise ParseError(f"not an article page: a listing of {teasers} stories")


def _types(obj: dict[str, object]) -> list[str]:
    value = obj.get("@type")
    return [t for t in (value if isinstance(value, list) else [value]) if isinstance(t, str)]


def extract_generic(page: Page) -> Article:
    """Any site: standard metadata first, trafilatura for the text and what metadata lacks."""
    import trafilatura  # imported here: this site's pages never need it, and it is slow to load

    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        logging.getLogger(name).setLevel(max(logging.getLogger(name).level, logging.ERROR))
    doc = trafilatura.bare_extraction(
        page.text,
        url=page.url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        deduplicate=False,
    )
    text = getattr(doc, "text", None) or ""
    body = "\n\n".join(p for p in (clean_text(line) for line in text.split("\n")) if p)
    ld = page.article_ld() or {}
    headline = first(
        (ld.get("headline"), page.meta.get("og:title"), getattr(doc, "title", None)), clean_text
    ) or GENERIC_TITLE_SUFFIX.sub("", page.title)
    published = first(
        (ld.get("datePublished"), page.meta.get("article:published_time"), getattr(doc, "date", None)), dates.to_iso
    )
    author_name = ld_name(ld.get("author")) or page.first_meta("author") or getattr(doc, "author", None)
    return Article(
        headline=headline,
        body=body,
        published=published,
        author=Author(name=clean_text(author_name)) if author_name else None,
        rules="generic",
    )


def parse_page(data: bytes, *, url: str | None = None, seconds: float = PAGE_SECONDS) -> Article:
    """parse_article within a time limit, with the failures of hostile markup as ParseError."""
    try:
        with _time_limit(seconds):
            return parse_article(data, url=url)
    except _PageTimeout:
        raise ParseError(f"took longer than {seconds:g} s to parse (the limit; see --page-seconds)") from None
    except RecursionError:
        raise ParseError("markup nested too deeply") from None
    except MemoryError:
        raise ParseError("out of memory parsing this page") from None


def reparse_page(data: bytes, url: str | None) -> Article:
    """What `nai reparse` and `nai check --repair` run on each stored raw page."""
    return parse_page(data, url=url)


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
