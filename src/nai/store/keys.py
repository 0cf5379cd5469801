"""Keys and hashes the archive computes: the full-text key, identity and content keys, fingerprints,
and plain words as an FTS5 query. Pure functions; the one place each is defined."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from ..model import Article

# The full-text index's rowid (articles.fts_key): days since 1900-01-01 of the publication (0 when
# undated, unreadable or earlier) in the high bits, the article id in the low 32. SQL computes it
# through the same function, registered on each connection as FTS_KEY_FUNCTION.
FTS_EPOCH = date(1900, 1, 1)
FTS_KEY_FUNCTION = "nai_fts_key"
FTS_KEY_SQL = f"{FTS_KEY_FUNCTION}(published, id)"
ID_SPAN = 1 << 32  # ids below this fit in the low bits


# What the full-text index leaves out of the text it indexes (since migration m015): Arabic's short
# vowels, shadda, sukun, tanwin and the other marks above and below its letters, the dagger alif,
# and the tatweel that stretches a word. FTS5's unicode61 takes each for a space between letters:
# محمّد was indexed as "محم د", and محمد did not find it. A query drops the same marks
# (nai.spellings.normal). The index folds them through SQL alone (index_text_sql, in the view
# articles_fts_text and the triggers), so that any SQLite can write the archive; a new article's
# text is folded in Python (index_text) as Archive.save queues it for Archive.index_new. Changing
# them takes a migration that indexes again the articles it changes (as m015 does).
INDEX_MARKS = "\u0640" + "".join(map(chr, range(0x064B, 0x0660))) + "\u0670"
_INDEX_MARKS = re.compile(f"[{INDEX_MARKS}]")


def index_text(text: str) -> str:
    """Text as the full-text index reads it: without INDEX_MARKS."""
    return text if text.isascii() else _INDEX_MARKS.sub("", text)


def index_text_sql(column: str) -> str:
    """index_text as an SQL expression of a column. Only text holding a character of U+0640-U+067F
    (whose UTF-8 starts with the byte D9, which nothing else's does: Arabic letters, and every mark)
    is rewritten, each mark replaced in turn; a byte search skips the rest (GLOB '*[marks]*' read
    14 MB/s: five minutes for the text of 1M articles)."""
    folded = column
    for mark in INDEX_MARKS:
        folded = f"replace({folded}, char({ord(mark)}), '')"
    return f"CASE WHEN instr(CAST({column} AS BLOB), x'D9') THEN {folded} ELSE {column} END"


def fts_key(published: str | None, article_id: int) -> int:
    """The full-text rowid of an article: publication day, then id."""
    try:
        days = max(0, (date.fromisoformat(published[:10] if isinstance(published, str) else "") - FTS_EPOCH).days)
    except ValueError:
        days = 0
    return days * ID_SPAN + int(article_id)


def fts_range(since: str | None, until: str | None) -> tuple[int, int]:
    """The rowid range of articles published from `since` to `until` (ISO dates, inclusive)."""
    low = fts_key(since, 0) if since else (ID_SPAN if until else 0)
    high = fts_key(until, ID_SPAN - 1) if until else 2**63 - 1
    return low, high


def now_iso() -> str:
    """Now, as the archive writes times: UTC, ISO 8601, microseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def content_key(article: Article) -> str:
    """Site, headline and day: the same story saved with and without its URL."""
    import hashlib  # here, like json below: a search needs none of the hashes

    text = "\n".join(
        [
            article.site or "",
            re.sub(r"\W+", " ", article.headline.lower()).strip(),
            (article.published or "")[:10],
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _hash(*parts: object) -> str:
    import hashlib
    import json

    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def fingerprint(article: Article) -> str:
    """What makes a save 'updated': every stored field but the read count and related block."""
    author = article.author.to_record() if article.author else None
    return _hash(article.url, article.headline, article.published, article.section, article.body, author)


def version_hash(headline: str, published: str | None, body: str) -> str:
    """A state's identity: its headline, its day of publication and its body. The day, not the
    time: the copies of one page (the page, its AMP copy, which prints the day alone) agree on it."""
    return _hash(headline, published[:10] if published else None, body)


def to_match(query: str) -> str:
    """Plain words to an FTS5 query that can never be a syntax error, spellings not expanded.

    Each word (or "quoted phrase") becomes a quoted FTS5 phrase of its letters and digits, so
    operators, quotes, brackets and SQL are only text: 'Al-Tum "Salvador Pass"' ->
    '"Al Tum" AND "Salvador Pass"'. All phrases must match (nai.spellings, which expands them too).
    """
    from ..spellings import plain

    return plain(query).match
