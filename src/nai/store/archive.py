"""The archive file: opening it (WAL, or read-only), its transactions, and saving articles.

Every save is stored whole or not at all: in its own IMMEDIATE transaction, or in a savepoint of
one that `nai ingest` shares among a few inputs. Reading is nai.store.queries', the crawl state
nai.store.crawl's, checking and rebuilding nai.store.health's.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..errors import ArchiveError
from ..model import Article, Author, Related, Saved, SaveStatus
from . import schema
from .keys import FTS_KEY_FUNCTION, content_key, fingerprint, fts_key, index_text, now_iso, version_hash

if TYPE_CHECKING:
    from pathlib import Path

    import sqlite_utils

    from ..raw import RawPage
    from .rawpages import RawPages

BUSY_TIMEOUT_MS = 30_000
SQLITE_HEADER = b"SQLite format 3\x00"
FATAL_SQLITE = ("disk is full", "readonly", "read-only", "disk i/o error", "unable to open", "database is locked")


def is_fatal(exc: sqlite3.Error) -> bool:
    """Errors of the archive itself (disk full, read-only, I/O), not of one input."""
    return any(text in str(exc).lower() for text in FATAL_SQLITE)


def describe(exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    if "disk is full" in text:
        return "the disk is full (nothing half-written; free some space and run again)"
    if "locked" in text or "busy" in text:
        return "the archive is busy: another process kept it locked for 30 s; try again later"
    if "disk i/o error" in text:
        return "disk I/O error: is the disk full or failing? (nothing half-written)"
    if "readonly" in text or "read-only" in text:
        return "the archive is read-only"
    if "unable to open" in text:
        return "cannot open the archive (a read-only folder, or no permission?)"
    return f"archive error: {exc}"


def less_precise(date: str | None, than: str | None) -> bool:
    """Whether `date` is the day of the time `than` (an AMP page prints the day alone): the same
    date, not an edit of it."""
    return bool(date and than and len(date) == 10 and len(than) > 10 and than.startswith(date))


class Archive:
    """An nai archive file. Opening it creates it (when `create`) and applies migrations."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True, upgrade: bool = True) -> None:
        """`upgrade=False`: an archive of an older schema is an ArchiveError, not migrated."""
        #: The file as given (os.path, not pathlib: a search does not load pathlib).
        self.file = os.fspath(path)
        if os.path.isdir(self.file):
            raise ArchiveError(f"{self.file}: is a directory, not an archive file")
        if not os.path.exists(self.file):
            if not create:
                raise ArchiveError(f"{self.file}: no archive here (nai ingest creates one)")
        else:
            _check_sqlite_file(self.file)
        self.read_only = False
        self._on_rollback: list[Callable[[], None]] = []
        self._depth = 0  # savepoints open
        #: New articles' full-text rows (fts_key, headline, body as the index reads them), indexed at commit.
        self._unindexed: list[tuple[int, str, str]] = []
        try:
            self.conn = self._connect(create=create)
            if not self.read_only and upgrade:
                self._use_wal()
                self.conn.execute("PRAGMA synchronous = NORMAL")
                self.migrate()
            elif schema.pending(self.conn):
                where = "read-only, and " if self.read_only else ""
                raise ArchiveError(f"{self.file}: {where}made by an older nai: open it once where it can be written")
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"{self.file}: {describe(exc)}") from None

    @cached_property
    def path(self) -> Path:
        from pathlib import Path

        return Path(self.file)

    def _connect(self, *, create: bool) -> sqlite3.Connection:
        """The archive, read-write; a read-only file or folder (a backup on a read-only mount) opens
        read-only for the commands that only read (`create=False`)."""
        conn = _configured(sqlite3.connect(self.file, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None))
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        folder = os.path.dirname(os.path.abspath(self.file))
        if create or (os.access(self.file, os.W_OK) and os.access(folder, os.W_OK)):
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError as exc:
                if create or not is_fatal(exc):
                    raise
        conn.close()
        self.read_only = True
        uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
        return _configured(sqlite3.connect(uri, uri=True, isolation_level=None))

    def _use_wal(self) -> None:
        """WAL mode, so that reads never wait on writes. Switching needs a moment alone with the file,
        which a first ingest racing a first search may not get at once: try again for a while."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    @cached_property
    def raw(self) -> RawPages:
        """The raw pages, made ready when first used (reading commands never load the codec)."""
        from .rawpages import RawPages

        raw = RawPages(self.conn)
        self.on_rollback(raw.dictionaries.forget)  # one made in a rolled-back transaction is gone, its id free
        return raw

    @cached_property
    def db(self) -> sqlite_utils.Database:
        """The connection through sqlite-utils, for the schema: imported only when it is needed."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def on_rollback(self, forget: Callable[[], None]) -> None:
        """Call `forget` whenever a transaction or savepoint is undone (caches of what it wrote)."""
        self._on_rollback.append(forget)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE: take the write lock first, so a concurrent writer waits, not fails.

        Inside a transaction already, the work is a savepoint of it: undone alone if it fails.
        Whenever an exception comes (Ctrl-C may come between any two steps), what was begun is undone."""
        nested = self.conn.in_transaction
        name = f"nai_step_{self._depth}"  # one name a level: a rollback never reaches an outer savepoint
        unindexed = self._unindexed[:]  # what is undone undoes its indexing too (an update indexes what was new)
        self._depth += 1
        try:
            self.conn.execute(f"SAVEPOINT {name}" if nested else "BEGIN IMMEDIATE")
            yield
            if not nested:
                self.index_new()
            self.conn.execute(f"RELEASE {name}" if nested else "COMMIT")
        except BaseException:
            self._unindexed = unindexed
            for forget in self._on_rollback:
                forget()
            if self.conn.in_transaction:  # SQLite may have rolled back already (disk full, I/O)
                if not nested:
                    self.conn.execute("ROLLBACK")
                else:
                    with contextlib.suppress(sqlite3.OperationalError):  # not made yet, or released already
                        self.conn.execute(f"ROLLBACK TO {name}")
                        self.conn.execute(f"RELEASE {name}")
            raise
        finally:
            self._depth -= 1

    def index_new(self) -> None:
        """Index this transaction's new articles in one statement, in rowid order. No insert trigger: its
        statement is a savepoint, where FTS5 writes a segment (one an article, merged again: 0.3 ms)."""
        rows, self._unindexed = sorted(self._unindexed), []
        self.conn.executemany("INSERT INTO articles_fts (rowid, headline, body) VALUES (?, ?, ?)", rows)

    def migrate(self) -> None:
        if not schema.pending(self.conn):
            return
        with self.transaction():  # the state is read again under the write lock: another process may be here
            if schema.is_empty(self.conn):
                schema.create(self.conn, now_iso())
            else:
                schema.apply_pending(self.db, now_iso())

    def one(self, sql: str, *params: Any) -> dict[str, Any] | None:
        """The first row of a query as a dict of its columns, or None."""
        cursor = self.conn.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cursor.description], row, strict=True))

    # -- saving

    def save(
        self,
        article: Article,
        *,
        page: bytes | RawPage | None = None,
        page_url: str | None = None,
        source: str | None = None,
        observed_at: str | None = None,
        charset: str | None = None,
    ) -> Saved:
        """Store an article (and the page it was parsed from, for `nai reparse`): new, updated (the
        old version kept) or unchanged. One transaction, or a savepoint of the caller's.

        `observed_at` is when the page was seen (ISO 8601 UTC; default now): its read count's time,
        and its state's. A page older than the newest one seen of the article (an archive.org
        capture ingested later) changes no field of the record: its read count joins the series
        and its text the article's history, at its time (nai.store.history.place_older). `charset`:
        what the page's HTTP response named, kept with the raw page for `nai reparse`. Nothing is
        seen later than now: a later `observed_at` (a capture's URL claiming a time to come) is now,
        else that page would stand as the newest for good, and every real page after it be older."""
        from ..urls import url_key  # here: opening an archive to read it needs no URL parsing

        now = now_iso()
        seen = observed_at if observed_at and observed_at < now else now
        key = url_key(article.url) if article.url else None
        ckey = content_key(article)
        with self.transaction():
            row = self._find_existing(key, ckey)
            if row is not None and article.url is None and row["url"]:
                # a copy saved without its URL: the archive knows the URL, keep it
                article = article._replace(url=row["url"], site=row["site"] or article.site)
            if isinstance(page, bytes):
                from ..raw import RawPage

                page = RawPage.of(page)

            def store_page() -> int | None:
                if not page:
                    return None
                return self.raw.store(page, site=article.site, url=page_url, source=source, now=now, charset=charset)

            if row is not None and row["last_seen"] and seen < row["last_seen"]:
                from .history import place_older

                self._observe(row["id"], article.read_count, seen)
                place_older(self.conn, row, article, seen=seen, store_page=store_page, now=now)
                return Saved(row["id"], "unchanged")
            raw_id = store_page()
            if row is None:
                key = key or f"fp:{ckey}"
                article_id = self._insert(article, key=key, ckey=ckey, raw_id=raw_id, seen=seen, now=now)
                return Saved(article_id, "new")
            status = self._update(row, article, key=key, ckey=ckey, raw_id=raw_id, seen=seen, now=now, reason="page")
            return Saved(row["id"], status)

    def resave(self, article_id: int, article: Article) -> None:
        """Replace a stored article's record with `article`, parsed again from its own raw page
        (`nai reparse`); a changed headline, date or body keeps the old version, marked reparse:
        the new state is seen when the old one was (the same page), its place in the article's
        history. The read count is the page's, seen when the page was."""
        with self.transaction():
            row = self.one("SELECT * FROM articles WHERE id = ?", article_id)
            if row is None:
                return
            from ..urls import url_key

            key = url_key(article.url) if article.url else None
            if key is not None and key != row["key"] and self.one("SELECT id FROM articles WHERE key = ?", key):
                key = None  # the new key belongs to another article: keep this one's
            self._update(
                row,
                article,
                key=key,
                ckey=content_key(article),
                raw_id=row["raw_page_id"],
                seen=row["last_seen"] or row["first_seen"],
                now=now_iso(),
                reason="reparse",
            )

    def _find_existing(self, key: str | None, ckey: str) -> dict[str, Any] | None:
        if key is not None:  # by its URL, else the same story saved earlier without its URL
            return self.one(
                """SELECT * FROM (SELECT *, 0 AS preference FROM articles WHERE key = ?
                                  UNION ALL
                                  SELECT *, 1 FROM articles WHERE content_key = ? AND key LIKE 'fp:%')
                   ORDER BY preference LIMIT 1""",
                key,
                ckey,
            )
        return self.one("SELECT * FROM articles WHERE content_key = ? ORDER BY id LIMIT 1", ckey)

    def _author_id(self, author: Author | None, now: str) -> int | None:
        if author is None:
            return None
        row = self.one("SELECT id, blurb FROM authors WHERE name = ?", author.name)
        if row is None:
            cursor = self.conn.execute(
                "INSERT INTO authors (name, blurb, updated_at) VALUES (?, ?, ?)",
                (author.name, author.blurb, now),
            )
            return int(cursor.lastrowid or 0)
        if author.blurb and author.blurb != row["blurb"]:
            self.conn.execute(
                "UPDATE authors SET blurb = ?, updated_at = ? WHERE id = ?", (author.blurb, now, row["id"])
            )
        return int(row["id"])

    def _insert(self, article: Article, *, key: str, ckey: str, raw_id: int | None, seen: str, now: str) -> int:
        # the id is taken here, under the write lock, because the full-text key is made of it
        article_id = int(self.conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM articles").fetchone()[0])
        rowid = fts_key(article.published, article_id)
        self.conn.execute(
            """INSERT INTO articles (id, fts_key, key, url, site, headline, published, section, read_count, body,
                 author_id, rules, content_key, fingerprint, raw_page_id, first_seen, updated_at, last_seen, seen_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                article_id, rowid, key, article.url, article.site,
                article.headline, article.published, article.section, article.read_count, article.body,
                self._author_id(article.author, now), article.rules, ckey, fingerprint(article), raw_id,
                now, now, seen, seen,
            ),
        )  # fmt: skip
        self._unindexed.append((rowid, index_text(article.headline), index_text(article.body)))
        if article.read_count is not None:
            self.conn.execute(
                "INSERT INTO read_counts (article_id, observed_at, read_count) VALUES (?, ?, ?)",
                (article_id, seen, article.read_count),
            )
        self._write_related(article_id, article.related)
        if not key.startswith("fp:"):  # stories that listed this one now point at it
            self.conn.execute(
                "UPDATE related SET target_id = ? WHERE url_key = ? AND target_id IS NULL", (article_id, key)
            )
        return article_id

    def _update(
        self,
        row: dict[str, Any],
        article: Article,
        *,
        key: str | None,
        ckey: str,
        raw_id: int | None,
        seen: str,
        now: str,
        reason: str,
    ) -> SaveStatus:
        """`seen`: when the page was seen (its read count's time); `now`: when it is stored. A new
        state is seen at `seen` (a page), or when the state it replaces was (a reparse: the same
        page read again)."""
        article_id = int(row["id"])
        self.index_new()  # its update's trigger deletes the terms of its old text from the index
        if less_precise(article.published, row["published"]):  # the AMP copy's day: the time known stays
            article = article._replace(published=row["published"])
        changed = fingerprint(article) != row["fingerprint"] or row["rules"] != article.rules
        state_seen = row["seen_at"] or row["first_seen"]
        if version_hash(article.headline, article.published, article.body) != version_hash(
            row["headline"], row["published"], row["body"]
        ):
            self._keep_version(row, reason=reason, now=now)
            if reason != "reparse":  # a reparse reads the same page again: its state was seen when the page was
                state_seen = seen
        new_key = key if key is not None else row["key"]
        self.conn.execute(
            """UPDATE articles SET fts_key = ?, key = ?, url = ?, site = ?, headline = ?, published = ?, section = ?,
                 read_count = COALESCE(?, read_count), body = ?, author_id = ?, rules = ?, content_key = ?,
                 fingerprint = ?, raw_page_id = COALESCE(?, raw_page_id), updated_at = ?, last_seen = ?, seen_at = ?
               WHERE id = ?""",
            (
                fts_key(article.published, article_id), new_key, article.url, article.site, article.headline,
                article.published, article.section,
                article.read_count, article.body, self._author_id(article.author, now), article.rules, ckey,
                fingerprint(article), raw_id, now if changed else row["updated_at"], seen, state_seen, article_id,
            ),
        )  # fmt: skip
        self._observe(article_id, article.read_count, seen)
        if self._related_of(article_id) != article.related:
            self.conn.execute("DELETE FROM related WHERE article_id = ?", (article_id,))
            self._write_related(article_id, article.related)
        if new_key != row["key"] and not new_key.startswith("fp:"):
            self.conn.execute(
                "UPDATE related SET target_id = ? WHERE url_key = ? AND target_id IS NULL",
                (article_id, new_key),
            )
        if raw_id is not None and row["raw_page_id"] not in (None, raw_id):
            self.raw.drop_if_unused(int(row["raw_page_id"]))
        return "updated" if changed else "unchanged"

    def _keep_version(self, row: dict[str, Any], *, reason: str, now: str) -> None:
        """The article's state before this change, with when it was first seen, and why (page,
        reparse) and when it was replaced."""
        self.conn.execute(
            """INSERT INTO versions
                 (article_id, version, headline, published, body, reason, raw_page_id, saved_at, seen_at)
               VALUES (?, (SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE article_id = ?),
                       ?, ?, ?, ?, ?, ?, ?)""",
            (
                row["id"], row["id"], row["headline"], row["published"], row["body"], reason, row["raw_page_id"], now,
                row["seen_at"] or row["first_seen"],
            ),
        )  # fmt: skip

    def _observe(self, article_id: int, read_count: int | None, seen: str) -> None:
        """Record a read count seen at `seen`, every one, an unchanged count too (an article seen in
        a window is in `nai trending`'s window, whatever order its pages came in): one a time, a
        second at the same time replacing the first. The article's read count is its latest."""
        if read_count is None:
            return
        at = self.one("SELECT read_count FROM read_counts WHERE article_id = ? AND observed_at = ?", article_id, seen)
        if at is not None:
            if at["read_count"] == read_count:
                return
            self.conn.execute(
                "UPDATE read_counts SET read_count = ? WHERE article_id = ? AND observed_at = ?",
                (read_count, article_id, seen),
            )
        else:
            self.conn.execute(
                "INSERT INTO read_counts (article_id, observed_at, read_count) VALUES (?, ?, ?)",
                (article_id, seen, read_count),
            )
        self.conn.execute(
            """UPDATE articles SET read_count = (SELECT read_count FROM read_counts WHERE article_id = ?1
                                                 ORDER BY observed_at DESC LIMIT 1) WHERE id = ?1""",
            (article_id,),
        )

    def _write_related(self, article_id: int, related: tuple[Related, ...]) -> None:
        from ..urls import url_key

        self.conn.executemany(
            """INSERT INTO related (article_id, position, headline, url, url_key, summary, target_id)
               VALUES (?1, ?2, ?3, ?4, ?5, ?6, (SELECT id FROM articles WHERE key = ?5))""",
            [
                (article_id, position, story.headline, story.url, url_key(story.url), story.summary)
                for position, story in enumerate(related)
            ],
        )

    def _related_of(self, article_id: int) -> tuple[Related, ...]:
        rows = self.conn.execute(
            "SELECT headline, url, summary FROM related WHERE article_id = ? ORDER BY position", (article_id,)
        )
        return tuple(Related(h, u, s) for h, u, s in rows)


def _configured(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Text columns as text even where the file is damaged (a bad byte becomes U+FFFD, not an
    error), and the full-text key as an SQL function (migrations and repair compute it in SQL)."""
    conn.text_factory = _lenient_text
    conn.create_function(FTS_KEY_FUNCTION, 2, fts_key, deterministic=True)
    return conn


def _lenient_text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _check_sqlite_file(path: str) -> None:
    try:
        with open(path, "rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ArchiveError(f"{path}: {exc.strerror or exc}") from None
    if header and header != SQLITE_HEADER:
        raise ArchiveError(f"{path}: not an SQLite database (is --db/NAI_DB right?)")
