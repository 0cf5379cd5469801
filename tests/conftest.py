"""Shared test fixtures: real SQLite files in tmp_path, the real CLI through CliRunner."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from mocksite import MockSite
from nai.cli import cli
from nai.model import Article

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
GOLDEN_PAGES = sorted(p for p in FIXTURES.glob("*.html") if p.with_suffix(".json").exists())
LIBYA_URL = "https://north-africa.com/southern-libya-boils-over-three-haftar-soldiers-killed-in-border-raid-near-niger/"


def session_members(session: int) -> list[int]:
    """The live processes of a session (Linux /proc): a command started with start_new_session and
    the worker processes it starts."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[3]) == session and fields[0] != "Z":  # field 6 of stat: the session id
            members.append(int(stat.parent.name))
    return members


def expected(page: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(autouse=True)
def _no_env_db(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NAI_DB", raising=False)
    monkeypatch.delenv("NAI_DEBUG", raising=False)


@dataclass
class Nai:
    """Runs the real `nai` command against one archive file."""

    db: Path

    def __call__(self, *args: str, input: bytes | str | None = None, db: bool = True) -> Result:
        argv = ["--db", str(self.db), *args] if db else list(args)
        return CliRunner().invoke(cli, argv, input=input, catch_exceptions=False)

    def json(self, *args: str) -> Any:
        result = self(*args)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    def jsonl(self, *args: str) -> list[dict[str, Any]]:
        result = self(*args)
        assert result.exit_code == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def nai(db_path: Path) -> Nai:
    return Nai(db_path)


def sql(db: Path, query: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(query, params).fetchall()


@pytest.fixture
def site() -> Iterator[MockSite]:
    with MockSite() as mock:
        yield mock


def scrape(nai: Nai, site: MockSite, *args: str) -> tuple[int, str]:
    result = nai("scrape", "--site", site.url, "--delay", "0", "--retries", "1", *args)
    return result.exit_code, result.stderr


# ---- a very common word: 2,000 stories and more that say "pipeline" (search's bound on ranking) ----

#: The best match for "pipeline", and the oldest of the stories that say it.
PIPELINE_BEST = Article(
    headline="Pipeline, pipeline",
    body="The pipeline. The pipeline. The pipeline.",
    url="https://north-africa.com/the-pipeline/",
    site="north-africa.com",
    published="2019-06-01",
)


def pipeline_story(n: int) -> Article:
    """The n-th story that says "pipeline" once, a day after the one before it from 1 January 2021."""
    return Article(
        headline=f"Story {n}",
        body=f"Story {n} says pipeline once, among many other words about the region.",
        url=f"https://north-africa.com/story-{n}/",
        site="north-africa.com",
        published=(date(2021, 1, 1) + timedelta(days=n)).isoformat(),
    )
