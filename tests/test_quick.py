"""`nai trend` without click (nai.quick): the real command as a process answers every invocation
exactly as click's path does (the same stdout, stderr and exit status, in-process through click),
runs the ones it knows without loading click, leaves the rest to click, and stops on Ctrl-C or
SIGTERM as nai does, from start to end."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, Nai, sql
from nai import quick
from nai.cli import cli
from nai.cli.analysis import trend_command

SLUG = "southern-libya-boils-over-three-haftar-soldiers-killed-in-border-raid-near-niger"
QUICK = (
    "import sys\n"
    "from nai import quick\n"
    "status = quick.run(sys.argv[1:])\n"
    "sys.stderr.write(f'\\nQUICK {status} {\"click\" in sys.modules}\\n')\n"
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Nai:
    """The fixtures, and the Libya story as a story of 1901 (a trend by week: 6,500 weeks)."""
    folder = tmp_path_factory.mktemp("quick")
    page = (FIXTURES / "naj-libya-classic.html").read_text(encoding="utf-8")
    for new, old in (("1901-01-07", "2026-02-04"), ("January 7, 1901", "February 4, 2026"), ("old-story", SLUG)):
        page = page.replace(old, new)
    (folder / "old.html").write_text(page.replace("Posted On 4 February 2026", "Posted On 7 January 1901"))
    nai = Nai(folder / "archive.db")
    assert nai("ingest", *map(str, [*sorted(FIXTURES.glob("*.html")), folder / "old.html"])).exit_code == 0
    assert nai.json("show", "https://north-africa.com/old-story/", "--format", "json")["published"][:4] == "1901"
    return nai


@pytest.fixture(autouse=True)
def _columns(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The width and the user's spellings alike for the process and for click in this one."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def process(*args: str) -> tuple[int, str, str]:
    """`python -m nai ARGS` as a process, as a user runs it."""
    done = subprocess.run([sys.executable, "-m", "nai", *args], capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout, done.stderr


def in_click(nai: Nai, *args: str) -> tuple[int, str, str]:
    """`nai ARGS` through click, in this process."""
    result = CliRunner().invoke(cli, list(args), prog_name="nai", catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def taken(*args: str) -> tuple[str, bool]:
    """What quick.run answered for `nai ARGS` in a process of its own, and whether click was loaded."""
    done = subprocess.run([sys.executable, "-c", QUICK, *args], capture_output=True, text=True, timeout=60)
    status, loaded = done.stderr.rpartition("QUICK ")[2].split()
    return status, loaded == "True"


def test_the_options_are_trends_as_click_declares_them() -> None:
    declared = {
        name: param
        for param in trend_command.params
        if isinstance(param, click.Option) and param.expose_value
        for name in param.opts
    }
    assert set(declared) == {*quick.VALUES, *quick.FLAGS}
    for name, choices in quick.VALUES.items():
        assert not declared[name].is_flag and not declared[name].multiple
        kind = declared[name].type
        assert (tuple(kind.choices) if isinstance(kind, click.Choice) else None) == choices, name
    assert all(declared[name].is_flag for name in quick.FLAGS)
    assert trend_command.name == quick.COMMAND


KNOWN = [
    ("trend", "Haftar"),
    ("trend", "Haftar", "Niger", "--by", "week"),
    ("trend", "--format", "json", "Haftar", "Tripoli"),
    ("trend", "Haftar", "--format=csv", "--by=year"),
    ("trend", "Hifter", "--exact"),
    ("trend", "Haftar", "--since", "2026-02", "--until", "4 February 2026", "--format", "json"),
    ("trend", "Haftar", "Haftar", "حفتر"),
    ("trend", "nothing-like-it"),
    ("trend", '"Salvador Pass"', "Niger"),
]
OTHERS = [
    ("trend", "--help"),
    ("trend",),
    ("trend", "Haftar", "-v"),
    ("trend", "Haftar", "-q"),
    ("trend", "Haftar", "--by", "day"),
    ("trend", "Haftar", "--by"),
    ("trend", "Haftar", "--since", "yesterday-ish"),
    ("trend", "Haftar", "--since", "2027", "--until", "2026"),
    ("trend", "Haftar", "--format", "json", "--format", "csv"),
    ("trend", "Haftar", "--bogus"),
    ("trend", "Haftar", "--exact=yes"),
    ("trend", "!!!"),
    ("trend", "--", "-Tripoli"),
    ("trend", "Haftar", "--aliases", "no-such-file.txt"),
    ("search", "Haftar"),
]


@pytest.mark.parametrize("args", KNOWN, ids=" ".join)
def test_a_trend_it_knows_runs_without_click_and_answers_as_click_does(archive: Nai, args: tuple[str, ...]) -> None:
    full = ("--db", str(archive.db), *args)
    assert taken(*full) == ("0", False)
    assert process(*full) == in_click(archive, *full)


@pytest.mark.parametrize("args", OTHERS, ids=" ".join)
def test_anything_else_is_clicks_to_answer(archive: Nai, args: tuple[str, ...]) -> None:
    full = ("--db", str(archive.db), *args)
    assert taken(*full) == ("None", False)  # and nothing written
    if "--help" in args:  # wrapped to the width click finds, which its test runner gives otherwise
        status, out, _ = process(*full)
        assert status == 0 and out.startswith("Usage: nai trend [OPTIONS] QUERY...\n") and "Example:" in out
        return
    assert process(*full) == in_click(archive, *full)


def test_the_archive_is_named_as_click_reads_it(archive: Nai, monkeypatch: pytest.MonkeyPatch) -> None:
    """--db, --db=FILE, NAI_DB, and an empty NAI_DB as unset (the default, archive.db: here, none)."""
    assert process(f"--db={archive.db}", "trend", "Haftar") == process("--db", str(archive.db), "trend", "Haftar")
    monkeypatch.setenv("NAI_DB", str(archive.db))
    assert taken("trend", "Haftar") == ("0", False)
    assert process("trend", "Haftar") == in_click(archive, "trend", "Haftar")
    monkeypatch.chdir(archive.db.parent.parent)
    monkeypatch.setenv("NAI_DB", "")
    status, out, err = process("trend", "Haftar")
    assert (status, out, err) == in_click(archive, "trend", "Haftar")
    assert status == 1 and "archive.db: no archive here" in err


def older_copy(archive: Nai, tmp_path: Path) -> Path:
    """A copy of the archive as an older nai left it: m014 not recorded (applying it again is harmless)."""
    older = tmp_path / "older.db"
    older.write_bytes(archive.db.read_bytes())
    with sqlite3.connect(older) as conn:
        conn.execute("DELETE FROM _nai_migrations WHERE name = 'm014_facet_indexes_crossed'")
    conn.close()
    return older


def test_an_archive_of_an_older_schema_is_clicks_to_migrate(archive: Nai, tmp_path: Path) -> None:
    older = older_copy(archive, tmp_path)
    assert taken("--db", str(older), "trend", "Haftar") == ("None", False)
    assert sql(older, "SELECT count(*) FROM _nai_migrations WHERE name LIKE 'm014%'") == [(0,)]  # not by quick
    status, out, _ = process("--db", str(older), "trend", "Haftar", "--format", "json")
    assert status == 0 and '"Haftar": 1' in out
    assert sql(older, "SELECT count(*) FROM _nai_migrations WHERE name LIKE 'm014%'") == [(1,)]


def test_a_reader_gone_ends_it_quietly_with_1() -> None:
    """`nai trend … | head -1`: the pipe closed before the answer is written."""
    args = ("--db", str(FIXTURES.parent / "archive.db.example"), "trend", "Haftar", "Niger", "--by", "week")
    assert taken(*args) == ("0", False)
    read, write = os.pipe()
    os.close(read)
    done = subprocess.run([sys.executable, "-m", "nai", *args], stdout=write, stderr=subprocess.PIPE, timeout=60)
    os.close(write)
    assert (done.returncode, done.stderr) == (1, b"")


@pytest.mark.parametrize(
    "shell",
    ['PYTHONIOENCODING=ascii "$@" >/dev/null', '"$@" >&-', '"$@" >/dev/full'],
    ids=["a stdout that cannot write Arabic", "stdout closed", "a full disk"],
)
def test_a_stdout_that_cannot_take_the_answer_is_said_as_click_says_it(shell: str) -> None:
    """The same one line and status as click's path (the same command with -q, which is click's)."""
    if "full" in shell and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    args = [sys.executable, "-m", "nai", "--db", str(FIXTURES.parent / "archive.db.example"), "trend", "حفتر"]
    answers = [
        subprocess.run(["sh", "-c", shell, "sh", *args, *extra], capture_output=True, text=True, timeout=60)
        for extra in ([], ["-q"])
    ]
    assert (answers[0].returncode, answers[0].stderr) == (answers[1].returncode, answers[1].stderr)
    assert answers[0].returncode == 1 and answers[0].stderr.startswith("nai: unexpected error: ")
    assert answers[0].stderr.count("\n") == 1  # one line, no traceback


def test_aliases_from_a_pipe_are_read_once_by_the_path_that_answers(archive: Nai, tmp_path: Path) -> None:
    """A pipe can be read once: quick leaves it to click (here, with an archive click must upgrade)."""
    older = older_copy(archive, tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "nai", "--db", str(older), "trend", "Zorglub", "--aliases", "/dev/stdin"],
        input="Haftar, Zorglub\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout.split()[-1]) == (0, "1"), done.stderr
    assert taken("--db", str(archive.db), "trend", "Zorglub", "--aliases", "/dev/stdin") == ("None", False)


WORDS = st.sampled_from(["Haftar", "Niger", "Tripoli", "حفتر", "Hifter", "zzz", "!!", "-x", "--", "trend", "é"])
OPTIONS = st.sampled_from(
    [
        ["--by", "week"],
        ["--by=year"],
        ["--by", "decade"],
        ["--format", "json"],
        ["--format=csv"],
        ["--format", "xml"],
        ["--since", "2026"],
        ["--until", "2024-07"],
        ["--since", "someday"],
        ["--exact"],
        ["-q"],
        ["--aliases"],
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(WORDS.map(lambda w: [w]), OPTIONS), max_size=6))
def test_any_invocation_is_answered_as_click_answers_it(archive: Nai, parts: list[list[str]]) -> None:
    args = ("--db", str(archive.db), "trend", *[word for part in parts for word in part])
    assert process(*args) == in_click(archive, *args)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("moment", [0.08, 0.15, 0.3])
def test_a_trend_stopped_at_any_moment_says_so_in_one_line(
    archive: Nai, tmp_path: Path, signum: int, moment: float
) -> None:
    """Signalled, as a terminal does, to its whole group, while it works (1,200 queries by week since
    1901: 7.8M counts, 2 s): one line saying it was stopped, 128 + the signal, nothing written."""
    queries = ["Haftar", "Niger", *(f"word{n}" for n in range(1198))]
    child = subprocess.Popen(
        [sys.executable, "-m", "nai", "--db", str(archive.db), "trend", *queries, "--by", "week", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(moment)
    os.killpg(child.pid, signum)
    out, err = child.communicate(timeout=30)
    assert (child.returncode, out) == (128 + signum, "")
    assert err == f"nai: interrupted by {signal.Signals(signum).name}\n"
