"""The crawl state of `nai scrape`: what is known of each URL (the urls table) and each run (runs).

Typed both ways: a URL's state is a UrlState, its kind a UrlKind, a run a Run. The scrape changes
a state through Crawl.update with named fields (UrlChanges); the columns are the dataclass's.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, TypedDict

from ..urls import url_key
from .fill import FieldFill
from .keys import now_iso

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .archive import Archive


class UrlKind(str, Enum):
    """What a URL is to the scrape (urls.kind)."""

    ARTICLE = "article"
    SITEMAP = "sitemap"
    FEED = "feed"
    ROBOTS = "robots"
    SKIPPED = "skipped"  # fetched, and not an article
    GONE = "gone"  # answered 404 or 410 before it was ever stored
    DISALLOWED = "disallowed"  # robots.txt forbids it


@dataclass(frozen=True, slots=True)
class UrlState:
    """A row of the urls table."""

    key: str  # url_key() of the URL
    url: str
    kind: UrlKind
    first_seen: str
    parent: str | None = None  # the key of the sitemap that lists this sitemap
    last_fetched: str | None = None
    status: int | None = None  # the last HTTP status
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = None  # the newest <lastmod> a sitemap gave for it
    fetched_lastmod: str | None = None  # its <lastmod> when last fetched: older than lastmod, fetch again
    article_id: int | None = None
    error: str | None = None  # why the last fetch failed, if it did
    body: str | None = None  # robots.txt only: its text, for when it answers 304

    @classmethod
    def new(cls, url: str, kind: UrlKind, now: str) -> UrlState:
        return cls(key=url_key(url), url=url, kind=kind, first_seen=now)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> UrlState:
        return cls(**{**{f: row[f] for f in COLUMNS}, "kind": UrlKind(row["kind"])})


class UrlChanges(TypedDict, total=False):
    """The fields of a UrlState that a scrape sets; those not given keep their value."""

    parent: str | None
    last_fetched: str | None
    status: int | None
    etag: str | None
    last_modified: str | None
    lastmod: str | None
    fetched_lastmod: str | None
    article_id: int | None
    error: str | None
    body: str | None


COLUMNS = tuple(f.name for f in dataclasses.fields(UrlState))
_UPSERT = (
    f"INSERT INTO urls ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
    f" ON CONFLICT (key) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in COLUMNS if c != 'key')}"
)


@dataclass(frozen=True, slots=True)
class Run:
    """A row of the runs table: one scrape's counts, traffic and errors."""

    started_at: str
    ended_at: str
    site: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    refreshed: int = 0
    removed: int = 0
    skipped: int = 0
    failed: int = 0
    requests: int = 0
    bytes: int = 0
    seconds: float = 0.0
    errors: tuple[str, ...] = ()
    fields: tuple[FieldFill, ...] | None = None  # its pages' fields against earlier ones; None: not compared
    id: int | None = None

    def to_record(self) -> dict[str, Any]:
        """The run as `nai stats --format json` gives it (errors as the JSON text stored), without its fields."""
        record = self.to_row()
        del record["fields"]
        return {"id": self.id, **record}

    def to_row(self) -> dict[str, Any]:
        """The runs table's columns: errors and fields as JSON text."""
        record = {name: getattr(self, name) for name in RUN_COLUMNS}
        record["errors"] = json.dumps(list(self.errors), ensure_ascii=False)
        if self.fields is not None:
            record["fields"] = json.dumps([f.to_json() for f in self.fields], ensure_ascii=False)
        return record

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Run:
        fields = row.get("fields")  # absent before migration m006, NULL for runs recorded before it
        return cls(
            **{c: row[c] for c in RUN_COLUMNS if c not in ("errors", "fields")},
            errors=tuple(json.loads(row["errors"])) if row["errors"] else (),
            fields=tuple(FieldFill.from_json(f) for f in json.loads(fields)) if fields is not None else None,
            id=row["id"],
        )


RUN_COLUMNS = tuple(f.name for f in dataclasses.fields(Run) if f.name != "id")


class Crawl:
    """The crawl state in an archive. Each change is its own transaction (a savepoint inside one)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.conn = archive.conn

    def state(self, url: str) -> UrlState | None:
        return self._state("SELECT * FROM urls WHERE key = ?", url_key(url))

    def update(self, url: str, kind: UrlKind, *, now: str | None = None, **changes: Unpack[UrlChanges]) -> None:
        """Set what is known of a URL (recorded first seen `now` when new); fields not given keep their value."""
        with self.archive.transaction():
            state = self.state(url) or UrlState.new(url, kind, now or now_iso())
            state = dataclasses.replace(state, kind=kind, **changes)
            self.conn.execute(_UPSERT, [_sql_value(getattr(state, c)) for c in COLUMNS])

    def any_of(self, kind: UrlKind) -> bool:
        return self.conn.execute("SELECT 1 FROM urls WHERE kind = ? LIMIT 1", (kind.value,)).fetchone() is not None

    def child_sitemaps(self, parent: str) -> list[UrlState]:
        return self._states("SELECT * FROM urls WHERE kind = 'sitemap' AND parent = ? ORDER BY url", url_key(parent))

    def pending(self) -> list[UrlState]:
        """Article URLs to fetch: never fetched, failed, or with a newer sitemap <lastmod>; newest first."""
        return self._states(
            """SELECT * FROM urls WHERE
                 (kind = 'article' AND (article_id IS NULL OR error IS NOT NULL
                   OR (lastmod IS NOT NULL AND (fetched_lastmod IS NULL OR lastmod > fetched_lastmod))))
                 OR (kind IN ('gone', 'skipped') AND lastmod IS NOT NULL AND fetched_lastmod IS NOT NULL
                   AND lastmod > fetched_lastmod)
               ORDER BY article_id IS NOT NULL, lastmod IS NULL, lastmod DESC, first_seen"""
        )

    def known_keys(self, keys: list[str]) -> set[str]:
        known: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            rows = self.conn.execute(f"SELECT key FROM urls WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            known.update(r[0] for r in rows)
        return known

    def raise_lastmod(self, key: str, lastmod: str) -> None:
        """A sitemap's newer <lastmod> for a known page (an article, or one skipped or gone)."""
        self.conn.execute(
            "UPDATE urls SET lastmod = ? WHERE key = ? AND kind IN ('article', 'gone', 'skipped') "
            "AND (lastmod IS NULL OR lastmod < ?)",
            (lastmod, key, lastmod),
        )

    def due_for_refresh(self, *, published_since: str, fetched_before: str) -> list[UrlState]:
        """Recent articles (by publication date) not fetched since `fetched_before`, youngest first."""
        return self._states(
            """SELECT u.* FROM urls u JOIN articles a ON a.id = u.article_id AND u.key = a.key
               WHERE u.kind = 'article' AND a.removed_at IS NULL AND u.error IS NULL
                 AND substr(a.published, 1, 10) >= ? AND (u.last_fetched IS NULL OR u.last_fetched < ?)
               ORDER BY a.published DESC""",
            published_since,
            fetched_before,
        )

    def mark_removed(self, article_id: int, *, status: int, now: str) -> bool:
        """Mark an article the site no longer serves (404/410); never delete it. True if newly removed."""
        with self.archive.transaction():
            cursor = self.conn.execute(
                "UPDATE articles SET removed_at = ?, removed_status = ? WHERE id = ? AND removed_at IS NULL",
                (now, status, article_id),
            )
            return cursor.rowcount > 0

    def record_run(self, run: Run) -> int:
        record = run.to_row()
        values = [record[c] for c in RUN_COLUMNS]
        with self.archive.transaction():
            cursor = self.conn.execute(
                f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join('?' for _ in RUN_COLUMNS)})", values
            )
            return int(cursor.lastrowid or 0)

    def _state(self, sql: str, *params: Any) -> UrlState | None:
        states = self._states(sql + " LIMIT 1", *params)
        return states[0] if states else None

    def _states(self, sql: str, *params: Any) -> list[UrlState]:
        cursor = self.conn.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [UrlState.from_row(dict(zip(names, row, strict=True))) for row in cursor]


def last_runs(conn: sqlite3.Connection, n: int = 5) -> list[Run]:
    """The last `n` scrapes, newest first."""
    cursor = conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (n,))
    names = [c[0] for c in cursor.description]
    return [Run.from_row(dict(zip(names, row, strict=True))) for row in cursor]


def _sql_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value
