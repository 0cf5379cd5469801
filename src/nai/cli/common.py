"""What every command shares: settings, one-line failures, Ctrl-C and SIGTERM, option types and
decorators. Light: it imports click and nothing of the archive, the parser or the network."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from ..errors import Locked, NaiError

if TYPE_CHECKING:
    from ..store import Archive

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EXIT_FAILURE = 1
EXIT_LAYOUT = 3  # nai scrape: tonight's pages lack fields that earlier articles had; wins over EXIT_FAILURE
EXIT_LOCKED = 75  # sysexits EX_TEMPFAIL: another scrape runs; try again later
MAX_LIMIT = 2**31 - 1  # --limit, --min-reads: any count an archive can hold; more would overflow SQLite's integers
F = TypeVar("F", bound=Callable[..., Any])


class Failure(click.ClickException):
    """A one-line error on stderr, "nai: reason", exit 1: a control character the reason quotes
    (an argument's newline) is written escaped, so the line stays one."""

    def show(self, file: Any = None) -> None:
        click.echo(f"nai: {one_line(self.format_message())}", err=True)


class UsageFailure(Failure):
    """A usage error as one line, where to read more at its end: exit 2. (Click's own is four lines,
    the usage, a hint, a blank line, the error: the error last, where a line-reading cron mail or a
    script's `2>&1 | tail -1` looks for it. `nai CMD --help` gives the usage.)"""

    exit_code = 2


def usage_failure(exc: click.UsageError) -> UsageFailure:
    command = " ".join(["nai", *exc.ctx.command_path.split()[1:]]) if exc.ctx is not None else "nai"
    message = exc.format_message().rstrip(".")
    if isinstance(exc, click.NoSuchOption) and not exc.possibilities and _takes_words(exc.ctx):
        message += f" (a word that starts with '-' goes after '--': {command} -- -Tripoli)"
    return UsageFailure(f"{message} (see '{command} --help')")


def _takes_words(ctx: click.Context | None) -> bool:
    """Whether the command takes words to look for (nai search QUERY, nai trend QUERY...)."""
    return ctx is not None and any(
        isinstance(p, click.Argument) and p.name in ("query", "queries") for p in ctx.command.params
    )


def one_line(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


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

    from .. import stopping

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    stopping.taken = signum  # raised again where the command goes on, if this raise gets swallowed
    raise Stopped(signum)


def _stop_again(signum: int) -> NoReturn:
    raise Stopped(signum)


#: Each command and the module of nai.cli that defines it as NAME_command.
COMMANDS = {
    "backup": "upkeep",
    "check": "upkeep",
    "export": "reading",
    "history": "changes",
    "ingest": "ingesting",
    "related": "changes",
    "reparse": "ingesting",
    "scrape": "scraping",
    "search": "reading",
    "serve": "serving",
    "show": "reading",
    "stats": "reading",
    "trending": "changes",
    "trend": "analysis",
}
#: The commands that only read: when one ends, its archive is closed and it started no thread,
#: process or temporary file, so `nai` leaves at once (os._exit) instead of tearing the interpreter
#: down module by module, which costs a search about 6 ms (nai.__main__).
READ_ONLY = frozenset({"export", "history", "related", "search", "show", "stats", "trend", "trending"})


class NaiGroup(click.Group):
    """Loads each command's module when the command runs or help lists it (COMMANDS).

    Turns NaiError into one line on stderr; anything unexpected too, unless -vv or NAI_DEBUG=1.
    Ctrl-C and SIGTERM end a command with one line saying what it had stored, exit 128 + signal."""

    #: The command that ran, once it has ended (for nai.__main__: READ_ONLY ones leave at once).
    ran: str | None = None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            import importlib

            module = importlib.import_module(f"{__package__}.{COMMANDS[cmd_name]}")
            self.add_command(getattr(module, f"{cmd_name}_command"), cmd_name)
        return super().get_command(ctx, cmd_name)

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise  # `nai` alone: the help
        except click.UsageError as exc:  # nai's own options: `nai --bogus`
            raise usage_failure(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        import signal

        from .. import stopping

        stopping.taken, stopping.stop = None, _stop_again
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
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:  # a command's options and arguments, an unknown command
            raise usage_failure(exc) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort, BrokenPipeError):
            raise  # click's own, and a reader that went away (`nai export | head`), which click quiets
        except Exception as exc:
            settings = ctx.find_object(Settings)
            sqlite3 = sys.modules.get("sqlite3")  # loaded if the command opened the archive
            if sqlite3 is not None and isinstance(exc, sqlite3.Error):  # disk full, read-only, corrupt
                from ..store import describe

                raise Failure(f"{settings.db if settings else 'archive'}: {describe(exc)}") from None
            if os.environ.get("NAI_DEBUG") or (settings and settings.verbose >= 2):
                raise
            raise Failure(f"unexpected error: {type(exc).__name__}: {exc} (NAI_DEBUG=1 shows more)") from None
        finally:
            for signum, handler in handlers.items():  # as they were: nai may run inside another program
                signal.signal(signum, handler)
            stopping.taken, stopping.stop = None, None
            self.ran = ctx.invoked_subcommand


class Settings:
    """The group's options, for its commands (a plain class: a dataclass costs start-up 1 ms)."""

    def __init__(self, *, db: str, verbose: int, quiet: bool) -> None:
        self.db = db
        self.verbose = verbose
        self.quiet = quiet
        #: What the running command has stored so far, for the line an interrupt prints.
        self.done: Callable[[], str] | None = None

    def archive(self, *, create: bool = False) -> Archive:
        from ..store import Archive

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
        from ..dates import parse_bound

        try:
            return parse_bound(str(value), end=self.end)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class Moment(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2
    """A date and time (nai.dates.parse_moment) as ISO 8601 UTC; `past`: not later than now."""

    name = "datetime"

    def __init__(self, *, past: bool = False) -> None:
        self.past = past

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from datetime import datetime, timezone

        from ..dates import parse_moment

        try:
            moment = parse_moment(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if self.past and datetime.fromisoformat(moment) > datetime.now(timezone.utc):
            self.fail(f"{value!r} is in the future", param, ctx)
        return moment


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


class WebUrl(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2
    """An absolute http(s) URL that nai can take (nai.urls.check_url)."""

    name = "url"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            from ..urls import check_url

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


def check_range(since: str | None, until: str | None) -> None:
    """--since after --until finds nothing, ever: a usage error rather than an empty answer."""
    if since and until and since > until:
        raise click.UsageError(f"--since {since} is after --until {until}")
