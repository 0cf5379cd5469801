"""nai serve: the archive in a browser, through Datasette (the optional extra nai[web])."""

from __future__ import annotations

import click

from .common import Failure, Settings, verbosity

INSTALL = "nai serve needs Datasette: pip install 'nai[web]'"


@click.command(name="serve")
@verbosity
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every one).")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True, help="Port to listen on.")
@click.pass_obj
def serve_command(settings: Settings, host: str, port: int) -> None:
    """Open the archive in a browser: ranked search, article pages, facets, SQL (Datasette).

    The archive is served read-only, as the database `archive`: /archive/search?q=WORDS is
    the search page (.json for its JSON), /archive/articles the articles with facets by
    section, author and month, /archive/articles/ID an article. Needs pip install 'nai[web]'.

    \b
    Example:
        nai serve
        nai --db /srv/nai/archive.db serve --host 0.0.0.0 --port 8080
    """
    try:
        from ..web import app
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] in ("datasette", "uvicorn"):
            raise Failure(INSTALL) from None
        raise
    with settings.archive():  # an nai archive, at the current schema (upgraded when it can be written)
        pass
    if settings.chatty:
        click.echo(f"nai: serving {settings.db} at http://{host}:{port}/{app.DATABASE} (Ctrl-C stops)", err=True)
    app.serve(settings.db, host=host, port=port, log_level="info" if settings.verbose else "warning")
