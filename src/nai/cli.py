"""The nai command: click wiring only. Each command is one library call and a render.

stdout carries data; errors, progress and summaries go to stderr.
Exit codes: 0 ok, 1 failure (any input failed), 2 usage, 3 a scrape's pages lack fields the site's earlier
articles had (its layout changed?), 75 another scrape holds the lock.

Every command imports what it uses when it runs: `nai --version` and `nai search` load neither
the parser (lxml, trafilatura) nor the network code nor sqlite-utils (tests/test_startup.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import __version__, defaults
from .errors import Locked, NaiError, SiteUnreachable

if TYPE_CHECKING:
    from .ingest import Outcome
    from .scrape import Report
    from .store import Archive

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EXIT_FAILURE = 1
EXIT_LAYOUT = 3  # nai scrape: tonight's pages lack fields that earlier articles had; wins over EXIT_FAILURE
EXIT_LOCKED = 75  # sysexits EX_TEMPFAIL: another scrape runs; try again later
F = TypeVar("F", bound=Callable[..., Any])


class Failure(click.ClickException):
    """A one-line error on stderr, "nai: reason", exit 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"nai: {self.format_message()}", err=True)


class LockedFailure(Failure):
    exit_code = EXIT_LOCKED


class Stopped(KeyboardInterrupt):
    """Ctrl-C (SIGINT) or SIGTERM: the command stops where it is; what it committed stays."""

    def __init__(self, signum: int) -> None:
        import signal

        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    """The first SIGINT or SIGTERM stops the command; those after it (a second Ctrl-C, the same
    signal sent to the whole group) must not break off the rollback and the workers' ending."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Stopped(signum)


class NaiGroup(click.Group):
    """Turns NaiError into one line on stderr; anything unexpected too, unless -vv or NAI_DEBUG=1.
    Ctrl-C and SIGTERM end a command with one line saying what it had stored, exit 128 + signal."""

    def invoke(self, ctx: click.Context) -> Any:
        import signal

        handlers = {signum: signal.signal(signum, _stop) for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            signum = exc.signum if isinstance(exc, Stopped) else signal.SIGINT
            settings = ctx.find_object(Settings)
            done = settings.done() if settings and settings.done else ""
            click.echo(f"nai: interrupted by {signal.Signals(signum).name}" + (f": {done}" if done else ""), err=True)
            raise click.exceptions.Exit(128 + signum) from None
        except Locked as exc:
            raise LockedFailure(str(exc)) from None
        except NaiError as exc:
            raise Failure(str(exc)) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort, BrokenPipeError):
            raise  # click's own, and a reader that went away (`nai export | head`), which click quiets
        except Exception as exc:
            settings = ctx.find_object(Settings)
            sqlite3 = sys.modules.get("sqlite3")  # loaded if the command opened the archive
            if sqlite3 is not None and isinstance(exc, sqlite3.Error):  # disk full, read-only, corrupt
                from .store import describe

                raise Failure(f"{settings.db if settings else 'archive'}: {describe(exc)}") from None
            if os.environ.get("NAI_DEBUG") or (settings and settings.verbose >= 2):
                raise
            raise Failure(f"unexpected error: {type(exc).__name__}: {exc} (NAI_DEBUG=1 shows more)") from None
        finally:
            for signum, handler in handlers.items():  # as they were: nai may run inside another program
                signal.signal(signum, handler)


@dataclass
class Settings:
    db: Path
    verbose: int
    quiet: bool
    #: What the running command has stored so far, for the line an interrupt prints.
    done: Callable[[], str] | None = None

    def archive(self, *, create: bool = False) -> Archive:
        from .store import Archive

        return Archive(self.db, create=create)

    def logs(self) -> None:
        """Send the library's log to stderr as `nai: …` lines (ERROR; -v INFO; -vv DEBUG; -q errors
        only): for the commands whose work logs (ingest, scrape, reparse, check)."""
        import logging

        level = logging.ERROR if self.quiet else {0: logging.WARNING, 1: logging.INFO}.get(self.verbose, logging.DEBUG)
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("nai: %(message)s"))
        root = logging.getLogger("nai")
        root.handlers[:] = [handler]
        root.setLevel(level)
        root.propagate = False
        for noisy in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
            logging.getLogger(noisy).setLevel(logging.DEBUG if self.verbose >= 3 else logging.CRITICAL)

    @property
    def chatty(self) -> bool:
        """Summaries and progress: on a terminal, or with -v; never with -q."""
        return not self.quiet and (self.verbose > 0 or sys.stderr.isatty())


class DateBound(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2
    """--since/--until: '2026', '2026-02', '4 February 2026' -> the first (or last) day of it."""

    name = "date"

    def __init__(self, *, end: bool) -> None:
        self.end = end

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from .dates import parse_bound

        try:
            return parse_bound(str(value), end=self.end)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def _more_verbose(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    settings = ctx.find_object(Settings)
    if settings is None or not value:
        return
    if param.name == "quiet":
        settings.quiet = True
    else:
        settings.verbose += int(value)
    if settings.verbose and settings.quiet:
        raise click.UsageError("-v and -q contradict each other")


def output_format(*choices: str) -> Callable[[F], F]:
    """--format, one of `choices` (the first is the default): the data a command writes to stdout."""

    def decorate(command: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(choices),
            default=choices[0],
            show_default=True,
            help="How to write the data to stdout.",
        )(command)

    return decorate


def verbosity(command: Any) -> Any:
    """-v/-q after the command name too: `nai ingest page.html -v`."""
    command = click.option(
        "-q", "--quiet", count=True, expose_value=False, callback=_more_verbose, help="Only errors."
    )(command)
    return click.option("-v", "--verbose", count=True, expose_value=False, callback=_more_verbose, help="Say more.")(
        command
    )


@click.group(cls=NaiGroup, context_settings=CONTEXT)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
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
def cli(ctx: click.Context, db: Path, verbose: int, quiet: bool) -> None:
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


class WebUrl(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2
    """An absolute http(s) URL that nai can take (nai.urls.check_url)."""

    name = "url"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            from .urls import check_url

            return check_url(str(value))
        except ValueError as exc:
            self.fail(f"{value!r} is not a web page's URL: {exc}", param, ctx)


class Jobs(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2
    """A number of worker processes, or "auto" (0 here: chosen from the number of inputs)."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if value in ("auto", 0):
            return 0
        try:
            jobs = int(value)
        except (TypeError, ValueError):
            jobs = 0
        if jobs < 1:
            self.fail(f"{value!r} is not a number of processes (1 or more) or auto", param, ctx)
        return jobs


@cli.command(name="ingest")
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
@click.pass_obj
def ingest_command(
    settings: Settings, paths: tuple[str, ...], url: str | None, max_mb: float, jobs: int, page_seconds: float
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
    """
    import gc
    from collections import Counter
    from contextlib import closing

    from .ingest import auto_jobs, ingest, iter_sources

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


def _scrape_summary(report: Report) -> str:
    counts = ", ".join(
        f"{report.counts[k]} {k}" for k in ("new", "updated", "unchanged", "refreshed", "removed", "failed")
    )
    return f"scrape: {counts}; {report.requests} requests, {report.bytes / 1024:,.0f} KB, {report.seconds:.1f} s"


def _report(outcome: Outcome, settings: Settings) -> None:
    if outcome.status == "failed":
        click.echo(f"nai: {outcome.source}: {outcome.error}", err=True)
    elif settings.verbose:
        click.echo(f"{outcome.status}: {outcome.source} (id {outcome.id})", err=True)


@cli.command(name="search")
@verbosity
@click.argument("query")
@click.option("--since", type=DateBound(end=False), help="Published on or after (2026, 2026-02, 4 February 2026).")
@click.option("--until", type=DateBound(end=True), help="Published on or before (a month means its last day).")
@click.option("--limit", type=click.IntRange(min=1), default=defaults.SEARCH_LIMIT, show_default=True)
@click.option("--raw", is_flag=True, help='Pass QUERY through as FTS5 syntax (AND, OR, NEAR, "phrases", prefix*).')
@output_format("table", "json", "csv")
@click.pass_obj
def search_command(
    settings: Settings, query: str, since: str | None, until: str | None, limit: int, raw: bool, fmt: str
) -> None:
    """Full-text search, best match first, with a snippet around each match.

    QUERY is plain words, all of which must match; "quoted words" match as a phrase;
    accents do not matter (Saied finds Saïed). Matches in the headline count more.

    \b
    Example:
        nai search Haftar
        nai search "Salvador Pass" --since 2026-01 --until 2026-02 --format json
        nai search --raw 'Haftar NOT Tripoli'
    """
    from . import output
    from .store import queries

    with settings.archive() as archive:
        hits = queries.search(archive.conn, query, since=since, until=until, limit=limit, fts_syntax=raw)
    output.write_hits(hits, fmt, sys.stdout, width=_terminal_width(100))
    if not hits and settings.chatty:
        click.echo("no matches", err=True)


@cli.command(name="show")
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
    from . import output
    from .store import queries

    with settings.archive() as archive:
        stored = queries.find(archive.conn, ref)
        if stored is None:
            raise NaiError(f"{ref}: no such article in {settings.db}")
        history = queries.read_history(archive.conn, stored.id)
        removed = queries.removed(archive.conn, stored.id)
    if fmt == "json":
        output.write_jsonl([stored.to_record()], sys.stdout)
    else:
        width = min(_terminal_width(88), 100)
        click.echo(output.article_text(stored, history, removed=removed, width=width), nl=False)


@cli.command(name="export")
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
    from . import output
    from .store import queries

    with settings.archive() as archive:
        output.write_records((s.to_record() for s in queries.all_stored(archive.conn)), fmt, sys.stdout)


@cli.command(name="stats")
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
    from . import output
    from .store import queries

    with settings.archive() as archive:
        stats = queries.stats(archive.conn, archive.path)
    if fmt == "json":
        output.write_jsonl([stats], sys.stdout)
    else:
        click.echo(output.stats_text(stats), nl=False)


@cli.command(name="reparse")
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
    from .parse import reparse_page
    from .store import health

    settings.logs()
    progress = {"done": 0, "total": 0}

    def note(done: int, total: int) -> None:
        progress.update(done=done, total=total)

    settings.done = lambda: f"{progress['done']} of {progress['total']} articles reparsed (each one whole)"
    with settings.archive() as archive:
        result = health.reparse(archive, reparse_page, progress=note)
    for article_id, error in result.failed:
        click.echo(f"nai: article {article_id}: {error}", err=True)
    click.echo(f"reparsed {result.total} articles: {result.changed} changed, {len(result.failed)} failed")
    if result.failed:
        sys.exit(EXIT_FAILURE)


@cli.command(name="check")
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
    from .store import health

    settings.logs()
    with settings.archive() as archive:
        if repair:
            from .parse import reparse_page

            for line in health.repair(archive, reparse_page):
                click.echo(f"repaired: {line}")
        problems = health.check(archive)
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(EXIT_FAILURE)
    click.echo("ok")


@cli.command(name="backup")
@verbosity
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def backup_command(settings: Settings, target: Path) -> None:
    """Copy the archive to TARGET, consistently, while other commands go on using it.

    \b
    Example:
        nai backup /backups/archive-$(date +%F).db
    """
    from .store import health

    with settings.archive() as archive:
        health.backup(archive, target)


@cli.command(name="scrape")
@verbosity
@click.option("--site", type=WebUrl(), default=defaults.SITE, show_default=True, help="The WordPress site's base URL.")
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    help="Seconds between requests [default: 1, or robots.txt's Crawl-delay if larger].",
)
@click.option("--max-pages", type=click.IntRange(min=0), help="Fetch at most this many article pages.")
@click.option("--since", type=DateBound(end=False), help="Backfill only articles published since this date.")
@click.option(
    "--refresh-days",
    type=click.IntRange(min=0),
    default=defaults.REFRESH_DAYS,
    show_default=True,
    help="Re-visit articles published this recently, to follow their read counts.",
)
@click.option("--user-agent", default=defaults.USER_AGENT, show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=defaults.TIMEOUT, show_default=True)
@click.option("--retries", type=click.IntRange(min=0), default=defaults.RETRIES, show_default=True)
@click.pass_obj
def scrape_command(
    settings: Settings,
    site: str,
    delay: float | None,
    max_pages: int | None,
    since: str | None,
    refresh_days: int,
    user_agent: str,
    timeout: float,
    retries: int,
) -> None:
    """Fetch what the site published or changed since the last run; refresh recent read counts.

    Made for cron: silent when all is well (-v prints one summary line), errors on
    stderr, exit 1 if any URL failed for good, 75 if another scrape holds the archive.

    Exit 3, with a line per field, when a field (published, read_count, section, related,
    author, a body of 3+ paragraphs) filled on 90% or more of the site's articles stored in
    the 90 days before is found on fewer than half of 5 or more pages fetched tonight: the
    site's layout may have changed. The pages are stored as usual, raw pages included, so
    `nai reparse` rebuilds them after an upgrade of nai. 3 wins over 1: failed URLs are
    tried again next run on their own.

    \b
    Example:
        nai scrape -v
        nai scrape --since 2025-01 --max-pages 500      # a first, bounded backfill
        # crontab: 17 3 * * *  NAI_DB=/srv/nai/archive.db /usr/local/bin/nai scrape
    """
    from . import output
    from .fetch import Fetcher
    from .lock import exclusive
    from .scrape import Scraper

    settings.logs()
    existed = settings.db.exists()
    with exclusive(settings.db), settings.archive(create=True) as archive:
        fetcher = Fetcher(user_agent=user_agent, timeout=timeout, retries=retries)
        scraper = Scraper(
            archive,
            fetcher,
            site=site,
            delay=delay,
            max_pages=max_pages,
            since=since,
            refresh_days=refresh_days,
        )
        counts = scraper.report.counts
        settings.done = lambda: (
            f"{counts['new'] + counts['updated'] + counts['unchanged'] + counts['refreshed']} pages stored;"
            " the next run goes on"
        )
        try:
            report = scraper.run()
        except SiteUnreachable:
            if not existed:  # the site was never reached: leave no empty archive behind
                archive.close()
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{settings.db}{suffix}").unlink(missing_ok=True)
            raise
    if settings.chatty:
        click.echo(_scrape_summary(report), err=True)
    alarms = report.layout_alarms
    for alarm in alarms:  # even with -q: cron must mail them
        click.echo(output.layout_alarm(alarm.to_record()), err=True)
    if alarms:
        sys.exit(EXIT_LAYOUT)
    if report.counts["failed"]:
        sys.exit(EXIT_FAILURE)


def _terminal_width(default: int) -> int:
    """The terminal's columns ($COLUMNS first), or `default` off a terminal (as shutil's, without importing it)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or default  # type: ignore[union-attr]
    except (OSError, ValueError, AttributeError):
        return default
