"""The archive: one SQLite file. What the rest of nai uses, by job:

  archive.py   Archive: opening (WAL, or read-only), transactions, saving articles
  queries.py   reading: get, find, all_stored, read history, stats
  search.py    full-text search: filters, sorts, the spellings each hit holds, suggestions
  ranking.py   bm25, with the spellings of a name weighed as one word
  trends.py    articles matching a query per month, week or year
  readers.py   what readers are reading: read-count growth in a window (`nai trending`)
  history.py   an article's states through time, and where an older page's takes its place
  links.py     the stories an article lists, and those that list it
  crawl.py     the crawl state of `nai scrape` (urls, runs), typed
  fill.py      how often the site-rule fields are filled: a scrape's pages against earlier ones
  health.py    check, repair, backup, reparse
  merging.py   one story stored twice (before m011) made one again, for repair
  browse.py    what the pages of `nai serve` read: an article with its links, backlinks, read counts
  rawpages.py  raw pages packed against their site's dictionaries, and Packer for workers
  schema.py    the migrations, in order, and the objects the archive needs
  keys.py      the full-text key, identity and content keys, hashes, plain words as FTS5

The store knows no parser, network or terminal: it stores Articles and gives back model objects.
The names below are loaded when first used, so that a search does not load the crawl state,
the health checks or the raw-page codec.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import fill, health, queries, search, trends
    from .archive import Archive, describe, is_fatal
    from .crawl import Crawl, Run, UrlKind, UrlState
    from .keys import now_iso
    from .rawpages import Packer

_WHERE = {
    "Archive": "archive",
    "describe": "archive",
    "is_fatal": "archive",
    "Crawl": "crawl",
    "Run": "crawl",
    "UrlKind": "crawl",
    "UrlState": "crawl",
    "now_iso": "keys",
    "Packer": "rawpages",
}

__all__ = [
    "Archive",
    "Crawl",
    "Packer",
    "Run",
    "UrlKind",
    "UrlState",
    "describe",
    "fill",
    "health",
    "is_fatal",
    "now_iso",
    "queries",
    "search",
    "trends",
]


def __getattr__(name: str) -> Any:
    if name in ("fill", "health", "queries", "search", "trends"):
        return importlib.import_module(f"{__name__}.{name}")
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
