"""One story stored twice made one again. An archive made before m011 (URL keys in one spelling) may
hold a story under two spellings of its URL (`café` and `caf%C3%A9`), each copy with its own record,
states, read counts and links: `nai check` names them and `nai check --repair` merges them, losing
nothing a user could ask for.

- The article kept is the one archived first (its id is the one a user has seen longest), keyed by
  its URL as nai spells it now; the other's id is gone.
- The record (text, section, author, related stories, raw page, when it was last seen) is the
  copy's seen last, with its states; the other copy's states join them at their times, as a page
  saved earlier joins an article's history (history.place_older: the same text is the state seen
  earlier; a text between two states is a state between them).
- Every read-count observation of both (one a time: the kept copy's at a time both saw); the read
  count is the latest. First seen is the earlier of the two.
- Links to the other copy, and the crawl's URLs that produced it, are the kept one's.
"""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import Any

from ..model import Article
from .history import place_older, timeline
from .keys import FTS_KEY_SQL, now_iso

#: The record's columns: the copy seen last gives them to the kept one.
RECORD = (
    "site, headline, published, section, read_count, body, author_id, rules, content_key, fingerprint,"
    " raw_page_id, updated_at, removed_at, removed_status, seen_at, last_seen"
)


def merge(conn: sqlite3.Connection, copies: list[int], key: str) -> tuple[int, list[int]]:
    """Articles that are one story made one keyed `key` (its URL's key now), in the caller's
    transaction: the one archived first keeps its id. The others' states are placed all together,
    oldest first, so that the order of the copies does not matter. Returns the id kept and those
    gone."""
    kept, *gone = sorted(set(copies))
    rows = {article_id: _row(conn, article_id) for article_id in (kept, *gone)}
    last = max((*gone, kept), key=lambda i: (_seen_last(rows[i]), i == kept))  # on a tie, the kept one
    earlier = [i for i in rows if i != last]
    states: list[tuple[str, int, Article, int | None]] = []
    for article_id in earlier:
        raw = dict(conn.execute("SELECT version, raw_page_id FROM versions WHERE article_id = ?", (article_id,)))
        raw[None] = rows[article_id]["raw_page_id"]
        for version, seen, _, headline, published, body in timeline(conn, article_id):
            states.append((seen, article_id, Article(headline=headline, body=body, published=published), raw[version]))
        conn.execute("DELETE FROM versions WHERE article_id = ?", (article_id,))
    if last != kept:  # the kept id takes the copy seen last: its record, its states, its related stories
        conn.execute("UPDATE versions SET article_id = ? WHERE article_id = ?", (kept, last))
        conn.execute("DELETE FROM related WHERE article_id = ?", (kept,))
        conn.execute("UPDATE related SET article_id = ? WHERE article_id = ?", (kept, last))
    for article_id in gone:
        conn.execute("DELETE FROM related WHERE article_id = ?", (article_id,))
        conn.execute("UPDATE related SET target_id = ? WHERE target_id = ?", (kept, article_id))
        conn.execute("UPDATE urls SET article_id = ? WHERE article_id = ?", (kept, article_id))
        conn.execute(
            """INSERT OR IGNORE INTO read_counts (article_id, observed_at, read_count)
               SELECT ?, observed_at, read_count FROM read_counts WHERE article_id = ?""",
            (kept, article_id),
        )
        conn.execute("DELETE FROM read_counts WHERE article_id = ?", (article_id,))
        conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))  # its full-text row with it (a trigger)
    columns = RECORD.split(", ")
    conn.execute(
        f"UPDATE articles SET {', '.join(f'{c} = ?' for c in columns)}, first_seen = ?, key = ? WHERE id = ?",
        (*(rows[last][c] for c in columns), min(r["first_seen"] for r in rows.values()), key, kept),
    )
    conn.execute(
        f"""UPDATE articles SET fts_key = {FTS_KEY_SQL},
             read_count = coalesce((SELECT read_count FROM read_counts WHERE article_id = ?1
                                    ORDER BY observed_at DESC LIMIT 1), read_count)
           WHERE id = ?1""",
        (kept,),
    )
    now = now_iso()
    for seen, _, article, raw_id in sorted(states, key=lambda state: (state[0], state[1])):
        place_older(conn, _row(conn, kept), article, seen=seen, store_page=partial(_same, raw_id), now=now)
    return kept, gone


def _same(value: int | None) -> int | None:
    return value


def _seen_last(row: dict[str, Any]) -> str:
    return str(row["last_seen"] or row["seen_at"] or row["first_seen"])


def _row(conn: sqlite3.Connection, article_id: int) -> dict[str, Any]:
    cursor = conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,))
    names = [c[0] for c in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))
