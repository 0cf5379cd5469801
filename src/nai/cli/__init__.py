"""The nai command: click wiring only. Each command is one library call and a render.

stdout carries data; errors, progress and summaries go to stderr.
Exit codes: 0 ok, 1 failure (any input failed), 2 usage, 3 a scrape's pages lack fields the site's earlier
articles had (its layout changed?), 75 another scrape holds the lock.

Each command lives in a module of its own (reading, ingesting, scraping, upkeep), loaded when
the command runs or help lists it, and imports what it uses when it runs: `nai --version` and
`nai search` load neither the parser (lxml, trafilatura) nor the network code nor sqlite-utils
(tests/test_startup.py). What commands share is in common.py. A new command: a function in
the module of its kind (or a new one), named NAME_command, listed in common.COMMANDS.
"""

from __future__ import annotations

import click

from .. import __version__
from .common import CONTEXT, NaiGroup, Settings


@click.group(cls=NaiGroup, context_settings=CONTEXT)
@click.option(
    "--db",
    type=click.Path(dir_okay=False),  # a str: a search does not load pathlib
    envvar="NAI_DB",
    default="archive.db",
    show_default=True,
    show_envvar=True,
    help="The archive file.",
)
@click.option("-v", "--verbose", count=True, help="Say more: -v each input and a summary, -vv debug.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.version_option(__version__, "--version", prog_name="nai")
@click.pass_context
def cli(ctx: click.Context, db: str, verbose: int, quiet: bool) -> None:
    """nai: The North Africa Journal's articles in a searchable SQLite archive.

    \b
    Example:
        nai ingest saved-pages/          # parse and store pages
        nai search "Haftar" --since 2026-01
        nai show 12
    """
    if verbose and quiet:
        raise click.UsageError("-v and -q contradict each other")
    ctx.obj = Settings(db=db, verbose=verbose, quiet=quiet)
