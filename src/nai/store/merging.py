"""One story stored twice made one again. An archive made before m011 (URL keys in one spelling) may
hold a story under two spellings of its URL (`café` and `caf%C3%A9`), each copy with its own record,
states, read counts and links: `nai check` names them and `nai check --repair` merges them, losing
nothing a user could ask for.

- The article kept is the one archived first (its id is the one a user has seen longest), keyed by
  its URL as nai spells it now; the other's id is gone.
- The record (text, section, author, related stories, raw page) is the copy seen last's.
- The states: both copies' by when each was seen, the other copy's current one among them (the
  site's edit replaced it). A state that the one before it already says is that one, seen earlier.
- Every read-count observation of both (one a time: the kept copy's at a time both saw); the read
  count is the latest. First seen is the earlier of the two, last seen the later.
- Links to the other copy point at the kept one.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from .keys import FTS_KEY_SQL, version_hash

#: The record's columns that the copy seen last gives the kept one.
RECORD = (
    "site, headline, published, section, read_count, body, author_id, rules, content_key, fingerprint,"
    " raw_page_id, updated_at, removed_at, removed_status, seen_at"
)
VERSION = "headline, published, body, reason, raw_page_id, saved_at, seen_at"


def merge(conn: sqlite3.Connection, one: int, other: int, key: str) -> tuple[int, int]:
    """Two articles, one story, made one keyed `key` (its URL's key now), in the caller's
    transaction: the one archived first keeps its id. Returns the id kept and the id gone."""
    kept, gone = min(one, other), max(one, other)
    rows = {article_id: _row(conn, article_id) for article_id in (kept, gone)}
    seen = {article_id: row["seen_at"] or row["first_seen"] for article_id, row in rows.items()}
    last = gone if seen[gone] > seen[kept] else kept
    other = kept if last == gone else gone
    states = [
        {**dict(zip(VERSION.split(", "), version, strict=True)), "order": (article_id, n)}
        for article_id in (kept, gone)
        for n, version in enumerate(
            conn.execute(f"SELECT {VERSION} FROM versions WHERE article_id = ? ORDER BY version", (article_id,))
        )
    ]
    loser = rows[other]
    states.append(
        {
            **{column: loser[column] for column in ("headline", "published", "body", "raw_page_id")},
            "reason": "page",
            "saved_at": loser["updated_at"] or loser["first_seen"],
            "seen_at": seen[other],
            "order": (other, len(states)),
        }
    )
    states.sort(key=lambda state: (state["seen_at"] or "", state["order"]))
    kept_states: list[dict[str, Any]] = []
    for state in states:
        if kept_states and _text(kept_states[-1]) == _text(state):
            continue  # the state before it: seen earlier than this copy knew
        kept_states.append(state)
    winner = rows[last]
    current_seen = seen[last]
    if kept_states and _text(kept_states[-1]) == _text(winner):
        current_seen = min(current_seen, kept_states.pop()["seen_at"] or current_seen)

    conn.execute("DELETE FROM versions WHERE article_id IN (?, ?)", (kept, gone))
    conn.executemany(
        f"INSERT INTO versions (article_id, version, {VERSION}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(kept, n, *(state[column] for column in VERSION.split(", "))) for n, state in enumerate(kept_states, start=1)],
    )
    if last == gone:
        conn.execute("DELETE FROM related WHERE article_id = ?", (kept,))
        conn.execute("UPDATE related SET article_id = ? WHERE article_id = ?", (kept, gone))
    else:
        conn.execute("DELETE FROM related WHERE article_id = ?", (gone,))
    conn.execute("UPDATE related SET target_id = ? WHERE target_id = ?", (kept, gone))
    conn.execute(
        """INSERT OR IGNORE INTO read_counts (article_id, observed_at, read_count)
           SELECT ?, observed_at, read_count FROM read_counts WHERE article_id = ?""",
        (kept, gone),
    )
    conn.execute("DELETE FROM read_counts WHERE article_id = ?", (gone,))
    first_seen = min(row["first_seen"] for row in rows.values())
    last_seen = max((row["last_seen"] for row in rows.values() if row["last_seen"]), default=None)
    conn.execute("DELETE FROM articles WHERE id = ?", (gone,))  # its full-text row with it (a trigger)
    columns = RECORD.split(", ")
    conn.execute(
        f"UPDATE articles SET {', '.join(f'{c} = ?' for c in columns)}, first_seen = ?, last_seen = ?, key = ?"
        " WHERE id = ?",
        (*(winner[c] for c in columns[:-1]), current_seen, first_seen, last_seen, key, kept),
    )
    conn.execute(
        f"""UPDATE articles SET fts_key = {FTS_KEY_SQL},
             read_count = coalesce((SELECT read_count FROM read_counts WHERE article_id = ?1
                                    ORDER BY observed_at DESC LIMIT 1), read_count)
           WHERE id = ?1""",
        (kept,),
    )
    return kept, gone


def _row(conn: sqlite3.Connection, article_id: int) -> dict[str, Any]:
    cursor = conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,))
    names = [c[0] for c in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def _text(state: dict[str, Any]) -> str:
    return version_hash(state["headline"], state["published"], state["body"])
