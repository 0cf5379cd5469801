"""The README is part of the product: its Quickstart and its command list stay true."""

from __future__ import annotations

import re

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
    for name in cli.commands:
        assert f"### `nai {name}" in README, f"README.md does not document nai {name}"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/pytest" in ci
