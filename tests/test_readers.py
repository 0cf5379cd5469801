"""When a read count was seen (now, an archive.org capture's time, --observed-at), and `nai trending`.

Archives are built by ingesting fixture pages and edited copies of them through the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import FIXTURES, LIBYA_URL, Nai, sql

CLASSIC = FIXTURES / "naj-libya-classic.html"
BADGE = FIXTURES / "naj-flag-badge.html"  # another article: Morocco's Eurobond issue
ONE = FIXTURES / "naj-one-paragraph.html"  # and another: Chad and Niger
UGTT = FIXTURES / "naj-quote-list-arabic.html"  # and another: Tunisia's UGTT
CAPTURE = "https://web.archive.org/web/20260205101010/" + LIBYA_URL
TRENDING_KEYS = ["id", "url", "headline", "published", "read_count", "growth", "series"]


def copy(
    tmp_path: Path, source: Path, name: str, *, reads: int | None = None, swap: tuple[str, str] = ("", "")
) -> Path:
    """An edited copy of a fixture page: another read count, a text replaced."""
    data = source.read_bytes()
    if reads is not None:
        # "…was read : </span> <span class="post-views-count">86<", or "…was read : 312<"
        counter = re.compile(rb"(was read :(?:\s*</span>\s*<span[^>]*>)?\s*)[\d,]+<")
        data, n = counter.subn(rb"\g<1>%d<" % reads, data)
        assert n == 1, f"{source.name}: no read counter"
    if swap[0]:
        assert swap[0].encode() in data, f"{source.name} lacks {swap[0]!r}: adjust the test"
        data = data.replace(swap[0].encode(), swap[1].encode())
    path = tmp_path / name
    path.write_bytes(data)
    return path


def captured(tmp_path: Path, name: str, *, reads: int, stamp: str = "20260205101010", **kw: tuple[str, str]) -> Path:
    """The classic page as saved from the Wayback Machine: its rel=canonical rewritten to the capture."""
    page = copy(tmp_path, CLASSIC, name, reads=reads, **kw)
    data = page.read_bytes().replace(
        b'<link rel="canonical" href="' + LIBYA_URL.encode(),
        b'<link rel="canonical" href="https://web.archive.org/web/' + stamp.encode() + b"/" + LIBYA_URL.encode(),
    )
    page.write_bytes(data)
    return page


def observations(nai: Nai, article_id: int = 1) -> list[tuple[str, int]]:
    return [(t, c) for t, c in sql(nai.db, "SELECT observed_at, read_count FROM read_counts WHERE article_id = ?"
                                   " ORDER BY observed_at", article_id)]  # fmt: skip


def ingest(nai: Nai, *args: str | Path) -> None:
    result = nai("ingest", *map(str, args))
    assert result.exit_code == 0, result.stderr


def test_an_ingested_file_is_seen_now(nai: Nai) -> None:
    before = datetime.now(timezone.utc)
    ingest(nai, CLASSIC)
    after = datetime.now(timezone.utc)
    [(when, count)] = observations(nai)
    assert before <= datetime.fromisoformat(when) <= after and count == 86


def test_a_wayback_capture_is_seen_when_it_was_captured(nai: Nai, tmp_path: Path) -> None:
    ingest(nai, captured(tmp_path, "capture.html", reads=40))
    assert observations(nai) == [("2026-02-05T10:10:10+00:00", 40)]
    [record] = nai.jsonl("export")
    assert record["url"] == LIBYA_URL and record["read_count"] == 40  # the URL captured, unwrapped


def test_a_page_given_a_capture_url_is_seen_when_captured(nai: Nai, tmp_path: Path) -> None:
    page = copy(tmp_path, CLASSIC, "saved.html", reads=41)
    ingest(nai, page, "--url", "https://web.archive.org/web/20250101083000/" + LIBYA_URL)
    assert observations(nai) == [("2025-01-01T08:30:00+00:00", 41)]


def test_a_capture_without_its_whole_timestamp_is_seen_now(nai: Nai, tmp_path: Path) -> None:
    """…/web/2026/… asks for the capture nearest to 2026: it does not say when the page was captured."""
    ingest(nai, captured(tmp_path, "capture.html", reads=40, stamp="2026"))
    [(when, _)] = observations(nai)
    assert datetime.fromisoformat(when) > datetime.now(timezone.utc) - timedelta(minutes=5)


def test_observed_at_is_when_the_pages_were_seen_in_utc_and_wins_over_a_capture(nai: Nai, tmp_path: Path) -> None:
    ingest(nai, captured(tmp_path, "capture.html", reads=40), "--observed-at", "2026-03-01T12:00+01:00")
    ingest(nai, BADGE, "--observed-at", "2026-03-02")
    assert observations(nai, 1) == [("2026-03-01T11:00:00+00:00", 40)]
    assert observations(nai, 2) == [("2026-03-02T00:00:00+00:00", 312)]


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "2026-02-30T10:00", "05/02/2026", "2999-01-01", ""])
def test_a_bad_observed_at_is_a_usage_error(nai: Nai, value: str) -> None:
    result = nai("ingest", str(CLASSIC), "--observed-at", value)
    assert result.exit_code == 2
    assert "--observed-at" in result.stderr and "Traceback" not in result.stderr
    assert not nai.db.exists()  # nothing stored


def test_one_observation_a_time_the_last_word_on_it_wins(nai: Nai, tmp_path: Path) -> None:
    at = ("--observed-at", "2026-03-01T12:00:00")
    ingest(nai, copy(tmp_path, CLASSIC, "a.html", reads=100), *at)
    ingest(nai, copy(tmp_path, CLASSIC, "b.html", reads=120), *at)
    ingest(nai, copy(tmp_path, CLASSIC, "b.html", reads=120), *at)
    assert observations(nai) == [("2026-03-01T12:00:00+00:00", 120)]
    assert nai.jsonl("export")[0]["read_count"] == 120


def test_an_old_capture_after_a_newer_page_keeps_the_newer_record(nai: Nai, tmp_path: Path) -> None:
    """The record is the newest page's; the capture's read count and text join the past."""
    ingest(nai, copy(tmp_path, CLASSIC, "now.html", reads=500))
    newer = nai.jsonl("export")[0]
    old = captured(tmp_path, "capture.html", reads=86, swap=("Three Libyan soldiers", "Two Libyan soldiers"))
    result = nai("-v", "ingest", str(old))
    assert "unchanged:" in result.stderr
    [record] = nai.jsonl("export")
    assert record == newer  # read count 500, body "Three Libyan soldiers": nothing moved back
    assert [c for _, c in observations(nai)] == [86, 500]
    states = nai.json("history", "1", "--format", "json")["versions"]
    assert (states[0]["seen_at"], states[0]["reason"]) == ("2026-02-05T10:10:10+00:00", "new")
    assert states[0]["body"].startswith("Two Libyan") and states[-1]["body"].startswith("Three Libyan")
    assert states[-1]["reason"] == "edit"


def test_a_capture_claiming_a_time_to_come_is_seen_now(nai: Nai, tmp_path: Path) -> None:
    """A capture's URL saying 2099 does not make its page the newest for good: it is seen now, and
    the real page ingested after it is newer and updates the record."""
    before = datetime.now(timezone.utc)
    ingest(nai, captured(tmp_path, "future.html", reads=100, stamp="20991231000000"))
    ingest(nai, copy(tmp_path, CLASSIC, "now.html", reads=900, swap=("Three Libyan soldiers", "Four Libyan soldiers")))
    [(first, _), (_, last)] = observations(nai)
    assert before <= datetime.fromisoformat(first) <= datetime.now(timezone.utc)
    record = nai.json("show", "1", "--format", "json")
    assert last == 900 and record["read_count"] == 900 and record["body"].startswith("Four Libyan")


def test_a_saved_capture_whose_links_are_root_relative(nai: Nai, tmp_path: Path) -> None:
    """The Wayback Machine rewrites a capture's links to "/web/<timestamp>/<url>": the page's URL is
    the URL captured, seen at the capture's time, and its related links are the stories' own."""
    page = captured(tmp_path, "capture.html", reads=40)
    data = page.read_bytes().replace(b"https://web.archive.org/web/", b"/web/")
    data = data.replace(
        b'href="https://north-africa.com/tunisia-', b'href="/web/20260205101010/https://north-africa.com/tunisia-'
    )
    data = data.replace(b'content="' + LIBYA_URL.encode(), b'content="/web/20260205101010/' + LIBYA_URL.encode())
    page.write_bytes(data)
    ingest(nai, page)
    assert observations(nai) == [("2026-02-05T10:10:10+00:00", 40)]
    record = nai.json("show", "1", "--format", "json")
    assert record["url"] == LIBYA_URL
    assert record["related"][0]["url"].startswith("https://north-africa.com/tunisia-appeals-court")


def test_every_observation_is_kept_an_unchanged_count_too(nai: Nai, tmp_path: Path) -> None:
    """An article seen twice with the same count has both observations, in whichever order its pages
    came: it is in trending's window when seen in it (growth 0), never left out."""
    old, new = copy(tmp_path, CLASSIC, "old.html", reads=500), copy(tmp_path, CLASSIC, "new.html", reads=500)
    for first, second in [((old, seen(20)), (new, seen(3))), ((new, seen(3)), (old, seen(20)))]:
        for path in nai.db, nai.db.with_suffix(".db-wal"), nai.db.with_suffix(".db-shm"):
            path.unlink(missing_ok=True)
        ingest(nai, first[0], "--observed-at", first[1])
        ingest(nai, second[0], "--observed-at", second[1])
        assert observations(nai) == [(seen(20), 500), (seen(3), 500)]
        [row] = nai.json("trending", "--at", AT.isoformat(), "--format", "json")
        assert (row["growth"], row["series"]) == (0, [[seen(20), 500], [seen(3), 500]])


def test_a_capture_of_the_current_text_moves_its_first_sight_back(nai: Nai, tmp_path: Path) -> None:
    ingest(nai, CLASSIC)
    ingest(nai, captured(tmp_path, "capture.html", reads=50))
    [state] = nai.json("history", "1", "--format", "json")["versions"]
    assert state["seen_at"] == "2026-02-05T10:10:10+00:00" and state["reason"] == "new"


# -- nai trending

AT = datetime(2026, 2, 10, tzinfo=timezone.utc)


def seen(days_before: float) -> str:
    return (AT - timedelta(days=days_before)).isoformat()


@pytest.fixture
def readers(nai: Nai, tmp_path: Path) -> Nai:
    """Four articles, their read counts seen over a month before AT:
    Libya 100 (20 days before), 150 (3), 400 (1): grew 300 in the week, counted from before it;
    Morocco 10 (5), 60 (2): grew 50, counted from its first in the week (none before);
    Chad 5 (30): nothing in the week; UGTT 1,000 (6): once in the week, grew 0."""
    for page, reads, days in [
        (CLASSIC, 100, 20), (CLASSIC, 150, 3), (CLASSIC, 400, 1), (BADGE, 10, 5), (BADGE, 60, 2), (ONE, 5, 30),
        (UGTT, 1000, 6),
    ]:  # fmt: skip
        ingest(nai, copy(tmp_path, page, f"{page.stem}-{days}.html", reads=reads), "--observed-at", seen(days))
    return nai


def by_headline(records: list[dict[str, object]]) -> list[tuple[str, object]]:
    return [(str(r["headline"]).split()[0], r["growth"]) for r in records]


def test_trending_ranks_growth_in_the_window(readers: Nai) -> None:
    records = readers.json("trending", "--at", AT.isoformat(), "--format", "json")
    assert by_headline(records) == [("Southern", 300), ("Morocco", 50), ("Tunisia’s", 0)]
    libya = records[0]
    assert list(libya) == TRENDING_KEYS
    assert libya["series"] == [[seen(20), 100], [seen(3), 150], [seen(1), 400]]  # from the one before the window
    assert libya["read_count"] == 400 and libya["url"] == LIBYA_URL and libya["published"]
    assert records[1]["series"] == [[seen(5), 10], [seen(2), 60]]
    assert json.loads(json.dumps(records)) == records


def test_trending_window_and_limit(readers: Nai) -> None:
    assert by_headline(readers.json("trending", "--at", AT.isoformat(), "--limit", "2", "--format", "json")) == [
        ("Southern", 300),
        ("Morocco", 50),
    ]
    # three days: Libya 400 - 150 (seen 3 days before: at the window's start, the count before it);
    # Morocco 60 - 10 (seen 5 days before)
    three = readers.json("trending", "--at", AT.isoformat(), "--days", "3", "--format", "json")
    assert by_headline(three) == [("Southern", 250), ("Morocco", 50)]
    assert three[0]["series"] == [[seen(3), 150], [seen(1), 400]]
    # two days: Morocco's 60, seen 2 days before, is at the start: before the window, not in it
    two = readers.json("trending", "--at", AT.isoformat(), "--days", "2", "--format", "json")
    assert by_headline(two) == [("Southern", 250)]
    # the window before that one, back to back: Morocco's 60 is in it, and Libya's 150
    before = readers.json("trending", "--at", seen(2), "--days", "2", "--format", "json")
    assert by_headline(before) == [("Southern", 50), ("Morocco", 50)]  # a tie: the higher count first
    # as of 4 days before AT, a 30-day window: Libya 100 -> 100 (none grown yet), Chad 5, UGTT, Morocco
    earlier = readers.json("trending", "--at", seen(4), "--days", "30", "--format", "json")
    assert sorted(by_headline(earlier)) == [("Chad", 0), ("Morocco", 0), ("Southern", 0), ("Tunisia’s", 0)]
    # each read count as of then, not today's: Libya 100 (its 150 and 400 came later), Morocco 10
    assert {str(r["headline"]).split()[0]: r["read_count"] for r in earlier} == {
        "Southern": 100, "Morocco": 10, "Chad": 5, "Tunisia’s": 1000
    }  # fmt: skip
    assert readers.json("trending", "--at", seen(60), "--format", "json") == []


def test_trending_table_has_a_sparkline_and_csv_the_series(readers: Nai) -> None:
    result = readers("trending", "--at", AT.isoformat())
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:5] == ["id", "growth", "reads", "published", "series"]
    assert "+300" in lines[1] and "▁▂█" in lines[1]  # 100, 150, 400
    assert "+50" in lines[2] and "▁█" in lines[2]
    rows = list(csv.DictReader(io.StringIO(readers("trending", "--at", AT.isoformat(), "--format", "csv").stdout)))
    assert list(rows[0]) == TRENDING_KEYS and rows[0]["growth"] == "300"
    assert json.loads(rows[0]["series"])[-1] == [seen(1), 400]


def test_a_long_series_keeps_its_first_count_in_the_sparkline(nai: Nai, tmp_path: Path) -> None:
    """40 counts in the window after a 0 before it: the sparkline, 16 wide, starts from the 0."""
    for n, (reads, days) in enumerate([(0, 30), *((1000 + i, 6 - i / 8) for i in range(40))]):
        ingest(nai, copy(tmp_path, CLASSIC, f"{n}.html", reads=reads), "--observed-at", seen(days))
    [line] = nai("trending", "--at", AT.isoformat()).stdout.splitlines()[1:]
    spark = line.split()[4]
    assert len(spark) == 16 and spark[0] == "▁" and set(spark[1:]) <= set("▇█") and spark[-1] == "█"


@pytest.mark.parametrize(("columns", "shown"), [(100, 5), (60, 4), (50, 3), (40, 3)])
def test_a_narrow_terminal_drops_the_date_then_the_reads_never_the_sparkline(
    readers: Nai, monkeypatch: pytest.MonkeyPatch, columns: int, shown: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    head, libya, *_ = readers("trending", "--at", AT.isoformat()).stdout.splitlines()
    assert head.split()[:shown] == [*["id", "growth", "reads", "published"][: shown - 1], "series"]
    assert "▁▂█" in libya and len(libya) <= columns and libya.split()[shown - 1] == "▁▂█"


def test_trending_is_as_of_now_by_default(nai: Nai, tmp_path: Path) -> None:
    now = datetime.now(timezone.utc)
    for reads, days in [(5, 10), (10, 3), (25, 0.5)]:
        page = copy(tmp_path, CLASSIC, f"{days}.html", reads=reads)
        ingest(nai, page, "--observed-at", (now - timedelta(days=days)).isoformat())
    assert by_headline(nai.json("trending", "--format", "json")) == [("Southern", 20)]
    assert by_headline(nai.json("trending", "--days", "1", "--format", "json")) == [("Southern", 15)]


def test_trending_at_must_be_a_moment(nai: Nai) -> None:
    ingest(nai, CLASSIC)
    result = nai("trending", "--at", "last week")
    assert result.exit_code == 2 and "--at" in result.stderr


def test_trending_windows_reaching_before_year_one_are_all_time(nai: Nai) -> None:
    ingest(nai, CLASSIC, "--observed-at", "2026-02-01")
    for args in (["--days", "100000000"], ["--at", "0001-01-03"]):
        result = nai("trending", *args, "--format", "json")
        assert result.exit_code == 0, result.stderr
    assert [r["read_count"] for r in nai.json("trending", "--days", "2000000", "--format", "json")] == [86]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["trending", "--limit", "99999999999999999999"], "--limit"),
        (["trending", "--days", "0"], "--days"),
        (["search", "Haftar", "--limit", "99999999999999999999"], "--limit"),
        (["ingest", str(CLASSIC), "--observed-at", "0001-01-01T00:00+01:00"], "--observed-at"),
    ],
)
def test_out_of_range_values_are_one_line_usage_errors(nai: Nai, args: list[str], option: str) -> None:
    result = nai(*args)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("nai: ") and option in line and f"'nai {args[0]} --help'" in line


def test_show_tells_a_count_seen_again_unchanged_once(nai: Nai, tmp_path: Path) -> None:
    for reads, days in [(100, 20), (150, 3), (150, 2), (150, 1)]:
        ingest(nai, copy(tmp_path, CLASSIC, f"{days}.html", reads=reads), "--observed-at", seen(days))
    history = nai("show", "1").stdout.split("Read-count history\n", 1)[1].splitlines()[1:]
    minute = lambda days: seen(days)[:16].replace("T", " ")  # noqa: E731
    assert history == [
        f"  {minute(20)}       100",
        f"  {minute(3)}       150  (seen 3 times, to {minute(1)})",
    ]
