"""The full-text key has one definition: Python computes it on save, and SQL (migrations, repair)
calls the same function. Dates of every shape must give the same key both ways; and text, the same
text as the index reads it."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import GOLDEN_PAGES, Nai
from nai.store import Archive
from nai.store.keys import FTS_KEY_FUNCTION, ID_SPAN, INDEX_MARKS, fts_key, fts_range, index_text, index_text_sql

ODD_DATES = [
    "2026-02-04",
    "2026-02-04T09:30:00+01:00",
    "2026-02-30",  # no such day: SQLite's julianday() would roll it over to March
    "1850-06-01",  # before the epoch
    "1900-01-01",
    "9999-12-31",
    "4 February 2026",
    "",
    None,
    "garbage",
]


def test_sql_and_python_give_the_same_key(tmp_path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        for article_id, published in enumerate(ODD_DATES, start=1):
            (in_sql,) = archive.conn.execute(f"SELECT {FTS_KEY_FUNCTION}(?, ?)", (published, article_id)).fetchone()
            assert in_sql == fts_key(published, article_id), published
    assert fts_key("2026-02-30", 7) == fts_key(None, 7) == 7  # an impossible date is undated, not March
    assert fts_key("1900-01-02", 7) == ID_SPAN + 7


def test_repair_rebuilds_the_keys_that_saving_gives(nai: Nai) -> None:
    assert nai("ingest", *map(str, GOLDEN_PAGES)).exit_code == 0
    with sqlite3.connect(nai.db) as conn:
        saved = dict(conn.execute("SELECT id, fts_key FROM articles"))
        conn.execute("UPDATE articles SET fts_key = NULL")
    result = nai("check", "--repair")
    assert result.exit_code == 0, result.output
    assert f"gave {len(saved)} articles their full-text key" in result.output
    with sqlite3.connect(nai.db) as conn:
        assert dict(conn.execute("SELECT id, fts_key FROM articles")) == saved


def test_repair_keys_odd_dates_as_saving_would(nai: Nai) -> None:
    """Dates a damaged or hand-edited archive may hold: repair keys them as Python does."""
    assert nai("ingest", *map(str, GOLDEN_PAGES)).exit_code == 0
    with sqlite3.connect(nai.db) as conn:
        ids = [i for (i,) in conn.execute("SELECT id FROM articles ORDER BY id")]
        for i, published in zip(ids, ODD_DATES[2:], strict=False):
            conn.execute(  # and no raw page, so that repair cannot rebuild the record from it
                "UPDATE articles SET published = ?, fts_key = NULL, raw_page_id = NULL WHERE id = ?", (published, i)
            )
    assert nai("check", "--repair").exit_code == 0
    with sqlite3.connect(nai.db) as conn:
        rows = conn.execute("SELECT id, published, fts_key FROM articles").fetchall()
    assert [key for _, _, key in rows] == [fts_key(published, i) for i, published, _ in rows]


def test_date_ranges_hold_the_days_they_name() -> None:
    low, high = fts_range("2026-02-01", "2026-02-28")
    assert low <= fts_key("2026-02-01", 1) <= high and low <= fts_key("2026-02-28T23:59:00Z", 2**31) <= high
    assert not low <= fts_key("2026-01-31", 1) <= high and not low <= fts_key("2026-03-01", 1) <= high
    assert fts_range(None, "2026-02-28")[0] > fts_key(None, 2**31)  # undated articles are before any date


ARABIC_TEXT = st.text(
    st.sampled_from([*INDEX_MARKS, "ا", "أ", "ة", "ي", "ى", "ب", " ", "e", "é", "\u0301", "[", "]", "*", "?"]),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(ARABIC_TEXT)
def test_the_index_reads_text_alike_in_sql_and_python(text: str) -> None:
    """A new article is indexed with Python's index_text, an edited one through the triggers' SQL:
    the two must agree, else the trigger takes out of the index what was never in it."""
    conn = sqlite3.connect(":memory:")
    (in_sql,) = conn.execute(f"SELECT {index_text_sql(':t')}", {"t": text}).fetchone()
    assert in_sql == index_text(text)
    assert not set(in_sql) & set(INDEX_MARKS)
