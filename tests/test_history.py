"""`nai history` (every state of an article, and what changed) and `nai related` (what it lists,
what lists it), on archives built by ingesting fixture pages and edited copies of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, LIBYA_URL, Nai
from nai import parse as parsing
from nai.textdiff import body_diff, render, word_diff
from test_readers import CLASSIC, copy, ingest

BADGE = FIXTURES / "naj-flag-badge.html"
BADGE_URL = "https://north-africa.com/morocco-returns-to-the-eurobond-market-with-a-2-5-billion-issue/"
FIRST = "Three Libyan soldiers aligned"  # the first paragraph's start (of seven)


def edited(tmp_path: Path, name: str, *swaps: tuple[str, str]) -> Path:
    page = copy(tmp_path, CLASSIC, name)
    for old, new in swaps:
        page = copy(tmp_path, page, name, swap=(old, new))
    return page


@pytest.fixture
def edits(nai: Nai, tmp_path: Path) -> Nai:
    """The Libya story as first seen, then edited by the site: a word of its headline, a word of
    its first paragraph and of its sixth (of seven), and its date (a day later)."""
    ingest(nai, CLASSIC, "--observed-at", "2026-02-04T08:00")
    page = edited(
        tmp_path,
        "edited.html",
        ("Boils Over: Three Haftar", "Boils Over: Four Haftar"),
        ("<p>Three Libyan soldiers", "<p>Four Libyan soldiers"),
        ("<p>Since the 2011 overthrow", "<p>Ever since the 2011 overthrow"),
        ("2026-02-04T00:41:00+01:00", "2026-02-05T00:41:00+01:00"),
    )
    ingest(nai, page, "--observed-at", "2026-02-06T09:30")
    return nai


def test_history_json_gives_every_state_oldest_first_the_current_last(edits: Nai) -> None:
    record = edits.json("history", "1", "--format", "json")
    assert list(record) == ["id", "url", "versions"]
    assert record["id"] == 1 and record["url"] == LIBYA_URL
    versions = record["versions"]
    assert [list(v) for v in versions] == [["seen_at", "reason", "headline", "published", "body"]] * 2
    assert [(v["seen_at"], v["reason"]) for v in versions] == [
        ("2026-02-04T08:00:00+00:00", "new"),
        ("2026-02-06T09:30:00+00:00", "edit"),
    ]
    assert versions[0]["body"].startswith(FIRST) and versions[0]["published"].startswith("2026-02-04")
    [current] = edits.jsonl("export")
    assert {k: versions[-1][k] for k in ("headline", "published", "body")} == {
        k: current[k] for k in ("headline", "published", "body")
    }
    assert edits.json("history", LIBYA_URL.replace("https://", "http://www."), "--format", "json") == record


def test_history_text_marks_words_elides_unchanged_paragraphs_and_shows_the_date(edits: Nai) -> None:
    result = edits("history", "1")
    assert result.exit_code == 0
    text = result.stdout
    assert "2026-02-04 08:00:00 UTC  new" in text and "2026-02-06 09:30:00 UTC  edit" in text
    second = text.split("2026-02-06 09:30:00 UTC  edit", 1)[1]
    assert "headline: Southern Libya Boils Over: [-Three-] {+Four+} Haftar" in second
    assert "published: 2026-02-04T00:41:00+01:00 -> 2026-02-05T00:41:00+01:00" in second
    body = second.split("body:", 1)[1].splitlines()
    assert body[1].strip() == "[-Three-] {+Four+} Libyan soldiers aligned with eastern warlord Khalifa Haftar …"
    assert body[2].strip() == "[… 4 unchanged paragraphs …]"  # the second to the fifth
    assert body[3].strip().startswith("[-Since-] {+Ever since+} the 2011 overthrow")
    assert body[-1].strip() == "[… 1 unchanged paragraph …]"
    assert "Salvador Pass area" not in second  # their text is elided, and so are unchanged words
    assert "\x1b[" not in text  # off a terminal: markers, no colour


def test_a_reparse_is_a_state_of_its_own(nai: Nai, monkeypatch: pytest.MonkeyPatch) -> None:
    """An older nai's parser kept the site's name on headlines; nai reparse, with today's, drops it
    (the older parser is today's with the name put back: the archive holds what it made)."""
    current = parsing.parse_article

    def older(html: bytes | str, *, url: str | None = None, charset: str | None = None) -> Any:
        article = current(html, url=url, charset=charset)
        return article._replace(headline=article.headline + " - The North Africa Journal")

    monkeypatch.setattr(parsing, "parse_article", older)
    ingest(nai, CLASSIC, "--jobs", "1", "--observed-at", "2026-02-04T08:00")
    monkeypatch.setattr(parsing, "parse_article", current)
    assert nai("reparse").exit_code == 0
    versions = nai.json("history", "1", "--format", "json")["versions"]
    assert [v["reason"] for v in versions] == ["new", "reparse"]
    assert versions[0]["headline"].endswith("Journal") and not versions[1]["headline"].endswith("Journal")
    assert versions[1]["seen_at"] == versions[0]["seen_at"]  # the same page, read again
    text = nai("history", "1").stdout
    assert "2026-02-04 08:00:00 UTC  reparse" in text and "[-- The North Africa Journal-]" in text


def test_a_reparse_state_keeps_its_place_in_time(nai: Nai, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page seen after the one reparsed, but ingested after the reparse, comes after it: the
    reparse's state was seen when its page was, not when nai reparse ran."""
    current = parsing.parse_article

    def older(html: bytes | str, *, url: str | None = None, charset: str | None = None) -> Any:
        article = current(html, url=url, charset=charset)
        return article._replace(headline=article.headline + " - The North Africa Journal")

    monkeypatch.setattr(parsing, "parse_article", older)
    ingest(nai, CLASSIC, "--jobs", "1", "--observed-at", "2020-01-20T06:00")
    monkeypatch.setattr(parsing, "parse_article", current)
    assert nai("reparse").exit_code == 0
    ingest(nai, edited(tmp_path, "edited.html", ("<p>Three Libyan", "<p>Four Libyan")), "--observed-at", "2020-02-01")
    versions = nai.json("history", "1", "--format", "json")["versions"]
    assert [(v["seen_at"][:10], v["reason"]) for v in versions] == [
        ("2020-01-20", "new"),
        ("2020-01-20", "reparse"),
        ("2020-02-01", "edit"),
    ]
    assert versions[-1]["body"].startswith("Four Libyan")  # the current state last
    text = nai("history", "1").stdout
    assert text.index("UTC  reparse") < text.index("2020-02-01 00:00:00 UTC  edit")


def test_an_article_never_changed_has_one_state(nai: Nai, tmp_path: Path) -> None:
    ingest(nai, CLASSIC)
    ingest(nai, copy(tmp_path, CLASSIC, "more-reads.html", reads=300))  # a read count is no new state
    [state] = nai.json("history", "1", "--format", "json")["versions"]
    assert state["reason"] == "new"


def test_history_of_no_article_fails_in_one_line(nai: Nai) -> None:
    ingest(nai, CLASSIC)
    result = nai("history", "99")
    assert result.exit_code == 1 and result.stderr.startswith("nai: 99: no such article")


# -- the word diff itself (pure)


def test_white_space_alone_is_no_change() -> None:
    old = "Haftar's  forces\nheld the line.\n\nSecond paragraph."
    new = "Haftar's forces held   the line.\n\nSecond  paragraph, changed."
    blocks = body_diff(old, new)
    assert blocks[0].unchanged == 1  # the first paragraph differs in white space only
    assert render(blocks[1].pieces) == ["Second [-paragraph.-] {+paragraph, changed.+}"]


def test_added_and_removed_paragraphs_are_all_inserted_or_deleted() -> None:
    blocks = body_diff("A b.\n\nC d.", "A b.\n\nNew one.\n\nC d.")
    assert [b.unchanged for b in blocks] == [1, 0, 1]
    assert render(blocks[1].pieces) == ["{+New one.+}"]


def test_colour_on_a_terminal_and_wrapping_by_visible_width() -> None:
    pieces = word_diff("one two three", "one four three")
    coloured = render(pieces, colour=True)[0]
    assert "\x1b[31mtwo\x1b[0m" in coloured and "\x1b[32mfour\x1b[0m" in coloured
    assert render(word_diff("a b c d e f", "a b c d e f"), width=5) == ["a b c", "d e f"]


# -- nai related

GHANNOUCHI = "https://north-africa.com/tunisia-appeals-court-extends-rached-ghannouchis-prison-term-by-20-years/"


@pytest.fixture
def linked(nai: Nai, tmp_path: Path) -> Nai:
    """The Libya story (its "Most Recent Stories" block lists two: Ghannouchi's, then a cyclone's),
    and another page saved as the Ghannouchi story under another form of its URL (http, www.),
    ingested after it."""
    ingest(nai, CLASSIC)
    page = copy(tmp_path, BADGE, "ghannouchi.html", swap=(BADGE_URL, GHANNOUCHI.replace("https://", "http://www.")))
    ingest(nai, page)
    return nai


def test_related_lists_in_page_order_with_ids_when_in_the_archive(linked: Nai) -> None:
    record = linked.json("related", "1", "--format", "json")
    assert list(record) == ["id", "url", "links", "backlinks"]
    assert record["id"] == 1 and record["url"] == LIBYA_URL
    [story] = linked.jsonl("export")[:1]
    assert [(x["headline"], x["url"]) for x in record["links"]] == [(r["headline"], r["url"]) for r in story["related"]]
    assert [list(x) for x in record["links"]] == [["headline", "url", "id"]] * 2
    assert [x["id"] for x in record["links"]] == [2, None]
    assert record["backlinks"] == []


def test_backlinks_are_the_stories_that_list_it(linked: Nai, tmp_path: Path) -> None:
    record = linked.json("related", GHANNOUCHI, "--format", "json")
    assert record["id"] == 2
    assert record["backlinks"] == [{"id": 1, "headline": linked.jsonl("export")[0]["headline"], "url": LIBYA_URL}]
    assert [list(x) for x in record["backlinks"]] == [["id", "headline", "url"]]


def test_related_text_says_what_is_not_in_the_archive(linked: Nai) -> None:
    text = linked("related", "1").stdout
    lists, listed_by = text.split("Listed by")
    assert "Lists (2, in page order)" in lists and lists.count("(not in the archive)") == 1
    assert lists.index("Ghannouchi") < lists.index("Cyclone Harry")  # page order
    assert "(0)" in listed_by
    assert "Listed by (1)" in linked("related", "2").stdout


def test_an_archive_of_the_first_schema_has_its_history(tmp_path: Path) -> None:
    """m008: the states of an archive made before it were first seen when the one before them
    was replaced (the first, when the article was first stored), and came as they were replaced."""
    import gzip
    import shutil

    from conftest import ROOT, sql

    db = tmp_path / "v1.db"
    with gzip.open(ROOT / "tests" / "data" / "archive-v1.db.gz") as packed, db.open("wb") as out:
        shutil.copyfileobj(packed, out)
    [(first_seen,)] = sql(db, "SELECT first_seen FROM articles WHERE id = 1")
    [(replaced,)] = sql(db, "SELECT saved_at FROM versions WHERE article_id = 1 AND version = 2")  # v1: the current
    versions = Nai(db).json("history", "1", "--format", "json")["versions"]
    assert [(v["seen_at"], v["reason"]) for v in versions] == [(first_seen, "new"), (replaced, "edit")]
    assert versions[0]["published"] != versions[1]["published"]
