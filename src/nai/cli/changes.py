"""nai trending, history, related: what readers read, what changed, what links to what."""

from __future__ import annotations

import os
import sys

import click

from ..errors import NaiError
from ..terminal import terminal_width
from .common import MAX_LIMIT, Moment, Settings, output_format, verbosity


@click.command(name="trending")
@verbosity
@click.option("--days", type=click.IntRange(min=1), default=7, show_default=True, help="The window: these last days.")
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=20, show_default=True)
@click.option(
    "--at",
    type=Moment(),
    help="Rank as of this moment, the window being the days before it (2026-02-08, 2026-02-08T12:00). Default: now.",
)
@output_format("table", "json", "csv")
@click.pass_obj
def trending_command(settings: Settings, days: int, limit: int, at: str | None, fmt: str) -> None:
    """Articles whose read count grew most in the last days, highest growth first.

    Growth is the latest read count seen in the window minus the last one seen before it
    (or the first one in it, when there is none before). The table shows each article's
    counts as a sparkline: the one before the window, then those in it.

    \b
    Example:
        nai trending
        nai trending --days 30 --limit 5 --format json
        nai trending --days 7 --at 2026-02-08
    """
    from datetime import datetime, timedelta, timezone

    from ..changes_output import write_trending
    from ..store import readers

    until = datetime.fromisoformat(at) if at else datetime.now(timezone.utc)
    try:
        since = until - timedelta(days=days)
    except OverflowError:  # before year 1: the window is all time
        since = datetime.min.replace(tzinfo=timezone.utc)
    with settings.archive() as archive:
        trends = readers.trending(archive.conn, since=since.isoformat(), until=until.isoformat(), limit=limit)
    write_trending(trends, fmt, sys.stdout, width=terminal_width(100))
    if not trends and settings.chatty:
        click.echo(f"no read count seen in the {days} days before {until.isoformat()[:16]}", err=True)


@click.command(name="history")
@verbosity
@click.argument("ref", metavar="ID|URL")
@output_format("text", "json")
@click.pass_obj
def history_command(settings: Settings, ref: str, fmt: str) -> None:
    """Every state of an article, oldest first: when it was seen, why it changed, and what changed.

    A state comes new (first seen), by an edit (the site changed it: a page showed it) or by a
    reparse (nai's parser read the same page differently). Between two states: the headline
    and body word by word, [-deleted-] and {+inserted+} (in colour too on a terminal), unchanged
    paragraphs elided, white space ignored, a paragraph split or merged as a break inserted {+¶+}
    or deleted [-¶-]; a changed date as old -> new.

    \b
    Example:
        nai history 3
        nai history https://north-africa.com/some-story/ --format json
    """
    from ..store import history, queries

    with settings.archive() as archive:
        stored = queries.find(archive.conn, ref)
        if stored is None:
            raise NaiError(f"{ref}: no such article in {settings.db}")
        states = history.states(archive.conn, stored.id)
    from ..changes_output import history_json, history_text

    if fmt == "json":
        history_json(stored.id, stored.article.url, states, sys.stdout)
    else:
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        text = history_text(stored.id, stored.article.url, states, colour=colour, width=min(terminal_width(88), 100))
        click.echo(text, nl=False)


@click.command(name="related")
@verbosity
@click.argument("ref", metavar="ID|URL")
@output_format("text", "json")
@click.pass_obj
def related_command(settings: Settings, ref: str, fmt: str) -> None:
    """The stories an article lists (in page order) and the stories that list it.

    Each with its archive id when the archive holds it (matched by URL, in any of its forms).

    \b
    Example:
        nai related 3
        nai related https://north-africa.com/some-story/ --format json
    """
    from ..changes_output import related_json, related_text
    from ..store import links, queries

    with settings.archive() as archive:
        stored = queries.find(archive.conn, ref)
        if stored is None:
            raise NaiError(f"{ref}: no such article in {settings.db}")
        listed = links.links(archive.conn, stored.id)
        back = links.backlinks(archive.conn, stored.id)
    if fmt == "json":
        sys.stdout.write(related_json(stored.id, stored.article.url, listed, back))
    else:
        width = min(terminal_width(88), 100)
        click.echo(related_text(stored.article.headline, stored.id, listed, back, width=width), nl=False)
