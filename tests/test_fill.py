"""The night the site changes its layout: `nai scrape` compares the fields of the pages it fetched
with the site's earlier articles, says which fell (exit 3), and `nai stats` shows the comparison.

Through the real CLI against the mock site on 127.0.0.1 (tests/mocksite.py), switched to another
theme between two runs; the thresholds' edges on the comparison itself and through the CLI.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import Nai, scrape, sql
from mocksite import MockSite, SiteSpec, build_site, new_theme, switch_theme
from nai import output
from nai.model import Article, Author, Related
from nai.store import Archive, fill
from nai.store.fill import FieldFill, Sample

HINT = "the layout may have changed; raw pages are kept: run nai reparse after upgrading nai"


def alarm(field: str, filled: int, pages: int, before: str = "100%") -> str:
    return f"nai: 127.0.0.1: {field} found on {filled} of {pages} pages tonight ({before} before); {HINT}"


def story_fetches(site: MockSite) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in site.article_requests():
        counts[r.path] = counts.get(r.path, 0) + 1
    return counts


# ---- a theme change between two runs, and a control ------------------------------------------------


def test_a_theme_change_is_one_line_a_field_and_exit_3(
    nai: Nai, site: MockSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_site(site, SiteSpec(n=8, recent=0))
    assert scrape(nai, site) == (0, "")  # the first backfill: nothing earlier to compare with
    switch_theme(site)  # no read-count label, another related title, no author box; newer <lastmod>s
    site.clear_log()
    code, stderr = scrape(nai, site)
    assert code == 3
    assert stderr.splitlines() == [alarm("read_count", 0, 8), alarm("related", 0, 8), alarm("author", 0, 8)]
    # the night's pages are stored as usual: the new records, and the pages as served
    assert story_fetches(site) == {f"/story-{n}/": 1 for n in range(1, 9)}
    records = nai.jsonl("export")
    assert len(records) == 8 and all(r["related"] == [] and r["author"] is None for r in records)
    served = {hashlib.sha256(site.routes[f"/story-{n}/"].body).hexdigest() for n in range(1, 9)}
    assert {s for (s,) in sql(nai.db, "SELECT p.sha256 FROM articles a JOIN raw_pages p ON p.id = a.raw_page_id")} == (
        served
    )
    # nai stats shows the same comparison for the last run
    stats = nai.json("stats", "--format", "json")
    last = stats["last_run_fill"]
    assert last["run_id"] == stats["last_runs"][0]["id"] and last["before_days"] == 90
    by_field = {f["field"]: f for f in last["fields"]}
    assert list(by_field) == ["published", "read_count", "section", "related", "author", "body"]
    assert by_field["read_count"] == {
        "site": "127.0.0.1",
        "field": "read_count",
        "filled": 0,
        "pages": 8,
        "filled_before": 8,
        "pages_before": 8,
        "label": "read_count",
        "rate": 0.0,
        "rate_before": 1.0,
        "alarm": True,
    }
    assert [f for f, v in by_field.items() if v["alarm"]] == ["read_count", "related", "author"]
    assert (by_field["body"]["filled"], by_field["body"]["label"]) == (8, "body of 3+ paragraphs")
    text = nai("stats").stdout
    section = text[text.index("last scrape's pages") :].split("\n\n")[0].splitlines()
    assert section[0].endswith("against the articles stored in the 90 days before")
    assert [line.split()[0] for line in section[2:]] == [
        "published",
        "read_count",
        "section",
        "related",
        "author",
        "body",
    ]
    flagged = [line.split()[0] for line in section if line.endswith("the layout may have changed")]
    assert flagged == ["read_count", "related", "author"]
    assert re.search(r"read_count\s+0/8\s+0%\s+8/8\s+100%", text)
    # once nai reads the new theme, `nai reparse` rebuilds the night's records from their raw pages
    from nai import parse

    original = parse.reparse_page

    def fixed(data: bytes, url: str | None, charset: str | None = None) -> Article:
        page = data.replace(b"You May Also Like", b"Most Recent Stories from the Region")
        page = re.sub(rb'<span class="views">([\d,]+) views', rb"Number of times this article was read : \1", page)
        return original(page, url, charset)

    monkeypatch.setattr("nai.parse.reparse_page", fixed)
    assert nai("reparse").exit_code == 0
    records = nai.jsonl("export")
    assert all(r["related"] and r["read_count"] == 10 * int(r["url"].rstrip("/").split("-")[-1]) for r in records)


def test_the_same_theme_twice_is_no_alarm(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=8, recent=0))
    scrape(nai, site)
    # newer <lastmod>s, pages as they were: each is asked for again, and a 304 is not a fetched page
    switch_theme(site, None)
    site.clear_log()
    assert scrape(nai, site) == (0, "")
    assert [r.status for r in site.article_requests()] == [304] * 8
    assert nai.json("stats", "--format", "json")["last_run_fill"]["fields"] == []
    assert "no article page fetched" in nai("stats").stdout
    # the same theme served again (new bytes, the same fields): compared, and no alarm
    switch_theme(site, lambda page: page.replace(b"</body>", b"<!-- served again -->\n</body>"), lastmod="2099-02-01")
    site.clear_log()
    code, stderr = scrape(nai, site, "-v")
    assert code == 0 and stderr.count("\n") == 1  # the summary line only
    assert stderr.startswith("scrape: 0 new, 0 updated, 8 unchanged, 0 refreshed, 0 removed, 0 failed;")
    assert [r.status for r in site.article_requests()] == [200] * 8
    fields = nai.json("stats", "--format", "json")["last_run_fill"]["fields"]
    assert [(f["filled"], f["pages"], f["pages_before"], f["alarm"]) for f in fields] == [(8, 8, 8, False)] * 6
    assert "the layout may have changed" not in nai("stats").stdout


def test_a_layout_alarm_wins_over_a_failed_url(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=8, recent=0))
    scrape(nai, site)
    switch_theme(site)
    site.routes["/story-1/"].faults = [(500, {}), (500, {})]  # given up for tonight
    code, stderr = scrape(nai, site, "-q")  # -q too: cron must mail the alarm
    assert code == 3
    lines = stderr.splitlines()
    assert lines[0] == f"nai: {site.url}/story-1/: HTTP 500"
    assert lines[1:] == [alarm("read_count", 0, 7), alarm("related", 0, 7), alarm("author", 0, 7)]


# ---- the thresholds: 5 pages tonight, 90% before, below 50% tonight; 90 days; the same site -------------


def break_stories(site: MockSite, broken: range) -> None:
    """Stories in `broken` in the new theme, the others served again as they were (new bytes, not a 304)."""
    for n in range(1, 11):
        route = site.routes[f"/story-{n}/"]
        route.body = new_theme(route.body) if n in broken else route.body.replace(b"</body>", b"<!-- --></body>")
    switch_theme(site, None)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("4 pages tonight", []),
        ("5 pages tonight", ["read_count", "related", "author"]),
        ("5 of 10 broken tonight: 50%", []),
        ("6 of 10 broken tonight: 40%", ["read_count", "related", "author"]),
        ("1 of 10 earlier without author: 90%", ["read_count", "related", "author"]),
        ("2 of 10 earlier without author: 80%", ["read_count", "related"]),
        ("earlier stored 89 days before", ["read_count", "related", "author"]),
        ("earlier stored 91 days before", []),
        ("earlier of another site", []),
    ],
)
def test_thresholds_through_the_cli(nai: Nai, site: MockSite, case: str, expected: list[str]) -> None:
    build_site(site, SiteSpec(n=10, recent=0))
    assert scrape(nai, site)[0] == 0
    args: tuple[str, ...] = ()
    if case.endswith("pages tonight"):
        break_stories(site, range(1, 11))
        args = ("--max-pages", case.split()[0])
    elif "broken tonight" in case:
        break_stories(site, range(1, 1 + int(case.split()[0])))
    else:
        break_stories(site, range(1, 11))
    if "without author" in case:
        sql(nai.db, "UPDATE articles SET author_id = NULL WHERE id <= ?", int(case.split()[0]))
    if "days before" in case:
        stored = datetime.now(timezone.utc) - timedelta(days=int(case.split()[2]))
        sql(nai.db, "UPDATE articles SET first_seen = ?", stored.isoformat(timespec="microseconds"))
    if "another site" in case:
        sql(nai.db, "UPDATE articles SET site = 'example.org'")
    code, stderr = scrape(nai, site, *args)
    assert [line.split()[2] for line in stderr.splitlines()] == expected
    assert code == (3 if expected else 0)


def field_fill(filled: int, pages: int, filled_before: int, pages_before: int) -> FieldFill:
    return FieldFill("north-africa.com", "read_count", filled, pages, filled_before, pages_before)


@pytest.mark.parametrize(
    ("filled", "pages", "filled_before", "pages_before", "alarm"),
    [
        (0, 5, 9, 10, True),  # the smallest night, at 90% before
        (0, 4, 10, 10, False),  # four pages say nothing
        (0, 5, 89, 100, False),  # 89% before: the field was not reliable
        (899, 1000, 0, 0, False),  # nothing earlier
        (0, 5, 0, 0, False),
        (2, 5, 10, 10, True),  # 40% tonight
        (3, 6, 10, 10, False),  # 50% is not below half
        (49, 100, 900, 1000, True),
        (50, 100, 900, 1000, False),
        (0, 5, 899, 1000, False),  # 89.9%
    ],
)
def test_the_alarm_edges(filled: int, pages: int, filled_before: int, pages_before: int, alarm: bool) -> None:
    assert field_fill(filled, pages, filled_before, pages_before).alarm is alarm


def test_the_alarm_line_rounds_the_earlier_rate_down() -> None:
    line = output.layout_alarm(field_fill(1, 23, 249, 250).to_record())  # 99.6%: not all of them
    assert line == f"nai: north-africa.com: read_count found on 1 of 23 pages tonight (99% before); {HINT}"
    body = FieldFill("north-africa.com", "body", 0, 5, 9, 10).to_record()
    assert output.layout_alarm(body).startswith("nai: north-africa.com: body of 3+ paragraphs found on 0 of 5 pages")


# ---- the store: the same test on parsed articles and on the archive's rows ---------------------------


def test_filled_fields_of_articles_and_of_rows_agree(tmp_path: Path) -> None:
    bodies = ["one", "a\n\nb", "a\n\nb\n\nc", "a\n\n\nb\n\nc", "a\n\n\n\nb", "a\nb\nc", "a\n\nb\n\nc\n\nd"]
    articles = [
        Article(
            headline=f"Story {i}",
            body=body,
            url=f"https://north-africa.com/story-{i}/",
            site="north-africa.com",
            published="2026-02-04" if i % 2 else None,
            section=["Maghreb Edition", "", None][i % 3],
            read_count=[0, None, 86][i % 3],
            author=Author("The North Africa Journal") if i % 3 else None,
            related=(Related("Other", "https://north-africa.com/other/"),) if i % 2 == 0 else (),
        )
        for i, body in enumerate(bodies)
    ]
    tally = fill.Tally()
    with Archive(tmp_path / "a.db") as archive:
        for article in articles:
            tally.add(archive.save(article).id, article, site="unused")
        later = (datetime.now(timezone.utc) + timedelta(seconds=1)).isoformat(timespec="microseconds")
        rows = fill.stored_before(archive.conn, later)
        assert fill.stored_before(archive.conn, "2000-01-01T00:00:00+00:00") == {}
    samples = tally.samples()
    assert rows == samples
    tally.add(2, articles[1], site="unused")  # article 2 saved again in the run counts once, as last saved
    assert tally.samples() == samples
    assert samples["north-africa.com"] == Sample(
        7, Counter(published=3, read_count=5, section=3, related=4, author=4, body=4)
    )


def test_a_run_recorded_before_the_comparison_shows_none(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=2, recent=0))
    scrape(nai, site)
    sql(nai.db, "UPDATE runs SET fields = NULL")  # as a run of nai before migration m006 left it
    stats = nai.json("stats", "--format", "json")
    assert stats["last_run_fill"] is None and stats["last_runs"][0]["new"] == 2
    assert "last scrape's pages" not in nai("stats").stdout
    assert json.loads(sql(nai.db, "SELECT errors FROM runs")[0][0]) == []
