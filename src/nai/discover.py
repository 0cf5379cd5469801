"""Discovery, pure: what robots.txt, sitemaps, feeds and listing pages say about a site's articles.

Each parser takes bytes (or text) and returns entries; none fetches, stores or prints. `nai
scrape` (nai.scrape) fetches what these name. A new discovery source goes here as one more parser.
The URLs they give are checked (nai.urls.check_url): a malformed one is dropped, with a note (INFO).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from . import dates
from .errors import ParseError
from .gzipped import MAGIC, InflateError, inflate
from .sites.wordpress import is_story_path
from .urls import absolute_url, check_url, host_of, quoted, valid_url

log = logging.getLogger(__name__)
SITEMAP_PATHS = ("/wp-sitemap.xml", "/sitemap_index.xml", "/sitemap.xml")
FEED_PATH = "/feed/"
MAX_SITEMAP_BYTES = 64 * 1024 * 1024
# Sitemaps of things that are not articles: WordPress taxonomies, users, pages.
NON_ARTICLE_SITEMAP = re.compile(r"taxonom|users|author|categor|post_tag|tag-sitemap|page-sitemap|posts-page", re.I)
# Besides WordPress's paths that are not stories (nai.sites.wordpress): what discovery never fetches
# as an article, the home page, files, and AMP copies of stories (their canonical page is fetched).
NOT_FETCHED_PATH = re.compile(r"^/?$|\.(jpe?g|png|gif|webp|pdf|xml|gz|css|js|zip|mp[34])$|/amp/?$", re.I)
SITEMAP_ROOTS = ("urlset", "sitemapindex")
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)


@dataclass(frozen=True, slots=True)
class Entry:
    url: str
    lastmod: str | None = None


def parse_sitemap(data: bytes) -> tuple[list[Entry], list[Entry]]:
    """A sitemap's (child sitemaps, page URLs), each with its <lastmod>; gzipped or not."""
    if data.startswith(MAGIC):
        try:
            data = inflate(data, limit=MAX_SITEMAP_BYTES)
        except InflateError as exc:
            raise ParseError(f"sitemap: {exc}") from None
    try:
        root = etree.fromstring(data.strip(), parser=XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"not a sitemap: {exc}") from None
    if root is None or not isinstance(root.tag, str) or etree.QName(root).localname not in SITEMAP_ROOTS:
        raise ParseError("not a sitemap: no <urlset> or <sitemapindex>")
    children: list[Entry] = []
    pages: list[Entry] = []
    for item in root:
        if not isinstance(item.tag, str):
            continue
        tag = etree.QName(item).localname
        loc = _checked(_child_text(item, "loc"), "a sitemap")
        if not loc:
            continue
        entry = Entry(url=loc, lastmod=utc_lastmod(_child_text(item, "lastmod")))
        (children if tag == "sitemap" else pages if tag == "url" else []).append(entry)
    return children, pages


def utc_lastmod(value: str | None) -> str | None:
    """A <lastmod> in UTC, so that text comparison is time comparison ('…+01:00' vs '…Z')."""
    if not value:
        return None
    iso = dates.to_iso(value)
    if iso is None:
        return value
    if "T" not in iso:
        return iso + "T00:00:00+00:00"
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


def _child_text(element: Any, name: str) -> str | None:
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == name and child.text:
            return str(child.text).strip()
    return None


def parse_feed(data: bytes) -> list[Entry]:
    """RSS <item><link> or Atom <entry><link href>, with their dates, in feed order."""
    try:
        root = etree.fromstring(data.strip(), parser=XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"not a feed: {exc}") from None
    if root is None:
        raise ParseError("not a feed: empty document")
    entries = []
    for item in root.iter():
        if not isinstance(item.tag, str) or etree.QName(item).localname not in ("item", "entry"):
            continue
        link = _child_text(item, "link") or next(
            (
                child.get("href")
                for child in item
                if isinstance(child.tag, str)
                and etree.QName(child).localname == "link"
                and child.get("href")
                and child.get("rel", "alternate") == "alternate"
            ),
            None,
        )
        link = _checked(link, "a feed")
        if link:
            date = _child_text(item, "updated") or _child_text(item, "pubDate") or _child_text(item, "published")
            entries.append(Entry(url=link, lastmod=date))
    return entries


def checked(urls: Iterable[str], where: str) -> list[str]:
    """The URLs that check_url takes (a malformed one is dropped, with a note naming `where`)."""
    return [url for url in (_checked(u, where) for u in urls) if url]


def _checked(url: str | None, where: str) -> str | None:
    """The URL (check_url), or None when there is none or it is malformed (noted)."""
    if not url or not url.strip():
        return None
    try:
        return check_url(url)
    except ValueError as exc:
        log.info("dropped a malformed URL in %s (%s): %s", where, exc, quoted(url))
        return None


def _link(href: str | None, base: str) -> str | None:
    """A listing's link as an absolute URL without its fragment, or None (a malformed one noted)."""
    try:
        url = absolute_url(href, base)
    except ValueError as exc:
        log.info("dropped a malformed URL in a listing (%s): %s", exc, quoted(href or ""))
        return None
    return url.split("#")[0] if url else None


def parse_listing(data: bytes, base: str) -> tuple[list[str], str | None, list[str]]:
    """A listing page's (article links, next page, category pages), in page order."""
    try:
        tree = lxml_html.document_fromstring(data)
    except (etree.ParserError, ValueError):
        return [], None, []
    host = host_of(base)
    articles: list[str] = []
    categories: list[str] = []
    next_page = None
    for a in tree.iter("a"):
        url = _link(a.get("href"), base)
        if url is None or host_of(url) != host:
            continue
        rel = (a.get("rel") or "").split()
        classes = (a.get("class") or "").split()
        if "next" in rel or "next" in classes:
            next_page = next_page or url
        elif "/category/" in urlsplit(url).path and "/page/" not in urlsplit(url).path:
            categories.append(url)
        elif _is_teaser(a) and is_article_url(url, host):
            articles.append(url)
    link_next = tree.find(".//link[@rel='next']")
    if next_page is None and link_next is not None:
        next_page = _link(link_next.get("href"), base)
    return list(dict.fromkeys(articles)), next_page, list(dict.fromkeys(categories))


def crawl_delay(robots: str, user_agent: str) -> float:
    """robots.txt's Crawl-delay for our user agent (its group, else "*"), fractions included:
    urllib.robotparser reads whole seconds only."""
    agent = user_agent.split("/")[0].strip().lower()
    delays: dict[str, float] = {}
    group: list[str] = []
    in_rules = False
    for line in robots.splitlines():
        key, _, value = line.split("#")[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            if in_rules:
                group, in_rules = [], False
            group.append(value.lower())
        elif key:
            in_rules = True
            if key == "crawl-delay":
                try:
                    seconds = float(value)
                except ValueError:
                    continue
                for name in group:
                    delays.setdefault(name, seconds)
    mine = next((d for name, d in delays.items() if name != "*" and name in agent), None)
    return mine if mine is not None else delays.get("*", 0.0)


def _is_teaser(a: Any) -> bool:
    """A link to a story in a listing: inside an <article> or a heading, not in the menus."""
    node = a.getparent()
    while node is not None:
        tag = node.tag if isinstance(node.tag, str) else ""
        classes = node.get("class") or ""
        if tag in ("nav", "header", "footer", "aside") or "menu" in classes or "widget" in classes:
            return False
        if tag in ("article", "h1", "h2", "h3", "h4") or "entry-title" in classes or "post" in classes.split():
            return True
        node = node.getparent()
    return False


def is_article_url(url: str, host: str | None) -> bool:
    if valid_url(url) is None:
        return False
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or host_of(url) != host:
        return False
    return is_story_path(parts.path) and not NOT_FETCHED_PATH.search(parts.path) and "?s=" not in url
