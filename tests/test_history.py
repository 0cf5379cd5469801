"""`nai history` (every state of an article, and what changed) and `nai related` (what it lists,
what lists it), on archives built by ingesting fixture pages and edited copies of them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, LIBYA_URL, Nai
from nai import parse as parsing
from nai.textdiff import body_diff, render, same_body, word_diff
from test_readers import CLASSIC, copy, ingest

BADGE = FIXTURES / "naj-flag-badge.html"
BADGE_URL = "https://north-africa.com/morocco-returns-to-the-eurobond-market-with-a-2-5-billion-issue/"
FIRST = "Three Libyan soldiers aligned"  # the first paragraph's start (of seven)


def edited(tmp_path: Path, name: str, *swaps: tuple[str, str]) -> Path:
    page = copy(tmp_path, CLASSIC, name)
    for old, new in swaps:
        page = copy(tmp_path, page, name, swap=(old, new))
    return page


def paragraph(start: str) -> str:
    """The classic page's paragraph that starts so, as HTML (<p>…</p>)."""
    html = CLASSIC.read_text(encoding="utf-8")
    begin = html.index("<p>" + start)
    return html[begin : html.index("</p>", begin) + len("</p>")]


def body_of(text: str, state: int) -> list[str]:
    """The body lines that `nai history` gives a state (its number), stripped."""
    after = text.split(f"\n{state}. ", 1)[1].split("\n\n", 1)[0]
    return [line.strip() for line in after.split("body:", 1)[1].splitlines()[1:]]


def on_a_terminal(db: Path, *args: str, **env: str) -> str:
    """What `nai` writes to a terminal (a pseudo-terminal), run with these environment variables."""
    import pty

    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "NAI_DB")}
    environ.update(COLUMNS="88", **env)
    master, slave = pty.openpty()
    command = [sys.executable, "-m", "nai", "--db", str(db), *args]
    process = subprocess.Popen(command, stdout=slave, stderr=subprocess.DEVNULL, env=environ)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the command is done and its terminal closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert process.wait(timeout=60) == 0
    return b"".join(chunks).decode().replace("\r\n", "\n")


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


def ingest_with_an_older_parser(nai: Nai, monkeypatch: pytest.MonkeyPatch, observed_at: str) -> None:
    """The classic page ingested by an older nai, whose parser kept the site's name on headlines
    (today's with the name put back: the archive holds what it made)."""
    current = parsing.parse_article

    def older(html: bytes | str, *, url: str | None = None, charset: str | None = None) -> Any:
        article = current(html, url=url, charset=charset)
        return article._replace(headline=article.headline + " - The North Africa Journal")

    monkeypatch.setattr(parsing, "parse_article", older)
    ingest(nai, CLASSIC, "--jobs", "1", "--observed-at", observed_at)
    monkeypatch.setattr(parsing, "parse_article", current)


def test_a_reparse_is_a_state_of_its_own(nai: Nai, monkeypatch: pytest.MonkeyPatch) -> None:
    """An older nai's parser kept the site's name on headlines; nai reparse, with today's, drops it
    (the older parser is today's with the name put back: the archive holds what it made)."""
    ingest_with_an_older_parser(nai, monkeypatch, "2026-02-04T08:00")
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
    ingest_with_an_older_parser(nai, monkeypatch, "2020-01-20T06:00")
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
    assert body_of(text, 3)[0] == "[-Three-] {+Four+} Libyan soldiers aligned with eastern warlord Khalifa Haftar …"


def test_an_article_never_changed_has_one_state(nai: Nai, tmp_path: Path) -> None:
    ingest(nai, CLASSIC)
    ingest(nai, copy(tmp_path, CLASSIC, "more-reads.html", reads=300))  # a read count is no new state
    [state] = nai.json("history", "1", "--format", "json")["versions"]
    assert state["reason"] == "new"
    text = nai("history", "1").stdout
    assert f"{LIBYA_URL} (id 1), 1 state\n" in text and "body: 7 paragraphs" in text


def test_one_paragraph_and_one_state_are_singular(nai: Nai) -> None:
    ingest(nai, FIXTURES / "naj-one-paragraph.html")
    assert "), 1 state\n" in nai("history", "1").stdout and "body: 1 paragraph\n" in nai("history", "1").stdout


def test_history_of_no_article_fails_in_one_line(nai: Nai) -> None:
    ingest(nai, CLASSIC)
    result = nai("history", "99")
    assert result.exit_code == 1 and result.stderr.startswith("nai: 99: no such article")


def test_a_paragraph_deleted_is_whole_and_the_next_one_diffed_with_itself(nai: Nai, tmp_path: Path) -> None:
    """The second paragraph (of seven) deleted and a word added to the third: the second is
    deleted whole, and the third shows its one word, not the two diffed with each other."""
    ingest(nai, CLASSIC, "--observed-at", "2026-02-04T08:00")
    second = paragraph("In a statement")
    page = edited(tmp_path, "g.html", (second, ""), ("over the weekend show", "over the long weekend show"))
    ingest(nai, page, "--observed-at", "2026-02-05T08:00")
    body = body_of(nai("history", "1").stdout, 2)
    deleted = body[1 : body.index(next(line for line in body if "{+long+}" in line))]
    assert body[0] == "[… 1 unchanged paragraph …]"
    assert deleted[0].startswith("[-In a statement, the LNA denounced") and deleted[-1].endswith("state control.-]")
    assert not any("{+" in line for line in deleted)
    assert body[len(deleted) + 1] == "Videos circulated on social media over the {+long+} weekend show armed men in"
    assert body[len(deleted) + 2] == "military fatigues claiming …"
    assert body[-1] == "[… 4 unchanged paragraphs …]"


def test_a_paragraph_split_or_merged_shows_its_break_and_its_words(nai: Nai, tmp_path: Path) -> None:
    """The sixth paragraph split after its first sentence (and a word added in its second), then
    the third and fourth merged: the words kept, the break added or removed as ¶."""
    ingest(nai, CLASSIC, "--observed-at", "2026-02-04T08:00")
    split = edited(
        tmp_path,
        "split.html",
        (
            "management policy. The country remains divided",
            "management policy.</p>\n<p>The country remains firmly divided",
        ),
    )
    ingest(nai, split, "--observed-at", "2026-02-05T08:00")
    merged = copy(
        tmp_path, split, "merged.html", swap=("security crises.</p>\n<p>Local and", "security crises. Local and")
    )
    ingest(nai, merged, "--observed-at", "2026-02-06T08:00")
    text = nai("history", "1").stdout
    assert "(white space only)" not in text
    assert body_of(text, 2) == [
        "[… 5 unchanged paragraphs …]",
        "… unified security apparatus or coherent border management policy. {+¶+} The",
        "country remains {+firmly+} divided between a UN-recognized Government of National",
        "Unity …",
        "[… 1 unchanged paragraph …]",
    ]
    assert body_of(text, 3) == [
        "[… 2 unchanged paragraphs …]",
        "… on the front line of Libya’s security crises. [-¶-] Local and regional reporting",
        "has linked the attackers …",
        "[… 4 unchanged paragraphs …]",
    ]


@pytest.fixture
def three_four(nai: Nai, tmp_path: Path) -> Nai:
    ingest(nai, CLASSIC, "--observed-at", "2026-02-04T08:00")
    ingest(nai, edited(tmp_path, "edited.html", ("<p>Three Libyan", "<p>Four Libyan")), "--observed-at", "2026-02-05")
    return nai


def test_colour_on_a_terminal_keeps_the_markers(three_four: Nai) -> None:
    """Red and green, and the markers: without colour vision, a replacement still reads as one."""
    text = on_a_terminal(three_four.db, "history", "1", TERM="xterm-256color")
    assert "\x1b[31m[-Three-]\x1b[0m \x1b[32m{+Four+}\x1b[0m Libyan soldiers" in text


@pytest.mark.parametrize("env", [{"TERM": "dumb"}, {"TERM": "xterm", "NO_COLOR": "1"}])
def test_no_colour_on_a_dumb_terminal_or_with_no_color(three_four: Nai, env: dict[str, str]) -> None:
    text = on_a_terminal(three_four.db, "history", "1", **env)
    assert "[-Three-] {+Four+} Libyan soldiers" in text and "\x1b[" not in text


# -- the word diff itself (pure)


def test_white_space_alone_is_no_change() -> None:
    old = "Haftar's  forces\nheld the line.\n\nThe second paragraph, as it was."
    new = "Haftar's forces held   the line.\n\n\n\nThe second  paragraph, as it was changed."
    blocks = body_diff(old, new)
    assert blocks[0].unchanged == 1  # the first paragraph differs in white space only
    assert render(blocks[1].pieces) == ["The second paragraph, as it [-was.-] {+was changed.+}"]
    assert same_body(old, old.replace("\n\n", "\n \n\n")) and not same_body(old, old.replace("\n\n", " "))


def test_unlike_paragraphs_are_deleted_and_inserted_whole() -> None:
    blocks = body_diff("A b.\n\nThe army held the town for a week.", "A b.\n\nA storm hit the coast for a day.")
    assert [render(b.pieces) for b in blocks[1:]] == [
        ["[-The army held the town for a week.-]"],
        ["{+A storm hit the coast for a day.+}"],
    ]


def test_added_and_removed_paragraphs_are_all_inserted_or_deleted() -> None:
    blocks = body_diff("A b.\n\nC d.", "A b.\n\nNew one.\n\nC d.")
    assert [b.unchanged for b in blocks] == [1, 0, 1]
    assert render(blocks[1].pieces) == ["{+New one.+}"]


def test_colour_on_a_terminal_and_wrapping_by_visible_width() -> None:
    pieces = word_diff("one two three", "one four three")
    coloured = render(pieces, colour=True)[0]
    assert coloured == "one \x1b[31m[-two-]\x1b[0m \x1b[32m{+four+}\x1b[0m three"
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


def test_an_article_that_lists_itself_is_not_its_own_backlink(nai: Nai, tmp_path: Path) -> None:
    ingest(nai, copy(tmp_path, CLASSIC, "self.html", swap=(GHANNOUCHI, LIBYA_URL)))
    record = nai.json("related", "1", "--format", "json")
    assert record["links"][0]["id"] == 1 and record["backlinks"] == []


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


def test_the_amp_copy_and_the_page_of_one_story_are_one_state(tmp_path: Path) -> None:
    """The AMP copy prints the day alone: it is the day of the time the page gives, not an edit
    of it, in either order, and the record keeps the time."""
    nai = Nai(tmp_path / "archive.db")
    amp, classic = FIXTURES / "naj-libya-amp.html", FIXTURES / "naj-libya-classic.html"
    for page in (amp, classic, amp, classic, amp):
        assert nai("ingest", str(page)).exit_code == 0
    [state] = nai.json("history", "1", "--format", "json")["versions"]
    assert state["published"] == "2026-02-04T00:41:00+01:00" == nai.json("show", "1", "--format", "json")["published"]
    # the AMP copy is the page last seen, which a reparse reads again: the time known stays
    assert nai("reparse").exit_code == 0
    [state] = nai.json("history", "1", "--format", "json")["versions"]
    assert state["published"] == "2026-02-04T00:41:00+01:00" == nai.json("show", "1", "--format", "json")["published"]


def test_a_body_rewritten_whole_is_paired_near_the_diagonal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """120 paragraphs against 120 others: pairs are tried near each paragraph's place (the diff of
    a whole rewrite took 7 s when every pair was tried); a short run still tries every pair."""
    from nai import textdiff

    tried: list[int] = []
    kept = textdiff._kept
    monkeypatch.setattr(textdiff, "_kept", lambda olds, news: tried.append(1) or kept(olds, news))
    words = [f"w{k}" for k in range(400)]

    def paragraph(seed: int) -> list[str]:
        return [words[(seed * 7 + k * 13) % 400] for k in range(30)]

    olds, news = [paragraph(i) for i in range(120)], [paragraph(1000 + i) for i in range(120)]
    textdiff.align(olds, news)
    assert 0 < len(tried) < 120 * 120  # every pair tried: 43,000 (up to three parts a pair each way)
    tried.clear()
    textdiff.align(olds[:30], news[:30])
    assert len(tried) >= 30 * 30
