"""URLs: which are valid, an article's identity key, its site, and archive.org captures unwrapped.

Every URL that comes from a page, a feed, a sitemap or a redirect is untrusted: check_url (or
valid_url, absolute_url) is the one place that decides whether it is a URL the rest of nai takes.
url_key and the crawl state are given only URLs it let through.
"""

from __future__ import annotations

import contextlib
import re
import string
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

# https://web.archive.org/web/20260205101010/https://north-africa.com/x/  (also "…/web/2026…id_/…")
# and the root-relative form the Wayback Machine rewrites a capture's own links to, in a saved copy
# ("/web/20260205101010/https://north-africa.com/x/": a whole timestamp, then an http(s) URL)
ARCHIVE_ORG = re.compile(
    r"^(?:(?:https?:)?//web\.archive\.org/web/\d{1,14}[a-z_]*/|/web/\d{14}[a-z_]*/(?=(?:https?:)?//))(.+)$", re.I
)
# Its timestamp, when whole (a capture's own URL always has all 14 digits: a shorter one asks for
# the capture nearest to it, whose time it does not say)
CAPTURE_TIME = re.compile(
    r"^(?:(?:https?:)?//web\.archive\.org/web/(\d{14})[a-z_]*/|/web/(\d{14})[a-z_]*/(?=(?:https?:)?//))", re.I
)
# Query parameters that only track the reader: utm_source, fbclid, …
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|ref|amp|ocid)$", re.I
)

# A percent-escape, and the characters an escape need not hide (RFC 3986's unreserved)
ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
# What a path holds as it is (RFC 3986: unreserved, sub-delims, ":", "@", "/", and escapes)
PATH_SAFE = "/%:@!$&'()*+,;=-._~"
PATH_CHARS = re.compile(r"[A-Za-z0-9/%:@!$&'()*+,;=\-._~]*")

#: The longest URL taken (what the sitemap protocol allows; browsers and servers agree on no more).
MAX_URL_CHARS = 2048
WEB_SCHEMES = ("http", "https")
# What a URL needs cleaning or checking for (most hold none: one search, then nothing more):
ODD_CHARS = re.compile("[\x00-\x20\x7f-\xa0\u2028\u2029\ud800-\udfff]")
# removed anywhere, as browsers do: an attribute value wrapped over lines
TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
# never in a URL: control characters, lone surrogates (not text), Unicode line breaks
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SURROGATE = re.compile("[\ud800-\udfff]")
# What a host name may not hold (urllib takes nearly anything apart; http.client would refuse it)
BAD_HOST_CHAR = re.compile(r"[\s<>\"{}|\\^`%/?#@\[\]]")


@lru_cache(maxsize=8192)  # the same URLs come back: related stories, a site's own links
def check_url(url: str) -> str:
    """`url` when it is an absolute http(s) URL that every part of nai can take: cleaned as a browser
    cleans it (surrounding white space and tabs and newlines removed, spaces as %20). Raises
    ValueError with the reason otherwise: not http(s), no host, a bad host or port, broken IPv6
    brackets, a control character, longer than MAX_URL_CHARS; an archive.org capture of such a URL."""
    if ODD_CHARS.search(url):
        url = _cleaned(url)
    if not url:
        raise ValueError("empty")
    if len(url) > MAX_URL_CHARS:
        raise ValueError(f"longer than {MAX_URL_CHARS:,} characters")
    parts = _split(url)
    if parts.scheme.lower() not in WEB_SCHEMES:
        raise ValueError("not an http(s) URL")
    if not parts.netloc:
        raise ValueError("no host")
    hostport = parts.netloc.rpartition("@")[2]
    if hostport.startswith("["):
        _, bracket, port = hostport[1:].partition("]")  # the address itself: urlsplit checked it
        if not bracket or (port and not port.startswith(":")):
            raise ValueError("broken IPv6 brackets")
        port = port[1:]
    else:
        host, _, port = hostport.partition(":")
        if not host:
            raise ValueError("no host")
        if BAD_HOST_CHAR.search(host) or "]" in port or not host.strip(".\u3002\uff0e\uff61"):  # dots alone
            raise ValueError(f"not a host name: {host!r}")
    if port and not (port.isascii() and port.isdigit() and int(port) <= 65535):
        raise ValueError(f"port is not a number from 0 to 65535: {port!r}")
    inner = unwrap_archive(url)
    if inner != url:  # a capture: url_key takes the URL captured, which must be one too
        check_url(inner)
    return url


def valid_url(url: str | None) -> str | None:
    """check_url's URL, or None when it is not one."""
    if not url:
        return None
    try:
        return check_url(url)
    except ValueError:
        return None


def absolute_url(href: str | None, base: str | None = None) -> str | None:
    """A link as the absolute URL it leads to: joined to `base` (where the page was found), an
    archive.org capture unwrapped, checked by check_url. None when it leads to no web page (mailto:,
    javascript:, a relative link without a base); raises ValueError when it is malformed."""
    if not href or not (href := href.strip()):
        return None
    if ODD_CHARS.search(href):
        href = _cleaned(href)
    if href.startswith("/web/"):  # a capture's link in a saved copy, whatever page it is joined to
        href = unwrap_archive(href)
    scheme = _split(href).scheme.lower()
    if not scheme and base:
        try:
            href = urljoin(base, href)
        except ValueError as exc:
            raise ValueError(f"the page's own URL is malformed ({exc})") from None
        scheme = _split(href).scheme.lower()
    if scheme not in WEB_SCHEMES:
        return None
    for _ in range(3):  # a capture of a capture
        inner = unwrap_archive(href)
        if inner == href:
            break
        href = inner
    return check_url(href)


def _cleaned(url: str) -> str:
    url = TAB_OR_NEWLINE.sub("", url.strip())
    if SURROGATE.search(url):
        raise ValueError("not text (a lone surrogate)")
    if CONTROL.search(url):
        raise ValueError("a control character")
    return url.replace(" ", "%20")


def quoted(url: str, limit: int = 200) -> str:
    """A URL for a one-line message: quoted, control characters escaped, cut short."""
    return repr(url if len(url) <= limit else url[:limit] + "…")


def _split(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError as exc:  # "Invalid IPv6 URL", or "'x' does not appear to be an IPv4 or IPv6 address"
        broken = "Invalid IPv6" in str(exc)
        raise ValueError("broken IPv6 brackets" if broken else "a host in brackets that is no IPv6 address") from None


@lru_cache(maxsize=4096)  # the same URLs come back: related stories, a page's own links
def unwrap_archive(url: str) -> str:
    """The original URL of an archive.org capture; any other URL as it is."""
    match = ARCHIVE_ORG.match(url.strip())
    if not match:
        return url.strip()
    inner = match.group(1)
    if inner.startswith("//"):
        inner = "https:" + inner
    elif not re.match(r"^https?://", inner, re.I):
        inner = re.sub(r"^(https?):/+", r"\1://", inner, flags=re.I)
        if not re.match(r"^https?://", inner, re.I):
            inner = "https://" + inner
    return inner


def capture_time(url: str | None) -> str | None:
    """When an archive.org capture was made, from its URL, as ISO 8601 UTC
    ("…/web/20260205101010/…" -> "2026-02-05T10:10:10+00:00"); None for any other URL, or a
    timestamp that is not a whole one (14 digits) or no real time."""
    from datetime import datetime, timezone  # here: a search never needs it

    match = CAPTURE_TIME.match(url.strip()) if url else None
    if not match:
        return None
    try:
        when = datetime.strptime(match.group(1) or match.group(2), "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return when.replace(tzinfo=timezone.utc).isoformat()


def _normal_escapes(path: str) -> str:
    """One spelling of each character (RFC 3986, 6.2.2): an escaped letter, digit or -._~ unescaped,
    any other escape in upper case, a character a path may not hold as it is escaped, as a browser
    sends it (a space, braces; beyond ASCII, its UTF-8 bytes): "café", "caf%c3%a9" and "caf%C3%A9"
    are one path, "a b" and "a%20b" another."""
    if "%" in path:
        path = ESCAPE.sub(_one_escape, path)
    if not PATH_CHARS.fullmatch(path):
        path = quote(path, safe=PATH_SAFE)
    return path


def _one_escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in UNRESERVED else f"%{match.group(1).upper()}"


def _without_dot_segments(path: str) -> str:
    """Dot segments resolved: "/x/../story/./" is "/story/" (RFC 3986, 5.2.4), as a browser asks."""
    if "." not in path:
        return path
    segments = path.split("/")
    out: list[str] = []
    for segment in segments[1:]:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if segments[-1] in (".", ".."):
        out.append("")
    return "/" + "/".join(out)


def host_of(url: str | None) -> str | None:
    """'https://www.north-africa.com/x' -> 'north-africa.com'."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


@lru_cache(maxsize=4096)
def url_key(url: str) -> str:
    """The identity of an article URL: scheme, www., trailing slash, fragment and tracking dropped.

    'https://www.North-Africa.com/story/?utm_source=x#c' and 'http://north-africa.com/story'
    both give 'north-africa.com/story'. Raises ValueError for a URL that check_url refuses.
    """
    parts = urlsplit(unwrap_archive(url))
    host = (parts.hostname or "").lower().rstrip(".")  # "north-africa.com." is the same host
    if not host.isascii():
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    if host.startswith("www."):
        host = host[4:]
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = _without_dot_segments(_normal_escapes(parts.path or "/"))
    path = re.sub(r"/{2,}", "/", path)
    path = path.rstrip("/") or "/"
    if path.endswith("/amp"):  # the AMP copy of a WordPress post is the same article
        path = path[: -len("/amp")] or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    query = sorted((k, v) for k, v in query if not TRACKING_PARAMS.match(k))
    return urlunsplit(("", host, path, urlencode(query), "")).lstrip("/")
