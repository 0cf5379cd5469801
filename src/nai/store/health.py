"""The archive's health: its invariants and `nai check`, `nai check --repair`, `nai backup`, and
`nai reparse` (records rebuilt from their raw pages with the current parser, given as `parse`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from .. import raw, stopping
from ..errors import ArchiveError, NaiError
from ..model import Article, Reparsed
from . import merging, queries
from .archive import Archive, is_fatal
from .keys import FTS_KEY_SQL
from .schema import REQUIRED_OBJECTS, UNWANTED_OBJECTS

#: Rebuilds an article from its raw page's bytes, URL and HTTP charset (nai.parse.reparse_page).
Parse = Callable[[bytes, "str | None", "str | None"], Article]  # bytes, URL, HTTP charset

# The archive's own invariants: a query counting what breaks each, and how to say it.
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


def check(archive: Archive) -> list[str]:
    """Everything wrong with the archive, one line each: SQLite's and FTS5's integrity checks and
    the archive's own invariants. An empty list is a healthy archive."""
    conn = archive.conn
    problems = [f"sqlite: {r[0]}" for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
    try:
        problems += [
            f"foreign key: {table} row {rowid} points at a missing {parent} row"
            for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check")
        ]
    except sqlite3.DatabaseError as exc:
        problems.append(f"foreign keys: could not be checked: {exc}")
    try:
        if not archive.read_only:  # FTS5's check is an INSERT: it needs a writable file
            conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        if is_fatal(exc):  # busy, read-only, I/O: a fact about the file, not about the index
            raise
        problems.append(f"full-text index: {exc} (nai check --repair rebuilds it)")
    present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    problems += [f"missing {name} (nai check --repair restores it)" for name in REQUIRED_OBJECTS if name not in present]
    problems += [f"unwanted {name} (nai check --repair drops it)" for name in UNWANTED_OBJECTS if name in present]
    for sql, message in INVARIANTS:
        try:
            count = conn.execute(sql).fetchone()[0]
        except sqlite3.DatabaseError as exc:
            problems.append(f"{message.format(n='some')}? could not be checked: {exc}")
            continue
        if count:
            problems.append(message.format(n=count))
    first: dict[str, int] = {}  # a key no article holds: the first stale copy with it stands for it
    for article_id, key, owner in stale_keys(conn):
        owner = owner if owner is not None else first.get(key)
        first.setdefault(key, article_id)
        problems.append(
            f"article {article_id}: its URL is article {owner}'s, spelled another way: the same story twice"
            " (nai check --repair merges them)"
            if owner is not None
            else f"article {article_id}: its key is not its URL's ({key}; nai check --repair makes it again)"
        )
    return problems


def stale_keys(conn: sqlite3.Connection) -> list[tuple[int, str, int | None]]:
    """Articles whose key is not the one their URL has now (nai.urls.url_key spells each URL one way
    since m011), with that key and the article that holds it, if one does: two copies of a story
    stored under two spellings of its URL before m011 keep theirs (m011 merges nothing; repair does)."""
    from ..urls import url_key

    stale = []
    rows = conn.execute("SELECT id, key, url FROM articles WHERE url IS NOT NULL AND key NOT LIKE 'fp:%'")
    for article_id, key, url in rows:
        try:
            now = url_key(url)
        except ValueError:
            continue
        if now != key:
            owner = conn.execute("SELECT id FROM articles WHERE key = ?", (now,)).fetchone()
            stale.append((int(article_id), now, int(owner[0]) if owner else None))
    return stale


def repair(archive: Archive, parse: Parse) -> list[str]:
    """Rebuild what can be rebuilt: the full-text index, its triggers and keys, orphan rows, and
    records from their stored raw pages. Returns what was done, one line each."""
    conn = archive.conn
    done = []
    with archive.transaction():
        present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        for name in [n for n in REQUIRED_OBJECTS if n not in present]:
            archive.db.executescript(REQUIRED_OBJECTS[name])  # sqlite-utils': no implicit COMMIT
            done.append(f"restored {name}")
        for name in [n for n in UNWANTED_OBJECTS if n in present]:
            conn.execute(UNWANTED_OBJECTS[name])
            done.append(f"dropped {name}")
        copies: dict[str, list[int]] = {}  # a URL's key now -> the articles whose URL it is
        for article_id, key, _ in stale_keys(conn):
            copies.setdefault(key, []).append(article_id)
            # out of the way first: a stale article may hold the key of another one's URL
            conn.execute("UPDATE articles SET key = ? WHERE id = ?", (f"stale:{article_id}", article_id))
        for key, ids in copies.items():
            holder = conn.execute("SELECT id FROM articles WHERE key = ?", (key,)).fetchone()
            ids = ([int(holder[0])] if holder else []) + ids
            if len(ids) == 1:
                conn.execute("UPDATE articles SET key = ? WHERE id = ?", (key, ids[0]))
                conn.execute("UPDATE related SET target_id = ? WHERE url_key = ? AND target_id IS NULL", (ids[0], key))
                done.append(f"article {ids[0]}: keyed by its URL again")
            else:
                kept, merged = merging.merge(conn, ids, key)
                done += [f"article {article_id}: merged into article {kept}, the same story" for article_id in merged]
        keyed = conn.execute(f"UPDATE articles SET fts_key = {FTS_KEY_SQL} WHERE fts_key IS NULL").rowcount
        if keyed:
            done.append(f"gave {keyed} articles their full-text key")
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
        done.append("rebuilt the full-text index")
        for table, column in ORPHANS:
            gone = conn.execute(
                f"DELETE FROM {table} WHERE {column} IS NOT NULL AND {column} NOT IN (SELECT id FROM articles)"
                if column != "target_id"
                else "UPDATE related SET target_id = NULL WHERE target_id NOT IN (SELECT id FROM articles)"
            ).rowcount
            if gone:
                done.append(f"{table}: cleared {gone} rows that pointed at missing articles")
    result = reparse(archive, parse)
    done.append(f"rebuilt records from raw pages: {result.changed} of {result.total} changed")
    done += [f"article {article_id}: not rebuilt: {error}" for article_id, error in result.failed]
    return done


def backup(archive: Archive, target: Path) -> None:
    """A consistent copy, made with SQLite's online backup while other commands go on."""
    if target.exists():
        raise ArchiveError(f"{target}: already exists; choose a new file")
    try:
        with sqlite3.connect(str(target)) as copy:
            archive.conn.backup(copy)
        copy.close()
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        raise ArchiveError(f"{target}: backup failed: {exc}") from None


def reparse(archive: Archive, parse: Parse, *, progress: Callable[[int, int], None] | None = None) -> Reparsed:
    """Rebuild every record from its stored raw page with `parse`; count those that changed.
    Each article is its own transaction; `progress(done, total)` follows each."""
    rows = archive.conn.execute(  # ids only: one page in memory at a time
        """SELECT a.id, p.id, p.url, p.charset
           FROM articles a JOIN raw_pages p ON p.id = a.raw_page_id ORDER BY a.id"""
    ).fetchall()
    changed = 0
    failed: list[tuple[int, str]] = []
    for done, (article_id, raw_id, url, charset) in enumerate(rows):
        if progress is not None:
            progress(done, len(rows))  # those before this one: rebuilt, or failed
        try:
            page = archive.raw.read(raw_id)
        except raw.Error as exc:
            failed.append((article_id, f"its raw page is damaged: {exc}"))
            continue
        try:
            article = parse(page, url, charset)
        except NaiError as exc:
            failed.append((article_id, str(exc)))
            continue
        except Exception as exc:  # a fault of the rules on one page fails that article alone
            failed.append((article_id, f"unexpected error: {type(exc).__name__}: {exc}"))
            continue
        with stopping.held():  # rebuilt and counted as one step: Ctrl-C comes before or after
            with archive.transaction():
                before = queries.get(archive.conn, article_id)
                archive.resave(article_id, article)
                after = queries.get(archive.conn, article_id)
            if before is not None and (after is None or before.to_record() != after.to_record()):
                changed += 1
            if progress is not None:
                progress(done + 1, len(rows))
    if progress is not None:
        progress(len(rows), len(rows))
    return Reparsed(total=len(rows), changed=changed, failed=failed)
