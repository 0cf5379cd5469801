"""nai serve: the archive in a browser, through Datasette (the optional extra, nai's `web`)."""

from __future__ import annotations

import click

from .common import Failure, Settings, verbosity

INSTALL = (
    "nai serve needs Datasette, nai's web extra: pip install '.[web]' in nai's checkout "
    "(pipx: pipx install --force '.[web]')"
)


@click.command(name="serve")
@verbosity
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every one).")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8001,
    show_default=True,
    help="Port to listen on (0: any free one).",
)
@click.option(
    "--aliases",
    metavar="FILE",
    help="More spellings for the search page, added to the shipped ones and to $XDG_CONFIG_HOME/nai/aliases.txt.",
)
@click.pass_obj
def serve_command(settings: Settings, host: str, port: int, aliases: str | None) -> None:
    """Open the archive in a browser: ranked search, article pages, facets, SQL (Datasette).

    The archive is served read-only, as it is at each request (an ingest or a scrape meanwhile
    shows), as the database `archive`: /archive/search?q=WORDS is the search page (.json for its
    JSON), /archive/articles the articles with facets by section, author and month,
    /archive/articles/ID an article. Needs nai's web extra: pip install '.[web]'.

    \b
    Example:
        nai serve
        nai --db /srv/nai/archive.db serve --host 0.0.0.0 --port 8080
        nai serve --aliases my-spellings.txt
    """
    try:
        from ..web import app, listen
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] in ("datasette", "uvicorn"):
            raise Failure(INSTALL) from None
        raise
    with settings.archive():  # an nai archive, at the current schema (upgraded when it can be written)
        pass
    app.check_spellings(aliases)  # an unreadable aliases file: one line now, not an error on every search
    immutable = app.opens_immutable(settings.db)
    listening = listen.bind(host, port, f"/{app.DATABASE}")  # a port in use: one line, nothing announced
    if not settings.quiet:
        if not listening.loopback:
            click.echo(
                f"nai: warning: listening on {listening.where}: anyone who can reach this machine can read "
                "the whole archive and run SQL on it",
                err=True,
            )
        if immutable:
            click.echo(
                f"nai: {settings.db}: neither it nor its folder can be written: served as it is now (SQLite's "
                "immutable mode); restart nai serve to show what is written to it later",
                err=True,
            )
    if settings.chatty:
        if listening.elsewhere:  # every address: this machine's URL, and the one for others
            at = f" on {listening.where}: {listening.url} here, {listening.elsewhere} from other machines"
        else:
            at = f" at {listening.url}"
        click.echo(f"nai: serving {settings.db}{at} (Ctrl-C stops)", err=True)
    app.serve(settings.db, listening, immutable=immutable, log_level="info" if settings.verbose else "warning")
