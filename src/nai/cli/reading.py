"""nai search, show, export, stats: reading the archive."""

from __future__ import annotations

import sys

import click

from .. import defaults
from ..errors import NaiError
from ..terminal import terminal_width
from .common import MAX_LIMIT, DateBound, Settings, check_range, output_format, verbosity


@click.command(name="search")
@verbosity
@click.argument("query")
@click.option("--since", type=DateBound(end=False), help="Published on or after (2026, 2026-02, 4 February 2026).")
@click.option("--until", type=DateBound(end=True), help="Published on or before (a month means its last day).")
@click.option("--section", help='Of this section only ("Maghreb Edition"; any case).')
@click.option("--author", help='By this author only (the whole name, any case: "Staff Writer").')
@click.option("--min-reads", type=click.IntRange(0, MAX_LIMIT), metavar="N", help="Read at least N times.")
@click.option(
    "--sort",
    type=click.Choice(["rank", "date", "reads"]),
    default="rank",
    show_default=True,
    help="Best match, newest, or most read first.",
)
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=defaults.SEARCH_LIMIT, show_default=True)
@click.option("--exact", is_flag=True, help="Only the spellings typed: no other spelling of a name.")
@click.option(
    "--aliases",
    metavar="FILE",
    help="More spellings, added to the shipped ones and to $XDG_CONFIG_HOME/nai/aliases.txt.",
)
@click.option("--raw", is_flag=True, help='Pass QUERY through as FTS5 syntax (AND, OR, NEAR, "phrases", prefix*).')
@output_format("table", "json", "jsonl", "csv")
@click.pass_obj
def search_command(
    settings: Settings,
    query: str,
    since: str | None,
    until: str | None,
    section: str | None,
    author: str | None,
    min_reads: int | None,
    sort: str,
    limit: int,
    exact: bool,
    aliases: str | None,
    raw: bool,
    fmt: str,
) -> None:
    """Full-text search, best match first, with a snippet around each match.

    QUERY is plain words, all of which must match; "quoted words" match as a phrase;
    accents do not matter (Saied finds Saïed). Matches in the headline count more.
    A name finds all its spellings (Haftar finds Hifter and حفتر; see README, "Every spelling
    of a name"); --exact finds only the one typed. --aliases FILE adds your groups to the shipped
    ones and to $XDG_CONFIG_HOME/nai/aliases.txt. When nothing matches, the query with close words
    that the archive holds is suggested on stderr (not with -q).

    \b
    Example:
        nai search Haftar
        nai search "Salvador Pass" --since 2026-01 --until 2026-02 --format json
        nai search Tebboune --section "Maghreb Edition" --sort date
        nai search --raw 'Haftar NOT Tripoli'
    """
    check_range(since, until)
    from .. import output
    from ..spellings import Spellings, plain
    from ..store import search

    expanded = spellings = None
    if not raw:
        text = query.encode("utf-8", "surrogateescape").decode("utf-8", "replace")  # any argv is text
        spellings = None if exact else Spellings.load(aliases)
        expanded = spellings.expand(text) if spellings is not None else plain(text)
    filters = search.Filters(since=since, until=until, section=section, author=author, min_reads=min_reads)
    with settings.archive() as archive:
        hits = search.search(archive.conn, expanded or query, filters=filters, limit=limit, sort=sort, fts_syntax=raw)
        suggestions = []
        if not hits and expanded and not settings.quiet:
            suggestions = search.suggest(archive.conn, expanded, spellings.main if spellings is not None else None)
    output.write_hits(hits, fmt, sys.stdout, width=terminal_width(100), expanded=expanded)
    if suggestions:
        click.echo(f"nai: no match; did you mean: {', '.join(suggestions)}?", err=True)
    elif not hits and settings.chatty:
        click.echo("no matches", err=True)


@click.command(name="show")
@verbosity
@click.argument("ref", metavar="ID|URL")
@output_format("text", "json")
@click.pass_obj
def show_command(settings: Settings, ref: str, fmt: str) -> None:
    """Show one article: metadata, body, related stories and read-count history.

    \b
    Example:
        nai show 12
        nai show https://north-africa.com/some-story/ --format json
    """
    from .. import output
    from ..store import queries

    with settings.archive() as archive:
        stored = queries.find(archive.conn, ref)
        if stored is None:
            raise NaiError(f"{ref}: no such article in {settings.db}")
        history = queries.read_history(archive.conn, stored.id)
        removed = queries.removed(archive.conn, stored.id)
    if fmt == "json":
        output.write_jsonl([stored.to_record()], sys.stdout)
    else:
        width = min(terminal_width(88), 100)
        click.echo(output.article_text(stored, history, removed=removed, width=width), nl=False)


@click.command(name="export")
@verbosity
@output_format("jsonl", "csv")
@click.pass_obj
def export_command(settings: Settings, fmt: str) -> None:
    """Write every record to stdout, streamed, in id order.

    \b
    Example:
        nai export > archive.jsonl
        nai export --format csv > archive.csv
    """
    from .. import output
    from ..store import queries

    with settings.archive() as archive:
        output.write_records((s.to_record() for s in queries.all_stored(archive.conn)), fmt, sys.stdout)


@click.command(name="stats")
@verbosity
@output_format("table", "json")
@click.pass_obj
def stats_command(settings: Settings, fmt: str) -> None:
    """Articles, date range, articles per month, how often each field is filled, the last scrapes.

    And the last scrape's layout check: each field on the pages it fetched against the
    site's articles stored in the 90 days before, marked where it fell (see nai scrape -h).

    \b
    Example:
        nai stats
        nai stats --format json
    """
    from .. import output
    from ..store import queries

    with settings.archive() as archive:
        stats = queries.stats(archive.conn, archive.file)
    if fmt == "json":
        output.write_jsonl([stats], sys.stdout)
    else:
        click.echo(output.stats_text(stats), nl=False)
