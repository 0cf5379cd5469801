"""Reading the archive: articles by id or URL, all of them streamed, read-count history, stats.
Every function takes a sqlite3 connection and only reads. Full-text search is in search.py, trends
in trends.py, each beside this module: new queries go in a module of their own like them. A query
over the full-text index runs inside fts_guard(), which bounds its time and turns FTS5's errors
into one-line QueryErrors.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..errors import QueryError
from ..model import Article, Stored

if TYPE_CHECKING:
    from .crawl import Run

SEARCH_SECONDS = 10.0  # a search taking longer is stopped with a one-line error
FTS_QUERY_ERROR = re.compile(r"fts5|syntax error|no such column|unknown special query|unterminated", re.I)

RECORD_COLUMNS = (
    "a.id, a.url, a.site, a.headline, a.published, a.section, a.read_count, a.body, "
    "a.rules, a.first_seen, a.fts_key, au.name AS author_name, au.blurb AS author_blurb"
)
ARTICLE_COLUMNS = (
    f"{RECORD_COLUMNS}, (SELECT json_group_array(json_object('headline', r.headline, 'url', r.url, "
    "'summary', r.summary)) FROM (SELECT * FROM related r WHERE r.article_id = a.id "
    "ORDER BY r.position) r) AS related_json"
)
ARTICLE_FROM = "articles a LEFT JOIN authors au ON au.id = a.author_id"


@contextmanager
def fts_guard(conn: sqlite3.Connection, query: str, *, fts_syntax: bool) -> Iterator[None]:
    """Run a full-text query within SEARCH_SECONDS; its failures as one-line QueryErrors.

    `fts_syntax`: the query is the user's FTS5 syntax (--raw), so a syntax error is theirs to
    hear about; a plain query is built by to_match() and cannot be one."""
    deadline = time.monotonic() + SEARCH_SECONDS
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise QueryError(f"the search took longer than {SEARCH_SECONDS:g} s; use fewer words") from None
        if fts_syntax and FTS_QUERY_ERROR.search(str(exc)):
            raise QueryError(f"bad FTS5 query {query[:80]!r}: {exc}") from None
        raise
    finally:
        conn.set_progress_handler(None, 0)


def select(
    conn: sqlite3.Connection, where: str = "", params: tuple[Any, ...] = (), order: str = "a.id"
) -> Iterator[Stored]:
    """Stored articles (with author and related stories) from one cursor, streamed."""
    cursor = conn.execute(f"SELECT {ARTICLE_COLUMNS} FROM {ARTICLE_FROM} {where} ORDER BY {order}", params)
    names = [c[0] for c in cursor.description]
    from json import loads  # here: a search reads its few hits' related stories as rows (by_fts_keys)

    for row in cursor:
        r = dict(zip(names, row, strict=True))
        yield _stored(r, loads(r["related_json"]) if r["related_json"] else [])


def _stored(r: dict[str, Any], related: list[dict[str, Any]]) -> Stored:
    article = Article.from_record(
        {
            **r,
            "author": {"name": r["author_name"], "blurb": r["author_blurb"]} if r["author_name"] else None,
            "related": related,
        },
        rules=r["rules"] or "generic",
    )
    return Stored(id=r["id"], article=article, first_seen=r["first_seen"], fts_key=r["fts_key"])


def by_fts_keys(conn: sqlite3.Connection, keys: tuple[int, ...]) -> dict[int, Stored]:
    """The articles of a page of search hits by their full-text keys, their related stories read as
    rows: a search decodes no JSON, and loads no json module (1.5 ms of its 55)."""
    marks = ",".join("?" * len(keys))
    cursor = conn.execute(f"SELECT {RECORD_COLUMNS} FROM {ARTICLE_FROM} WHERE a.fts_key IN ({marks})", keys)
    names = [c[0] for c in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor]
    related: dict[int, list[dict[str, Any]]] = {r["id"]: [] for r in rows}
    if rows:
        ids = tuple(related)
        for article_id, headline, url, summary in conn.execute(
            "SELECT article_id, headline, url, summary FROM related"
            f" WHERE article_id IN ({','.join('?' * len(ids))}) ORDER BY article_id, position",
            ids,
        ):
            related[article_id].append({"headline": headline, "url": url, "summary": summary})
    return {r["fts_key"]: _stored(r, related[r["id"]]) for r in rows}


def get(conn: sqlite3.Connection, article_id: int) -> Stored | None:
    return next(select(conn, "WHERE a.id = ?", (article_id,)), None)


def find(conn: sqlite3.Connection, ref: str) -> Stored | None:
    """An article by id ("12") or by any form of its URL, its scheme left out too
    ("www.north-africa.com/story/")."""
    ref = ref.strip()
    if ref.isascii() and ref.isdigit():  # not "²", which str.isdigit takes for a digit
        number = int(ref)
        return get(conn, number) if number < 2**63 else None
    from ..urls import url_key

    if not ref.lower().startswith(("http://", "https://", "//")):
        ref = "https://" + ref
    try:
        key = url_key(ref)
    except ValueError:  # a malformed URL (nai.urls.check_url) is no article's
        return None
    return next(select(conn, "WHERE a.key = ?", (key,)), None)


def all_stored(conn: sqlite3.Connection) -> Iterator[Stored]:
    """Every article in id order, streamed from one cursor."""
    yield from select(conn)


def read_history(conn: sqlite3.Connection, article_id: int) -> list[tuple[str, int]]:
    rows = conn.execute(
        "SELECT observed_at, read_count FROM read_counts WHERE article_id = ? ORDER BY observed_at", (article_id,)
    )
    return [(t, c) for t, c in rows]


def removed(conn: sqlite3.Connection, article_id: int) -> tuple[str, int] | None:
    """When the site stopped serving the article, and the HTTP status it gave; None if it still does."""
    row = conn.execute("SELECT removed_at, removed_status FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None or row[0] is None:
        return None
    return row[0], row[1]


def stats(conn: sqlite3.Connection, path: str) -> dict[str, Any]:
    """Counts, date range, articles per month, how often each field is filled, the last scrapes, and the
    fields of the last scrape's pages against earlier ones."""
    from .crawl import last_runs

    total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    first, last = conn.execute(
        "SELECT min(substr(published, 1, 10)), max(substr(published, 1, 10)) FROM articles"
    ).fetchone()
    filled = conn.execute(
        """SELECT count(url), count(published), count(section), count(read_count), count(author_id),
                  sum(EXISTS (SELECT 1 FROM related r WHERE r.article_id = articles.id)),
                  sum(body != '')
           FROM articles"""
    ).fetchone()
    fields = ("url", "published", "section", "read_count", "author", "related", "body")
    per_month = conn.execute(
        """SELECT COALESCE(substr(published, 1, 7), 'undated') AS month, count(*) FROM articles
           GROUP BY month ORDER BY month"""
    ).fetchall()
    sites = conn.execute(
        "SELECT COALESCE(site, '(none)'), count(*) FROM articles GROUP BY site ORDER BY count(*) DESC"
    ).fetchall()
    counts = {
        name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        for name in ("authors", "versions", "read_counts", "related", "raw_pages")
    }
    raw_bytes = conn.execute(
        "SELECT (SELECT COALESCE(sum(length(content)), 0) FROM raw_pages)"
        " + (SELECT COALESCE(sum(length(content)), 0) FROM raw_dicts)"
    ).fetchone()[0]
    runs = last_runs(conn)
    return {
        "articles": total,
        "first_published": first,
        "last_published": last,
        "sites": [{"site": s, "articles": n} for s, n in sites],
        "per_month": [{"month": m, "articles": n} for m, n in per_month],
        "fill": {f: (round((n or 0) / total, 3) if total else 0.0) for f, n in zip(fields, filled, strict=True)},
        "tables": counts,
        "raw_page_bytes": raw_bytes,
        "file_bytes": sum(os.path.getsize(p) for p in (path, f"{path}-wal") if os.path.exists(p)),
        "removed": conn.execute("SELECT count(*) FROM articles WHERE removed_at IS NOT NULL").fetchone()[0],
        "last_runs": [run.to_record() for run in runs],
        "last_run_fill": _run_fill(runs[0]) if runs else None,
    }


def _run_fill(run: Run) -> dict[str, Any] | None:
    """The last scrape's pages against the articles stored in the 90 days before it, field by field
    (nai.store.fill); None for a run recorded before nai compared them."""
    from .fill import BEFORE_DAYS

    if run.fields is None:
        return None
    return {
        "run_id": run.id,
        "started_at": run.started_at,
        "before_days": BEFORE_DAYS,
        "fields": [f.to_record() for f in run.fields],
    }
