"""The archive's schema: an ordered list of migrations, each applied once and recorded in
_nai_migrations, and the objects (indexes, triggers) the archive cannot be right without.

Tables:
  articles      one row per article, keyed by its normalised URL (or "fp:" + a content key)
  authors       one row per author; the blurb kept current
  related       the "Most Recent Stories" block as ordered edges, target_id set when in the archive
  read_counts   every read-count observation with its time
  versions      each earlier (headline, published, body) an article has had, with when it was first
                seen (seen_at, since m008) and why and when it was replaced (reason, saved_at); the
                current one is the article's row (before migration m005 it was repeated here)
  raw_pages     the pages themselves, so `nai reparse` can rebuild records: zstd against a
                dictionary of their site (nai.raw), zlib before migration m004
  raw_dicts     those dictionaries: pages of the site, zstd-compressed, each with its template's
                signature (nai.raw.signature; since migration m007)
  urls          what `nai scrape` knows of each URL (nai.store.crawl)
  runs          each scrape: its counts, traffic, errors, and its pages' fields against earlier ones
  articles_fts  FTS5 over headline and body (diacritics folded, rowid fts_key); its external content
                is the view articles_fts_text: the text without Arabic's vowel marks (since m015)

Migrations receive a sqlite_utils Database; this module does not import sqlite_utils itself, so
that opening an up-to-date archive costs no import of it. A new archive gets what the migrations
make in one step, from `schema.sql` beside this module (`create`), with no sqlite-utils either:
`python -m nai.store.schema` writes that file anew from the migrations, and a test checks that the
two give the same archive.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from .keys import FTS_KEY_SQL, index_text_sql

if TYPE_CHECKING:
    import sqlite_utils

TOKENIZER = "unicode61 remove_diacritics 2"  # "Saied" finds "Saïed", "Nguyen" finds "Nguyễn"
MIGRATIONS_TABLE = "_nai_migrations"


Migration = Callable[["sqlite_utils.Database"], None]
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
    db.executescript(M003_TRIGGERS)


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


@migration
def m006_run_field_fill(db: sqlite_utils.Database) -> None:
    """Each run keeps how often the site-rule fields were filled on its pages, against the articles
    stored in the 90 days before it (nai.store.fill); the articles are found by when first stored."""
    db.table("runs").add_column("fields", str)  # JSON list of nai.store.fill.FieldFill; NULL: not compared
    db.table("articles").create_index(["first_seen"])


@migration
def m007_raw_dict_signatures(db: sqlite_utils.Database) -> None:
    """Each dictionary keeps the signature of its page's template (nai.raw.signature): a page is
    packed against its template's dictionary at once, not against each of its site's in turn.
    Those made before get theirs from their content; one that cannot be read keeps NULL."""
    from .. import raw  # here: opening an archive needs no codec

    db.table("raw_dicts").add_column("signature", str)
    db.table("raw_dicts").create_index(["site", "signature"])
    for dict_id, content in db.execute("SELECT id, content FROM raw_dicts").fetchall():
        try:
            signature = raw.signature(raw.unpack(content, raw.ZSTD))
        except raw.Error:
            continue
        db.execute("UPDATE raw_dicts SET signature = ? WHERE id = ?", (signature, dict_id))


@migration
def m008_states_seen(db: sqlite_utils.Database) -> None:
    """Each state of an article knows when it was first seen (`versions.seen_at`, and
    `articles.seen_at` for the current one), so that a page captured long ago (archive.org) takes
    its place in the article's history by its time; `last_seen` is now the newest page's time.
    Before, a state was first seen when the one before it was replaced (`saved_at`), or, for the
    first, when the article was first stored. Read counts by time, for `nai trending`."""
    db.table("versions").add_column("seen_at", str)
    db.table("articles").add_column("seen_at", str)
    db.execute(
        """UPDATE versions SET seen_at = COALESCE(
             (SELECT p.saved_at FROM versions p
              WHERE p.article_id = versions.article_id AND p.version < versions.version
              ORDER BY p.version DESC LIMIT 1),
             (SELECT first_seen FROM articles WHERE id = versions.article_id))"""
    )
    db.execute(
        """UPDATE articles SET seen_at = COALESCE(
             (SELECT v.saved_at FROM versions v WHERE v.article_id = articles.id ORDER BY v.version DESC LIMIT 1),
             first_seen)"""
    )
    db.table("read_counts").create_index(["observed_at"])


@migration
def m009_raw_page_charset(db: sqlite_utils.Database) -> None:
    """The charset that a fetched page's HTTP response named (Content-Type), which outranks the
    page's own <meta charset> as a browser ranks them: `nai reparse` decodes the raw page with it.
    NULL for files and for pages stored before (decoded, as then, by what the page says)."""
    db.table("raw_pages").add_column("charset", str)


@migration
def m010_index_at_commit(db: sqlite_utils.Database) -> None:
    """New articles are indexed by nai when their transaction commits, in one statement, rather than
    by an insert trigger: a trigger's statement (and ingest's savepoint an input) made FTS5 write a
    segment of the index per article (Archive.index_new). The index itself does not change."""
    db.execute(UNWANTED_OBJECTS["articles_ai"])


@migration
def m011_url_keys_in_one_spelling(db: sqlite_utils.Database) -> None:
    """URL keys spell each URL one way (nai.urls.url_key since m011): escapes in one case, escaped
    letters and characters beyond ASCII as a browser sends them, no dot segments, no trailing dot on
    the host. Keys of URLs that may have been spelled another way are made again: the articles'
    (one already holding the new key keeps it: the other keeps its old one), the related links'
    (linked to the article that now has their key), the crawl's (one the crawl already has under
    the new key is dropped)."""
    from ..urls import url_key

    maybe = "(instr({0}, '%') OR instr({0}, '/.') OR instr({0}, './') OR length({0}) != length(CAST({0} AS BLOB)))"

    def new_keys(sql: str) -> list[tuple[str, str]]:
        changed = []
        for old, url in db.execute(sql).fetchall():
            try:
                key = url_key(url)
            except ValueError:
                continue
            if key != old:
                changed.append((key, old))
        return changed

    db.conn.executemany(
        "UPDATE OR IGNORE articles SET key = ? WHERE key = ?",
        new_keys(
            f"SELECT key, url FROM articles WHERE url IS NOT NULL AND key NOT LIKE 'fp:%' AND {maybe.format('url')}"
        ),
    )
    db.conn.executemany(
        "UPDATE related SET url_key = ? WHERE url_key = ?",
        new_keys(f"SELECT DISTINCT url_key, url FROM related WHERE {maybe.format('url')}"),
    )
    db.execute(
        """UPDATE related SET target_id = (SELECT id FROM articles WHERE key = related.url_key)
           WHERE target_id IS NULL AND url_key IN (SELECT key FROM articles)"""
    )
    crawl = new_keys(f"SELECT key, url FROM urls WHERE {maybe.format('url')}")
    db.conn.executemany("UPDATE OR IGNORE urls SET key = ? WHERE key = ?", crawl)
    db.conn.executemany("DELETE FROM urls WHERE key = ? AND ? IN (SELECT key FROM urls)", [(o, n) for n, o in crawl])


@migration
def m012_facet_indexes(db: sqlite_utils.Database) -> None:
    """Indexes on the section and the author of articles: `nai serve`'s facets count articles by
    them, which without an index read the whole table (300 ms at 100,000 articles, past Datasette's
    time limit for a facet), and `nai search --section/--author` filter by them."""
    db.table("articles").create_index(["section"], if_not_exists=True)
    db.table("articles").create_index(["author_id"], if_not_exists=True)


@migration
def m013_facet_indexes_by_date(db: sqlite_utils.Database) -> None:
    """The facets' indexes hold the publication date too, and one more counts articles by month:
    m012's on section and author counted their facets (50 ms at 1M articles), but the month facet
    read the whole table (290 ms, past Datasette's 200 ms for a facet), and under a section or an
    author chosen, every article of it (3.7 s). Now: 27 ms, and 75 ms under a section. Building
    them takes a few minutes at 1M articles, once."""
    db.execute("DROP INDEX IF EXISTS idx_articles_section")
    db.execute("DROP INDEX IF EXISTS idx_articles_author_id")
    db.table("articles").create_index(["section", "published"], if_not_exists=True)
    db.table("articles").create_index(["author_id", "published"], if_not_exists=True)
    db.execute("CREATE INDEX IF NOT EXISTS idx_articles_month ON articles (substr(published, 1, 7), published)")


@migration
def m014_facet_indexes_crossed(db: sqlite_utils.Database) -> None:
    """Indexes that count each facet under the other one chosen: the authors of a section chosen
    read every article of the section from the table (665 ms at 1M articles, past Datasette's limit
    for a facet), as the sections of an author chosen did. Now each is read from an index (12 ms)."""
    db.table("articles").create_index(["section", "author_id"], if_not_exists=True)
    db.table("articles").create_index(["author_id", "section"], if_not_exists=True)


# m003's triggers, as it made them (m010 dropped the insert one, m015 made the others anew).
M003_TRIGGERS = """
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


@migration
def m015_index_without_arabic_marks(db: sqlite_utils.Database) -> None:
    """The full-text index reads the articles' text without Arabic's vowel marks and tatweel
    (keys.INDEX_MARKS), through the view articles_fts_text: unicode61 took each mark for a space
    between letters, so that a vowelled محمّد was "محم د" and محمد did not find it.

    Only the articles holding a mark are indexed again: the index's content is switched to the view
    in the schema's text, as SQLite's own procedure for altering a table does (making the whole
    index again took 15 minutes at 1M articles; this, 46 seconds). Where SQLite refuses to write
    its schema (a build in defensive mode), the index is made again."""
    conn = db.conn
    marked: list[int] = []  # their keys only: an archive of Arabic may hold marks in most articles
    for key, headline, body in conn.execute(
        "SELECT fts_key, headline, body FROM articles WHERE fts_key IS NOT NULL"
        f" AND ({index_text_sql('headline')} != headline OR {index_text_sql('body')} != body)"
    ):
        conn.execute(  # out of the index as they were put in
            "INSERT INTO articles_fts (articles_fts, rowid, headline, body) VALUES ('delete', ?, ?, ?)",
            (key, headline, body),
        )
        marked.append(key)
    conn.execute("DROP TRIGGER IF EXISTS articles_ad")
    conn.execute("DROP TRIGGER IF EXISTS articles_au")
    conn.execute(FTS_VIEW)
    before, after = "content='articles',", f"content='{FTS_CONTENT}',"
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    try:
        conn.execute("PRAGMA writable_schema = ON")
        switched = conn.execute(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = 'articles_fts'"
            " AND instr(sql, ?)",
            (before, after, before),
        ).rowcount
        if switched:
            conn.execute(f"PRAGMA schema_version = {version + 1}")  # every connection reads the schema again
    except sqlite3.DatabaseError:
        switched = 0
    finally:
        conn.execute("PRAGMA writable_schema = OFF")
    if switched:
        conn.executemany(
            f"INSERT INTO articles_fts (rowid, headline, body) SELECT * FROM {FTS_CONTENT} WHERE fts_key = ?",
            [(key,) for key in marked],
        )
    else:
        conn.execute("DROP TABLE IF EXISTS articles_fts")
        conn.execute(
            "CREATE VIRTUAL TABLE articles_fts USING fts5 (headline, body, "
            f"tokenize='{TOKENIZER}', content='{FTS_CONTENT}', content_rowid='fts_key')"
        )
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
    db.executescript(FTS_TRIGGERS)


# The full-text index's external content (since m015): each article's text as the index reads it.
FTS_CONTENT = "articles_fts_text"
FTS_VIEW = f"""
CREATE VIEW IF NOT EXISTS {FTS_CONTENT} AS
  SELECT fts_key, {index_text_sql("headline")} AS headline, {index_text_sql("body")} AS body FROM articles
"""
# The index follows every update and delete of the indexed columns (and of the key), as the view
# reads them; a read-count update does not touch it. A new article is indexed by nai itself when its
# transaction commits (Archive.index_new; no insert trigger since m010). `nai check --repair`
# restores them from here.
FTS_TRIGGERS = f"""
CREATE TRIGGER IF NOT EXISTS articles_ad AFTER DELETE ON articles BEGIN
  INSERT INTO articles_fts (articles_fts, rowid, headline, body)
  VALUES ('delete', old.fts_key, {index_text_sql("old.headline")}, {index_text_sql("old.body")});
END;
CREATE TRIGGER IF NOT EXISTS articles_au AFTER UPDATE OF headline, body, fts_key ON articles BEGIN
  INSERT INTO articles_fts (articles_fts, rowid, headline, body)
  VALUES ('delete', old.fts_key, {index_text_sql("old.headline")}, {index_text_sql("old.body")});
  INSERT INTO articles_fts (rowid, headline, body)
  VALUES (new.fts_key, {index_text_sql("new.headline")}, {index_text_sql("new.body")});
END;
"""
# What must be there for the archive to stay right: identity, the index's key, and its triggers.
REQUIRED_OBJECTS = {
    "idx_articles_key": "CREATE UNIQUE INDEX IF NOT EXISTS idx_articles_key ON articles (key)",
    "idx_articles_fts_key": "CREATE UNIQUE INDEX IF NOT EXISTS idx_articles_fts_key ON articles (fts_key)",
    "idx_raw_pages_sha256": "CREATE UNIQUE INDEX IF NOT EXISTS idx_raw_pages_sha256 ON raw_pages (sha256)",
    "idx_authors_name": "CREATE UNIQUE INDEX IF NOT EXISTS idx_authors_name ON authors (name)",
    FTS_CONTENT: FTS_VIEW,
    "articles_ad": FTS_TRIGGERS,
    "articles_au": FTS_TRIGGERS,
}
# What must not be there: an insert trigger would index each new article a second time.
UNWANTED_OBJECTS = {"articles_ai": "DROP TRIGGER IF EXISTS articles_ai"}


def applied(conn: sqlite3.Connection) -> list[str]:
    """The names of the migrations applied to the archive, in order."""
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATIONS_TABLE,))
    if exists.fetchone() is None:
        return []
    return [name for (name,) in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY rowid")]


def pending(conn: sqlite3.Connection) -> list[Migration]:
    done = set(applied(conn))
    return [m for m in MIGRATIONS if m.__name__ not in done]


SCHEMA_FILE = os.path.join(os.path.dirname(__file__), "schema.sql")
SHADOW_TABLES = ("articles_fts_data", "articles_fts_idx", "articles_fts_docsize", "articles_fts_config")


def is_empty(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0)


def create(conn: sqlite3.Connection, now: str) -> None:
    """An empty archive's whole schema, as the migrations make it, each recorded as applied; inside
    the caller's write transaction. Its statements, in schema.sql, end with a line ";" each."""
    with open(SCHEMA_FILE, encoding="utf-8") as file:
        statements = [sql.strip() for sql in file.read().split("\n;\n") if sql.strip() and not sql.startswith("--")]
    for sql in statements:
        conn.execute(sql)
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")  # its totals, as m003 wrote them
    conn.executemany(
        f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES (?, ?)", [(m.__name__, now) for m in MIGRATIONS]
    )


def dump(conn: sqlite3.Connection) -> str:
    """What schema.sql holds: the statements that made an archive's tables, indexes and triggers, in
    the order they were made (FTS5 makes its own tables)."""
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid").fetchall()
    header = "-- The archive's schema as nai.store.schema's migrations leave it (python -m nai.store.schema)\n;\n"
    return header + "".join(f"{sql}\n;\n" for name, sql in rows if name not in SHADOW_TABLES)


def apply_pending(db: sqlite_utils.Database, now: str) -> None:
    """Apply the migrations not yet applied, in order; inside the caller's write transaction."""
    db.table(MIGRATIONS_TABLE).create({"name": str, "applied_at": str}, pk="name", if_not_exists=True)
    for step in pending(db.conn):  # read under the write lock: another process may have applied some
        step(db)
        db.table(MIGRATIONS_TABLE).insert({"name": step.__name__, "applied_at": now})


if __name__ == "__main__":  # python -m nai.store.schema > src/nai/store/schema.sql
    import sqlite_utils

    from .keys import FTS_KEY_FUNCTION, fts_key

    memory = sqlite_utils.Database(memory=True)
    memory.conn.create_function(FTS_KEY_FUNCTION, 2, fts_key, deterministic=True)
    apply_pending(memory, "")
    sys.stdout.write(dump(memory.conn))
