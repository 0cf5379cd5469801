"""What each command loads before it answers: a command imports only what it uses, so that
`nai --version` and `nai search` start in milliseconds (bench/startup_bench.py has the figures).

Each case runs the real CLI in a new Python process and lists the modules it ended with."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

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
    ],
    ids=" ".join,
)
def test_reading_commands_load_no_parser_network_or_sqlite_utils(args: tuple[str, ...]) -> None:
    modules, stdout = loaded("--db", str(EXAMPLE), *args)
    assert stdout.strip(), "the command printed nothing: it did not run"
    assert "nai.store.queries" in modules  # it read the archive
    assert unwanted(modules, NEVER_FOR_READING) == []


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("search", "--help")], ids=" ".join)
def test_version_and_help_load_nothing_of_the_archive(args: tuple[str, ...]) -> None:
    modules, stdout = loaded(*args)
    assert stdout.strip()
    assert unwanted(modules, (*NEVER_FOR_READING, "sqlite3", "nai.store", "nai.model", "nai.output")) == []


def test_writing_commands_still_load_what_they_need(tmp_path: Path) -> None:
    """The lazy imports are where the work is: ingest loads the parser and sqlite-utils' schema
    code only when it creates the archive."""
    page = ROOT / "fixtures" / "naj-libya-classic.html"
    modules, _ = loaded("--db", str(tmp_path / "a.db"), "ingest", str(page))
    assert {"nai.parse", "lxml", "sqlite_utils", "logging"} <= modules
    modules, _ = loaded("--db", str(tmp_path / "a.db"), "ingest", str(page))  # an archive already made
    assert "sqlite_utils" not in modules
