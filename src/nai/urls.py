"""URLs: an article's identity key, its site, and archive.org captures unwrapped."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# https://web.archive.org/web/20260205101010/https://north-africa.com/x/  (also "…/web/2026…id_/…")
ARCHIVE_ORG = re.compile(r"^(?:https?:)?//web\.archive\.org/web/\d{1,14}[a-z_]*/(.+)$", re.I)
# Query parameters that only track the reader: utm_source, fbclid, …
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|ref|amp|ocid)$", re.I
)


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
    both give 'north-africa.com/story'.
    """
    parts = urlsplit(unwrap_archive(url))
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    path = path.rstrip("/") or "/"
    if path.endswith("/amp"):  # the AMP copy of a WordPress post is the same article
        path = path[: -len("/amp")] or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    query = sorted((k, v) for k, v in query if not TRACKING_PARAMS.match(k))
    return urlunsplit(("", host, path, urlencode(query), "")).lstrip("/")
