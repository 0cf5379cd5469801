"""One story stored twice made one again. An archive made before m011 (URL keys in one spelling) may
hold a story under two spellings of its URL (`café` and `caf%C3%A9`), each copy with its own record,
states, read counts and links: `nai check` names them and `nai check --repair` merges them, losing
nothing a user could ask for.

- The article kept is the one archived first (its id is the one a user has seen longest), keyed by
  its URL as nai spells it now; the other's id is gone.
- The record (text, section, author, related stories, raw page, when it was last seen) is the
  copy's seen last. The history is made again from every copy's sightings in time order (each
  state when first seen, each copy's current text when last seen), as if all their pages had been
  ingested into one article in that order: a state begins where the text differs from the one
  before. A state's reason is its copy's when the state after it came from the same copy; else
  "page" (the site's edit).
- Every read-count observation of each copy (one a time: the kept copy's at a time two saw); the
  read count is the latest. First seen is the earliest; removed, when a copy was found gone from
  the site after the last page of the copy seen last.
- A raw page of a state that was the same as the one before is kept by nothing, and dropped.
- Links to the other copy, and the crawl's URLs that produced it, are the kept one's.
"""

from __future__ import annotations

import sqlite3
from itertools import pairwise
from typing import Any, NamedTuple

from .history import timeline
from .keys import FTS_KEY_SQL, version_hash

#: The record's columns: the copy seen last gives them to the kept one.
RECORD = (
    "site, headline, published, section, read_count, body, author_id, rules, content_key, fingerprint,"
    " raw_page_id, updated_at, removed_at, removed_status, seen_at, last_seen"
)


class Sighting(NamedTuple):
    """A copy's state seen at a time: when it was first seen, or (its current state) last seen."""

    at: str
    last: bool  # of the copy seen last: its sightings go after the others' at the same time
    copy: int
    step: int  # the state's place in its copy's history
    text: tuple[str, str | None, str]  # headline, published, body
    raw_id: int | None
    reason: str | None  # why its copy replaced it (None: its copy's current state)
    saved_at: str


def merge(conn: sqlite3.Connection, copies: list[int], key: str) -> tuple[int, list[int]]:
    """Articles that are one story made one keyed `key` (its URL's key now), in the caller's
    transaction: the one archived first keeps its id. Returns the id kept and those gone."""
    kept, *gone = sorted(set(copies))
    rows = {article_id: _row(conn, article_id) for article_id in (kept, *gone)}
    last = max((*gone, kept), key=lambda i: (_seen_last(rows[i]), i == kept))  # on a tie, the kept one
    sightings = [s for article_id in rows for s in _sightings(conn, rows[article_id], last=article_id == last)]
    states: list[Sighting] = []
    for sighting in sorted(sightings, key=lambda s: (s.at, s.last, s.copy, s.step)):
        if not states or _text(states[-1]) != _text(sighting):
            states.append(sighting)

    conn.execute(f"DELETE FROM versions WHERE article_id IN ({', '.join('?' for _ in rows)})", tuple(rows))
    conn.executemany(
        """INSERT INTO versions (article_id, version, headline, published, body, reason, raw_page_id, saved_at,
                                 seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (kept, n, *state.text, _reason(state, after), state.raw_id, state.saved_at, state.at)
            for n, (state, after) in enumerate(pairwise(states), start=1)
        ],
    )
    if last != kept:  # the kept id takes the copy seen last's related stories
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
    record = dict(rows[last], seen_at=states[-1].at)
    removed = max((r for r in rows.values() if r["removed_at"]), key=lambda r: r["removed_at"], default=None)
    if removed is not None and removed["removed_at"] > _seen_last(record):  # gone from the site since
        record.update(removed_at=removed["removed_at"], removed_status=removed["removed_status"])
    columns = RECORD.split(", ")
    conn.execute(
        f"UPDATE articles SET {', '.join(f'{c} = ?' for c in columns)}, first_seen = ?, key = ? WHERE id = ?",
        (*(record[c] for c in columns), min(r["first_seen"] for r in rows.values()), key, kept),
    )
    conn.execute("UPDATE related SET target_id = ? WHERE url_key = ? AND target_id IS NULL", (kept, key))
    conn.execute(
        f"""UPDATE articles SET fts_key = {FTS_KEY_SQL},
             read_count = coalesce((SELECT read_count FROM read_counts WHERE article_id = ?1
                                    ORDER BY observed_at DESC LIMIT 1), read_count)
           WHERE id = ?1""",
        (kept,),
    )
    conn.executemany(  # the pages of states the same as the one before: kept by nothing now
        """DELETE FROM raw_pages WHERE id = ?1
             AND NOT EXISTS (SELECT 1 FROM articles WHERE raw_page_id = ?1)
             AND NOT EXISTS (SELECT 1 FROM versions WHERE raw_page_id = ?1)""",
        sorted({(s.raw_id,) for s in sightings if s.raw_id is not None}),
    )
    return kept, gone


def _sightings(conn: sqlite3.Connection, row: dict[str, Any], *, last: bool) -> list[Sighting]:
    """A copy's states, each when first seen, and its current one again when the copy was last seen."""
    stored = {v: (raw, saved) for v, raw, saved in conn.execute(
        "SELECT version, raw_page_id, saved_at FROM versions WHERE article_id = ?", (row["id"],)
    )}  # fmt: skip
    stored[None] = (row["raw_page_id"], row["updated_at"] or row["first_seen"])
    seen = [
        Sighting(at, last, row["id"], step, (headline, published, body), stored[version][0], reason, stored[version][1])
        for step, (version, at, reason, headline, published, body) in enumerate(timeline(conn, row["id"]))
    ]
    if row["last_seen"] and seen and row["last_seen"] > seen[-1].at:
        seen.append(seen[-1]._replace(at=row["last_seen"]))
    return seen


def _reason(state: Sighting, after: Sighting) -> str:
    """Why a state was replaced: as its copy said when the state after it followed it there too;
    else the site's edit (another copy's page showed another text)."""
    if state.reason is not None and after.copy == state.copy and after.step == state.step + 1:
        return state.reason
    return "page"


def _text(sighting: Sighting) -> str:
    return version_hash(*sighting.text)


def _seen_last(row: dict[str, Any]) -> str:
    return str(row["last_seen"] or row["seen_at"] or row["first_seen"])


def _row(conn: sqlite3.Connection, article_id: int) -> dict[str, Any]:
    cursor = conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,))
    names = [c[0] for c in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))
