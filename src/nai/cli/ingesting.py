"""nai ingest and nai reparse: pages into the archive."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from .. import defaults
from .common import EXIT_FAILURE, Jobs, Moment, Settings, WebUrl, verbosity

if TYPE_CHECKING:
    from ..ingest import Outcome


@click.command(name="ingest")
@verbosity
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--url", type=WebUrl(), help="The page's URL, when the page itself names none (one input only).")
@click.option(
    "--max-mb",
    type=click.FloatRange(min=0.01),
    default=defaults.MAX_PAGE_BYTES / 1024 / 1024,
    show_default=True,
    help="Refuse pages (and .html.gz contents) larger than this.",
)
@click.option(
    "--jobs",
    type=Jobs(),
    default="auto",
    show_default=True,
    help=f"Parse in this many worker processes (the archive has one writer); 1: in this one; auto: one a "
    f"core (at most {defaults.MAX_AUTO_JOBS}) for {defaults.AUTO_JOBS_MIN_INPUTS} inputs or more, else 1.",
)
@click.option(
    "--page-seconds",
    type=click.FloatRange(min=0),
    default=defaults.PAGE_SECONDS,
    show_default=True,
    help="Give up on a page that takes longer than this to parse (0: no limit).",
)
@click.option(
    "--observed-at",
    type=Moment(past=True),
    help="When the pages were seen (2026-02-05T03:17, UTC unless an offset is given): their read counts' "
    "time. Default: an archive.org capture's time, else now.",
)
@click.pass_obj
def ingest_command(
    settings: Settings,
    paths: tuple[str, ...],
    url: str | None,
    max_mb: float,
    jobs: int,
    page_seconds: float,
    observed_at: str | None,
) -> None:
    """Parse article pages and store them in the archive.

    PATH is a page (.html, .htm, .html.gz), a folder (read recursively) or - for stdin.
    Each input is new, updated, unchanged or failed; a failure is one line on stderr
    and the rest still goes in. Exit 1 when any input failed.

    \b
    Example:
        nai ingest fixtures/
        nai ingest backfill/                     # 64 pages or more: parsed on each core (up to 4)
        nai ingest --jobs 1 backfill/            # in this process only
        curl -s https://north-africa.com/some-story/ | nai ingest - --url https://north-africa.com/some-story/
        nai ingest saved/story.html --observed-at 2026-02-05T03:17   # backfill a read count seen then
    """
    import gc
    from collections import Counter
    from contextlib import closing

    from ..ingest import auto_jobs, ingest, iter_sources

    settings.logs()
    sources = list(iter_sources(paths))
    jobs = jobs or auto_jobs(len(sources))
    if url and len(sources) > 1:
        raise click.UsageError(f"--url names one page, and these paths hold {len(sources)}: give one page with it")
    counts: Counter[str] = Counter()  # as reported
    stored: Counter[str] = Counter()  # as committed (the same, unless interrupted between the two)
    settings.done = lambda: (
        f"{stored['new'] + stored['updated'] + stored['unchanged']} of {len(sources)} inputs stored;"
        " the same command stores the rest"
    )
    # What is loaded now lives to the end, and a page's objects are freed by reference counting:
    # the cycle collector need not walk them every 700 allocations (a twentieth of ingest time).
    gc.freeze()
    gc.set_threshold(50_000, 100, 100)
    with settings.archive(create=True) as archive:
        outcomes = ingest(
            sources,
            archive,
            url=url,
            max_bytes=int(max_mb * 1024 * 1024),
            page_seconds=page_seconds,
            jobs=jobs,
            tally=stored,
            observed_at=observed_at,
        )
        with (
            closing(outcomes),
            click.progressbar(
                outcomes,
                length=len(sources),
                label="ingesting",
                file=sys.stderr,
                hidden=not (sys.stderr.isatty() and not settings.quiet) or len(sources) < 2,
            ) as bar,
        ):
            for outcome in bar:
                counts[outcome.status] += 1
                _report(outcome, settings)
    if settings.chatty:
        summary = ", ".join(f"{counts[s]} {s}" for s in ("new", "updated", "unchanged", "failed"))
        click.echo(summary, err=True)
    if counts["failed"]:
        sys.exit(EXIT_FAILURE)


def _report(outcome: Outcome, settings: Settings) -> None:
    if outcome.status == "failed":
        click.echo(f"nai: {outcome.source}: {outcome.error}", err=True)
    elif settings.verbose:
        click.echo(f"{outcome.status}: {outcome.source} (id {outcome.id})", err=True)


@click.command(name="reparse")
@verbosity
@click.pass_obj
def reparse_command(settings: Settings) -> None:
    """Rebuild every record from its stored raw page with the current parser.

    Run it after upgrading nai: records gain the parser's fixes; a record whose
    headline, date or body changes keeps its old version.

    \b
    Example:
        nai reparse
    """
    from ..parse import reparse_page
    from ..store import health

    settings.logs()
    progress = {"done": 0, "total": 0}

    def note(done: int, total: int) -> None:
        progress.update(done=done, total=total)

    settings.done = lambda: f"{progress['done']} of {progress['total']} articles reparsed (each one whole)"
    with settings.archive() as archive:
        result = health.reparse(archive, reparse_page, progress=note)
    for article_id, error in result.failed:
        click.echo(f"nai: article {article_id}: {error}", err=True)
    if settings.chatty:  # a summary: on a terminal or with -v (cron mails any output)
        click.echo(f"reparsed {result.total} articles: {result.changed} changed, {len(result.failed)} failed", err=True)
    if result.failed:
        sys.exit(EXIT_FAILURE)
