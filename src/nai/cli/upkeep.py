"""nai check and nai backup: the archive's health."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import EXIT_FAILURE, Settings, verbosity


@click.command(name="check")
@verbosity
@click.option("--repair", is_flag=True, help="Rebuild what can be rebuilt: the index, records from raw pages.")
@click.pass_obj
def check_command(settings: Settings, repair: bool) -> None:
    """Check the archive: SQLite's and FTS5's integrity checks and nai's own invariants.

    Prints each problem on a line and exits 1 when there is any; "ok" and exit 0 when
    there is none. With --repair, rebuilds what can be rebuilt, then checks again.

    \b
    Example:
        nai check
        nai check --repair
    """
    from ..store import health

    settings.logs()
    with settings.archive() as archive:
        if repair:
            from ..parse import reparse_page

            for line in health.repair(archive, reparse_page):
                click.echo(f"repaired: {line}")
        problems = health.check(archive)
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(EXIT_FAILURE)
    click.echo("ok")


@click.command(name="backup")
@verbosity
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def backup_command(settings: Settings, target: Path) -> None:
    """Copy the archive to TARGET, consistently, while other commands go on using it.

    \b
    Example:
        nai backup /backups/archive-$(date +%F).db
    """
    from ..store import health

    with settings.archive() as archive:
        health.backup(archive, target)
        articles = archive.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    if settings.chatty:
        click.echo(f"backed up {articles:,} articles to {target} ({target.stat().st_size / 1e6:,.1f} MB)", err=True)
