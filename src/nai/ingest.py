"""Inputs to outcomes: files, folders, .html.gz and stdin -> Sources -> parse -> save.

Each input gets one Outcome: new, updated, unchanged, or failed with a one-line reason.
A failure never stops the batch and never leaves anything in the archive; nor does an error nai
did not foresee while reading, parsing or storing one input (it fails that input alone). Only
the archive itself failing (disk full, read-only) stops the batch.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sqlite3
import stat
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from . import stopping
from .defaults import AUTO_JOBS_MIN_INPUTS, MAX_AUTO_JOBS, MAX_PAGE_BYTES, PAGE_SECONDS
from .errors import ArchiveError, InputError, NaiError, unexpected
from .gzipped import MAGIC, InflateError, inflate
from .model import Article, Status
from .parse import megabytes, parse_page
from .raw import RawPage
from .store import Archive, Packer, describe, is_fatal

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

log = logging.getLogger(__name__)

T = TypeVar("T")
IN_FLIGHT_PER_JOB = 16  # parsed pages waiting for the writer, per worker
CHUNK = 8  # inputs a worker parses per task: less queue traffic
STOP_SECONDS = 0.5  # after Ctrl-C, what a worker may take to finish the pages in hand before it is killed
# Inputs stored in one commit: at most this many, or as many as are read and parsed in this many
# seconds (plus one page's parse). The write lock is held only while they are stored.
BATCH_INPUTS = 50  # storing 750 pages: 0.70 ms a page in commits of 20, 0.66 of 50 (the index written once a commit)
BATCH_SECONDS = 0.25
PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
STDIN = "-"
# What a file name may hold that a one-line message may not: control characters and line breaks
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class Source:
    """One input: a file, stdin, or a path that is already known to be bad (`error`). `name` is
    printable (see printable()); `stream`: a named pipe or a device, read in this process as it comes."""

    name: str
    path: Path | None = None
    error: str | None = None
    stream: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    source: str
    status: Status
    id: int | None = None
    error: str | None = None


def printable(name: str) -> str:
    """A file name fit for a one-line message and for SQLite text: the bytes of a name that is not
    UTF-8 (which Python holds as surrogate escapes) as \\xe9, control characters and line breaks
    escaped ("caf\\xe9.html", "two\\nlines.html")."""
    try:
        raw = os.fsencode(name)
    except UnicodeError:  # not a name the file system gave
        raw = name.encode("utf-8", "surrogatepass")
    text = raw.decode("utf-8", "backslashreplace")
    return UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def iter_sources(paths: Iterable[str]) -> Iterator[Source]:
    """Each path as Sources: a file as itself, a folder's pages recursively in name order. A named
    pipe or a device named here is read (`nai ingest <(curl -s URL)` names /dev/fd/N, a pipe)."""
    for name in paths:
        if name == STDIN:
            yield Source(name="<stdin>")
            continue
        path = Path(name)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists() or path.is_symlink():
            yield Source(name=printable(name), path=path, stream=_special(name) is not None)
        else:
            yield Source(name=printable(name), error="no such file or directory")


def _walk(root: Path) -> Iterator[Source]:
    """A folder's pages: regular files, and symlinks to them. A named pipe, a socket or a device is
    skipped with one line (a warning): opening a pipe nobody writes to would wait forever."""
    seen: set[str] = set()
    problems: list[Source] = []

    def onerror(exc: OSError) -> None:
        problems.append(Source(name=printable(str(exc.filename or root)), error=exc.strerror or str(exc)))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:
            yield Source(name=printable(dirpath), error="symlink loop: this folder was already read")
            dirnames.clear()
            continue
        seen.add(real)
        dirnames.sort()
        for filename in sorted(filenames):
            if filename.lower().endswith(PAGE_SUFFIXES):
                name = os.path.join(dirpath, filename)
                kind = _special(name)
                if kind is not None:
                    log.warning("%s: skipped: %s", printable(name), kind)
                    continue
                yield Source(name=printable(name), path=Path(name))
    yield from problems


def _special(name: str) -> str | None:
    """What a path leads to (following symlinks) when it is not a regular file: "a named pipe", "a
    socket", "a device". None for a regular file, or one that cannot be looked at (reading it says why)."""
    try:
        mode = os.stat(name).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_source(source: Source, *, max_bytes: int = MAX_PAGE_BYTES, stdin: BinaryIO | None = None) -> bytes:
    """The page's bytes, inflated when gzipped. Raises InputError, in bounded memory."""
    if source.error:
        raise InputError(source.error)
    if source.path is None:
        stream = stdin if stdin is not None else sys.stdin.buffer
        try:
            data = stream.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(exc.strerror or str(exc)) from None
        _check_size(len(data), max_bytes)
    else:
        try:
            status = source.path.stat()
            if stat.S_ISDIR(status.st_mode):
                raise InputError("is a directory")
            size = status.st_size
            if size > max_bytes:
                raise InputError(f"too large: {megabytes(size)} (the limit is {megabytes(max_bytes)}; see --max-mb)")
            with source.path.open("rb") as f:
                # as much as it holds (into a buffer of max_bytes, reading took half as long again),
                # then on to the limit if there is more: a file that grew, a pipe, /proc (size 0)
                data = f.read(size + 1)
                if len(data) > size:
                    data += f.read(max_bytes + 1 - len(data))
        except OSError as exc:
            raise InputError(exc.strerror or str(exc)) from None
        _check_size(len(data), max_bytes)
    if data.startswith(MAGIC):
        return _gunzip(data, max_bytes)
    return data


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    try:
        return inflate(data, limit=max_bytes)
    except InflateError as exc:
        raise InputError(str(exc)) from None


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputError(f"too large: more than {megabytes(max_bytes)} (see --max-mb)")


def auto_jobs(inputs: int) -> int:
    """--jobs auto: worker processes for this many inputs (1: parse in this process)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores, MAX_AUTO_JOBS) if inputs >= AUTO_JOBS_MIN_INPUTS and cores > 1 else 1


@dataclass(frozen=True, slots=True)
class Parsed:
    """One source read and parsed (in this process or a worker): the bytes and the article, or why not."""

    source: str
    raw: RawPage | None = None
    article: Article | None = None
    error: str | None = None


def read_and_parse(
    source: Source, *, url: str | None, max_bytes: int, seconds: float, data: bytes | None = None
) -> Parsed:
    """Everything about one input but storing it: what the worker processes of --jobs run (they
    also pack the raw page, when a dictionary of the archive fits it)."""
    try:
        if data is None:
            data = read_source(source, max_bytes=max_bytes)
        article = parse_page(data, url=url, seconds=seconds)
        raw = RawPage.of(data)
        if _packer is not None:
            raw = _packer.pack(raw, article.site)
        return Parsed(source.name, raw, article)
    except NaiError as exc:
        return Parsed(source.name, error=str(exc))
    except Exception as exc:  # a bug, or input no rule foresaw: this input fails alone
        log.debug("%s: %s", source.name, unexpected(exc), exc_info=True)
        return Parsed(source.name, error=unexpected(exc))


_packer: Packer | None = None  # in a worker process: packs raw pages against the archive's dictionaries


def _start_worker(archive: Path | None, writer: int) -> None:
    """A worker's set-up: Ctrl-C and SIGTERM are the writer's to handle (a terminal or a service
    manager sends them to every process of the group), and the writer ends its workers; a watch that
    ends it if the writer dies (kill -9); its packer. Workers start with both signals held back (see
    _submit) and ignore them from here. `writer`: the writer's pid, taken before the fork, so that a
    writer killed while this one starts is seen gone (its parent is then another process)."""
    global _packer
    for signum in stopping.STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, stopping.STOP_SIGNALS)

    def watch() -> None:
        while os.getppid() == writer:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
    _packer = Packer(archive) if archive is not None else None


def _parse_all(
    sources: Iterable[Source],
    *,
    url: str | None,
    max_bytes: int,
    seconds: float,
    jobs: int,
    stdin: BinaryIO | None,
    archive: Path | None = None,
) -> Generator[Parsed, None, None]:
    """Parsed inputs in input order: here, or in `jobs` worker processes with a bounded queue."""

    def task(source: Source) -> tuple[Source, bytes | None]:
        # stdin is read here, where it is open, and so are pipes (/dev/fd/N is this process's)
        if (source.path is None or source.stream) and not source.error:
            try:
                return source, read_source(source, max_bytes=max_bytes, stdin=stdin)
            except NaiError as exc:
                return Source(source.name, error=str(exc)), None
            except Exception as exc:  # this input fails alone
                return Source(source.name, error=unexpected(exc)), None
        return source, None

    work = partial(read_and_parse, url=url, max_bytes=max_bytes, seconds=seconds)
    if jobs <= 1:
        for source, data in map(task, sources):
            yield work(source, data=data)
        return
    import multiprocessing  # here: one process (--jobs 1, a few inputs, a scrape) starts without them
    from concurrent.futures import ProcessPoolExecutor

    chunks = _chunked(map(task, sources), CHUNK)  # a few inputs per task: less queue traffic
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        initializer=partial(_start_worker, archive, os.getpid()),
        mp_context=multiprocessing.get_context("fork"),
    )
    try:
        pending: deque[Future[list[Parsed]]] = deque()
        for chunk in chunks:
            pending.append(_submit(pool, _work_chunk, work, chunk))
            if len(pending) * CHUNK >= jobs * IN_FLIGHT_PER_JOB:  # memory stays flat however many inputs
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    except BaseException:  # Ctrl-C, SIGTERM, an error, or the consumer gone: no waiting on workers
        _stop_workers(pool)
        raise
    pool.shutdown()


def _submit(pool: ProcessPoolExecutor, fn: Callable[..., list[Parsed]], *args: object) -> Future[list[Parsed]]:
    """pool.submit, with Ctrl-C and SIGTERM held back while it may fork the workers: a worker takes
    them only once it is set up to (_start_worker), and the writer gets any that came meanwhile."""
    with stopping.held():
        return pool.submit(fn, *args)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the workers now: what they parse is dropped (nothing of it was stored). Each may finish
    the few pages in hand for up to STOP_SECONDS; then it is terminated."""
    import multiprocessing

    pool.shutdown(wait=False, cancel_futures=True)
    children = multiprocessing.active_children()
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        child.join(timeout=max(0.0, deadline - time.monotonic()))
    for child in children:
        if child.is_alive():
            child.kill()
            child.join(timeout=0.5)


def _work_chunk(work: Callable[..., Parsed], chunk: list[tuple[Source, bytes | None]]) -> list[Parsed]:
    return [work(source, data=data) for source, data in chunk]


def _chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def ingest(
    sources: Iterable[Source],
    archive: Archive,
    *,
    url: str | None = None,
    max_bytes: int = MAX_PAGE_BYTES,
    page_seconds: float = PAGE_SECONDS,
    jobs: int = 1,
    stdin: BinaryIO | None = None,
    tally: Counter[str] | None = None,
    observed_at: str | None = None,
) -> Generator[Outcome, None, None]:
    """Parse (in `jobs` processes) and store (here, the one writer) each source; one Outcome per
    source, in input order, once it is committed. Closing it early (Ctrl-C) ends the workers at once.

    Each input is stored whole or not at all (a savepoint each); a few inputs share a commit
    (BATCH_INPUTS, or what is read and parsed in BATCH_SECONDS), which saves a third of the
    cost of storing. `tally` counts the outcomes by status as each batch commits, exactly, even
    when Ctrl-C comes between a commit and the outcomes reaching the caller.

    A page was seen at `observed_at` (ISO 8601 UTC) when given, else when it was captured if it is
    an archive.org capture, else now: its read count's time."""
    parsed = _parse_all(
        sources, url=url, max_bytes=max_bytes, seconds=page_seconds, jobs=jobs, stdin=stdin, archive=archive.path
    )
    with closing(parsed):  # stopped early (Ctrl-C, an error): the workers end at once
        yield from _store_batches(
            parsed, archive, url=url, tally=Counter() if tally is None else tally, observed_at=observed_at
        )


def _store_batches(
    parsed: Iterator[Parsed], archive: Archive, *, url: str | None, tally: Counter[str], observed_at: str | None
) -> Iterator[Outcome]:
    while True:
        # Read and parse a batch first (workers start here, outside any transaction), then store
        # it: the write lock is held only while storing, never while waiting on input or parsing.
        batch: list[Parsed] = []
        deadline = time.monotonic() + BATCH_SECONDS
        for item in parsed:
            batch.append(item)
            if len(batch) >= BATCH_INPUTS or time.monotonic() >= deadline:
                break
        if not batch:
            return
        with stopping.held():  # a commit and its tally are one step: Ctrl-C comes before or after
            with archive.transaction():
                outcomes = [_store(item, archive, url=url, batch=batch, observed_at=observed_at) for item in batch]
            tally.update(outcome.status for outcome in outcomes)
        yield from outcomes  # committed


def _store(item: Parsed, archive: Archive, *, url: str | None, batch: list[Parsed], observed_at: str | None) -> Outcome:
    if item.article is None:
        return Outcome(source=item.source, status="failed", error=item.error)
    try:
        seen = observed_at or item.article.captured_at
        saved = archive.save(item.article, page=item.raw, page_url=url, source=item.source, observed_at=seen)
    except sqlite3.Error as exc:
        if is_fatal(exc) or not archive.conn.in_transaction:
            # every input after this one would fail the same way, or SQLite undid the whole commit
            lost = f"{batch[0].source} and the {len(batch) - 1} inputs after it" if len(batch) > 1 else item.source
            raise ArchiveError(f"{archive.path}: {describe(exc)}; stopped: {lost} not stored") from None
        return Outcome(source=item.source, status="failed", error=f"archive error: {exc}")
    except Exception as exc:  # a bug, or input no rule foresaw: this input fails alone, its savepoint undone
        log.debug("%s: %s", item.source, unexpected(exc), exc_info=True)
        return Outcome(source=item.source, status="failed", error=unexpected(exc))
    if item.article.rules == "generic":
        log.info("%s: no site rules applied (generic extraction)", item.source)
    for note in item.article.notes:
        log.info("%s: %s", item.source, note)
    return Outcome(source=item.source, status=saved.status, id=saved.id)
