"""archive.db.example must hold exactly what ingesting fixtures/*.html gives today."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES, ROOT, Nai

EXAMPLE = ROOT / "archive.db.example"


def test_example_archive_is_up_to_date_with_the_fixtures(tmp_path: Path) -> None:
    fresh = Nai(tmp_path / "fresh.db")
    result = fresh("ingest", *sorted(str(p) for p in FIXTURES.glob("*.html")))
    assert result.exit_code == 0, result.stderr
    copy = tmp_path / "example.db"
    shutil.copy(EXAMPLE, copy)  # read a copy: the committed file stays byte for byte as it is
    example = Nai(copy)
    stale = "archive.db.example is out of date: rebuild it with the command in README.md"
    assert example.jsonl("export") == fresh.jsonl("export"), stale
    assert example.json("stats", "--format", "json")["tables"] == fresh.json("stats", "--format", "json")["tables"]


def test_readme_quickstart_search_works_on_the_example(tmp_path: Path) -> None:
    copy = tmp_path / "example.db"
    shutil.copy(EXAMPLE, copy)
    result = Nai(copy)("search", "Haftar")
    assert result.exit_code == 0
    assert "Southern Libya Boils Over" in result.stdout
