"""nai scrape: find what the site published or changed, fetch only that, refresh read counts.

Discovery, cheapest first: robots.txt (rules, Crawl-delay, Sitemap: lines), the sitemaps (index,
nested, gzipped, <lastmod>), the feed and its pages, and, when the site has no sitemap, its
listing pages; links in the related-stories block of fetched articles too. What is known of
every URL lives in the archive's `urls` table (nai.store.crawl), so each run fetches only what
is new, changed (a newer <lastmod>), failed before, or due for a read-count refresh, with
conditional GETs. What the fetched documents say is read by nai.discover; a run returns a
Report, which the CLI renders.

Each run also checks the site's layout (nai.store.fill): the fields of the pages it stored,
against those of the site's articles stored in the 90 days before it, read when it starts. A
field that fell is a layout alarm in the Report; the pages are stored all the same.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import urllib.robotparser
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from . import stopping
from .defaults import MAX_PAGE_BYTES, REFRESH_DAYS, SITE
from .discover import (
    FEED_PATH,
    NON_ARTICLE_SITEMAP,
    SITEMAP_PATHS,
    Entry,
    checked,
    crawl_delay,
    is_article_url,
    parse_feed,
    parse_listing,
    parse_sitemap,
)
from .errors import FetchError, ParseError, SiteUnreachable, TruncatedPage, unexpected
from .fetch import Fetcher, Response
from .model import Article, Saved
from .parse import megabytes, parse_page
from .store import Archive, Crawl, Run, UrlKind, UrlState, fill, now_iso
from .store.crawl import UrlChanges
from .store.fill import FieldFill
from .urls import host_of, url_key

if TYPE_CHECKING:
    from typing_extensions import Unpack

log = logging.getLogger(__name__)

MAX_FEED_PAGES = 50
MAX_LISTING_PAGES = 200
MAX_SITEMAP_DEPTH = 4
REFRESH_INTERVAL = timedelta(hours=20)  # "each night", with room for a late cron run


class Reason(str, Enum):
    """Why an article URL is fetched this run."""

    NEW = "new"  # never stored
    CHANGED = "changed"  # stored, and its sitemap <lastmod> is newer, or it failed last time
    REFRESH = "refresh"  # recent: its read count is followed each night


@dataclass(frozen=True, slots=True)
class Queued:
    state: UrlState
    reason: Reason


@contextmanager
def fails_alone(url: str, failed: Callable[[str, str], object]) -> Iterator[None]:
    """An unexpected error while handling `url` (a bug, or input no rule foresaw) fails that URL alone:
    `failed(url, reason)` records it, to be tried again next run. The archive failing (sqlite3.Error:
    disk full, read-only) still stops the run."""
    try:
        yield
    except sqlite3.Error:
        raise
    except Exception as exc:
        log.debug("%s: %s", url, unexpected(exc), exc_info=True)
        failed(url, unexpected(exc))


@dataclass
class Report:
    """What one run did: the counts, the traffic, the errors (one line each), and how often each
    site-rule field was filled on its pages against the earlier articles of their site (nai.store.fill)."""

    started_at: str
    site: str
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    bytes: int = 0
    seconds: float = 0.0
    ended_at: str = ""
    fields: tuple[FieldFill, ...] = ()

    @property
    def layout_alarms(self) -> list[FieldFill]:
        """Fields that were filled on 90% of the earlier articles and fell below half tonight."""
        return fill.alarms(self.fields)

    def to_run(self) -> Run:
        return Run(
            started_at=self.started_at,
            ended_at=self.ended_at,
            site=self.site,
            new=self.counts["new"],
            updated=self.counts["updated"],
            unchanged=self.counts["unchanged"],
            refreshed=self.counts["refreshed"],
            removed=self.counts["removed"],
            skipped=self.counts["skipped"],
            failed=self.counts["failed"],
            requests=self.requests,
            bytes=self.bytes,
            seconds=round(self.seconds, 3),
            errors=tuple(self.errors),
            fields=self.fields,
        )


def _save(archive: Archive, article: Article, response: Response, *, source: str, now: str) -> Saved:
    """A fetched page's article stored, with its raw page and the charset its response named."""
    return archive.save(
        article, page=response.body, page_url=response.url, source=source, observed_at=now, charset=response.charset
    )


class Scraper:
    def __init__(
        self,
        archive: Archive,
        fetcher: Fetcher,
        *,
        site: str = SITE,
        delay: float | None = None,
        max_pages: int | None = None,
        since: str | None = None,
        refresh_days: int = REFRESH_DAYS,
    ) -> None:
        self.archive = archive
        self.crawl = Crawl(archive)
        self.fetcher = fetcher
        self.site = site.rstrip("/") + "/"
        self.host = host_of(self.site)
        self.delay = delay
        self.max_pages = max_pages
        self.since = since
        self.refresh_days = refresh_days
        self.robots = urllib.robotparser.RobotFileParser()
        self.queue: dict[str, Queued] = {}  # by URL key, in fetch order
        self.fetched = 0
        self.backfill = False  # a first run: walk feeds and listings to their end
        self.report = Report(started_at=now_iso(), site=self.site)
        self.tally = fill.Tally()  # the fields of the pages stored this run

    def run(self) -> Report:
        """One scrape. Raises SiteUnreachable, before anything is written, when the site cannot be reached."""
        start = time.monotonic()
        self.backfill = not self.crawl.any_of(UrlKind.ARTICLE)
        before = fill.stored_before(self.archive.conn, self.report.started_at)  # read before anything is stored
        self._robots()
        try:
            found_sitemap = self._sitemaps()
            self._feed()
            if not found_sitemap:
                self._listings()
            self._queue_pending()
            self._queue_refresh()
            while self.queue and (self.max_pages is None or self.fetched < self.max_pages):
                stopping.stop_if_taken()  # a Ctrl-C that code of another project swallowed
                if self.fetcher.stopped:
                    self._fail(self.site, f"stopped early: {self.fetcher.stopped}")
                    break
                queued = self.queue.pop(next(iter(self.queue)))
                with fails_alone(queued.state.url, self._visit_failed):
                    self._visit(queued)
        except BaseException as exc:  # recorded in the runs table, then on its way
            self.report.errors.append(f"run interrupted: {type(exc).__name__}: {exc}")
            raise
        finally:
            self.report.requests = self.fetcher.requests
            self.report.bytes = self.fetcher.bytes
            self.report.seconds = time.monotonic() - start
            self.report.ended_at = now_iso()
            self.report.fields = fill.compare(self.tally.samples(), before)
            self.crawl.record_run(self.report.to_run())
        return self.report

    def _fail(self, url: str, reason: str) -> None:
        self.report.counts["failed"] += 1
        self.report.errors.append(f"{url}: {reason}")
        log.error("%s: %s", url, reason)

    def _get(self, url: str, *, conditional: UrlState | None = None) -> Response:
        """A GET, conditional on what `conditional` recorded of the URL's last answer."""
        return self.fetcher.get(
            url,
            etag=conditional.etag if conditional else None,
            last_modified=conditional.last_modified if conditional else None,
        )

    def _note(
        self, url: str, kind: UrlKind, seen: UrlChanges, now: str | None = None, **more: Unpack[UrlChanges]
    ) -> None:
        """What a fetch of `url` found (`seen`), and `more`."""
        changes: UrlChanges = {**seen, **more}
        self.crawl.update(url, kind, now=now, **changes)

    # -- robots.txt

    def _robots(self) -> None:
        url = urljoin(self.site, "/robots.txt")
        state = self.crawl.state(url)
        try:
            response = self._get(url, conditional=state)
        except FetchError as exc:
            raise SiteUnreachable(f"cannot reach {self.site}: {str(exc).removeprefix(url + ': ')}") from None
        if response.status >= 500 or response.status == 429:
            raise SiteUnreachable(f"{self.site} is not answering: robots.txt gives HTTP {response.status}")
        text = ""
        if response.status == 304 and state:
            text = state.body or ""
        elif response.ok:
            text = response.body.decode("utf-8", errors="replace")
        self.robots.parse(text.splitlines())
        if response.status != 304:
            self.crawl.update(
                url,
                UrlKind.ROBOTS,
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
        named = list(dict.fromkeys(checked(self.robots.site_maps() or [], "robots.txt")))
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
        with fails_alone(url, lambda url, reason: self._sitemap_failed(url, parent and url_key(parent), None, reason)):
            return self._read_sitemap(url, parent=parent, lastmod=lastmod, depth=depth)
        return None

    def _read_sitemap(self, url: str, *, parent: str | None, lastmod: str | None, depth: int) -> bool | None:
        if depth > MAX_SITEMAP_DEPTH or host_of(url) != self.host or not self.allowed(url):
            return False
        state = self.crawl.state(url)
        parent_key = url_key(parent) if parent else None
        if state and lastmod and state.lastmod == lastmod and state.status in (200, 304):
            return True  # the index says it has not changed since we read it
        try:
            response = self._get(url, conditional=state)
        except FetchError as exc:
            self._sitemap_failed(url, parent_key, None, str(exc).removeprefix(url + ": "))
            return None
        now = now_iso()
        if response.status == 304:
            complete = all(
                self._sitemap(known.url, parent=url, lastmod=known.lastmod, depth=depth + 1) is not None
                for known in self.crawl.child_sitemaps(url)
            )
            self.crawl.update(url, UrlKind.SITEMAP, parent=parent_key, last_fetched=now, status=304)
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
            self.crawl.update(
                url,
                UrlKind.SITEMAP,
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
        self.crawl.update(
            url,
            UrlKind.SITEMAP,
            parent=parent,
            status=status,
            error=reason,
            etag=None,
            last_modified=None,
            lastmod=None,
        )

    def _forget_validators(self, url: str) -> None:
        """A child failed: next run, read this index in full instead of trusting a 304."""
        self.crawl.update(url, UrlKind.SITEMAP, etag=None, last_modified=None, lastmod=None)

    def _note_articles(self, entries: list[Entry], now: str) -> int:
        """Record article URLs (with their <lastmod>); how many were not known before."""
        entries = [e for e in entries if is_article_url(e.url, self.host)]
        known = self.crawl.known_keys([url_key(e.url) for e in entries])
        fresh = 0
        with self.archive.transaction():
            for entry in entries:
                key = url_key(entry.url)
                if key not in known:
                    fresh += 1
                    known.add(key)
                    self.crawl.update(entry.url, UrlKind.ARTICLE, now=now, lastmod=entry.lastmod)
                elif entry.lastmod:
                    self.crawl.raise_lastmod(key, entry.lastmod)
        return fresh

    # -- the feed and listing pages

    def _feed(self) -> None:
        url = urljoin(self.site, FEED_PATH)
        for page in range(1, MAX_FEED_PAGES + 1):
            page_url = url if page == 1 else f"{url}?paged={page}"
            if not self.allowed(page_url):
                return
            state = self.crawl.state(page_url)
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
            self.crawl.update(
                page_url,
                UrlKind.FEED,
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
        for state in self.crawl.pending():
            if self.since and state.lastmod and state.lastmod[:10] < self.since and not state.article_id:
                continue  # --since: older than the backfill wants
            reason = Reason.CHANGED if state.article_id else Reason.NEW
            self.queue.setdefault(state.key, Queued(state, reason))

    def _queue_refresh(self) -> None:
        now = datetime.now(timezone.utc)
        since = (now - timedelta(days=self.refresh_days)).date().isoformat()
        before = (now - REFRESH_INTERVAL).isoformat(timespec="microseconds")
        for state in self.crawl.due_for_refresh(published_since=since, fetched_before=before):
            self.queue.setdefault(state.key, Queued(state, Reason.REFRESH))

    # -- fetching an article

    def _visit_failed(self, url: str, reason: str) -> None:
        self.crawl.update(url, UrlKind.ARTICLE, last_fetched=now_iso(), error=reason)
        self._fail(url, reason)

    def _visit(self, queued: Queued) -> None:
        row, url = queued.state, queued.state.url
        if not self.allowed(url):
            self.crawl.update(url, UrlKind.DISALLOWED)
            self.report.counts["skipped"] += 1
            return
        state = self.crawl.state(url)
        if state and state.last_fetched and state.last_fetched >= self.report.started_at:
            return  # fetched already in this run, under another of its URLs
        self.fetched += 1
        stored = row.article_id is not None
        try:
            response = self._get(url, conditional=row if stored else None)
        except FetchError as exc:
            self._visit_failed(url, str(exc).removeprefix(url + ": "))
            return
        now = now_iso()
        seen: UrlChanges = {"last_fetched": now, "status": response.status}
        if response.status == 304:
            self._note(url, UrlKind.ARTICLE, seen, fetched_lastmod=row.lastmod, error=None)
            self.report.counts["refreshed" if queued.reason is Reason.REFRESH else "unchanged"] += 1
        elif response.status in (404, 410):
            if row.article_id is not None:
                self.crawl.mark_removed(row.article_id, status=response.status, now=now)
                self._note(url, UrlKind.ARTICLE, seen, fetched_lastmod=row.lastmod, error=None)
                self.report.counts["removed"] += 1
            else:
                error = f"HTTP {response.status}"
                self._note(url, UrlKind.GONE, seen, fetched_lastmod=row.lastmod, error=error)
                self.report.counts["skipped"] += 1
        elif 300 <= response.status < 400:  # a redirect to another site or a malformed URL: not followed
            reason = f"redirects to another site or a malformed URL (HTTP {response.status})"
            kind = UrlKind.ARTICLE if stored else UrlKind.SKIPPED
            self._note(url, kind, seen, fetched_lastmod=row.lastmod, error=reason)
            self.report.counts["skipped"] += 1
        elif not response.ok:
            self._note(url, UrlKind.ARTICLE, seen, error=f"HTTP {response.status}")
            self._fail(url, f"HTTP {response.status}")
        else:
            self._store(queued, response, now)

    def _store(self, queued: Queued, response: Response, now: str) -> None:
        row, url = queued.state, queued.state.url
        seen: UrlChanges = {
            "last_fetched": now,
            "status": response.status,
            "etag": response.etag,
            "last_modified": response.last_modified,
        }
        if len(response.body) > MAX_PAGE_BYTES:
            error = f"page larger than the {megabytes(MAX_PAGE_BYTES)} limit"
            self._note(url, UrlKind.SKIPPED, seen, error=error)
            self.report.counts["skipped"] += 1
            return
        try:
            article = parse_page(response.body, url=response.url, charset=response.charset)
        except TruncatedPage as exc:  # a transfer cut short: try again next run
            self._note(url, UrlKind.ARTICLE, seen, error=str(exc))
            self._fail(url, str(exc))
            return
        except ParseError as exc:
            kind = UrlKind.ARTICLE if row.article_id else UrlKind.SKIPPED  # a stored one stays watched
            self._note(url, kind, seen, fetched_lastmod=row.lastmod, error=str(exc))
            self.report.counts["skipped"] += 1
            log.debug("%s: skipped: %s", url, exc)
            return
        if self.since and queued.reason is Reason.NEW and article.published and article.published[:10] < self.since:
            error = "published before --since"
            self._note(url, UrlKind.SKIPPED, seen, fetched_lastmod=row.lastmod, error=error)
            self.report.counts["skipped"] += 1
            return
        with stopping.held():  # stored and counted as one step: Ctrl-C comes before or after
            with self.archive.transaction():
                saved = _save(self.archive, article, response, source=url, now=now)
                for alias in dict.fromkeys([url, response.url, article.url or url]):
                    self._note(
                        alias, UrlKind.ARTICLE, seen, now, fetched_lastmod=row.lastmod, article_id=saved.id, error=None
                    )
            refreshed = queued.reason is Reason.REFRESH and saved.status == "unchanged"
            status = "refreshed" if refreshed else saved.status
            self.report.counts[status] += 1
            self.tally.add(saved.id, article, site=self.host or self.site)
        log.debug("%s: %s (id %d)", url, status, saved.id)
        for note in article.notes:  # what parsing dropped: malformed links
            log.info("%s: %s", url, note)
        for story in article.related:  # the related block is discovery too
            key = url_key(story.url)
            if is_article_url(story.url, self.host) and key not in self.queue and not self.crawl.state(story.url):
                self.crawl.update(story.url, UrlKind.ARTICLE, now=now)
                self.queue[key] = Queued(UrlState.new(story.url, UrlKind.ARTICLE, now), Reason.NEW)
