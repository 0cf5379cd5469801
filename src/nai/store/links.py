"""What links to what: the stories an article lists (its related block, in page order), each with
its archive id when the archive holds it, and the stories that list the article (backlinks).
Both match by the archive's identity key (nai.urls.url_key), through indexes on it."""

from __future__ import annotations

import sqlite3
from typing import Any, NamedTuple


class Link(NamedTuple):
    headline: str
    url: str
    id: int | None  # the archive id of the story, when the archive holds it

    def to_record(self) -> dict[str, Any]:
        return {"headline": self.headline, "url": self.url, "id": self.id}


class Backlink(NamedTuple):
    id: int
    headline: str
    url: str | None

    def to_record(self) -> dict[str, Any]:
        return {"id": self.id, "headline": self.headline, "url": self.url}


def links(conn: sqlite3.Connection, article_id: int) -> list[Link]:
    """The stories the article lists, in page order."""
    rows = conn.execute(
        """SELECT r.headline, r.url, t.id FROM related r LEFT JOIN articles t ON t.key = r.url_key
           WHERE r.article_id = ? ORDER BY r.position""",
        (article_id,),
    )
    return [Link(*row) for row in rows]


def backlinks(conn: sqlite3.Connection, article_id: int) -> list[Backlink]:
    """The other articles that list this one, newest first (by publication, then id). An article
    stored without a URL (its key a content key) can be listed by none; one that lists itself (a
    page whose related block names its own story) is not its own backlink."""
    rows = conn.execute(
        """SELECT a.id, a.headline, a.url FROM articles a
           WHERE a.id IN (SELECT r.article_id FROM related r JOIN articles me ON r.url_key = me.key WHERE me.id = ?1)
             AND a.id != ?1
           ORDER BY a.published DESC, a.id""",
        (article_id,),
    )
    return [Backlink(*row) for row in rows]
