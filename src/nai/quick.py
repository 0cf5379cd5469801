"""`nai trend` without click, for the loops and scripts that run it many times.

A rare term's trend is a 2.4 ms query at 1M articles, and its process took 49 ms here, 39 of them
Python's start and click's import (bench/trend_bench.py). An invocation made only of what this
module knows is run here, through the library calls and the render of nai.cli.analysis:

    nai [--db FILE] trend QUERY... [--by month|week|year] [--since DATE] [--until DATE]
        [--exact] [--aliases FILE] [--format table|json|csv]

Anything else goes to click, which answers it as always: help, -v and -q, an option unknown,
repeated or given a value that starts with "-", a bad choice or date, a QUERY without a word,
--aliases that is no plain file (a pipe is read once), NAI_DEBUG set, an archive missing or of an
older schema (click's path migrates it), a stdout closed or that cannot write the answer's
characters, any error at all. Nothing is written before the answer is whole, so click can take
over up to the last moment. The options here are trend's as click declares them
(tests/test_quick.py holds the two alike, and compares their answers).
"""

from __future__ import annotations

import os
import sys

COMMAND = "trend"
#: Options that take a value, and the values they allow (None: any, checked where it is used).
VALUES: dict[str, tuple[str, ...] | None] = {
    "--by": ("month", "week", "year"),
    "--since": None,
    "--until": None,
    "--aliases": None,
    "--format": ("table", "json", "csv"),
}
FLAGS = ("--exact",)


def parse(args: list[str]) -> tuple[str, list[str], dict[str, str], set[str]] | None:
    """The archive, the queries, the options with values and the flags of `nai ARGS`; None when
    ARGS are not a trend this module runs."""
    if os.environ.get("NAI_DEBUG"):  # its tracebacks are click's path's
        return None
    db = os.environ.get("NAI_DB") or "archive.db"  # as click reads it: set and not empty
    rest = list(args)
    if rest[:1] == ["--db"] and len(rest) > 1 and not rest[1].startswith("-"):
        db, rest = rest[1], rest[2:]
    elif rest[:1] and rest[0].startswith("--db=") and len(rest[0]) > len("--db="):
        db, rest = rest[0][len("--db=") :], rest[1:]
    if rest[:1] != [COMMAND]:
        return None
    queries: list[str] = []
    values: dict[str, str] = {}
    flags: set[str] = set()
    words = iter(rest[1:])
    for word in words:
        if not word.startswith("-"):
            queries.append(word)
            continue
        name, equals, value = word.partition("=")
        if name in FLAGS and not equals and name not in flags:
            flags.add(name)
            continue
        if name not in VALUES or name in values:
            return None  # unknown, or repeated (click keeps the last): click's to answer
        if not equals:
            value = next(words, "-")
        choices = VALUES[name]
        if value.startswith("-") or not value or (choices is not None and value not in choices):
            return None
        values[name] = value
    if not queries or any(not any(c.isalnum() for c in q) for q in queries):
        return None
    if "--aliases" in values and not os.path.isfile(values["--aliases"]):
        return None  # a pipe (--aliases /dev/stdin) can be read once: by click, if it is to answer
    return db, queries, values, flags


def run(args: list[str]) -> int | None:
    """Run `nai ARGS` if it is a trend this module runs and answer the exit status; None, having
    written nothing, for click to run it."""
    parsed = parse(args)
    if parsed is None:
        return None
    db, queries, values, flags = parsed
    try:
        from .dates import parse_bound

        since = parse_bound(values["--since"], end=False) if "--since" in values else None
        until = parse_bound(values["--until"], end=True) if "--until" in values else None
        if since and until and since > until:
            return None
        text, found = _trend(db, queries, values, flags, since, until)
    except Exception:  # click's path meets it again, and says it as nai says errors
        return None
    stdout = sys.stdout
    try:
        text.encode(stdout.encoding or "utf-8", stdout.errors or "strict")
    except (AttributeError, LookupError, UnicodeError):  # stdout closed, or a charset without the text
        return None
    try:
        stdout.write(text)
        stdout.flush()
    except BrokenPipeError:  # a reader gone (`nai trend x | head -1`): quietly, 1, as click does
        return 1
    except OSError as exc:  # as nai.cli.common.NaiGroup words what it did not expect
        sys.stderr.write(f"nai: unexpected error: {type(exc).__name__}: {exc} (NAI_DEBUG=1 shows more)\n")
        return 1
    if not found and sys.stderr.isatty():  # Settings.chatty without -v or -q: on a terminal
        sys.stderr.write("no matches\n")
    return 0


def _trend(
    db: str, queries: list[str], values: dict[str, str], flags: set[str], since: str | None, until: str | None
) -> tuple[str, bool]:
    """The trend's output as `nai trend` writes it, and whether anything matched."""
    import io

    from . import output
    from .spellings import expand_each
    from .store import Archive, trends
    from .terminal import terminal_width

    with Archive(db, create=False, upgrade=False) as archive:  # first: an archive to upgrade is click's
        expanded = expand_each(queries, exact="--exact" in flags, aliases=values.get("--aliases"))
        trend = trends.trend(archive.conn, expanded, by=values.get("--by", "month"), since=since, until=until)
    buffer = io.StringIO()
    output.write_trend(trend, values.get("--format", "table"), buffer, width=terminal_width(80))
    return buffer.getvalue(), bool(trend.periods)
