"""What each command loads before it answers: a command imports only what it uses, so that
`nai --version` and `nai search` start in milliseconds (bench/startup_bench.py has the figures).

Each case runs the real CLI in a new Python process and lists the modules it ended with."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, Nai

EXAMPLE = ROOT / "archive.db.example"
# Loaded by `nai search` today: the parser, the network code, the ingest workers, sqlite-utils,
# the optional date parser, the encoding detector, logging, the package metadata.
NEVER_FOR_READING = (
    "trafilatura",
    "lxml",
    "sqlite_utils",
    "urllib.request",
    "concurrent.futures",
    "charset_normalizer",
    "dateutil",
    "importlib.metadata",
    "logging",
    "nai.parse",
    "nai.page",
    "nai.fetch",
    "nai.ingest",
    "nai.scrape",
)
LOADED = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules)) + '\\n'))\n"
    "from nai.cli import cli\n"
    "cli(prog_name='nai')\n"
)


def loaded(*args: str) -> tuple[set[str], str]:
    """The modules `nai ARGS` had loaded when it exited, and what it printed."""
    result = subprocess.run([sys.executable, "-c", LOADED, *args], capture_output=True, text=True, timeout=60)
    assert "MODULES " in result.stderr, result.stderr
    before, _, modules = result.stderr.rpartition("MODULES ")
    assert result.returncode == 0, before
    return set(modules.split()), result.stdout


def unwanted(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules for name in names if m == name or m.startswith(name + "."))


@pytest.mark.parametrize(
    "args",
    [
        ("search", "Haftar"),
        ("search", "Haftar", "--since", "2026-02", "--until", "4 February 2026", "--format", "json"),
        ("show", "1"),
        ("export",),
        ("export", "--format", "csv"),
        ("stats",),
        ("trending", "--days", "100000"),
        ("trending", "--days", "100000", "--format", "csv"),
        ("history", "2"),
        ("history", "2", "--format", "json"),
        ("related", "2"),
        ("related", "2", "--format", "json"),
        ("trend", "Haftar", "Niger", "--by", "week"),
    ],
    ids=" ".join,
)
def test_reading_commands_load_no_parser_network_or_sqlite_utils(args: tuple[str, ...]) -> None:
    modules, stdout = loaded("--db", str(EXAMPLE), *args)
    assert stdout.strip(), "the command printed nothing: it did not run"
    assert {"nai.store.queries", "nai.store.readers"} & modules  # it read the archive
    assert unwanted(modules, NEVER_FOR_READING) == []


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("search", "--help")], ids=" ".join)
def test_version_and_help_load_nothing_of_the_archive(args: tuple[str, ...]) -> None:
    modules, stdout = loaded(*args)
    assert stdout.strip()
    assert unwanted(modules, (*NEVER_FOR_READING, "sqlite3", "nai.store", "nai.model", "nai.output")) == []


def test_writing_commands_still_load_what_they_need(tmp_path: Path) -> None:
    """The lazy imports are where the work is: ingest loads the parser, and sqlite-utils only to
    migrate an archive made by an older nai (a new one gets its schema from schema.sql)."""
    page = ROOT / "fixtures" / "naj-libya-classic.html"
    modules, _ = loaded("--db", str(tmp_path / "a.db"), "ingest", str(page))  # a new archive
    assert {"nai.parse", "lxml", "logging"} <= modules and "sqlite_utils" not in modules
    modules, _ = loaded("--db", str(tmp_path / "a.db"), "ingest", str(page))  # an archive already made
    assert "sqlite_utils" not in modules
    with sqlite3.connect(tmp_path / "a.db") as conn:  # as an archive of the schema before m010 is
        conn.execute("DELETE FROM _nai_migrations WHERE name = 'm010_index_at_commit'")
    modules, _ = loaded("--db", str(tmp_path / "a.db"), "ingest", str(page))
    assert "sqlite_utils" in modules


@pytest.mark.parametrize("args", [("search", "Haftar"), ("show", "1"), ("export",), ("trend", "Haftar")], ids=" ".join)
def test_reading_commands_define_no_dataclass(args: tuple[str, ...]) -> None:
    """The record types are NamedTuples: a frozen dataclass, with the dataclasses module, took 2.5 ms
    of a search's start (nai.model)."""
    modules, stdout = loaded("--db", str(EXAMPLE), *args)
    assert stdout.strip() and "nai.model" in modules
    assert "dataclasses" not in modules


def test_a_search_table_loads_no_json() -> None:
    """A search reads its hits' related stories as rows (queries.by_fts_keys), and a table writes no
    JSON: the json module is 1.5 ms of its start."""
    modules, stdout = loaded("--db", str(EXAMPLE), "search", "Haftar")
    assert "Haftar" in stdout and "json" not in modules


def test_search_loads_no_pathlib() -> None:
    """--db is a str and the store uses os.path: pathlib (with urllib.parse and ipaddress) is 4 ms. The
    spellings file is read with open() beside nai.spellings, and folded without unicodedata."""
    modules, stdout = loaded("--db", str(EXAMPLE), "search", "Saïed")
    assert "[Saïed]" in stdout
    assert {"pathlib", "unicodedata", "importlib.resources"} & modules == set()
    assert "nai.spellings" in modules


@pytest.mark.parametrize(
    "args", [("export",), ("search", "Haftar", "--format", "json"), ("stats", "--format", "json")], ids=" ".join
)
def test_a_reading_command_that_leaves_at_once_has_written_everything_and_closed_the_archive(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """Reading commands end with os._exit (nai.__main__): stdout must be whole through a pipe, and the
    archive closed first (SQLite removes the -wal file when the last connection closes)."""
    db = tmp_path / "copy.db"
    db.write_bytes(EXAMPLE.read_bytes())
    expected = subprocess.run(
        [sys.executable, "-c", LOADED, "--db", str(db), *args], capture_output=True, text=True, check=True
    ).stdout
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    result = subprocess.run(
        [sys.executable, "-m", "nai", "--db", str(db), *args], capture_output=True, text=True, env=buffered
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == expected and len(expected) > 500
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.db"]


@pytest.mark.parametrize(
    "args", [("search", "Haftar"), ("search", "Hftar"), ("trend", "Haftar", "Fezzan"), ("search", "Saied", "--exact")]
)
def test_a_query_parses_only_the_groups_its_words_are_in(
    nai: Nai, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    """The spellings file is read whole but parsed only where a line holds a word of the query: a
    test of a Spellings' truth (`if spellings`) counted every group, 15 ms of a 60 ms `nai trend`."""
    from nai.spellings import Spellings

    def every_group(self: Spellings) -> None:
        raise AssertionError("every group of spellings parsed")

    assert nai("ingest", str(EXAMPLE.parent / "fixtures" / "naj-libya-classic.html")).exit_code == 0
    monkeypatch.setattr(Spellings, "groups", property(every_group))
    monkeypatch.setattr(Spellings, "__len__", every_group)
    result = nai(*args)
    assert result.exit_code == 0 and (result.stdout or "did you mean: " in result.stderr)
