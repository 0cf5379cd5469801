"""What the archive's pages in a browser read (nai serve): an article with its related stories
(their archive ids when archived), the stories that list it, and its read-count history.
Every function takes a sqlite3 connection and only reads."""

from __future__ import annotations

import sqlite3
from typing import Any

from . import queries


def article_page(conn: sqlite3.Connection, article_id: int) -> dict[str, Any] | None:
    """An article's page: its record, body paragraphs, links, backlinks and read counts; None if no such article."""
    stored = queries.get(conn, article_id)
    if stored is None:
        return None
    links = conn.execute(
        """SELECT r.headline, r.url, r.summary, r.target_id FROM related r
           WHERE r.article_id = ? ORDER BY r.position""",
        (article_id,),
    ).fetchall()
    backlinks = conn.execute(
        """SELECT DISTINCT a.id, a.headline, a.published FROM related r JOIN articles a ON a.id = r.article_id
           WHERE r.target_id = ? ORDER BY a.published DESC, a.id""",
        (article_id,),
    ).fetchall()
    return {
        "record": stored.to_record(),
        "paragraphs": [p for p in stored.article.body.split("\n\n") if p.strip()],
        "links": [{"headline": h, "url": u, "summary": s, "id": t} for h, u, s, t in links],
        "backlinks": [{"id": i, "headline": h, "published": p} for i, h, p in backlinks],
        "read_counts": queries.read_history(conn, article_id),
        "removed": queries.removed(conn, article_id),
    }
