"""Ranking: bm25, with the spellings of a name weighed as one word.

FTS5's bm25 sums, over the phrases of a query, each phrase's IDF (the rarer the phrase, the more
it weighs) times how much of the article it is. A term of several spellings is an OR of phrases,
each weighed by its own rarity, so an article that writes a rare spelling (Hifter, in 40 articles)
once would outrank one with the common spelling (Haftar, in 4,000) in its headline. Here every
phrase of such a term weighs as its most common one does (as Lucene weighs synonyms): each
article's score is bm25 less what the rarer phrases it holds add past that weight,

    score = bm25(query) + sum over them of (idf(term) / idf(phrase) - 1) * bm25(phrase)

where bm25(phrase) is the article's bm25 for the phrase alone (a part of bm25(query), which is a
sum over its phrases), idf is FTS5's and idf(term) the IDF of the term's most common phrase. A term
of one phrase, and the most common phrase of a term, weigh as bm25 weighs them.

Every function only reads; the web's search page runs the same correction in SQL (nai.web.app).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable

from ..spellings import Term, phrases

HEADLINE_WEIGHT, BODY_WEIGHT = 10.0, 1.0
BM25 = f"bm25(articles_fts, {HEADLINE_WEIGHT}, {BODY_WEIGHT})"
#: FTS5's floor for the IDF of a phrase in half the articles or more.
IDF_FLOOR = 1e-6


def indexed(conn: sqlite3.Connection) -> int:
    """How many articles the full-text index holds, as bm25 reads it: the first varint of FTS5's
    averages record (row 1 of its data table), in SQLite's varint format. A count would read the
    whole index (100 ms at 1M)."""
    row = conn.execute("SELECT block FROM articles_fts_data WHERE id = 1").fetchone()
    block: bytes = row[0] if row and row[0] else b""
    value = 0
    for i, byte in enumerate(block[:9]):
        if i == 8:
            return (value << 8) | byte
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            break
    return value


def idf(hits: int, articles: int) -> float:
    """FTS5's bm25 IDF of a phrase held by `hits` of `articles` articles."""
    value = math.log((articles - hits + 0.5) / (hits + 0.5))
    return value if value > 0 else IDF_FLOOR


def discounts(conn: sqlite3.Connection, terms: Iterable[Term]) -> list[tuple[str, float]]:
    """For each phrase of a term of several phrases that is rarer than the term's most common one:
    the phrase and idf(term) / idf(phrase) - 1 (between -1 and 0). Phrases no article holds are left
    out; a term with one held phrase has none. Articles are counted up to half the index: past it,
    a phrase's IDF is FTS5's floor."""
    articles = indexed(conn)
    half = (articles + 1) // 2
    found: list[tuple[str, float]] = []
    for term in terms:
        held = [p for p in phrases(term) if _hits(conn, p, 1)]  # a look-up a phrase, not a count
        if len(held) < 2:
            continue  # one phrase held, or none: bm25 as it is
        hits = {p: _hits(conn, p, half) for p in held}
        weight = idf(max(hits.values()), articles)
        found += [(p, weight / idf(n, articles) - 1) for p, n in hits.items() if idf(n, articles) > weight]
    return found


def adjustments(
    conn: sqlite3.Connection, discounted: list[tuple[str, float]], low: int, high: int, keys: list[int]
) -> dict[int, float]:
    """What to add to the bm25 of each of the articles `keys` (full-text rowids between low and
    high) that holds a discounted phrase: discount * its bm25 for the phrase alone (a positive
    number, bm25 being negative). One query a phrase, over the range, whose IDF FTS5 counts once."""
    added: dict[int, float] = {}
    if not keys:
        return added
    listed = "[" + ",".join(map(str, keys)) + "]"  # one parameter: 2,000 would need SQLite 3.32
    for quoted, discount in discounted:
        for key, score in conn.execute(
            f"SELECT rowid, {BM25} FROM articles_fts WHERE articles_fts MATCH ? AND rowid BETWEEN ? AND ?"
            " AND +rowid IN (SELECT value FROM json_each(?))",  # +: a filter, not an FTS5 query a key
            (quoted, low, high, listed),
        ):
            added[key] = added.get(key, 0.0) + discount * score
    return added


def _hits(conn: sqlite3.Connection, quoted: str, cap: int) -> int:
    sql = "SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)"
    return int(conn.execute(sql, (quoted, cap)).fetchone()[0])
