"""What readers are reading: articles ranked by how much their read count grew in a window of
time (`nai trending`), from the read-count observations (read_counts, a time series).

Growth is the latest observation in the window minus the last one before it, or minus the first
one in it when there is none before. The series is that starting point and the observations in
the window, so growth is its last value minus its first.
"""

from __future__ import annotations

import sqlite3
from typing import Any, NamedTuple


class Trend(NamedTuple):
    id: int
    url: str | None
    headline: str
    published: str | None
    read_count: int | None
    growth: int
    series: list[tuple[str, int]]

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "headline": self.headline,
            "published": self.published,
            "read_count": self.read_count,
            "growth": self.growth,
            "series": [[when, count] for when, count in self.series],
        }


def trending(conn: sqlite3.Connection, *, since: str, until: str, limit: int) -> list[Trend]:
    """The `limit` articles whose read count grew most from `since` to `until` (ISO 8601 UTC, as
    the archive writes times), highest growth first (then the higher read count, then the lower
    id). Only articles observed in the window are ranked; each one's read count is its latest
    observation in it, the count as of `until`. The window is (since, until]: a count seen at
    `since` is the one before it, so back-to-back windows share none. Times compare as text: they
    are all UTC."""
    rows = conn.execute(
        """WITH seen AS (SELECT DISTINCT article_id FROM read_counts WHERE observed_at > ?1 AND observed_at <= ?2),
           ends AS (
             SELECT s.article_id,
               (SELECT read_count FROM read_counts r WHERE r.article_id = s.article_id
                  AND r.observed_at > ?1 AND r.observed_at <= ?2 ORDER BY r.observed_at DESC LIMIT 1) AS last,
               COALESCE(
                 (SELECT read_count FROM read_counts r WHERE r.article_id = s.article_id AND r.observed_at <= ?1
                  ORDER BY r.observed_at DESC LIMIT 1),
                 (SELECT read_count FROM read_counts r WHERE r.article_id = s.article_id AND r.observed_at > ?1
                  ORDER BY r.observed_at LIMIT 1)) AS start
             FROM seen s)
           SELECT a.id, a.url, a.headline, a.published, e.last, e.last - e.start AS growth
           FROM ends e JOIN articles a ON a.id = e.article_id
           ORDER BY growth DESC, e.last DESC, a.id LIMIT ?3""",
        (since, until, limit),
    ).fetchall()
    return [
        Trend(id, url, headline, published, reads, growth, _series(conn, id, since, until))
        for id, url, headline, published, reads, growth in rows
    ]


def _series(conn: sqlite3.Connection, article_id: int, since: str, until: str) -> list[tuple[str, int]]:
    before = conn.execute(
        """SELECT observed_at, read_count FROM read_counts WHERE article_id = ? AND observed_at <= ?
           ORDER BY observed_at DESC LIMIT 1""",
        (article_id, since),
    ).fetchall()
    within = conn.execute(
        """SELECT observed_at, read_count FROM read_counts WHERE article_id = ? AND observed_at > ?
           AND observed_at <= ? ORDER BY observed_at""",
        (article_id, since, until),
    ).fetchall()
    return [(when, count) for when, count in (*before, *within)]
