"""nai scrape: find what the site published or changed, fetch only that, refresh read counts.

Discovery, cheapest first: robots.txt (rules, Crawl-delay, Sitemap: lines), the sitemaps (index,
nested, gzipped, <lastmod>), the feed and its pages, and, when the site has no sitemap, its
listing pages; links in the related-stories block of fetched articles too. What is known of
every URL lives in the archive's `urls` table, so each run fetches only what is new, changed
(a newer <lastmod>), failed before, or due for a read-count refresh, with conditional GETs.
"""

from __future__ import annotations

import json
import logging
import re
import time
import urllib.robotparser
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from . import dates
from .errors import FetchError, NaiError, ParseError
from .fetch import Fetcher, Response
from .gzipped import MAGIC, InflateError, inflate
from .ingest import DEFAULT_MAX_BYTES, parse_page
from .store import Archive, now_iso
from .urls import host_of, url_key

log = logging.getLogger(__name__)

DEFAULT_SITE = "https://north-africa.com"
SITEMAP_PATHS = ("/wp-sitemap.xml", "/sitemap_index.xml", "/sitemap.xml")
FEED_PATH = "/feed/"
MAX_FEED_PAGES = 50
MAX_LISTING_PAGES = 200
MAX_SITEMAP_DEPTH = 4
MAX_SITEMAP_BYTES = 64 * 1024 * 1024
REFRESH_INTERVAL = timedelta(hours=20)  # "each night", with room for a late cron run
# Sitemaps of things that are not articles: WordPress taxonomies, users, pages.
NON_ARTICLE_SITEMAP = re.compile(r"taxonom|users|author|categor|post_tag|tag-sitemap|page-sitemap|posts-page", re.I)
# Links that are never articles: archives, feeds, WordPress internals, files.
NON_ARTICLE_PATH = re.compile(
    r"^/?$|/(category|tag|author|page|feed|comments|search|wp-admin|wp-content|wp-includes|wp-json)(/|$)"
    r"|\.(jpe?g|png|gif|webp|pdf|xml|gz|css|js|zip|mp[34])$|/amp/?$",
    re.I,
)
SITEMAP_ROOTS = ("urlset", "sitemapindex")
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)


@dataclass(frozen=True, slots=True)
class Entry:
    url: str
    lastmod: str | None = None


@dataclass
class Report:
    """What one run did: the counts, the traffic, and the errors (one line each)."""

    started_at: str
    site: str
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    bytes: int = 0
    seconds: float = 0.0
    ended_at: str = ""

    def summary(self) -> str:
        parts = ", ".join(
            f"{self.counts[k]} {k}" for k in ("new", "updated", "unchanged", "refreshed", "removed", "failed")
        )
        kb = self.bytes / 1024
        return f"scrape: {parts}; {self.requests} requests, {kb:,.0f} KB, {self.seconds:.1f} s"

    def to_row(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "site": self.site,
            **{k: self.counts[k] for k in ("new", "updated", "unchanged", "refreshed", "removed", "skipped", "failed")},
            "requests": self.requests,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "errors": json.dumps(self.errors, ensure_ascii=False),
        }


# ---- parsing what discovery fetches (pure) ---------------------------------------------------


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
        loc = _child_text(item, "loc")
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
        if link:
            date = _child_text(item, "updated") or _child_text(item, "pubDate") or _child_text(item, "published")
            entries.append(Entry(url=link.strip(), lastmod=date))
    return entries


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
        href = a.get("href")
        if not href:
            continue
        url = urljoin(base, href.strip()).split("#")[0]
        if host_of(url) != host:
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
    if next_page is None and link_next is not None and link_next.get("href"):
        next_page = urljoin(base, link_next.get("href"))
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
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or host_of(url) != host:
        return False
    return not NON_ARTICLE_PATH.search(parts.path) and "?s=" not in url


# ---- the run ---------------------------------------------------------------------------------


class Scraper:
    def __init__(
        self,
        archive: Archive,
        fetcher: Fetcher,
        *,
        site: str = DEFAULT_SITE,
        delay: float | None = None,
        max_pages: int | None = None,
        since: str | None = None,
        refresh_days: int = 14,
    ) -> None:
        self.archive = archive
        self.fetcher = fetcher
        self.site = site.rstrip("/") + "/"
        self.host = host_of(self.site)
        self.delay = delay
        self.max_pages = max_pages
        self.since = since
        self.refresh_days = refresh_days
        self.robots = urllib.robotparser.RobotFileParser()
        self.queue: dict[str, dict[str, Any]] = {}  # key -> urls row (or a new one), in fetch order
        self.fetched = 0
        self.backfill = False  # a first run: walk feeds and listings to their end
        self.report = Report(started_at=now_iso(), site=self.site)

    def run(self) -> Report:
        """One scrape. Raises NaiError, before anything is written, when the site is unreachable."""
        start = time.monotonic()
        self.backfill = not self.archive.urls_of_kind_exist("article")
        self._robots()
        try:
            found_sitemap = self._sitemaps()
            self._feed()
            if not found_sitemap:
                self._listings()
            self._queue_pending()
            self._queue_refresh()
            while self.queue and (self.max_pages is None or self.fetched < self.max_pages):
                if self.fetcher.stopped:
                    self._fail(self.site, f"stopped early: {self.fetcher.stopped}")
                    break
                key = next(iter(self.queue))
                self._visit(self.queue.pop(key))
        except BaseException as exc:  # recorded in the runs table, then on its way
            self.report.errors.append(f"run interrupted: {type(exc).__name__}: {exc}")
            raise
        finally:
            self.report.requests = self.fetcher.requests
            self.report.bytes = self.fetcher.bytes
            self.report.seconds = time.monotonic() - start
            self.report.ended_at = now_iso()
            self.archive.record_run(self.report.to_row())
        return self.report

    def _fail(self, url: str, reason: str) -> None:
        self.report.counts["failed"] += 1
        self.report.errors.append(f"{url}: {reason}")
        log.error("%s: %s", url, reason)

    def _get(self, url: str, *, conditional: dict[str, Any] | None = None) -> Response:
        return self.fetcher.get(
            url,
            etag=(conditional or {}).get("etag"),
            last_modified=(conditional or {}).get("last_modified"),
        )

    # -- robots.txt

    def _robots(self) -> None:
        url = urljoin(self.site, "/robots.txt")
        state = self.archive.url_state(url)
        try:
            response = self._get(url, conditional=state)
        except FetchError as exc:
            raise NaiError(f"cannot reach {self.site}: {str(exc).removeprefix(url + ': ')}") from None
        if response.status >= 500 or response.status == 429:
            raise NaiError(f"{self.site} is not answering: robots.txt gives HTTP {response.status}")
        text = ""
        if response.status == 304 and state:
            text = state.get("body") or ""
        elif response.ok:
            text = response.body.decode("utf-8", errors="replace")
        self.robots.parse(text.splitlines())
        if response.status != 304:
            self.archive.record_url(
                url,
                kind="robots",
                last_fetched=now_iso(),
                status=response.status,
                etag=response.etag,
                last_modified=response.last_modified,
                body=text,
            )
        robots_delay = crawl_delay(text, self.fetcher.user_agent)
        self.fetcher.delay = self.delay if self.delay is not None else max(1.0, robots_delay)
        log.debug("robots.txt: crawl delay %s, waiting %.1fs between requests", robots_delay, self.fetcher.delay)

    def allowed(self, url: str) -> bool:
        return self.robots.can_fetch(self.fetcher.user_agent, url)

    # -- sitemaps

    def _sitemaps(self) -> bool:
        """Walk the sitemaps; True when the site has one."""
        named = list(dict.fromkeys(self.robots.site_maps() or []))
        candidates = named or [urljoin(self.site, p) for p in SITEMAP_PATHS]
        found = False
        for url in candidates:
            if self._sitemap(url, parent=None, lastmod=None, depth=0) is not False:
                found = True
                if not named:
                    break  # one WordPress index is the whole site
        return found

    def _sitemap(self, url: str, *, parent: str | None, lastmod: str | None, depth: int) -> bool | None:
        """Read one sitemap and its children: True when read (or unchanged), False when it is not a
        sitemap, None when it failed (then its index is read again in full next run)."""
        if depth > MAX_SITEMAP_DEPTH or host_of(url) != self.host or not self.allowed(url):
            return False
        state = self.archive.url_state(url)
        parent_key = url_key(parent) if parent else None
        if state and lastmod and state.get("lastmod") == lastmod and state.get("status") in (200, 304):
            return True  # the index says it has not changed since we read it
        try:
            response = self._get(url, conditional=state)
        except FetchError as exc:
            self._sitemap_failed(url, parent_key, None, str(exc).removeprefix(url + ": "))
            return None
        now = now_iso()
        if response.status == 304:
            complete = all(
                self._sitemap(known["url"], parent=url, lastmod=known["lastmod"], depth=depth + 1) is not None
                for known in self.archive.child_sitemaps(url)
            )
            self.archive.record_url(url, kind="sitemap", parent=parent_key, last_fetched=now, status=304)
            if not complete:
                self._forget_validators(url)
            return True
        if response.status == 404 and depth == 0:
            return False  # no sitemap at this address
        if not response.ok:
            self._sitemap_failed(url, parent_key, response.status, f"HTTP {response.status}")
            return None
        try:
            children, pages = parse_sitemap(response.body)
        except ParseError as exc:
            if depth == 0:
                return False  # e.g. a site that answers every path with a page
            self._sitemap_failed(url, parent_key, response.status, str(exc))
            return None
        with self.archive.transaction():
            self.archive.record_url(
                url,
                kind="sitemap",
                parent=parent_key,
                last_fetched=now,
                status=response.status,
                etag=response.etag,
                last_modified=response.last_modified,
                lastmod=lastmod,
                error=None,
            )
            self._note_articles(pages, now)
        complete = True
        for child in children:
            if not NON_ARTICLE_SITEMAP.search(child.url):
                complete &= self._sitemap(child.url, parent=url, lastmod=child.lastmod, depth=depth + 1) is not None
        if not complete:
            self._forget_validators(url)
        return True

    def _sitemap_failed(self, url: str, parent: str | None, status: int | None, reason: str) -> None:
        """Recorded, so that the next run asks for this sitemap again even when its index is a 304."""
        self._fail(url, reason)
        self.archive.record_url(
            url, kind="sitemap", parent=parent, status=status, error=reason, etag=None, last_modified=None, lastmod=None
        )

    def _forget_validators(self, url: str) -> None:
        """A child failed: next run, read this index in full instead of trusting a 304."""
        self.archive.record_url(url, kind="sitemap", etag=None, last_modified=None, lastmod=None)

    def _note_articles(self, entries: list[Entry], now: str) -> int:
        """Record article URLs (with their <lastmod>); how many were not known before."""
        entries = [e for e in entries if is_article_url(e.url, self.host)]
        known = self.archive.known_keys([url_key(e.url) for e in entries])
        fresh = 0
        with self.archive.transaction():
            for entry in entries:
                key = url_key(entry.url)
                if key not in known:
                    fresh += 1
                    known.add(key)
                    self.archive.record_url(entry.url, kind="article", now=now, lastmod=entry.lastmod)
                elif entry.lastmod:
                    self.archive.conn.execute(
                        "UPDATE urls SET lastmod = ? WHERE key = ? AND kind IN ('article', 'gone', 'skipped') "
                        "AND (lastmod IS NULL OR lastmod < ?)",
                        (entry.lastmod, key, entry.lastmod),
                    )
        return fresh

    # -- the feed and listing pages

    def _feed(self) -> None:
        url = urljoin(self.site, FEED_PATH)
        for page in range(1, MAX_FEED_PAGES + 1):
            page_url = url if page == 1 else f"{url}?paged={page}"
            if not self.allowed(page_url):
                return
            state = self.archive.url_state(page_url)
            try:
                response = self._get(page_url, conditional=state)
            except FetchError as exc:
                self._fail(page_url, str(exc).removeprefix(page_url + ": "))
                return
            if response.status == 304 or not response.ok:
                return  # nothing new, or no (more) feed pages
            try:
                entries = parse_feed(response.body)
            except ParseError:
                return
            now = now_iso()
            self.archive.record_url(
                page_url,
                kind="feed",
                last_fetched=now,
                status=response.status,
                etag=response.etag,
                last_modified=response.last_modified,
            )
            if not self._note_articles([Entry(e.url) for e in entries], now) and not self.backfill:
                return  # this page holds nothing new: older pages will not either

    def _listings(self) -> None:
        """No sitemap: the home page and category pages, following "next" while they show new links."""
        todo = [self.site]
        seen: set[str] = set()
        pages = 0
        while todo and pages < MAX_LISTING_PAGES:
            url = todo.pop(0)
            if url in seen or not self.allowed(url):
                continue
            seen.add(url)
            try:
                response = self._get(url)
            except FetchError as exc:
                self._fail(url, str(exc).removeprefix(url + ": "))
                continue
            pages += 1
            if not response.ok:
                continue
            articles, next_page, categories = parse_listing(response.body, response.url)
            fresh = self._note_articles([Entry(a) for a in articles], now_iso())
            if url == self.site:
                todo.extend(c for c in categories if c not in seen)
            if next_page and (fresh or self.backfill):  # nothing new here: older pages hold nothing new
                todo.insert(0, next_page)

    # -- what to fetch

    def _queue_pending(self) -> None:
        for row in self.archive.pending_urls():
            if self.since and row.get("lastmod") and row["lastmod"][:10] < self.since and not row["article_id"]:
                continue  # --since: older than the backfill wants
            self.queue.setdefault(row["key"], {**row, "reason": "changed" if row["article_id"] else "new"})

    def _queue_refresh(self) -> None:
        now = datetime.now(timezone.utc)
        since = (now - timedelta(days=self.refresh_days)).date().isoformat()
        before = (now - REFRESH_INTERVAL).isoformat(timespec="microseconds")
        for row in self.archive.due_for_refresh(published_since=since, fetched_before=before):
            self.queue.setdefault(row["key"], {**row, "reason": "refresh"})

    # -- fetching an article

    def _visit(self, row: dict[str, Any]) -> None:
        url = row["url"]
        if not self.allowed(url):
            self.archive.record_url(url, kind="disallowed")
            self.report.counts["skipped"] += 1
            return
        state = self.archive.url_state(url)
        if state and state.get("last_fetched") and state["last_fetched"] >= self.report.started_at:
            return  # fetched already in this run, under another of its URLs
        self.fetched += 1
        stored = row.get("article_id") is not None
        try:
            response = self._get(url, conditional=row if stored else None)
        except FetchError as exc:
            reason = str(exc).removeprefix(url + ": ")
            self.archive.record_url(url, kind="article", last_fetched=now_iso(), error=reason)
            self._fail(url, reason)
            return
        now = now_iso()
        seen: dict[str, Any] = {"last_fetched": now, "status": response.status}
        if response.status == 304:
            self.archive.record_url(url, kind="article", **seen, fetched_lastmod=row.get("lastmod"), error=None)
            self.report.counts["refreshed" if row["reason"] == "refresh" else "unchanged"] += 1
        elif response.status in (404, 410):
            if stored:
                self.archive.mark_removed(row["article_id"], status=response.status, now=now)
                self.archive.record_url(url, kind="article", **seen, fetched_lastmod=row.get("lastmod"), error=None)
                self.report.counts["removed"] += 1
            else:
                self.archive.record_url(
                    url, kind="gone", **seen, fetched_lastmod=row.get("lastmod"), error=f"HTTP {response.status}"
                )
                self.report.counts["skipped"] += 1
        elif 300 <= response.status < 400:  # a redirect to another site: not ours to follow
            reason = f"redirects to another site (HTTP {response.status})"
            kind = "article" if stored else "skipped"
            self.archive.record_url(url, kind=kind, **seen, fetched_lastmod=row.get("lastmod"), error=reason)
            self.report.counts["skipped"] += 1
        elif not response.ok:
            self.archive.record_url(url, kind="article", **seen, error=f"HTTP {response.status}")
            self._fail(url, f"HTTP {response.status}")
        else:
            self._store(row, response, now)

    def _store(self, row: dict[str, Any], response: Response, now: str) -> None:
        url = row["url"]
        seen: dict[str, Any] = {
            "last_fetched": now,
            "status": response.status,
            "etag": response.etag,
            "last_modified": response.last_modified,
        }
        if len(response.body) > DEFAULT_MAX_BYTES:
            self.archive.record_url(url, kind="skipped", **seen, error="page larger than the 8 MB limit")
            self.report.counts["skipped"] += 1
            return
        try:
            article = parse_page(response.body, url=response.url)
        except ParseError as exc:
            if "truncated" in str(exc):  # a transfer cut short: try again next run
                self.archive.record_url(url, kind="article", **seen, error=str(exc))
                self._fail(url, str(exc))
                return
            kind = "article" if row.get("article_id") else "skipped"  # a stored one stays watched
            self.archive.record_url(url, kind=kind, **seen, fetched_lastmod=row.get("lastmod"), error=str(exc))
            self.report.counts["skipped"] += 1
            log.debug("%s: skipped: %s", url, exc)
            return
        if self.since and row["reason"] == "new" and article.published and article.published[:10] < self.since:
            self.archive.record_url(
                url, kind="skipped", **seen, fetched_lastmod=row.get("lastmod"), error="published before --since"
            )
            self.report.counts["skipped"] += 1
            return
        with self.archive.transaction():
            saved = self.archive.save(article, raw=response.body, raw_url=response.url, source=url, observed_at=now)
            fields = {**seen, "fetched_lastmod": row.get("lastmod"), "article_id": saved.id, "error": None}
            for alias in dict.fromkeys([url, response.url, article.url or url]):
                self.archive.record_url(alias, kind="article", now=now, **fields)
        status = "refreshed" if row["reason"] == "refresh" and saved.status == "unchanged" else saved.status
        self.report.counts[status] += 1
        log.debug("%s: %s (id %d)", url, status, saved.id)
        for story in article.related:  # the related block is discovery too
            key = url_key(story.url)
            if is_article_url(story.url, self.host) and key not in self.queue and not self.archive.url_state(story.url):
                self.archive.record_url(story.url, kind="article", now=now)
                self.queue[key] = {"key": key, "url": story.url, "article_id": None, "reason": "new"}
