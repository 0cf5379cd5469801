"""An article's states (headline, date, body) through time: `nai history`, and where a page older
than the newest one seen (an archive.org capture ingested later) takes its place among them.

The current state is the article's row, the earlier ones are `versions` rows: each with when it
was first seen (`seen_at`) and why it was replaced (`reason`: page, the site changed it; reparse,
the parser did). So a state's own reason is the one before it's: the first is new.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, NamedTuple

from ..model import Article
from .keys import version_hash

#: What a state's predecessor's `reason` says of how the state came: the site's edit, or a reparse.
CAME_BY = {"page": "edit", "reparse": "reparse"}


#: A state in time: (version (None: the current state), seen_at, reason it was replaced (None:
#: the current state), headline, published, body).
Timed = tuple[int | None, str, str | None, str, str | None, str]


class State(NamedTuple):
    """One state of an article, as `nai history` gives it."""

    seen_at: str
    reason: str  # new (first seen), edit (the site changed it), reparse (the parser did)
    headline: str
    published: str | None
    body: str

    def to_record(self) -> dict[str, Any]:
        return {
            "seen_at": self.seen_at,
            "reason": self.reason,
            "headline": self.headline,
            "published": self.published,
            "body": self.body,
        }


def states(conn: sqlite3.Connection, article_id: int) -> list[State]:
    """Every state of the article, oldest first, the current one last."""
    out: list[State] = []
    came = "new"
    for _, seen_at, replaced_by, headline, published, body in timeline(conn, article_id):
        out.append(State(seen_at, came, headline, published, body))
        if replaced_by is not None:
            came = CAME_BY.get(replaced_by, replaced_by)
    return out


def timeline(conn: sqlite3.Connection, article_id: int) -> list[Timed]:
    """The article's states by when each was first seen (those seen at the same time in the
    order they were kept), the current one last.

    A state that a reparse made was seen when the page it read again was: when the state it
    replaced was (Archive.resave). An older nai gave it the time of the reparse, which is the
    `saved_at` of the version it replaced (and m008 gave every state its predecessor's `saved_at`):
    such a time is read as the predecessor's, so that an archive made then has its states in order too."""
    current = conn.execute(
        "SELECT COALESCE(seen_at, first_seen), headline, published, body FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    if current is None:
        return []
    rows = conn.execute(
        """SELECT version, seen_at, reason, saved_at, headline, published, body FROM versions
           WHERE article_id = ? ORDER BY version""",
        (article_id,),
    ).fetchall()
    seen = {version: seen_at for version, seen_at, *_ in rows}
    seen[None] = current[0]
    stored = dict(seen)
    for version, _, reason, saved_at, *_ in sorted(rows, key=lambda row: row[3]):
        if reason == "reparse":  # the state it made, seen at the reparse's time by an older nai
            for other, at in stored.items():
                if at == saved_at and other != version:
                    seen[other] = seen[version]
    states = [(v, seen[v], reason, h, p, b) for v, _, reason, _, h, p, b in rows]
    states.sort(key=lambda state: (state[1], state[0]))
    return [*states, (None, seen[None], None, current[1], current[2], current[3])]


def place_older(
    conn: sqlite3.Connection,
    row: dict[str, Any],
    article: Article,
    *,
    seen: str,
    store_page: Callable[[], int | None],
    now: str,
) -> None:
    """A page seen at `seen`, before the newest page of the article (`row`, its record): its text
    joins the article's history at its time, and the record stays as the newest page made it.

    The state in force at `seen` is the last one first seen by then. The same text: nothing new.
    The text of the state after it: that state was seen earlier than known. Else it is a state of
    its own, between the two; when it falls within the current state's time (the site changed the
    text and changed it back), the current state is seen again from the newest page."""
    article_id = int(row["id"])
    text = version_hash(article.headline, article.published, article.body)
    # (version, seen_at, reason, hash); the current state's version is None
    known = [(v, s, r, version_hash(h, p, b)) for v, s, r, h, p, b in timeline(conn, article_id)]
    before = [i for i, state in enumerate(known) if state[1] <= seen]
    p = before[-1] if before else None
    n = p + 1 if p is not None else 0
    if p is not None and known[p][3] == text:
        return
    if n < len(known) and known[n][3] == text:  # seen earlier than known
        if known[n][0] is None:
            conn.execute("UPDATE articles SET seen_at = ? WHERE id = ?", (seen, article_id))
        else:
            conn.execute(
                "UPDATE versions SET seen_at = ? WHERE article_id = ? AND version = ?", (seen, article_id, known[n][0])
            )
        return
    raw_id = store_page()
    if p is not None and known[p][0] is None:  # within the current state's time
        _insert(conn, article_id, row["headline"], row["published"], row["body"], "page", row["raw_page_id"], now,
                known[p][1])  # fmt: skip
        _insert(conn, article_id, article.headline, article.published, article.body, "page", raw_id, now, seen)
        conn.execute("UPDATE articles SET seen_at = last_seen WHERE id = ?", (article_id,))
        return
    # replaced by the state after it as the one before it was; the one before it, by this page
    reason = (known[p][2] if p is not None else None) or "page"
    _insert(conn, article_id, article.headline, article.published, article.body, reason, raw_id, now, seen)
    if p is not None:
        conn.execute(
            "UPDATE versions SET reason = 'page' WHERE article_id = ? AND version = ?", (article_id, known[p][0])
        )


def _insert(
    conn: sqlite3.Connection,
    article_id: int,
    headline: str,
    published: str | None,
    body: str,
    reason: str,
    raw_id: int | None,
    now: str,
    seen: str,
) -> None:
    conn.execute(
        """INSERT INTO versions
             (article_id, version, headline, published, body, reason, raw_page_id, saved_at, seen_at)
           VALUES (?, (SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE article_id = ?),
                   ?, ?, ?, ?, ?, ?, ?)""",
        (article_id, article_id, headline, published, body, reason, raw_id, now, seen),
    )
