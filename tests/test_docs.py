"""The README is part of the product: its Quickstart and its command list stay true, and CI runs what it says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import pytest

from conftest import ROOT
from nai.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_a_two_command_quickstart() -> None:
    match = re.search(r"^## Quickstart\n+```sh\n(.*?)```", README, re.S | re.M)
    assert match, "README.md has no Quickstart code block"
    commands = [line for line in match.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    assert "nai --db archive.db.example search" in commands[0]
    assert commands[1].endswith(".venv/bin/pytest")
    assert README.index("## Quickstart") < README.index("## Commands")


def test_readme_documents_every_command() -> None:
    names = cli.list_commands(click.Context(cli))  # the commands load lazily: cli.commands may be empty
    assert {"ingest", "search", "scrape", "backup"} <= set(names)
    for name in names:
        assert f"### `nai {name}" in README, f"README.md does not document nai {name}"


def complete(line: str) -> list[str]:
    """What the shell completion (the script of `_NAI_COMPLETE=bash_source nai`) offers for `line`."""
    words = line.split(" ")
    run = subprocess.run(
        [sys.executable, "-m", "nai"],
        env={**os.environ, "_NAI_COMPLETE": "bash_complete", "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (run.returncode, run.stderr) == (0, "")
    return [item.partition(",")[2] for item in run.stdout.splitlines()]


def test_shell_completion_as_the_readme_shows_it() -> None:
    """Every command completes, lazily loaded ones too; so do an option's choices; each shell's
    script is there (README, "Shell completion")."""
    assert complete("nai s") == ["scrape", "search", "serve", "show", "stats"]
    assert set(complete("nai ")) == set(cli.list_commands(click.Context(cli)))
    assert complete("nai search --format ") == ["table", "json", "jsonl", "csv"]
    for shell in ("bash", "zsh", "fish"):
        assert f"_NAI_COMPLETE={shell}_source nai" in README
        run = subprocess.run(
            [sys.executable, "-m", "nai"], env={**os.environ, "_NAI_COMPLETE": f"{shell}_source"}, capture_output=True
        )
        assert run.returncode == 0 and b"_nai_completion" in run.stdout


def readme_development_commands() -> dict[str, str]:
    """The commands of the README's Development block, by what they do."""
    match = re.search(r"^## Development\n+```sh\n(.*?)```", README, re.S | re.M)
    assert match, "README.md has no Development code block"
    found: dict[str, str] = {}
    for line in match.group(1).splitlines():
        command, _, comment = (part.strip() for part in line.partition("#"))
        if "the README's test command" in comment:
            found["test"] = command
        elif "pip install" in command:
            found["install"] = command
        elif "ruff check" in command:
            found["lint"] = command
    assert set(found) == {"test", "install", "lint"}, found
    return found


def ci_commands() -> list[str]:
    """.ci/run's commands: comments and blank lines dropped, continued lines joined."""
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8").replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_ci_script_is_valid_bash_that_stops_at_the_first_failure() -> None:
    run = subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    commands = ci_commands()
    assert commands[0] == "set -euo pipefail"
    assert not [c for c in commands if "|| true" in c or c.startswith("set +")]


def test_ci_installs_fresh_lints_checks_the_wheel_and_ends_with_the_readme_test_command() -> None:
    commands = ci_commands()
    readme = readme_development_commands()
    install, lint, test = readme["install"], readme["lint"], readme["test"]
    assert commands[-1] == test  # the README's test command, exactly, and last
    # a fresh venv, then the README's install, step by step
    assert commands[commands.index("rm -rf .venv") + 1] == "python3 -m venv .venv"
    steps = install.split(" && ")
    assert steps[0] == "python3 -m venv .venv"
    at = [commands.index(step) for step in steps]
    assert at == sorted(at) and at[0] > commands.index("rm -rf .venv")
    # the README's lint and type-check commands, on at least what the README names
    for step in lint.split(" && "):
        ran = [c for c in commands if c.startswith(step)]
        assert ran and at[-1] < commands.index(ran[0]) < len(commands) - 1, step
    # the wheel: built, checked for every file of src/nai (py.typed too), installed into a separate
    # fresh venv, and run from outside the checkout: --version and a search of the example archive
    wheel_check = commands[at[-1] + 1 : -1]
    text = "\n".join(wheel_check)
    assert any(c.startswith(".venv/bin/pip wheel") and "--no-deps" in c for c in wheel_check)
    [separate_venv] = [c for c in wheel_check if c.startswith("python3 -m venv")]
    assert separate_venv != "python3 -m venv .venv" and "$scratch" in separate_venv
    assert any(c.startswith('"$scratch/venv/bin/pip" install') and "$wheel" in c for c in wheel_check)
    assert 'cd "$scratch"' in text
    assert '"$scratch/venv/bin/nai" --version' in text
    assert '"$scratch/venv/bin/nai" --db "$repo/archive.db.example" search Haftar' in text
    assert "grep -qF '[Haftar]'" in text


@pytest.mark.parametrize("left_out", [None, "nai/py.typed", "nai/cli/reading.py"])
def test_ci_wheel_check_fails_on_a_wheel_without_a_file_of_the_package(tmp_path: Path, left_out: str | None) -> None:
    """The Python that .ci/run runs on the wheel, on wheels made here: all of src/nai, or all but one."""
    check = re.search(r"<<'PY'\n(.*?)\nPY\n", (ROOT / ".ci" / "run").read_text(encoding="utf-8"), re.S)
    assert check, ".ci/run has no wheel check"
    wheel = tmp_path / "nai-0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as built:
        for path in sorted((ROOT / "src" / "nai").rglob("*")):
            name = path.relative_to(ROOT / "src").as_posix()
            if path.is_file() and "__pycache__" not in path.parts and name != left_out:
                built.writestr(name, path.read_bytes())
        built.writestr("nai-0.dist-info/METADATA", "Name: nai\n")
    run = subprocess.run(
        [sys.executable, "-", str(wheel)], input=check.group(1), cwd=ROOT, capture_output=True, text=True
    )
    if left_out is None:
        assert run.returncode == 0, run.stderr
    else:
        assert run.returncode != 0 and left_out in run.stderr
