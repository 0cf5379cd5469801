"""Golden tests: every fixture page parses to exactly its expected record, every field."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, GOLDEN_PAGES, Nai, expected
from nai.parse import parse_article


def test_the_golden_set_covers_the_variants() -> None:
    names = {p.stem for p in GOLDEN_PAGES}
    assert len([n for n in names if n.startswith("naj-libya-")]) >= 3
    assert len(names) >= 7


@pytest.mark.parametrize("page", GOLDEN_PAGES, ids=lambda p: p.stem)
def test_parse_matches_golden_record(page: Path) -> None:
    assert parse_article(page.read_bytes()).to_record() == expected(page)


@pytest.mark.parametrize("page", sorted(FIXTURES.glob("naj-libya-*.html")), ids=lambda p: p.stem)
def test_reference_story_in_every_markup(page: Path) -> None:
    """The reference page's facts hold in every markup variant."""
    reference = (FIXTURES.parent / "tests" / "data" / "naj-libya-border-raid.txt").read_text(encoding="utf-8")
    lines = reference.splitlines()
    start = lines.index("Number of times this article was read : 86") + 1
    paragraphs = lines[start : start + 7]
    record = parse_article(page.read_bytes()).to_record()
    assert record["headline"] == lines[2].removesuffix("F")
    assert record["published"][:10] == "2026-02-04"
    assert record["section"] == lines[0] == "Maghreb Edition"
    assert record["read_count"] == 86
    assert record["body"].split("\n\n") == paragraphs
    assert record["author"]["name"] == "The North Africa Journal"
    assert record["author"]["blurb"] == lines[-1]
    assert [r["headline"] for r in record["related"]] == [
        "Tunisia Appeals Court Extends Rached Ghannouchi’s Prison Term by 20 Years",
        "Cyclone Harry’s Hidden Toll: NGOs Fear Up to 1,000 Migrants Lost at Sea",
    ]
    summaries = [next(line for line in lines if line.startswith(start)) for start in ("Rached", "Up to 1,000")]
    assert [r["summary"] for r in record["related"]] == summaries


def test_ingest_then_export_gives_the_golden_records(nai: Nai) -> None:
    """Through the real CLI and a real SQLite file: what goes in comes out field for field."""
    pages = [p for p in GOLDEN_PAGES if not p.stem.startswith("naj-libya-")] + [FIXTURES / "naj-libya-classic.html"]
    result = nai("ingest", *map(str, pages))
    assert result.exit_code == 0, result.stderr
    exported = nai.jsonl("export")
    assert [r["id"] for r in exported] == list(range(1, len(pages) + 1))
    assert [{k: v for k, v in r.items() if k != "id"} for r in exported] == [expected(p) for p in pages]


@pytest.mark.parametrize("page", GOLDEN_PAGES, ids=lambda p: p.stem)
def test_every_markup_family_through_ingest_and_export(page: Path, tmp_path: Path) -> None:
    """Each golden page alone through the real CLI (the Libya story's markups share a URL, so each
    gets its own archive): `nai export` gives its expected record, field by field, and
    `nai reparse` from the stored raw page changes nothing."""
    nai = Nai(tmp_path / "archive.db")
    result = nai("ingest", str(page))
    assert (result.exit_code, result.stderr) == (0, "")
    [record] = nai.jsonl("export")
    want = expected(page)
    assert list(record) == ["id", *want]
    for field, value in want.items():
        assert record[field] == value, f"{page.name}: {field}"
    reparse = nai("-v", "reparse")
    assert (reparse.exit_code, reparse.stdout, reparse.stderr.splitlines()[-1] + "\n") == (
        0,
        "",
        "reparsed 1 articles: 0 changed, 0 failed\n",
    )
    assert nai.jsonl("export") == [record]
