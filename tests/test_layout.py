"""The code's shape: data flows one way (bytes -> page -> Article -> archive -> output), and no
module or class grows past what a newcomer can read. Read from the source, not by importing it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
MODULES = sorted(SRC.glob("nai/**/*.py"))
MAX_MODULE_LINES = 600
MAX_CLASS_LINES = 400

# What each layer must not import (a prefix matches the module and everything under it).
TERMINAL = ("nai.cli", "nai.output", "click")
NETWORK = ("nai.fetch", "nai.scrape", "urllib.request", "http.client")
STORE = ("nai.store", "sqlite3", "sqlite_utils")
PARSER = (
    "nai.parse",
    "nai.page",
    "nai.decoding",
    "nai.sites",
    "nai.discover",
    "lxml",
    "trafilatura",
    "charset_normalizer",
)
JOBS = ("nai.ingest", "nai.scrape", "nai.lock")
FORBIDDEN = {
    # the parser and the site rules know no store, network or terminal
    "nai.page": (*STORE, *NETWORK, *TERMINAL, *JOBS),
    "nai.decoding": (*STORE, *NETWORK, *TERMINAL, *JOBS, "nai.page", "nai.parse", "nai.sites", "lxml"),
    "nai.parse": (*STORE, *NETWORK, *TERMINAL, *JOBS),
    "nai.sites": (*STORE, *NETWORK, *TERMINAL, *JOBS, "nai.parse"),
    "nai.discover": (*STORE, *NETWORK, *TERMINAL, *JOBS),
    # the store knows no parser, network or terminal
    "nai.store": (*PARSER, *NETWORK, *TERMINAL, *JOBS),
    # the model and the small pure helpers know nothing above them
    "nai.model": (*STORE, *PARSER, *NETWORK, *TERMINAL, *JOBS),
    "nai.urls": (*STORE, *PARSER, *NETWORK, *TERMINAL, *JOBS),
    "nai.dates": (*STORE, *PARSER, *NETWORK, *TERMINAL, *JOBS),
    "nai.raw": (*STORE, *PARSER, *NETWORK, *TERMINAL, *JOBS),
    "nai.arabic": ("nai.",),
    "nai.spellings": (*STORE, *PARSER, *NETWORK, *TERMINAL, *JOBS, "nai.model", "pathlib", "importlib"),
    "nai.charts": ("nai.", "click"),
    "nai.errors": ("nai.",),
    "nai.defaults": (*STORE, *PARSER, *NETWORK, *TERMINAL, *JOBS, "nai.model"),  # light: read by `nai --help`
    "nai.stopping": ("nai.",),
    # jobs return outcomes; the CLI renders them
    "nai.ingest": (*TERMINAL, *NETWORK),
    "nai.scrape": (*TERMINAL, "nai.ingest"),
    "nai.fetch": (*STORE, *PARSER, *TERMINAL, *JOBS[:1]),
    "nai.output": (*STORE, *PARSER, *NETWORK, *JOBS, "click"),
    "nai.changes_output": (*STORE, *PARSER, *NETWORK, *JOBS, "click"),
    "nai.sparkline": ("nai.",),
    "nai.terminal": ("nai.", "click"),
    # `nai trend` without click: the CLI's library calls and output, no click and no other command
    "nai.quick": (*PARSER, *NETWORK, *JOBS, "click", "nai.cli"),
    "nai.textdiff": ("nai.",),
    # nai serve's Datasette: reads the archive through the store; the CLI starts it
    "nai.web": (*PARSER, *NETWORK, *TERMINAL, *JOBS),
}


def module_name(path: Path, root: Path = SRC) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path = SRC) -> set[str]:
    """Every module the file imports, anywhere in it (inside functions too), as absolute names."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            base = base[: len(base) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)  # `from . import store`
    return found


def matches(module: str, prefix: str) -> bool:
    return module == prefix.rstrip(".") or module.startswith(prefix if prefix.endswith(".") else prefix + ".")


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_no_import_runs_against_the_flow(path: Path) -> None:
    name = module_name(path)
    rules = [forbidden for layer, forbidden in FORBIDDEN.items() if matches(name, layer)]
    top = ("nai", "nai.__main__", "nai.cli", "nai.lock", "nai.gzipped")  # may import any layer
    assert rules or any(matches(name, t) for t in top[1:]) or name == "nai", f"{name}: no layer"
    wrong = sorted(
        imported
        for imported in imports(path)
        for forbidden in rules
        for prefix in forbidden
        if matches(imported, prefix) and not matches(imported, name)
    )
    assert not wrong, f"{name} imports {wrong}"


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_modules_and_classes_stay_small(path: Path) -> None:
    text = path.read_text()
    assert text.count("\n") <= MAX_MODULE_LINES, f"{module_name(path)}: over {MAX_MODULE_LINES} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            assert size <= MAX_CLASS_LINES, f"{module_name(path)}.{node.name}: {size} lines"


def test_the_checks_see_a_wrong_import(tmp_path: Path) -> None:
    """The import reader resolves relative imports: a store module importing the parser is caught."""
    package = tmp_path / "nai" / "store"
    package.mkdir(parents=True)
    bad = package / "bad.py"
    bad.write_text("from ..parse import parse_page\nfrom . import keys\n\ndef f():\n    import click\n")
    found = imports(bad, tmp_path)
    assert {"nai.parse", "nai.parse.parse_page", "nai.store.keys", "click"} <= found
