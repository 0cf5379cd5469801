"""Full-text search: ranked hits with filters and sorts, the spellings each hit holds, and
suggestions from the index's own words when nothing matches. Every function only reads.

The full-text index is keyed by publication day then id (keys.fts_key), so the newest matches
come first in index order at no cost: a query takes its newest SEARCH_CANDIDATES + 1 matches that
pass the filters, and ranks those, so its cost never grows with the archive.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

from ..arabic import writings
from ..errors import QueryError
from ..model import Hit
from ..spellings import Expanded, fold, phrase, plain, searched
from . import ranking
from .keys import fts_range
from .queries import by_fts_keys, fts_guard

SNIPPET_TOKENS = 16
MARK_START, MARK_END = "[", "]"
#: A query matching more articles than this ranks the newest this many (see README, "Search").
SEARCH_CANDIDATES = 2000
MAX_RAW_QUERY = 2000  # characters of a --raw query
SORTS = ("rank", "date", "reads")
MATCHED_SCAN = 5000  # matches of a spelling read to find those of the hits; past it, the hits are looked up
SUGGESTIONS = 3  # queries suggested for a word the archive lacks
VOCAB = "temp.nai_vocab"  # the index's words (fts5vocab), in the temp schema: a read-only archive has it too
#: How far the articles holding a suggested word are counted, and how long the index's words that
#: share a word's first letters are read (_closest).
COUNT_CAP = 5000
RANGE_SECONDS = 0.3
LONGEST_WORD = 40  # a word longer has no suggestion


class Filters(NamedTuple):
    """What a hit must be besides a match: published within since..until (ISO dates), of a section,
    by an author (both case-insensitive, whole), read at least min_reads times."""

    since: str | None = None
    until: str | None = None
    section: str | None = None
    author: str | None = None
    min_reads: int | None = None

    def sql(self, *, articles: bool = False) -> tuple[str, str, tuple[object, ...]]:
        """Joins (the article as `a` when a filter or `articles` needs it), conditions (each starting
        with AND) and their parameters."""
        joins, where, params = "", "", list[object]()
        if articles or self.section is not None or self.author is not None or self.min_reads is not None:
            joins = " JOIN articles a ON a.fts_key = articles_fts.rowid"
        if self.author is not None:
            joins += " JOIN authors au ON au.id = a.author_id"
            where += " AND au.name = ? COLLATE NOCASE"
            params.append(" ".join(self.author.split()))
        if self.section is not None:
            where += " AND a.section = ? COLLATE NOCASE"
            params.append(" ".join(self.section.split()))
        if self.min_reads is not None:
            where += " AND a.read_count >= ?"
            params.append(self.min_reads)
        return joins, where, tuple(params)


def search(
    conn: sqlite3.Connection,
    query: str | Expanded,
    *,
    filters: Filters | None = None,
    limit: int = 20,
    sort: str = "rank",
    fts_syntax: bool = False,
) -> list[Hit]:
    """Hits, best match first (bm25, the headline weighted above the body, a name's spellings
    weighed as one word: nai.store.ranking), or newest first
    (sort="date"), or most read first (sort="reads"), each with a marked snippet and the spellings
    it holds.

    `query`: expanded by nai.spellings (Spellings.expand), or a plain string (read as typed), or,
    with `fts_syntax`, the user's FTS5 syntax (--raw). The candidates are the newest
    SEARCH_CANDIDATES matches that pass the filters, so a filter never starves a common term.
    Snippets and spellings are looked up for the hits returned only."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    if fts_syntax:
        text = str(query).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        if len(text) > MAX_RAW_QUERY:
            raise QueryError(f"--raw query longer than {MAX_RAW_QUERY} characters")
        expanded = None
        match = text
    else:
        expanded = plain(_text(query)) if isinstance(query, str) else query
        text = " ".join(t.text for t in expanded.terms)
        match = expanded.match_held(partial(_held, conn)) if expanded.match else ""
    if not match.strip():
        return []
    filters = filters or Filters()
    low, high = fts_range(filters.since, filters.until)
    joins, where, params = filters.sql(articles=sort == "reads")
    fts = f"FROM articles_fts{joins} WHERE articles_fts MATCH ? AND articles_fts.rowid BETWEEN ? AND ?{where}"
    with fts_guard(conn, text, fts_syntax=fts_syntax):
        newest = conn.execute(
            f"SELECT articles_fts.rowid {fts} ORDER BY articles_fts.rowid DESC LIMIT ?",
            (match, low, high, *params, SEARCH_CANDIDATES + 1),
        ).fetchall()
        if not newest:
            return []
        if len(newest) > SEARCH_CANDIDATES:
            low = newest[SEARCH_CANDIDATES - 1][0]  # rank the newest candidates only
        discounted = ranking.discounts(conn, expanded.terms) if expanded else []
        order = {
            "rank": "score, articles_fts.rowid DESC",
            "date": "articles_fts.rowid DESC",
            "reads": "coalesce(a.read_count, -1) DESC, articles_fts.rowid DESC",
        }[sort]
        every = sort == "rank" and discounted  # ranked here, once each candidate's score is corrected
        ranked = conn.execute(
            f"SELECT articles_fts.rowid, {ranking.BM25} AS score {fts}"
            + ("" if every else f" ORDER BY {order} LIMIT ?"),
            (match, low, high, *params, *(() if every else (limit,))),
        ).fetchall()
        if discounted:
            added = ranking.adjustments(conn, discounted, low, high, [key for key, _ in ranked])
            ranked = [(key, score + added.get(key, 0.0)) for key, score in ranked]
            if every:
                ranked = sorted(ranked, key=lambda hit: (hit[1], -hit[0]))[:limit]
        keys = [key for key, _ in ranked]
        marks = ", ".join("?" for _ in keys)
        snippets = dict(
            conn.execute(
                f"SELECT rowid, snippet(articles_fts, -1, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_TOKENS})"
                f" FROM articles_fts WHERE articles_fts MATCH ? AND rowid IN ({marks})",
                (match, *keys),
            ).fetchall()
        )
        found = matched(conn, expanded, keys) if expanded else {}
        found = {key: as_written(spellings, snippets.get(key, "")) for key, spellings in found.items()}
        stored = by_fts_keys(conn, tuple(keys))
    return [
        Hit(stored=stored[key], rank=round(score, 4), snippet=snippets.get(key, ""), matched=found.get(key, ()))
        for key, score in ranked
        if key in stored
    ]


def _held(conn: sqlite3.Connection, fts_phrase: str) -> bool:
    """Whether any article holds the phrase: a look-up in the index (tens of microseconds)."""
    row = conn.execute("SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1", (fts_phrase,)).fetchone()
    return row is not None


def _text(query: str) -> str:
    return query.encode("utf-8", "surrogateescape").decode("utf-8", "replace")  # any argv is text


def matched(conn: sqlite3.Connection, expanded: Expanded, keys: list[int]) -> dict[int, tuple[str, ...]]:
    """For each of the articles `keys` (full-text rowids, which match `expanded`), the spellings of
    its terms that it holds, in the query's order. A term of one spelling is in every one of them."""
    found: dict[int, list[str]] = {key: [] for key in keys}
    marks = ", ".join("?" for _ in keys)
    for term in expanded.terms:
        spellings = searched(term)
        for spelling in spellings:
            if len(spellings) == 1:
                holders = keys
            else:  # its matches between the first hit and the last, unless there are many of them
                near = conn.execute(
                    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid BETWEEN ? AND ? LIMIT ?",
                    (phrase(spelling), min(keys), max(keys), MATCHED_SCAN + 1),
                ).fetchall()
                if len(near) > MATCHED_SCAN:  # one look-up a hit (each one FTS5 query: dearer for a few)
                    near = conn.execute(
                        f"SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid IN ({marks})",
                        (phrase(spelling), *keys),
                    ).fetchall()
                holders = [key for (key,) in near if key in found]
            for key in holders:
                found[key].append(spelling)
    return {key: tuple(dict.fromkeys(spellings)) for key, spellings in found.items()}


_WORD = re.compile(r"\w+")
_MARKED = re.compile(re.escape(MARK_START) + "([^" + re.escape(MARK_START + MARK_END) + "]+)" + re.escape(MARK_END))


def as_written(spellings: tuple[str, ...], snippet: str) -> tuple[str, ...]:
    """The spellings an article holds as its snippet writes them, where the snippet marks them
    ("Saïed" for Saied, "Kadhafi’s" for Kadhafi's, أسامة for اسامه); the others as the query's
    groups write them."""
    if not spellings or MARK_START not in snippet:
        return spellings
    shown: dict[str, str] = {}
    for text in _MARKED.findall(snippet):
        shown.setdefault(_alike(text), " ".join(text.split()))
    return tuple(dict.fromkeys(shown.get(_alike(s), s) for s in spellings))


# The letters in which the writings of an Arabic word differ (nai.spellings.writings): alef with or
# without its hamza or madda, ة or ه at the end, ى or ي.
_WRITTEN_ALIKE = str.maketrans("أإآىة", "ااايه")


def _alike(text: str) -> str:
    """A spelling folded, its writings alike."""
    return fold(text).translate(_WRITTEN_ALIKE)


def suggest(conn: sqlite3.Connection, expanded: Expanded, main: Callable[[str], str | None] | None = None) -> list[str]:
    """The query with each word the index lacks (none of whose term's spellings it holds) replaced
    by a close word the index holds ("Salvadr Pass" -> "Salvador Pass"): the closest first, then the
    ones more articles hold, up to SUGGESTIONS queries for one such word (one for several). `main`
    names a word's group of spellings by its first (Heftar -> Haftar): one suggestion a group.
    Empty when the index holds every word (the words are there, only not together), when a word
    has nothing close, or when it is a spelling of a name (`main` knows it: not a misspelling)."""
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCAB} USING fts5vocab(main, articles_fts, row)")

    missing: dict[str, list[str]] = {}  # a word the index lacks, folded -> what to write for it
    for term in expanded.terms:
        if any(all(_has_word(conn, w) for w in fold(s).split()) for s in term.spellings):
            continue
        if main is not None and main(term.text) is not None:
            return []  # a name the archive lacks
        counted = 0  # its words, held or to put right
        for typed in term.text.replace("_", " ").split():
            for part, word in _words_of(typed):
                counted += 1
                if word in missing or _has_word(conn, word):
                    continue
                if main is not None and main(word) is not None:
                    return []
                missing[word] = _names(_closest(conn, word), part, main)
        if not counted:
            return []  # nothing of it to put right ("x's": a letter and a letter)
    if not missing or not all(missing.values()):
        return []
    queries = []
    for n in range(min(SUGGESTIONS, len(next(iter(missing.values())))) if len(missing) == 1 else 1):
        words, corrections = [], {word: names[n] for word, names in missing.items()}
        for term in expanded.terms:
            written = [_corrected(typed, corrections) for typed in term.text.replace("_", " ").split()]
            words.append(f'"{" ".join(written)}"' if term.quoted and len(written) > 1 else " ".join(written))
        queries.append(" ".join(words))
    return list(dict.fromkeys(queries))


def _words_of(typed: str) -> list[tuple[str, str]]:
    """The index's words in a word as typed, each as written and folded: one for most ("Eurobnd"),
    several for one that the index splits ("Eurobnd's" is eurobnd and s, "al-Sarraj" al and sarraj)."""
    word = fold(typed)
    if " " not in word:
        return [(typed, word)] if len(word) > 1 else []  # a letter is no misspelt word
    parts = ((part.group(), fold(part.group())) for part in _WORD.finditer(typed))
    return [(part, folded) for part, folded in parts if len(folded) > 1]  # not the s of 's, the l of l'


def _corrected(typed: str, corrections: dict[str, str]) -> str:
    """A word as typed with its misspelt index words corrected, what is around them kept
    ("Eurobnd's" -> "Eurobond's", "Eurobnd'" -> "Eurobond'")."""
    written = _WORD.sub(lambda part: corrections.get(fold(part.group()), part.group()), typed)
    return written if written != typed else corrections.get(fold(typed), typed)


def _names(words: list[str], typed: str, main: Callable[[str], str | None] | None) -> list[str]:
    """Words of the index as a suggestion writes them: a spelling of a group as the group's first
    spelling (one a group), another capitalised when the word typed was."""
    names: dict[str, str] = {}
    for word in words:
        name = main(word) if main else None
        names.setdefault(fold(name) if name else word, name or (word.capitalize() if typed[:1].isupper() else word))
    return list(names.values())


def _closest(conn: sqlite3.Connection, word: str) -> list[str]:
    """Words of the index within a few edits of `word` (more for a longer word), the closest and
    most held first. The words one edit away are looked for one by one in the index (a word it
    lacks costs a seek); the farther ones among the words sharing its first three letters, read
    from the index's vocabulary for RANGE_SECONDS at most: it counts each word's articles as it
    goes, reading the word's whole list of them (60 ms for a word of 600,000 at 1M; "thi" holds
    "this"). How many articles hold a word is counted up to COUNT_CAP: past a few thousand, only
    the order matters."""
    if len(word) > LONGEST_WORD:  # no word of a language: "x" * 10,000 would make 370,000 words to look up
        return []
    most = 1 if len(word) <= 4 else 2 if len(word) <= 8 else 3
    near = {term: 1 for term in _one_edit(word) if _held(conn, _phrase(term))}
    if most > 1:
        for term in _words_from(conn, word[:3]):
            if term not in near and abs(len(term) - len(word)) <= most and 0 < (d := _edits(word, term)) <= most:
                near[term] = d
    return [term for _, _, term in sorted((d, -_docs(conn, term), term) for term, d in near.items())]


def _words_from(conn: sqlite3.Connection, prefix: str) -> list[str]:
    """The index's words that start with `prefix`, as many as RANGE_SECONDS reads."""
    import time

    words: list[str] = []
    deadline = time.monotonic() + RANGE_SECONDS
    conn.set_progress_handler(lambda: time.monotonic() > deadline, 50)
    try:
        for (term,) in conn.execute(
            f"SELECT term FROM {VOCAB} WHERE term >= ? AND term < ?", (prefix, prefix + "\U0010ffff")
        ):
            words.append(term)
    except sqlite3.OperationalError:  # out of time: the words read by then
        pass
    finally:
        conn.set_progress_handler(None, 0)
    return words


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _has_word(conn: sqlite3.Connection, word: str) -> bool:
    """Whether an article holds `word` (as the index writes it), or, in Arabic script, another
    writing of it (nai.spellings.writings): a look-up in the index, not in its vocabulary, which
    counts the articles of a common word by reading all of them."""
    return any(_held(conn, _phrase(writing)) for writing in writings(word))


def _docs(conn: sqlite3.Connection, term: str) -> int:
    """How many articles hold `term`, up to COUNT_CAP."""
    sql = "SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)"
    return int(conn.execute(sql, (_phrase(term), COUNT_CAP)).fetchone()[0])


def _one_edit(word: str) -> set[str]:
    """The words one deletion, swap, substitution or insertion from `word`, in its script's letters
    (a-z and digits, the word's own letters, the Arabic alphabet for a word that holds Arabic)."""
    letters = set("abcdefghijklmnopqrstuvwxyz0123456789") | set(word)
    if any("\u0600" <= c <= "\u06ff" for c in word):
        letters |= {chr(code) for code in range(0x621, 0x64B)}
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in letters}
    edits |= {a + c + b for a, b in splits for c in letters}
    edits.discard(word)
    edits.discard("")
    return edits


def _edits(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps."""
    before, row = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        before, row = row, current
    return row[-1]
