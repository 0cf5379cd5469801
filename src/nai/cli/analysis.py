"""nai trend: the analysts' questions over the whole archive."""

from __future__ import annotations

import sys

import click

from ..terminal import terminal_width
from .common import DateBound, Settings, check_range, output_format, verbosity


@click.command(name="trend")
@verbosity
@click.argument("queries", nargs=-1, required=True, metavar="QUERY...")
@click.option(
    "--by", type=click.Choice(["month", "week", "year"]), default="month", show_default=True, help="The period."
)
@click.option("--since", type=DateBound(end=False), help="Published on or after (2026, 2026-02, 4 February 2026).")
@click.option("--until", type=DateBound(end=True), help="Published on or before (a month means its last day).")
@click.option("--exact", is_flag=True, help="Only the spellings typed: no other spelling of a name.")
@click.option(
    "--aliases",
    metavar="FILE",
    help="More spellings, added to the shipped ones and to $XDG_CONFIG_HOME/nai/aliases.txt.",
)
@output_format("table", "json", "csv")
@click.pass_obj
def trend_command(
    settings: Settings,
    queries: tuple[str, ...],
    by: str,
    since: str | None,
    until: str | None,
    exact: bool,
    aliases: str | None,
    fmt: str,
) -> None:
    """Count the articles matching each QUERY per month, ISO week or year.

    Each QUERY is read as `nai search` reads it (plain words, "phrases", every spelling of a
    name unless --exact). Every period from the first match to the last is listed, zeros
    included, by the publication date as the site prints it (undated articles are left out).
    On a terminal: a bar chart, the queries side by side, each count beside its bar.

    \b
    Example:
        nai trend Haftar Dbeibah
        nai trend Tebboune --by year --format csv
        nai trend "Salvador Pass" --since 2025 --by week --format json
    """
    if any(not any(c.isalnum() for c in q) for q in queries):  # " ", "!!!": nothing to count
        raise click.UsageError("a QUERY has no word: give each one a word or a name to count")
    check_range(since, until)
    from .. import output
    from ..spellings import expand_each
    from ..store import trends

    expanded = expand_each(list(queries), exact=exact, aliases=aliases)
    with settings.archive() as archive:
        trend = trends.trend(archive.conn, expanded, by=by, since=since, until=until)
    output.write_trend(trend, fmt, sys.stdout, width=terminal_width(80))
    if not trend.periods and settings.chatty:
        click.echo("no matches", err=True)
