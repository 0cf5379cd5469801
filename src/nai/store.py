"""The archive: one SQLite file through sqlite-utils.

Tables (created and upgraded by MIGRATIONS, recorded in _nai_migrations):
  articles      one row per article, keyed by its normalised URL (or "fp:" + a content key)
  authors       one row per author; the blurb kept current
  related       the "Most Recent Stories" block as ordered edges, target_id set when in the archive
  read_counts   every read-count observation with its time
  versions      each earlier (headline, published, body) an article has had, oldest first; the
                current one is the article's row (before migration m005 it was repeated here)
  raw_pages     the pages themselves, so `nai reparse` can rebuild records: zstd against a
                dictionary of their site (nai.raw), zlib before migration m004
  raw_dicts     those dictionaries: pages of the site, zstd-compressed
  articles_fts  FTS5 over headline and body (external content, diacritics folded)
Every save is stored whole or not at all: in its own IMMEDIATE transaction, or in a savepoint of
one that `nai ingest` shares among a few inputs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Literal

import sqlite_utils

from . import raw as rawpages
from .errors import ArchiveError, NaiError, QueryError
from .model import Article, Author, Related
from .raw import RawPage
from .urls import url_key

Status = Literal["new", "updated", "unchanged"]
BUSY_TIMEOUT_MS = 30_000
TOKENIZER = "unicode61 remove_diacritics 2"  # "Saied" finds "Saïed"
HEADLINE_WEIGHT, BODY_WEIGHT = 10.0, 1.0
SNIPPET_TOKENS = 16
MARK_START, MARK_END = "[", "]"
SQLITE_HEADER = b"SQLite format 3\x00"
# The full-text index's rowid: days since 1900-01-01 of the publication (0 when undated) in the high
# bits, the article id in the low 32. Computed here and, for the migration, in SQL.
FTS_EPOCH = date(1900, 1, 1)
FTS_KEY_SQL = "COALESCE(CAST(julianday(substr(published, 1, 10)) - 2415020.5 AS INTEGER), 0) * 4294967296 + id"
#: A query matching more articles than this ranks the newest this many (see README, "Search").
SEARCH_CANDIDATES = 2000
FTS_QUERY_ERROR = re.compile(r"fts5|syntax error|no such column|unknown special query|unterminated", re.I)
MAX_QUERY_TERMS = 32  # distinct words or phrases of a plain query, and words of one phrase
MAX_RAW_QUERY = 2000  # characters of a --raw query
SEARCH_SECONDS = 10.0  # a search taking longer is stopped with a one-line error
DICTIONARY_CACHE = 16  # raw-page dictionaries kept ready in memory (about 1 MB each, with its compressor)


# ---- migrations: an ordered list, each applied once and recorded ----------------------

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[Migration] = []


def migration(step: Migration) -> Migration:
    """Add a step to MIGRATIONS. Steps are applied in order, once each; never edit a released one."""
    MIGRATIONS.append(step)
    return step


@migration
def m001_initial(db: sqlite_utils.Database) -> None:
    db.table("authors").create({"id": int, "name": str, "blurb": str, "updated_at": str}, pk="id", not_null={"name"})
    db.table("authors").create_index(["name"], unique=True)
    db.table("raw_pages").create(
        {
            "id": int,
            "sha256": str,
            "content": bytes,  # zlib-compressed page bytes, as read
            "size": int,  # uncompressed bytes
            "url": str,  # the URL the page was fetched from or given with --url
            "source": str,  # the file or URL it was read from
            "stored_at": str,
        },
        pk="id",
        not_null={"sha256", "content", "size", "stored_at"},
    )
    db.table("raw_pages").create_index(["sha256"], unique=True)
    db.table("articles").create(
        {
            "id": int,
            "key": str,  # identity: normalised URL, or "fp:" + content key
            "url": str,
            "site": str,
            "headline": str,
            "published": str,
            "section": str,
            "read_count": int,
            "body": str,
            "author_id": int,
            "rules": str,  # the site rules that applied, or "generic"
            "content_key": str,  # site + headline + date, to match a copy saved without URL
            "fingerprint": str,  # hash of the stored fields; a change makes the save "updated"
            "raw_page_id": int,
            "first_seen": str,
            "updated_at": str,
            "last_seen": str,
        },
        pk="id",
        not_null={"key", "headline", "body", "content_key", "fingerprint", "first_seen"},
        foreign_keys=[("author_id", "authors", "id"), ("raw_page_id", "raw_pages", "id")],
    )
    db.table("articles").create_index(["key"], unique=True)
    db.table("articles").create_index(["content_key"])
    db.table("articles").create_index(["published"])
    db.table("related").create(
        {
            "article_id": int,
            "position": int,
            "headline": str,
            "url": str,
            "url_key": str,
            "summary": str,
            "target_id": int,
        },
        pk=("article_id", "position"),
        not_null={"headline", "url", "url_key"},
        foreign_keys=[("article_id", "articles", "id"), ("target_id", "articles", "id")],
    )
    db.table("related").create_index(["url_key"])
    db.table("related").create_index(["target_id"])
    db.table("read_counts").create(
        {"article_id": int, "observed_at": str, "read_count": int},
        pk=("article_id", "observed_at"),
        not_null={"read_count"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("versions").create(
        {
            "article_id": int,
            "version": int,
            "headline": str,
            "published": str,
            "body": str,
            "reason": str,  # new, page (the site changed it), reparse (the parser changed)
            "raw_page_id": int,
            "saved_at": str,
        },
        pk=("article_id", "version"),
        not_null={"headline", "body", "reason", "saved_at"},
        foreign_keys=[("article_id", "articles", "id"), ("raw_page_id", "raw_pages", "id")],
    )
    db.table("articles").enable_fts(["headline", "body"], tokenize=TOKENIZER)
    # Our own triggers, not INSERT OR REPLACE ones: the index follows every insert, update and
    # delete of the two indexed columns, and a read-count update does not touch it.
    db.executescript(
        """
        CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
          INSERT INTO articles_fts (rowid, headline, body) VALUES (new.id, new.headline, new.body);
        END;
        CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
          INSERT INTO articles_fts (articles_fts, rowid, headline, body)
          VALUES ('delete', old.id, old.headline, old.body);
        END;
        CREATE TRIGGER articles_au AFTER UPDATE OF headline, body ON articles BEGIN
          INSERT INTO articles_fts (articles_fts, rowid, headline, body)
          VALUES ('delete', old.id, old.headline, old.body);
          INSERT INTO articles_fts (rowid, headline, body) VALUES (new.id, new.headline, new.body);
        END;
        """
    )


@migration
def m002_crawl_state(db: sqlite_utils.Database) -> None:
    """What `nai scrape` knows of each URL, its runs, and articles the site took down."""
    db.table("urls").create(
        {
            "key": str,  # url_key() of the URL
            "url": str,
            "kind": str,  # article, sitemap, feed, robots, skipped (not an article), gone, disallowed
            "parent": str,  # the key of the sitemap that lists this sitemap
            "first_seen": str,
            "last_fetched": str,
            "status": int,  # the last HTTP status
            "etag": str,
            "last_modified": str,
            "lastmod": str,  # the newest <lastmod> a sitemap gave for it
            "fetched_lastmod": str,  # its <lastmod> when last fetched: older than lastmod, fetch again
            "article_id": int,
            "error": str,  # why the last fetch failed, if it did
            "body": str,  # robots.txt only: its text, for when it answers 304
        },
        pk="key",
        not_null={"url", "kind", "first_seen"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("urls").create_index(["article_id"])
    db.table("urls").create_index(["kind", "last_fetched"])
    db.table("runs").create(
        {
            "id": int,
            "started_at": str,
            "ended_at": str,
            "site": str,
            "new": int,
            "updated": int,
            "unchanged": int,
            "refreshed": int,
            "removed": int,
            "skipped": int,
            "failed": int,
            "requests": int,
            "bytes": int,
            "seconds": float,
            "errors": str,  # JSON list of "url: reason"
        },
        pk="id",
    )
    db.table("articles").add_column("removed_at", str)
    db.table("articles").add_column("removed_status", int)


@migration
def m003_date_ordered_search(db: sqlite_utils.Database) -> None:
    """The full-text index keyed by publication day then id (articles.fts_key), so that the newest
    matches come first in its own order, and date filters are ranges of its rowids."""
    db.table("articles").add_column("fts_key", int)
    db.execute(f"UPDATE articles SET fts_key = {FTS_KEY_SQL}")
    db.table("articles").create_index(["fts_key"], unique=True)
    db.executescript(
        """
        DROP TRIGGER IF EXISTS articles_ai;
        DROP TRIGGER IF EXISTS articles_ad;
        DROP TRIGGER IF EXISTS articles_au;
        DROP TABLE IF EXISTS articles_fts;
        """
    )
    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5 (headline, body, "
        f"tokenize='{TOKENIZER}', content='articles', content_rowid='fts_key')"
    )
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
    db.executescript(FTS_TRIGGERS)


@migration
def m004_raw_dictionaries(db: sqlite_utils.Database) -> None:
    """Raw pages packed with zstd against a dictionary made of a page of their site (nai.raw).
    Pages stored before keep their zlib bytes (codec NULL)."""
    db.table("raw_dicts").create(
        {
            "id": int,
            "site": str,  # the site whose pages it packs (NULL: pages without a site)
            "content": bytes,  # the dictionary: a page of the site, zstd-compressed
            "size": int,  # uncompressed bytes
            "created_at": str,
        },
        pk="id",
        not_null={"content", "size", "created_at"},
    )
    db.table("raw_dicts").create_index(["site"])
    db.table("raw_pages").add_column("codec", str)  # "zstd"; NULL: zlib
    db.table("raw_pages").add_column("dict_id", int)  # raw_dicts.id, or NULL


@migration
def m005_versions_hold_earlier_states(db: sqlite_utils.Database) -> None:
    """versions kept every state including the current one, which repeated the article's body.
    Now it keeps the earlier states only, each with why and when it was replaced."""
    db.execute(
        """UPDATE versions SET
             reason = (SELECT n.reason FROM versions n
                       WHERE n.article_id = versions.article_id AND n.version = versions.version + 1),
             saved_at = (SELECT n.saved_at FROM versions n
                         WHERE n.article_id = versions.article_id AND n.version = versions.version + 1)
           WHERE EXISTS (SELECT 1 FROM versions n
                         WHERE n.article_id = versions.article_id AND n.version = versions.version + 1)"""
    )
    db.execute(
        """DELETE FROM versions WHERE version = (SELECT max(v.version) FROM versions v
                                                 WHERE v.article_id = versions.article_id)"""
    )
    # a page kept only because the dropped copy pointed at it (a read count that moved) goes too
    db.execute(
        """DELETE FROM raw_pages WHERE id NOT IN (SELECT raw_page_id FROM articles WHERE raw_page_id IS NOT NULL)
             AND id NOT IN (SELECT raw_page_id FROM versions WHERE raw_page_id IS NOT NULL)"""
    )


# The index follows every insert, update and delete of the indexed columns (and of the key); a
# read-count update does not touch it. `nai check --repair` restores them from here.
FTS_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS articles_ai AFTER INSERT ON articles BEGIN
  INSERT INTO articles_fts (rowid, headline, body) VALUES (new.fts_key, new.headline, new.body);
END;
CREATE TRIGGER IF NOT EXISTS articles_ad AFTER DELETE ON articles BEGIN
  INSERT INTO articles_fts (articles_fts, rowid, headline, body) VALUES ('delete', old.fts_key, old.headline, old.body);
END;
CREATE TRIGGER IF NOT EXISTS articles_au AFTER UPDATE OF headline, body, fts_key ON articles BEGIN
  INSERT INTO articles_fts (articles_fts, rowid, headline, body) VALUES ('delete', old.fts_key, old.headline, old.body);
  INSERT INTO articles_fts (rowid, headline, body) VALUES (new.fts_key, new.headline, new.body);
END;
"""
# What must be there for the archive to stay right: identity, the index's key, and its triggers.
REQUIRED_OBJECTS = {
    "idx_articles_key": "CREATE UNIQUE INDEX IF NOT EXISTS idx_articles_key ON articles (key)",
    "idx_articles_fts_key": "CREATE UNIQUE INDEX IF NOT EXISTS idx_articles_fts_key ON articles (fts_key)",
    "idx_raw_pages_sha256": "CREATE UNIQUE INDEX IF NOT EXISTS idx_raw_pages_sha256 ON raw_pages (sha256)",
    "idx_authors_name": "CREATE UNIQUE INDEX IF NOT EXISTS idx_authors_name ON authors (name)",
    "articles_ai": FTS_TRIGGERS,
    "articles_ad": FTS_TRIGGERS,
    "articles_au": FTS_TRIGGERS,
}


# ---- results --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Saved:
    id: int
    status: Status


@dataclass(frozen=True, slots=True)
class Stored:
    """An article as the archive holds it."""

    id: int
    article: Article
    first_seen: str
    updated_at: str | None
    fts_key: int | None = None

    def to_record(self) -> dict[str, Any]:
        return self.article.to_record(id=self.id)


@dataclass(frozen=True, slots=True)
class Hit:
    stored: Stored
    rank: float
    snippet: str

    def to_record(self) -> dict[str, Any]:
        return {**self.stored.to_record(), "rank": self.rank, "snippet": self.snippet}


@dataclass(frozen=True, slots=True)
class Reparsed:
    total: int
    changed: int
    failed: list[tuple[int, str]]


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


def fts_key(published: str | None, article_id: int) -> int:
    """The full-text rowid of an article: publication day, then id (see FTS_KEY_SQL)."""
    try:
        days = max(0, (date.fromisoformat((published or "")[:10]) - FTS_EPOCH).days)
    except ValueError:
        days = 0
    return days * 2**32 + article_id


def fts_range(since: str | None, until: str | None) -> tuple[int, int]:
    """The rowid range of articles published from `since` to `until` (ISO dates, inclusive)."""
    low = fts_key(since, 0) if since else (2**32 if until else 0)
    high = fts_key(until, 2**32 - 1) if until else 2**63 - 1
    return low, high


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def content_key(article: Article) -> str:
    """Site, headline and day: the same story saved with and without its URL."""
    text = "\n".join(
        [
            article.site or "",
            re.sub(r"\W+", " ", article.headline.lower()).strip(),
            (article.published or "")[:10],
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _hash(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def fingerprint(article: Article) -> str:
    """What makes a save 'updated': every stored field but the read count and related block."""
    author = article.author.to_record() if article.author else None
    return _hash(article.url, article.headline, article.published, article.section, article.body, author)


def version_hash(headline: str, published: str | None, body: str) -> str:
    return _hash(headline, published, body)


def to_match(query: str) -> str:
    """Plain words to an FTS5 query that can never be a syntax error.

    Each word (or "quoted phrase") becomes a quoted FTS5 phrase of its letters and digits, so
    operators, quotes, brackets and SQL are only text: 'Al-Tum "Salvador Pass"' ->
    '"Al Tum" "Salvador Pass"'. All phrases must match.
    """
    parts: list[str] = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', query):
        tokens = re.findall(r"\w+", phrase or word)[:MAX_QUERY_TERMS]
        quoted = '"' + " ".join(tokens) + '"'
        if tokens and quoted not in parts:
            parts.append(quoted)
    return " ".join(parts[:MAX_QUERY_TERMS])  # a query of a thousand words means its first few


# ---- the archive's own invariants, for nai check ------------------------------------------

INVARIANTS = (
    (
        "SELECT count(*) FROM related WHERE article_id NOT IN (SELECT id FROM articles)",
        "{n} related edges belong to missing articles",
    ),
    (
        "SELECT count(*) FROM related WHERE target_id IS NOT NULL AND target_id NOT IN (SELECT id FROM articles)",
        "{n} related edges point at missing articles",
    ),
    (
        "SELECT count(*) FROM read_counts WHERE article_id NOT IN (SELECT id FROM articles)",
        "{n} read-count observations belong to missing articles",
    ),
    (
        "SELECT count(*) FROM versions WHERE article_id NOT IN (SELECT id FROM articles)",
        "{n} versions belong to missing articles",
    ),
    (
        "SELECT count(*) FROM articles WHERE raw_page_id IS NOT NULL AND raw_page_id NOT IN (SELECT id FROM raw_pages)",
        "{n} articles point at missing raw pages",
    ),
    (
        "SELECT count(*) FROM raw_pages WHERE dict_id IS NOT NULL AND dict_id NOT IN (SELECT id FROM raw_dicts)",
        "{n} raw pages point at missing dictionaries",
    ),
    (
        "SELECT (SELECT count(*) FROM articles"
        "  WHERE fts_key IS NULL OR fts_key NOT IN (SELECT id FROM articles_fts_docsize))"
        " + (SELECT count(*) FROM articles_fts_docsize WHERE id NOT IN (SELECT fts_key FROM articles))",
        "{n} rows differ between the articles and the full-text index",
    ),
)
ORPHANS = (
    ("related", "article_id"),
    ("related", "target_id"),
    ("read_counts", "article_id"),
    ("versions", "article_id"),
)


# ---- the archive ----------------------------------------------------------------------

ARTICLE_COLUMNS = (
    "a.id, a.url, a.site, a.headline, a.published, a.section, a.read_count, a.body, "
    "a.rules, a.first_seen, a.updated_at, a.fts_key, au.name AS author_name, au.blurb AS author_blurb, "
    "(SELECT json_group_array(json_object('headline', r.headline, 'url', r.url, "
    "'summary', r.summary)) FROM (SELECT * FROM related r WHERE r.article_id = a.id "
    "ORDER BY r.position) r) AS related_json"
)
ARTICLE_FROM = "articles a LEFT JOIN authors au ON au.id = a.author_id"


class Archive:
    """An nai archive file. Opening it creates it (when `create`) and applies migrations."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise ArchiveError(f"{self.path}: is a directory, not an archive file")
        if not self.path.exists():
            if not create:
                raise ArchiveError(f"{self.path}: no archive here (nai ingest creates one)")
        else:
            _check_sqlite_file(self.path)
        self.read_only = False
        self._dictionaries: dict[int, rawpages.Dictionary] = {}
        try:
            conn = self._connect(create=create)
            self.db = sqlite_utils.Database(conn)
            self.conn = conn
            if not self.read_only:
                self._use_wal()
                conn.execute("PRAGMA synchronous = NORMAL")
                self.migrate()
            elif set(m.__name__ for m in MIGRATIONS) - set(self.applied_migrations()):
                raise ArchiveError(
                    f"{self.path}: read-only, and made by an older nai: open it once where it can be written"
                )
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"{self.path}: {describe(exc)}") from None

    def _connect(self, *, create: bool) -> sqlite3.Connection:
        """The archive, read-write; a read-only file or folder (a backup on a read-only mount) opens
        read-only for the commands that only read (`create=False`)."""
        conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.text_factory = _lenient_text
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if create or (os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)):
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError as exc:
                if create or not is_fatal(exc):
                    raise
        conn.close()
        self.read_only = True
        uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        conn.text_factory = _lenient_text
        return conn

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

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE: take the write lock first, so a concurrent writer waits, not fails.

        Inside a transaction already, the work is a savepoint of it: undone alone if it fails."""
        if self.conn.in_transaction:
            self.conn.execute("SAVEPOINT nai_step")
            try:
                yield
                self.conn.execute("RELEASE nai_step")
            except BaseException:
                self._dictionaries.clear()
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK TO nai_step")
                    self.conn.execute("RELEASE nai_step")
                raise
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            self._dictionaries.clear()  # one made in this transaction is gone, and its id may be reused
            if self.conn.in_transaction:  # SQLite may have rolled back already (disk full, I/O)
                self.conn.execute("ROLLBACK")
            raise

    # -- schema

    def applied_migrations(self) -> list[str]:
        if not self.db.table("_nai_migrations").exists():
            return []
        return [r["name"] for r in self.db.query("SELECT name FROM _nai_migrations ORDER BY rowid")]

    def migrate(self) -> None:
        applied = set(self.applied_migrations())
        pending = [m for m in MIGRATIONS if m.__name__ not in applied]
        if not pending:
            return
        with self.transaction():
            self.db.table("_nai_migrations").create({"name": str, "applied_at": str}, pk="name", if_not_exists=True)
            for step in pending:
                if step.__name__ in set(self.applied_migrations()):
                    continue  # another process applied it while we waited for the lock
                step(self.db)
                self.db.table("_nai_migrations").insert({"name": step.__name__, "applied_at": now_iso()})

    # -- writing

    def save(
        self,
        article: Article,
        *,
        raw: bytes | RawPage | None = None,
        raw_url: str | None = None,
        source: str | None = None,
        observed_at: str | None = None,
    ) -> Saved:
        """Store an article: new, updated (the old version kept) or unchanged. One transaction."""
        now = observed_at or now_iso()
        key = url_key(article.url) if article.url else None
        ckey = content_key(article)
        with self.transaction():
            row = self._find_existing(key, ckey)
            if row is not None and article.url is None and row["url"]:
                # a copy saved without its URL: the archive knows the URL, keep it
                article = dataclasses.replace(article, url=row["url"], site=row["site"] or article.site)
            if isinstance(raw, bytes):
                raw = RawPage.of(raw)
            raw_id = self._store_raw(raw, site=article.site, url=raw_url, source=source, now=now) if raw else None
            if row is None:
                article_id = self._insert(article, key=key or f"fp:{ckey}", ckey=ckey, raw_id=raw_id, now=now)
                return Saved(article_id, "new")
            status = self._update(row, article, key=key, ckey=ckey, raw_id=raw_id, now=now, reason="page")
            return Saved(row["id"], status)

    def _find_existing(self, key: str | None, ckey: str) -> dict[str, Any] | None:
        if key is not None:  # by its URL, else the same story saved earlier without its URL
            return self._one(
                """SELECT * FROM (SELECT *, 0 AS preference FROM articles WHERE key = ?
                                  UNION ALL
                                  SELECT *, 1 FROM articles WHERE content_key = ? AND key LIKE 'fp:%')
                   ORDER BY preference LIMIT 1""",
                key,
                ckey,
            )
        return self._one("SELECT * FROM articles WHERE content_key = ? ORDER BY id LIMIT 1", ckey)

    def _one(self, sql: str, *params: Any) -> dict[str, Any] | None:
        cursor = self.conn.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cursor.description], row, strict=True))

    def _store_raw(self, raw: RawPage, *, site: str | None, url: str | None, source: str | None, now: str) -> int:
        existing = self.conn.execute("SELECT id FROM raw_pages WHERE sha256 = ?", (raw.sha256,)).fetchone()
        if existing:
            return int(existing[0])
        packed, dict_id = (raw.packed, raw.dict_id) if raw.packed is not None else self._pack(raw.data, site, now)
        cursor = self.conn.execute(
            """INSERT INTO raw_pages (sha256, content, size, url, source, stored_at, codec, dict_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (raw.sha256, packed, raw.size, url, source, now, rawpages.ZSTD, dict_id),
        )
        return int(cursor.lastrowid or 0)

    def _pack(self, data: bytes, site: str | None, now: str) -> tuple[bytes, int]:
        """The page packed against the first of its site's newest dictionaries that it fits; else
        against the one that helps most, if one helps; else the page becomes a new dictionary."""
        tried: list[tuple[int, int, bytes]] = []
        for (dict_id,) in self.conn.execute(
            "SELECT id FROM raw_dicts WHERE site IS ? ORDER BY id DESC LIMIT ?", (site, rawpages.MAX_TRIES)
        ).fetchall():
            dictionary = self._dictionary(dict_id)
            packed = dictionary.pack(data)
            if dictionary.fits(packed, data):
                return packed, dict_id
            tried.append((len(packed), dict_id, packed))
        if tried:
            size, dict_id, packed = min(tried)
            if size < rawpages.HELPS * len(rawpages.pack_plain(data)):
                return packed, dict_id
        cursor = self.conn.execute(
            "INSERT INTO raw_dicts (site, content, size, created_at) VALUES (?, ?, ?, ?)",
            (site, rawpages.pack_plain(data), len(data), now),
        )
        dict_id = int(cursor.lastrowid or 0)
        self._remember(dict_id, rawpages.Dictionary(data))
        return self._dictionary(dict_id).pack(data), dict_id

    def _dictionary(self, dict_id: int) -> rawpages.Dictionary:
        dictionary = self._dictionaries.pop(dict_id, None)
        if dictionary is None:
            row = self.conn.execute("SELECT content FROM raw_dicts WHERE id = ?", (dict_id,)).fetchone()
            if row is None:
                raise rawpages.Damaged(f"its dictionary {dict_id} is missing")
            dictionary = rawpages.Dictionary(rawpages.unpack(row[0], rawpages.ZSTD))
        self._remember(dict_id, dictionary)
        return dictionary

    def _remember(self, dict_id: int, dictionary: rawpages.Dictionary) -> None:
        self._dictionaries[dict_id] = dictionary  # most recently used last
        while len(self._dictionaries) > DICTIONARY_CACHE:
            del self._dictionaries[next(iter(self._dictionaries))]

    def raw_page(self, raw_id: int) -> bytes:
        """A stored page's bytes. Raises one of nai.raw.Error when they are damaged."""
        row = self.conn.execute(
            "SELECT content, codec, dict_id, sha256 FROM raw_pages WHERE id = ?", (raw_id,)
        ).fetchone()
        if row is None:
            raise rawpages.Damaged(f"raw page {raw_id} is missing")
        content, codec, dict_id, sha256 = row
        data = rawpages.unpack(content, codec, self._dictionary(dict_id) if dict_id is not None else None)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise rawpages.Damaged("its bytes do not match their SHA-256")
        return data

    def _author_id(self, author: Author | None, now: str) -> int | None:
        if author is None:
            return None
        row = self._one("SELECT id, blurb FROM authors WHERE name = ?", author.name)
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

    def _insert(self, article: Article, *, key: str, ckey: str, raw_id: int | None, now: str) -> int:
        # the id is taken here, under the write lock, because the full-text key is made of it
        article_id = int(self.conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM articles").fetchone()[0])
        self.conn.execute(
            """INSERT INTO articles (id, fts_key, key, url, site, headline, published, section, read_count, body,
                 author_id, rules, content_key, fingerprint, raw_page_id, first_seen, updated_at, last_seen)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                article_id, fts_key(article.published, article_id), key, article.url, article.site,
                article.headline, article.published, article.section, article.read_count, article.body,
                self._author_id(article.author, now), article.rules, ckey, fingerprint(article), raw_id,
                now, now, now,
            ),
        )  # fmt: skip
        if article.read_count is not None:
            self.conn.execute(
                "INSERT INTO read_counts (article_id, observed_at, read_count) VALUES (?, ?, ?)",
                (article_id, now, article.read_count),
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
        now: str,
        reason: str,
        replaced_at: str | None = None,
    ) -> Status:
        """`now`: when the page was seen; `replaced_at`: when an earlier state is replaced (now)."""
        article_id = int(row["id"])
        changed = fingerprint(article) != row["fingerprint"] or row["rules"] != article.rules
        if version_hash(article.headline, article.published, article.body) != version_hash(
            row["headline"], row["published"], row["body"]
        ):
            self._keep_version(row, reason=reason, now=replaced_at or now)
        new_key = key if key is not None else row["key"]
        self.conn.execute(
            """UPDATE articles SET fts_key = ?, key = ?, url = ?, site = ?, headline = ?, published = ?, section = ?,
                 read_count = COALESCE(?, read_count), body = ?, author_id = ?, rules = ?, content_key = ?,
                 fingerprint = ?, raw_page_id = COALESCE(?, raw_page_id), updated_at = ?, last_seen = ?
               WHERE id = ?""",
            (
                fts_key(article.published, article_id), new_key, article.url, article.site, article.headline,
                article.published, article.section,
                article.read_count, article.body, self._author_id(article.author, now), article.rules, ckey,
                fingerprint(article), raw_id, now if changed else row["updated_at"], now, article_id,
            ),
        )  # fmt: skip
        self._observe(article_id, article.read_count, now)
        if self._related_of(article_id) != article.related:
            self.conn.execute("DELETE FROM related WHERE article_id = ?", (article_id,))
            self._write_related(article_id, article.related)
        if new_key != row["key"] and not new_key.startswith("fp:"):
            self.conn.execute(
                "UPDATE related SET target_id = ? WHERE url_key = ? AND target_id IS NULL",
                (article_id, new_key),
            )
        if raw_id is not None and row["raw_page_id"] not in (None, raw_id):
            self._drop_raw_if_unused(int(row["raw_page_id"]))
        return "updated" if changed else "unchanged"

    def _keep_version(self, row: dict[str, Any], *, reason: str, now: str) -> None:
        """The article's state before this change, with why (page, reparse) and when it was replaced."""
        self.conn.execute(
            """INSERT INTO versions
                 (article_id, version, headline, published, body, reason, raw_page_id, saved_at)
               VALUES (?, (SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE article_id = ?),
                       ?, ?, ?, ?, ?, ?)""",
            (row["id"], row["id"], row["headline"], row["published"], row["body"], reason, row["raw_page_id"], now),
        )

    def _observe(self, article_id: int, read_count: int | None, now: str) -> None:
        """Record a read count when it is the first or differs from the last one seen."""
        if read_count is None:
            return
        last = self._one(
            "SELECT read_count FROM read_counts WHERE article_id = ? ORDER BY observed_at DESC LIMIT 1",
            article_id,
        )
        if last is None or last["read_count"] != read_count:
            self.conn.execute(
                "INSERT OR IGNORE INTO read_counts (article_id, observed_at, read_count) VALUES (?, ?, ?)",
                (article_id, now, read_count),
            )

    def _write_related(self, article_id: int, related: tuple[Related, ...]) -> None:
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

    def _drop_raw_if_unused(self, raw_id: int) -> None:
        self.conn.execute(
            """DELETE FROM raw_pages WHERE id = ?
                 AND NOT EXISTS (SELECT 1 FROM articles WHERE raw_page_id = ?)
                 AND NOT EXISTS (SELECT 1 FROM versions WHERE raw_page_id = ?)""",
            (raw_id, raw_id, raw_id),
        )

    # -- reading

    def _stored(self, row: sqlite3.Row | tuple[Any, ...], names: list[str]) -> Stored:
        r = dict(zip(names, row, strict=True))
        related = json.loads(r["related_json"]) if r["related_json"] else []
        article = Article.from_record(
            {
                **r,
                "author": {"name": r["author_name"], "blurb": r["author_blurb"]} if r["author_name"] else None,
                "related": related,
            },
            rules=r["rules"] or "generic",
        )
        return Stored(
            id=r["id"], article=article, first_seen=r["first_seen"], updated_at=r["updated_at"], fts_key=r["fts_key"]
        )

    def _select(self, where: str = "", params: tuple[Any, ...] = (), order: str = "a.id") -> Iterator[Stored]:
        cursor = self.conn.execute(f"SELECT {ARTICLE_COLUMNS} FROM {ARTICLE_FROM} {where} ORDER BY {order}", params)
        names = [c[0] for c in cursor.description]
        for row in cursor:
            yield self._stored(row, names)

    def get(self, article_id: int) -> Stored | None:
        return next(self._select("WHERE a.id = ?", (article_id,)), None)

    def find(self, ref: str) -> Stored | None:
        """An article by id ("12") or by any form of its URL."""
        if ref.strip().isdigit():
            number = int(ref)
            return self.get(number) if number < 2**63 else None
        return next(self._select("WHERE a.key = ?", (url_key(ref),)), None)

    def records(self) -> Iterator[Stored]:
        """Every article in id order, streamed from one cursor."""
        yield from self._select()

    def read_history(self, article_id: int) -> list[tuple[str, int]]:
        rows = self.conn.execute(
            "SELECT observed_at, read_count FROM read_counts WHERE article_id = ? ORDER BY observed_at",
            (article_id,),
        )
        return [(t, c) for t, c in rows]

    def search(
        self,
        query: str,
        *,
        since: str | None = None,
        until: str | None = None,
        limit: int = 20,
        raw: bool = False,
    ) -> list[Hit]:
        """Best match first: bm25 with the headline weighted above the body, a marked snippet each.

        The full-text index is ordered by publication date, so a query first takes its newest
        SEARCH_CANDIDATES + 1 matches in index order (cheap: no scoring). When that is all of them,
        every match is ranked; when there are more (a very common term), the newest
        SEARCH_CANDIDATES are, so the cost never grows with the archive. Date filters are ranges
        of the index's rowids. Snippets are made for the hits returned only.
        """
        query = query.encode("utf-8", "surrogateescape").decode("utf-8", "replace")  # any argv is text
        if raw and len(query) > MAX_RAW_QUERY:
            raise QueryError(f"--raw query longer than {MAX_RAW_QUERY} characters")
        match = query if raw else to_match(query)
        if not match.strip():
            return []
        low, high = fts_range(since, until)
        deadline = time.monotonic() + SEARCH_SECONDS
        self.conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            newest = self.conn.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid BETWEEN ? AND ?"
                " ORDER BY rowid DESC LIMIT ?",
                (match, low, high, SEARCH_CANDIDATES + 1),
            ).fetchall()
            if not newest:
                return []
            if len(newest) > SEARCH_CANDIDATES:
                low = newest[SEARCH_CANDIDATES - 1][0]  # rank the newest candidates only
            ranked = self.conn.execute(
                f"SELECT rowid, bm25(articles_fts, {HEADLINE_WEIGHT}, {BODY_WEIGHT}) AS score FROM articles_fts"
                " WHERE articles_fts MATCH ? AND rowid BETWEEN ? AND ? ORDER BY score LIMIT ?",
                (match, low, high, limit),
            ).fetchall()
            keys = [key for key, _ in ranked]
            marks = ", ".join("?" for _ in keys)
            snippets = dict(
                self.conn.execute(
                    f"SELECT rowid, snippet(articles_fts, -1, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_TOKENS})"
                    f" FROM articles_fts WHERE articles_fts MATCH ? AND rowid IN ({marks})",
                    (match, *keys),
                ).fetchall()
            )
            stored = {s.fts_key: s for s in self._select(f"WHERE a.fts_key IN ({marks})", tuple(keys))}
            hits = [
                Hit(stored=stored[key], rank=round(score, 4), snippet=snippets.get(key, ""))
                for key, score in ranked
                if key in stored
            ]
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise QueryError(f"the search took longer than {SEARCH_SECONDS:g} s; use fewer words") from None
            if raw and FTS_QUERY_ERROR.search(str(exc)):
                raise QueryError(f"bad FTS5 query {query[:80]!r}: {exc}") from None
            raise
        finally:
            self.conn.set_progress_handler(None, 0)
        return hits

    def stats(self) -> dict[str, Any]:
        """Counts, date range, articles per month, and how often each field is filled."""
        total = self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        first, last = self.conn.execute(
            "SELECT min(substr(published, 1, 10)), max(substr(published, 1, 10)) FROM articles"
        ).fetchone()
        filled = self.conn.execute(
            """SELECT count(url), count(published), count(section), count(read_count), count(author_id),
                      sum(EXISTS (SELECT 1 FROM related r WHERE r.article_id = articles.id)),
                      sum(body != '')
               FROM articles"""
        ).fetchone()
        fields = ("url", "published", "section", "read_count", "author", "related", "body")
        per_month = self.conn.execute(
            """SELECT COALESCE(substr(published, 1, 7), 'undated') AS month, count(*) FROM articles
               GROUP BY month ORDER BY month"""
        ).fetchall()
        sites = self.conn.execute(
            "SELECT COALESCE(site, '(none)'), count(*) FROM articles GROUP BY site ORDER BY count(*) DESC"
        ).fetchall()
        counts = {
            name: self.conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            for name in ("authors", "versions", "read_counts", "related", "raw_pages")
        }
        raw_bytes = self.conn.execute(
            "SELECT (SELECT COALESCE(sum(length(content)), 0) FROM raw_pages)"
            " + (SELECT COALESCE(sum(length(content)), 0) FROM raw_dicts)"
        ).fetchone()[0]
        return {
            "articles": total,
            "first_published": first,
            "last_published": last,
            "sites": [{"site": s, "articles": n} for s, n in sites],
            "per_month": [{"month": m, "articles": n} for m, n in per_month],
            "fill": {f: (round((n or 0) / total, 3) if total else 0.0) for f, n in zip(fields, filled, strict=True)},
            "tables": counts,
            "raw_page_bytes": raw_bytes,
            "file_bytes": sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists()),
            "removed": self.conn.execute("SELECT count(*) FROM articles WHERE removed_at IS NOT NULL").fetchone()[0],
            "last_runs": self.last_runs(),
        }

    # -- crawl state (nai scrape)

    def url_state(self, url: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM urls WHERE key = ?", url_key(url))

    def record_url(self, url: str, *, kind: str, now: str | None = None, **fields: Any) -> None:
        """Insert or update what is known of a URL; fields not given keep their value."""
        now = now or now_iso()
        key = url_key(url)
        with self.transaction():
            if self._one("SELECT key FROM urls WHERE key = ?", key) is None:
                self.conn.execute(
                    "INSERT INTO urls (key, url, kind, first_seen) VALUES (?, ?, ?, ?)", (key, url, kind, now)
                )
            columns = {"kind": kind, **fields}
            assignments = ", ".join(f"{name} = ?" for name in columns)
            self.conn.execute(f"UPDATE urls SET {assignments} WHERE key = ?", (*columns.values(), key))

    def _rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def urls_of_kind_exist(self, kind: str) -> bool:
        return self._one("SELECT 1 AS found FROM urls WHERE kind = ? LIMIT 1", kind) is not None

    def child_sitemaps(self, parent: str) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM urls WHERE kind = 'sitemap' AND parent = ? ORDER BY url", url_key(parent))

    def pending_urls(self) -> list[dict[str, Any]]:
        """Article URLs to fetch: never fetched, failed, or with a newer sitemap <lastmod>; newest first."""
        return self._rows(
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

    def due_for_refresh(self, *, published_since: str, fetched_before: str) -> list[dict[str, Any]]:
        """Recent articles (by publication date) not fetched since `fetched_before`, youngest first."""
        return self._rows(
            """SELECT u.*, a.published FROM urls u JOIN articles a ON a.id = u.article_id AND u.key = a.key
               WHERE u.kind = 'article' AND a.removed_at IS NULL AND u.error IS NULL
                 AND substr(a.published, 1, 10) >= ? AND (u.last_fetched IS NULL OR u.last_fetched < ?)
               ORDER BY a.published DESC""",
            published_since,
            fetched_before,
        )

    def mark_removed(self, article_id: int, *, status: int, now: str) -> bool:
        """Mark an article the site no longer serves (404/410); never delete it. True if newly removed."""
        with self.transaction():
            cursor = self.conn.execute(
                "UPDATE articles SET removed_at = ?, removed_status = ? WHERE id = ? AND removed_at IS NULL",
                (now, status, article_id),
            )
            return cursor.rowcount > 0

    def removed(self, article_id: int) -> tuple[str, int] | None:
        row = self._one("SELECT removed_at, removed_status FROM articles WHERE id = ?", article_id)
        if row is None or row["removed_at"] is None:
            return None
        return row["removed_at"], row["removed_status"]

    def record_run(self, run: dict[str, Any]) -> int:
        with self.transaction():
            cursor = self.conn.execute(
                f"INSERT INTO runs ({', '.join(run)}) VALUES ({', '.join('?' for _ in run)})",
                tuple(run.values()),
            )
            return int(cursor.lastrowid or 0)

    def last_runs(self, n: int = 5) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM runs ORDER BY id DESC LIMIT ?", n)

    # -- checking, repairing, backing up

    def check(self) -> list[str]:
        """Everything wrong with the archive, one line each: SQLite's and FTS5's integrity checks and
        the archive's own invariants. An empty list is a healthy archive."""
        problems = [f"sqlite: {r[0]}" for r in self.conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        try:
            problems += [
                f"foreign key: {table} row {rowid} points at a missing {parent} row"
                for table, rowid, parent, _ in self.conn.execute("PRAGMA foreign_key_check")
            ]
        except sqlite3.DatabaseError as exc:
            problems.append(f"foreign keys: could not be checked: {exc}")
        try:
            if not self.read_only:  # FTS5's check is an INSERT: it needs a writable file
                self.conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            if is_fatal(exc):  # busy, read-only, I/O: a fact about the file, not about the index
                raise
            problems.append(f"full-text index: {exc} (nai check --repair rebuilds it)")
        present = {name for (name,) in self.conn.execute("SELECT name FROM sqlite_master")}
        problems += [
            f"missing {name} (nai check --repair restores it)" for name in REQUIRED_OBJECTS if name not in present
        ]
        for sql, message in INVARIANTS:
            try:
                count = self.conn.execute(sql).fetchone()[0]
            except sqlite3.DatabaseError as exc:
                problems.append(f"{message.format(n='some')}? could not be checked: {exc}")
                continue
            if count:
                problems.append(message.format(n=count))
        return problems

    def repair(self, parse: Callable[[bytes, str | None], Article]) -> list[str]:
        """Rebuild what can be rebuilt: the full-text index, its triggers and keys, orphan rows, and
        records from their stored raw pages. Returns what was done, one line each."""
        done = []
        with self.transaction():
            present = {name for (name,) in self.conn.execute("SELECT name FROM sqlite_master")}
            for name in [n for n in REQUIRED_OBJECTS if n not in present]:
                self.db.executescript(REQUIRED_OBJECTS[name])  # sqlite-utils': no implicit COMMIT
                done.append(f"restored {name}")
            keyed = self.conn.execute(f"UPDATE articles SET fts_key = {FTS_KEY_SQL} WHERE fts_key IS NULL").rowcount
            if keyed:
                done.append(f"gave {keyed} articles their full-text key")
            self.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
            done.append("rebuilt the full-text index")
            for table, column in ORPHANS:
                gone = self.conn.execute(
                    f"DELETE FROM {table} WHERE {column} IS NOT NULL AND {column} NOT IN (SELECT id FROM articles)"
                    if column != "target_id"
                    else "UPDATE related SET target_id = NULL WHERE target_id NOT IN (SELECT id FROM articles)"
                ).rowcount
                if gone:
                    done.append(f"{table}: cleared {gone} rows that pointed at missing articles")
        result = self.reparse(parse)
        done.append(f"rebuilt records from raw pages: {result.changed} of {result.total} changed")
        done += [f"article {article_id}: not rebuilt: {error}" for article_id, error in result.failed]
        return done

    def backup(self, target: Path) -> None:
        """A consistent copy, made with SQLite's online backup while other commands go on."""
        if target.exists():
            raise ArchiveError(f"{target}: already exists; choose a new file")
        try:
            with sqlite3.connect(str(target)) as copy:
                self.conn.backup(copy)
            copy.close()
        except sqlite3.Error as exc:
            target.unlink(missing_ok=True)
            raise ArchiveError(f"{target}: backup failed: {exc}") from None

    # -- rebuilding

    def reparse(self, parse: Callable[[bytes, str | None], Article]) -> Reparsed:
        """Rebuild every record from its stored raw page with `parse`; count those that changed."""
        rows = self.conn.execute(  # ids only: one page in memory at a time
            """SELECT a.id, p.id, p.url, p.stored_at
               FROM articles a JOIN raw_pages p ON p.id = a.raw_page_id ORDER BY a.id"""
        ).fetchall()
        changed = 0
        failed: list[tuple[int, str]] = []
        for article_id, raw_id, url, stored_at in rows:
            try:
                article = parse(self.raw_page(raw_id), url)
            except rawpages.Error as exc:
                failed.append((article_id, f"its raw page is damaged: {exc}"))
                continue
            except NaiError as exc:
                failed.append((article_id, str(exc)))
                continue
            with self.transaction():
                row = self._one("SELECT * FROM articles WHERE id = ?", article_id)
                if row is None:
                    continue
                before = self.get(article_id)
                key = url_key(article.url) if article.url else None
                if key is not None and key != row["key"] and self._one("SELECT id FROM articles WHERE key = ?", key):
                    key = None  # the new key belongs to another article: keep this one's
                self._update(
                    row,
                    article,
                    key=key,
                    ckey=content_key(article),
                    raw_id=row["raw_page_id"],
                    now=stored_at,
                    reason="reparse",
                    replaced_at=now_iso(),
                )
                after = self.get(article_id)
                if before is None or after is None or before.to_record() != after.to_record():
                    changed += 1
        return Reparsed(total=len(rows), changed=changed, failed=failed)


class Packer:
    """Packs pages against an archive's committed dictionaries, reading it only: what the worker
    processes of `nai ingest --jobs` run, so the one writer receives a few KB a page. A page that
    fits none is left to the writer (which makes dictionaries)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._sites: dict[str | None, list[tuple[int, rawpages.Dictionary]]] = {}

    def pack(self, raw: RawPage, site: str | None) -> RawPage:
        try:
            for refresh in (False, True):  # the writer may have made a dictionary since
                for dict_id, dictionary in self._dictionaries(site, refresh=refresh):
                    packed = dictionary.pack(raw.data)
                    if dictionary.fits(packed, raw.data):
                        return raw.packed_with(packed, dict_id)
        except (sqlite3.Error, *rawpages.Error):
            pass  # the writer packs it
        return raw

    def _dictionaries(self, site: str | None, *, refresh: bool) -> list[tuple[int, rawpages.Dictionary]]:
        known = self._sites.get(site)
        if known is not None and not refresh:
            return known
        if self._conn is None:
            self._conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        ids = [
            i
            for (i,) in self._conn.execute(
                "SELECT id FROM raw_dicts WHERE site IS ? ORDER BY id DESC LIMIT ?", (site, rawpages.MAX_TRIES)
            )
        ]
        cached = dict(known or [])
        fresh = [i for i in ids if i not in cached]
        for dict_id in fresh:
            (content,) = self._conn.execute("SELECT content FROM raw_dicts WHERE id = ?", (dict_id,)).fetchone()
            cached[dict_id] = rawpages.Dictionary(rawpages.unpack(content, rawpages.ZSTD))
        self._sites.pop(site, None)
        self._sites[site] = [(i, cached[i]) for i in ids]  # most recently used site last
        while len(self._sites) > DICTIONARY_CACHE:
            del self._sites[next(iter(self._sites))]
        if refresh:  # only those not tried yet
            return [(i, cached[i]) for i in fresh]
        return self._sites[site]


def _lenient_text(data: bytes) -> str:
    """Text columns as text even where the file is damaged: a bad byte becomes U+FFFD, not an error."""
    return data.decode("utf-8", "replace")


def _check_sqlite_file(path: Path) -> None:
    try:
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ArchiveError(f"{path}: {exc.strerror or exc}") from None
    if header and header != SQLITE_HEADER:
        raise ArchiveError(f"{path}: not an SQLite database (is --db/NAI_DB right?)")
