"""A mock of the North Africa Journal on 127.0.0.1, built from the fixtures, for scrape tests and bench/.

A real HTTP server (http.server, one thread per request) that serves robots.txt, a WordPress
sitemap index with <lastmod>, a feed, paginated category pages and article pages made from the
classic fixture, with ETag/Last-Modified and 304s, and faults on demand. Every request is
logged, so tests assert on what was fetched, how often, in what order, with which headers.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TEMPLATE = (FIXTURES / "naj-libya-classic.html").read_text(encoding="utf-8")
TEMPLATE_URL = (
    "https://north-africa.com/southern-libya-boils-over-three-haftar-soldiers-killed-in-border-raid-near-niger/"
)
TEMPLATE_HEADLINE = "Southern Libya Boils Over: Three Haftar Soldiers Killed in Border Raid Near Niger"
TEMPLATE_RELATED = (
    "https://north-africa.com/tunisia-appeals-court-extends-rached-ghannouchis-prison-term-by-20-years/",
    "https://north-africa.com/cyclone-harrys-hidden-toll-ngos-fear-up-to-1000-migrants-lost-at-sea/",
)
OLD_EPOCH = date(2016, 1, 1)  # story n that is not recent ran n days after this: stable as the site grows
WORDS = [
    *("Haftar", "Tripoli", "Fezzan", "Sahel", "Niger", "Algeria", "Tunisia", "Morocco", "Sonatrach"),
    *("Benghazi", "Sfax", "Saied", "Tebboune", "border", "militia", "migrants", "pipeline", "election"),
    *("strike", "court", "drought", "smuggling", "patrol", "ministry"),
]


@dataclass
class Route:
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    faults: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # served first, one per request
    delay: float = 0.0  # seconds before answering: a slow server
    dribble: float = 0.0  # seconds between the body's bytes: a server that sends a byte at a time
    conditional: bool = True  # answer 304 to a matching If-None-Match / If-Modified-Since
    modified: float = 1_767_225_600.0  # Last-Modified, as a timestamp

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    status: int
    at: float


class MockSite:
    """Routes by path (query included); unknown paths are 404. Use as a context manager."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.fallback: Route | None = None  # served for unknown paths instead of a 404
        self.log: list[Request] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.url = ""

    def __enter__(self) -> MockSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # a short poll interval: shutdown() waits for the loop to notice it (0.5 s by default)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        route = self.routes.get(path, self.fallback)
        status, headers, body = self._answer(route, handler)
        with self._lock:
            self.log.append(Request(path, dict(handler.headers.items()), status, time.monotonic()))
        if route is not None and route.delay:
            time.sleep(route.delay)
        try:
            handler.send_response(status)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if route is not None and route.dribble:
                for i in range(len(body)):
                    handler.wfile.write(body[i : i + 1])
                    handler.wfile.flush()
                    time.sleep(route.dribble)
            else:
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def _answer(self, route: Route | None, handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        if route is None:
            return 404, {"Content-Type": "text/html"}, b"<html><body><h1>Not found</h1></body></html>"
        with self._lock:
            fault = route.faults.pop(0) if route.faults else None
        if fault is not None:
            return fault[0], fault[1], b"<html><body>fault</body></html>"
        if route.status in (301, 302, 307, 308):
            return route.status, {"Location": route.headers["Location"]}, b""
        headers = {"Content-Type": route.content_type, **route.headers}
        if route.status == 200 and route.conditional:
            headers["ETag"] = route.etag
            headers["Last-Modified"] = formatdate(route.modified, usegmt=True)
            if handler.headers.get("If-None-Match") == route.etag or (
                handler.headers.get("If-Modified-Since") == headers["Last-Modified"]
                and not handler.headers.get("If-None-Match")
            ):
                return 304, {"ETag": route.etag}, b""
        return route.status, headers, route.body

    # -- the log

    def requests(self, path: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.log if path is None or r.path == path]

    def article_requests(self) -> list[Request]:
        return [r for r in self.requests() if r.path.startswith("/story-")]

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()


# ---- a site built from the fixtures ---------------------------------------------------------------


def article_page(base: str, n: int, *, published: date, read_count: int, related: tuple[int, ...] = ()) -> bytes:
    """Story n, from the classic fixture: its own URL, headline, date, read count and related links."""
    words = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(6)]
    headline = f"Story {n}: {' '.join(words).title()}"
    html = TEMPLATE.replace(TEMPLATE_URL, f"{base}/story-{n}/").replace(TEMPLATE_HEADLINE, headline)
    html = html.replace("2026-02-04T00:41:00+01:00", f"{published.isoformat()}T09:00:00+01:00")
    html = html.replace("4 February 2026", f"{published.day} {published.strftime('%B %Y')}")
    html = html.replace('post-views-count">86<', f'post-views-count">{read_count:,}<')
    html = html.replace("Three Libyan soldiers", f"In story {n} ({' '.join(words)}), three Libyan soldiers")
    for old, target in zip(TEMPLATE_RELATED, related, strict=False):
        html = html.replace(old, f"{base}/story-{target}/")
    return html.encode("utf-8")


def sitemap_xml(entries: list[tuple[str, str | None]], *, index: bool = False) -> bytes:
    tag, ns = ("sitemap", "sitemapindex") if index else ("url", "urlset")
    items = "".join(
        f"<{tag}><loc>{loc}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + f"</{tag}>"
        for loc, lastmod in entries
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<{ns} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</{ns}>'
    ).encode()


def feed_xml(base: str, numbers: list[int]) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{base}/story-{n}/</link>"
        f"<pubDate>Mon, 02 Feb 2026 09:00:00 +0100</pubDate></item>"
        for n in numbers
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>The North Africa Journal'
        f"</title><link>{base}/</link>{items}</channel></rss>"
    ).encode()


def listing_page(base: str, numbers: list[int], *, next_page: str | None) -> bytes:
    teasers = "".join(
        f"<article class='post'><h2 class='entry-title'><a href='{base}/story-{n}/'>Story {n}</a></h2>"
        f"<a href='{base}/category/maghreb-edition/'>Maghreb Edition</a></article>"
        for n in numbers
    )
    nav = f"<a class='next page-numbers' href='{next_page}'>Next</a>" if next_page else ""
    return (
        "<html><head><meta property='og:type' content='website'></head><body class='archive category'>"
        f"<nav><a href='{base}/category/maghreb-edition/'>Maghreb Edition</a></nav>"
        f"{teasers}{nav}</body></html>"
    ).encode()


@dataclass
class SiteSpec:
    """What build_site makes: n stories, the newest `recent` of them published in the last days."""

    n: int = 12
    recent: int = 3
    per_page: int = 5  # sitemap entries, feed items and listing teasers per page
    sitemap: bool = True
    gzip_sitemap: bool = False
    related_only: tuple[int, ...] = ()  # stories in no sitemap, feed or listing: found only via related
    related: bool = True  # stories link the two before them in their related block
    feed_pages: int | None = None  # fewer feed pages than there are stories: listings must find the rest
    crawl_delay: float | None = None
    disallow: tuple[str, ...] = ("/story-private/",)
    today: date = field(default_factory=date.today)


def build_site(site: MockSite, spec: SiteSpec) -> dict[int, date]:
    """Fill the mock's routes; returns each story's publication date."""
    base = site.url
    published = {
        n: spec.today - timedelta(days=(spec.n - n)) if n > spec.n - spec.recent else date(2025, 1, 1) + timedelta(n)
        for n in range(1, spec.n + 1)
    }
    listed = [n for n in range(1, spec.n + 1) if n not in spec.related_only]
    for n in range(1, spec.n + 1):
        # each story lists the two before it that exist, so related stories are discovery too
        related = tuple(m for m in (n - 1, n - 2) if m >= 1) if spec.related else ()
        site.routes[f"/story-{n}/"] = Route(
            article_page(base, n, published=published[n], read_count=10 * n, related=related)
        )
    site.routes["/story-private/"] = Route(article_page(base, 999, published=spec.today, read_count=1))
    robots = ["User-agent: *"] + [f"Disallow: {p}" for p in spec.disallow]
    if spec.crawl_delay is not None:
        robots.append(f"Crawl-delay: {spec.crawl_delay}")
    if spec.sitemap:
        robots.append(f"Sitemap: {base}/wp-sitemap.xml")
    site.routes["/robots.txt"] = Route("\n".join(robots).encode() + b"\n", content_type="text/plain")
    if spec.sitemap:
        chunks = [listed[i : i + spec.per_page] for i in range(0, len(listed), spec.per_page)]
        children = []
        for i, chunk in enumerate(chunks, 1):
            path = f"/wp-sitemap-posts-post-{i}.xml" + (".gz" if spec.gzip_sitemap else "")
            body = sitemap_xml([(f"{base}/story-{n}/", f"{published[n].isoformat()}T10:00:00+00:00") for n in chunk])
            if i == 1:  # robots.txt disallows it: it must never be fetched
                body = body.replace(b"</urlset>", f"<url><loc>{base}/story-private/</loc></url></urlset>".encode())
            site.routes[path] = Route(
                gzip.compress(body) if spec.gzip_sitemap else body, content_type="application/xml"
            )
            children.append((f"{base}{path}", max(published[n] for n in chunk).isoformat() + "T10:00:00+00:00"))
        site.routes["/wp-sitemap-taxonomies-category-1.xml"] = Route(
            sitemap_xml([(f"{base}/category/maghreb-edition/", None)]), content_type="application/xml"
        )
        children.append((f"{base}/wp-sitemap-taxonomies-category-1.xml", None))
        site.routes["/wp-sitemap.xml"] = Route(sitemap_xml(children, index=True), content_type="application/xml")
    newest_first = sorted(listed, reverse=True)
    pages = [newest_first[i : i + spec.per_page] for i in range(0, len(newest_first), spec.per_page)]
    for i, chunk in enumerate(pages, 1):
        path = "/feed/" if i == 1 else f"/feed/?paged={i}"
        if spec.feed_pages is None or i <= spec.feed_pages:
            site.routes[path] = Route(feed_xml(base, chunk), content_type="application/rss+xml")
        listing = "/category/maghreb-edition/" if i == 1 else f"/category/maghreb-edition/page/{i}/"
        following = f"{base}/category/maghreb-edition/page/{i + 1}/" if i < len(pages) else None
        site.routes[listing] = Route(listing_page(base, chunk, next_page=following))
    site.routes["/"] = Route(listing_page(base, pages[0], next_page=f"{base}/category/maghreb-edition/page/2/"))
    return published


# ---- the night the site changes its theme ---------------------------------------------------------


def new_theme(page: bytes) -> bytes:
    """A story as another theme would serve it: the read counter without its label ("86 views"), the
    related block under another title, no author box. Headline, date, section and body stay."""
    html = page.decode("utf-8")
    changes = [
        (r'<div class="post-views [^"]*">', '<div class="entry-stats">'),
        (r'<span class="post-views-icon[^>]*></span> <span class="post-views-label">[^<]*</span> ', ""),
        (r'<span class="post-views-count">([\d,]+)</span>', r'<span class="views">\1 views</span>'),
        ("Most Recent Stories from the Region", "You May Also Like"),
        (r'<div class="author-box">.*?(?=<nav class="navigation post-navigation")', ""),
    ]
    for pattern, replacement in changes:
        html, n = re.subn(pattern, replacement, html, flags=re.S)
        assert n == 1, f"the classic fixture changed: adapt new_theme ({pattern})"
    return html.encode("utf-8")


def switch_theme(
    site: MockSite, theme: Callable[[bytes], bytes] | None = new_theme, *, lastmod: str = "2099-01-01T00:00:00+00:00"
) -> None:
    """Serve every story through `theme` (None: as it is), and give every entry of the (plain) sitemaps
    a newer <lastmod>, as WordPress does when a theme changes its pages: the next run fetches each again."""
    for path, route in site.routes.items():
        if path.startswith("/story-") and theme is not None:
            route.body = theme(route.body)
        elif route.content_type == "application/xml":
            route.body = re.sub(rb"<lastmod>[^<]+</lastmod>", f"<lastmod>{lastmod}</lastmod>".encode(), route.body)
