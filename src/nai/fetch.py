"""The only network code: polite HTTP GETs with timeouts, retries and conditional requests.

One Fetcher per run: it waits `delay` seconds between requests, retries connection errors,
5xx and 429 with exponential backoff (honouring Retry-After), follows redirects, and counts
requests and bytes. HTTP statuses come back as Responses; only a URL that could not be
fetched at all after the retries raises FetchError.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import Any

from .defaults import RETRIES as DEFAULT_RETRIES
from .defaults import TIMEOUT as DEFAULT_TIMEOUT
from .defaults import USER_AGENT as DEFAULT_USER_AGENT
from .errors import FetchError
from .gzipped import InflateError, inflate
from .urls import check_url, host_of, quoted

log = logging.getLogger(__name__)

BACKOFF_BASE = 1.0  # seconds: 1, 2, 4, …
MAX_RETRY_AFTER = 300.0  # a longer Retry-After gives up on the URL for this run
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # the final URL, after redirects
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    retry_after: str | None = None
    size: int = 0  # bytes on the wire
    charset: str | None = None  # what Content-Type said ("text/html; charset=windows-1256")

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class Fetcher:
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = DEFAULT_TIMEOUT
    delay: float = 1.0
    retries: int = DEFAULT_RETRIES
    backoff: float = BACKOFF_BASE
    max_bytes: int = MAX_RESPONSE_BYTES
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    requests: int = 0
    bytes: int = 0
    stopped: str | None = None  # why no more requests go to the site in this run
    _last: float | None = field(default=None, repr=False)

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET url; a 304 when etag/last_modified still hold. Raises FetchError when it gives up."""
        if self.stopped:
            raise FetchError(f"{url}: not asked: {self.stopped}", retry=False)
        attempt = 0
        while True:
            self._wait(self.delay)
            try:
                response = self._within_deadline(url, etag=etag, last_modified=last_modified)
            except FetchError as exc:
                if attempt >= self.retries or not exc.retry:
                    raise
                wait = self.backoff * 2**attempt
                log.debug("%s: %s; retrying in %.1fs", url, exc, wait)
            else:
                if response.status not in RETRY_STATUSES or attempt >= self.retries:
                    return response
                wait = max(self.backoff * 2**attempt, retry_after_seconds(response.retry_after))
                if wait > MAX_RETRY_AFTER:  # more patience than a nightly run has: leave the site alone
                    self.stopped = f"the site asked us to wait {wait:.0f} s (Retry-After)"
                    return response
                log.debug("%s: HTTP %d; retrying in %.1fs", url, response.status, wait)
            attempt += 1
            self._wait(wait)

    def _wait(self, seconds: float) -> None:
        """Sleep until `seconds` after the end of the last request."""
        if self._last is not None:
            remaining = seconds - (self.clock() - self._last)
            if remaining > 0:
                self.sleep(remaining)

    def _within_deadline(self, url: str, *, etag: str | None, last_modified: str | None) -> Response:
        """One request, bounded as a whole by `timeout`: a server that dribbles its headers or its
        body a byte at a time is left behind (its thread ends with the process)."""
        result: list[Response | FetchError] = []

        def attempt() -> None:
            try:
                result.append(self._once(url, etag=etag, last_modified=last_modified))
            except FetchError as exc:
                result.append(exc)
            except Exception as exc:  # anything urllib or http.client raise is this URL's failure
                result.append(FetchError(f"{url}: {type(exc).__name__}: {exc}"))

        self.requests += 1
        worker = threading.Thread(target=attempt, name=f"fetch {url}", daemon=True)
        worker.start()
        worker.join(self.timeout)
        self._last = self.clock()
        if not result:
            raise FetchError(f"{url}: timed out after {self.timeout:g} s")
        outcome = result[0]
        if isinstance(outcome, FetchError):
            raise outcome
        self.bytes += outcome.size
        return outcome

    def _once(self, url: str, *, etag: str | None, last_modified: str | None) -> Response:
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "gzip", "Accept": "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        request = urllib.request.Request(url, headers=headers)
        try:
            with _OPENER.open(request, timeout=self.timeout) as reply:
                return self._response(reply, url)
        except urllib.error.HTTPError as exc:
            with exc:
                return self._response(exc, url)
        except (urllib.error.URLError, TimeoutError, ConnectionError, HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise FetchError(f"{url}: {reason or type(exc).__name__}") from None
        except ValueError as exc:  # a malformed URL
            raise FetchError(f"{url}: {exc}", retry=False) from None

    def _response(self, reply: urllib.response.addinfourl | urllib.error.HTTPError, url: str) -> Response:
        chunks: list[bytes] = []
        size = 0
        read = getattr(reply, "read1", reply.read)  # one recv at a time: the deadline stays in charge
        try:
            while chunk := read(64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"{url}: response larger than {self.max_bytes // 1024 // 1024} MB", retry=False)
                chunks.append(chunk)
        except (TimeoutError, ConnectionError, HTTPException) as exc:
            raise FetchError(f"{url}: {exc or type(exc).__name__}") from None
        body = b"".join(chunks)
        if (reply.headers.get("Content-Encoding") or "").lower() == "gzip" and body:
            body = _gunzip(body, self.max_bytes, url)
        return Response(
            url=reply.geturl() or url,
            status=reply.status if reply.status is not None else 0,
            body=body,
            etag=reply.headers.get("ETag"),
            last_modified=reply.headers.get("Last-Modified"),
            retry_after=reply.headers.get("Retry-After"),
            size=size,
            charset=reply.headers.get_content_charset(),
        )


class _SameSiteRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects within the site (www. or not, http or https); another host's page is not
    ours to fetch (its robots.txt was never read), nor is a malformed URL (nai.urls.check_url; noted):
    the redirect comes back as the response."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        try:
            newurl = check_url(newurl)
        except ValueError as exc:
            _malformed(req.full_url, newurl, exc)
            return None
        if _site(newurl) != _site(req.full_url):
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)

    def http_error_302(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any) -> Any:
        location = headers.get("location") or headers.get("uri") or ""
        try:
            urllib.parse.urlsplit(location)  # what urllib does first with it, raising ValueError
        except ValueError as exc:
            _malformed(req.full_url, location, exc)
            return None
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _malformed(url: str, location: str, exc: ValueError) -> None:
    log.info("%s: not following a redirect to a malformed URL (%s): %s", url, exc, quoted(location))


def _site(url: str) -> tuple[str | None, int | None]:
    parts = urllib.parse.urlsplit(url)
    return host_of(url), parts.port if parts.port not in (80, 443) else None


_OPENER = urllib.request.build_opener(_SameSiteRedirects)


def _gunzip(body: bytes, limit: int, url: str) -> bytes:
    try:
        return inflate(body, limit=limit)
    except InflateError as exc:
        raise FetchError(f"{url}: {exc}", retry=False) from None


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float:
    """Retry-After as seconds: '120' or an HTTP date; 0 when absent or unreadable."""
    if not value:
        return 0.0
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, when - (now if now is not None else time.time()))
