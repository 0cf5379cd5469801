"""The Datasette that `nai serve` runs: the archive read-only as the database `archive`, whatever its
file is called, with nai's plugin, templates, style and metadata, on the sockets nai.web.listen bound.

The archive is opened with SQLite's mode=ro: no statement can write to it, and each query sees what
is committed when it runs (a scrape or an ingest while it is served, a WAL not yet checkpointed).
Not immutable: SQLite reads an immutable file as if nothing could change it, so a write meanwhile
shows as "database disk image is malformed" and the WAL is never read. Immutable is kept for a file
that mode=ro cannot open because neither it nor its folder can be written (a WAL archive on a
read-only mount has no -shm to read it with), which is served as it was at start."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from datasette.app import Datasette
from datasette.database import Database
from datasette.plugins import pm

from ..errors import NaiError
from ..store.ranking import BM25
from ..store.search import MARK_END, MARK_START, SEARCH_CANDIDATES, SNIPPET_TOKENS
from . import plugin

if TYPE_CHECKING:
    from .listen import Listening

DATABASE = plugin.DATABASE  # the database's name in Datasette's URLs: /archive/...

HERE = os.path.dirname(os.path.abspath(__file__))
STATIC_ROUTE = "-/nai"
#: Hits the search page shows (a canned query has no pages).
SEARCH_LIMIT = 50
#: Seconds a query may take (Datasette's default is 1): a page of a large archive read cold from a
#: slow disk (1M articles, 9 GB) took 1-3 s, and failed as "SQL query took too long" at 1 s. A
#: facet still has Datasette's 200 ms, past which the page leaves it out.
SQL_SECONDS = 5
#: Facet queries whose counts are kept at once (each a few dozen rows), until the archive changes.
FACETS_KEPT = 256
#: Seconds a stopped server waits for its responses to finish (a slow download) before cutting them.
GRACEFUL_SECONDS = 3

# `nai search` (nai.store.search.search) in one statement: the newest SEARCH_CANDIDATES matches
# in index order (the index is ordered by publication date), ranked by bm25 with the headline
# weighted above the body, corrected as nai.store.ranking corrects it (nai_discounts: the rarer
# phrases of a name's spellings and their discounts, as JSON); the newest first among equals;
# snippets for the hits shown only: `snippet` marked [as nai search marks], `marked` with
# plugin.MARKS, which no text holds, for the page's <mark>s.
SEARCH_SQL = f"""with candidates as (
  select rowid from articles_fts where articles_fts match nai_match(:q)
  order by rowid desc limit {SEARCH_CANDIDATES}
),
discounts as (
  select json_extract(value, '$[0]') as phrase, json_extract(value, '$[1]') as discount
  from json_each(nai_discounts(:q))
),
parts as materialized (
  select articles_fts.rowid as fts_key, d.discount * {BM25} as part
  from discounts d join articles_fts on articles_fts match d.phrase
  where articles_fts.rowid >= (select min(rowid) from candidates)
    and +articles_fts.rowid in (select rowid from candidates)
),
added as materialized (select fts_key, sum(part) as added from parts group by fts_key),
ranked as (
  select articles_fts.rowid as fts_key, {BM25} + coalesce(added.added, 0) as score from articles_fts
  left join added on added.fts_key = articles_fts.rowid
  where articles_fts match nai_match(:q) and articles_fts.rowid >= (select min(rowid) from candidates)
  order by score, articles_fts.rowid desc limit {SEARCH_LIMIT}
)
select a.id, a.headline, a.published, a.section, au.name as author, a.read_count, round(r.score, 4) as rank,
  snippet(articles_fts, -1, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_TOKENS}) as snippet, a.url,
  snippet(articles_fts, -1, char({ord(plugin.MARKS[0])}), char({ord(plugin.MARKS[1])}), '…', {SNIPPET_TOKENS}) as marked
from ranked r
join articles_fts on articles_fts.rowid = r.fts_key and articles_fts match nai_match(:q)
join articles a on a.fts_key = r.fts_key
left join authors au on au.id = a.author_id
order by r.score, r.fts_key desc"""


def metadata() -> dict[str, Any]:
    """Titles, descriptions, the search page, facets, default sorts; the crawl's inner tables hidden."""
    return {
        "title": "nai: The North Africa Journal archive",
        "description": "Articles of The North Africa Journal, as nai archived them. Search them ranked, "
        "or browse them by section, author and month.",
        "extra_css_urls": [f"/{STATIC_ROUTE}/nai.css"],
        "databases": {
            DATABASE: {
                "description_html": f'Read-only. <a href="/{DATABASE}/search">Search the archive</a>, ranked as '
                "<code>nai search</code> ranks, or browse the "
                f'<a href="/{DATABASE}/articles">articles</a> by section, author and month.',
                "queries": {
                    "search": {
                        "sql": SEARCH_SQL,
                        "title": "Search the archive",
                        "description": 'Plain words, all of which must match; "quoted words" match as a phrase; '
                        "accents do not matter; a name finds every spelling of it. Best match first (a match in "
                        "the headline weighs ten times one in the body, and every spelling of a name as much as "
                        f"its most common one); the {SEARCH_LIMIT} best are shown. A very common word ranks its "
                        f"{SEARCH_CANDIDATES:,} newest matches.",
                        "hide_sql": True,
                    }
                },
                "tables": {
                    "articles": {
                        "description": "One row per article. Open one for its text, related stories and "
                        "read-count history.",
                        "sort_desc": "published",
                        "label_column": "headline",
                        "facets": ["section", "author_id", {"month": "published"}],
                        "columns": {
                            "published": "ISO 8601, with the site's own offset when the page gives a time",
                            "read_count": "The latest 'Number of times this article was read'",
                            "author_id": "The author (facet: by name)",
                            "fts_key": "The full-text index's key: publication day, then id",
                        },
                    },
                    "authors": {"sort": "name", "description": 'The "Written by" box of the articles.'},
                    "related": {
                        "description": 'The "Most Recent Stories from the Region" block of each article, in '
                        "page order; target_id is the story's article when it is archived."
                    },
                    "read_counts": {
                        "sort_desc": "observed_at",
                        "description": "Every read-count observation of an article, with its time.",
                    },
                    "versions": {
                        "sort_desc": "saved_at",
                        "description": "Earlier headlines, dates and bodies of articles, with when and why "
                        "they were replaced (page: the site changed it; reparse: the parser did).",
                    },
                    "runs": {
                        "sort_desc": "started_at",
                        "description": "Each nai scrape.",
                        "units": {"bytes": "B", "seconds": "s"},
                    },
                    **{name: {"hidden": True} for name in ("raw_pages", "raw_dicts", "urls", "_nai_migrations")},
                },
            }
        },
    }


class ArchiveDatabase(Database):  # type: ignore[misc]  # Datasette has no type hints
    """The archive as Datasette reads it: mode=ro (or immutable, see the module), through a URI that
    quotes the file's name (Datasette's own does not: a `?` or `#` in it would open another file),
    and never a connection that writes."""

    def __init__(self, ds: Datasette, path: str, *, immutable: bool) -> None:
        super().__init__(ds, path=os.path.abspath(path), is_mutable=not immutable)
        self._facets: dict[tuple[str, str], Any] = {}  # (sql, its parameters) -> Datasette's Results
        self._version: int | None = None
        self._watch: sqlite3.Connection | None = None  # a connection of its own for PRAGMA data_version
        self._watch_lock = threading.Lock()

    async def execute(
        self,
        sql: str,
        params: Any = None,
        truncate: bool = False,
        custom_time_limit: int | None = None,
        page_size: int | None = None,
        log_sql_errors: bool = True,
    ) -> Any:
        """Datasette's, but a facet's counts (the queries run with the facet's time limit) are kept
        until the archive changes: an articles page of 1M articles counts them over a million index
        entries each (55 ms a facet), and the archive changes once a night. A commit by any other
        connection, another process's too, changes PRAGMA data_version on this one's own."""
        options = {"truncate": truncate, "page_size": page_size, "log_sql_errors": log_sql_errors}
        if custom_time_limit != self.ds.setting("facet_time_limit_ms"):
            return await super().execute(sql, params, custom_time_limit=custom_time_limit, **options)
        version = self._archive_version()
        if version != self._version:
            self._facets.clear()
            self._version = version
        key = (sql, repr(sorted(params.items()) if isinstance(params, dict) else params))
        if key in self._facets:
            return self._facets[key]
        results = await super().execute(sql, params, custom_time_limit=custom_time_limit, **options)
        if self._archive_version() == version == self._version:  # no commit while it ran: kept
            if len(self._facets) >= FACETS_KEPT:
                self._facets.clear()
            self._facets[key] = results
        return results

    def _archive_version(self) -> int:
        with self._watch_lock:
            if self._watch is None:
                self._watch = sqlite3.connect(
                    uri(self.path, immutable=not self.is_mutable), uri=True, check_same_thread=False
                )
                self._all_file_connections.append(self._watch)  # closed with the others
            return int(self._watch.execute("PRAGMA data_version").fetchone()[0])

    def connect(self, write: bool = False) -> sqlite3.Connection:
        if write:
            raise sqlite3.OperationalError("nai serve writes nothing: the archive is read-only")
        conn = sqlite3.connect(uri(self.path, immutable=not self.is_mutable), uri=True, check_same_thread=False)
        self._all_file_connections.append(conn)
        return conn

    async def execute_fn(self, fn: Any) -> Any:
        """`fn(conn)`, interrupted past Datasette's time limit for a query (sql_time_limit_ms).
        Datasette's own limit is a progress handler, which SQLite calls between the steps of a
        query: a `count(*)` of a whole table is one step (it walks the table's b-tree at once), so a
        table page of 10M related links counted on, whatever the limit. sqlite3_interrupt stops it."""
        limit = self.ds.sql_time_limit_ms / 1000

        def guarded(conn: sqlite3.Connection) -> Any:
            with interrupted_after(conn, limit):
                return fn(conn)

        return await super().execute_fn(guarded)

    async def table_counts(self, limit: int = 10) -> dict[str, int | None]:
        """Each table's rows, or None for one not counted within `limit` ms (the index and database
        pages show "many rows"): Datasette's limit did not stop a count (see execute_fn), and the
        database page of a 1M-article archive counted the full-text index's gigabytes for minutes."""
        names = await self.table_names()

        def count_all(conn: sqlite3.Connection) -> dict[str, int | None]:
            counts: dict[str, int | None] = {}
            for name in names:
                try:
                    with interrupted_after(conn, limit / 1000):
                        counts[name] = conn.execute(f"SELECT count(*) FROM [{name}]").fetchone()[0]
                except sqlite3.OperationalError:  # interrupted, or a table that cannot be read
                    counts[name] = None
            return counts

        counts: dict[str, int | None] = await self.execute_fn(count_all)
        return counts

    @property
    def hash(self) -> None:
        """None: Datasette hashes an immutable file whole (a 3 GB archive kept a first visit of /
        waiting 3 s), for an ETag of the download and a line of /-/databases.json."""
        return None


@contextlib.contextmanager
def interrupted_after(conn: sqlite3.Connection, seconds: float) -> Iterator[None]:
    """sqlite3_interrupt on `conn` if what runs in the block takes longer than `seconds` (from
    another thread: SQLite allows it; a statement ended by then is not touched)."""
    timer = threading.Timer(seconds, conn.interrupt)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def uri(path: str, *, immutable: bool) -> str:
    from pathlib import Path

    return Path(path).resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")


def opens_immutable(path: str) -> bool:
    """Whether the archive must be served immutable: False when mode=ro reads it (the rule), True
    when it cannot and neither the file nor its folder can be written (nothing of ours can change
    it, and a WAL archive's -shm cannot be made). Any other failure to read it is an error."""
    folder = os.path.dirname(os.path.abspath(path))
    for immutable in (False, True):
        try:
            with contextlib.closing(sqlite3.connect(uri(path, immutable=immutable), uri=True)) as conn:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return immutable
        except sqlite3.Error as exc:
            if immutable or os.access(path, os.W_OK) or os.access(folder, os.W_OK):
                from ..store import describe

                raise NaiError(f"{path}: {describe(exc)}") from None
    raise AssertionError("unreachable")


def check_spellings(aliases: str | None = None) -> None:
    """Read the spellings (the user's aliases file and `aliases` too) now: an unreadable file is
    nai's one-line error before serving, as for nai search, not a failure of every search page."""
    plugin.ALIASES = aliases
    plugin.spellings.cache_clear()
    plugin.spellings()


def datasette(path: str, *, immutable: bool = False, allow_download: bool = False) -> Datasette:
    """A Datasette serving the archive at `path` read-only as `archive`, with nai's plugin. Only an
    immutable one can be downloaded whole (/archive.db), and only with `allow_download`."""
    if pm.get_plugin("nai") is None:
        pm.register(plugin, name="nai")
    ds = Datasette(
        metadata=metadata(),
        template_dir=os.path.join(HERE, "templates"),
        static_mounts=[(STATIC_ROUTE, os.path.join(HERE, "static"))],
        settings={
            "truncate_cells_html": 240,
            "suggest_facets": False,
            "allow_download": allow_download,
            "sql_time_limit_ms": SQL_SECONDS * 1000,
        },
    )
    ds.remove_database("_memory")  # Datasette's own when it is given no file
    ds.add_database(ArchiveDatabase(ds, path, immutable=immutable), name=DATABASE)
    return ds


def serve(path: str, listening: Listening, *, immutable: bool = False, log_level: str = "warning") -> None:
    """Serve the archive at `path` on the bound sockets until Ctrl-C or SIGTERM, which end it at
    once when it is idle and after at most GRACEFUL_SECONDS when responses are still going out."""
    import asyncio

    import uvicorn

    ds = datasette(path, immutable=immutable, allow_download=listening.loopback)
    asyncio.run(ds.invoke_startup())
    config = uvicorn.Config(
        ds.app(),
        log_level=log_level,
        log_config=_logs(),
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    try:
        uvicorn.Server(config).run(sockets=listening.sockets)
    except KeyboardInterrupt:
        # uvicorn stops on the signal, then raises it again; nai's handler makes it this: the
        # server's normal end, exit 0.
        pass
    finally:
        for sock in listening.sockets:
            sock.close()


class _Reworded(logging.Filter):
    """uvicorn's lines in nai's words: a stop that had to cut responses short is not an ERROR."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("Cancel %s running task"):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg, record.args = f"stopped: responses still going out after {GRACEFUL_SECONDS} s cut short", ()
        return True


def _logs() -> dict[str, Any]:
    """uvicorn's logging on stderr (nai's stdout carries data only): its own lines as nai's, `nai: …`,
    each request (with -v) as uvicorn writes it."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    for handler in config["handlers"].values():
        handler["stream"] = "ext://sys.stderr"
    config["formatters"]["default"] = {"format": "nai: %(message)s"}
    config["filters"] = {"reworded": {"()": _Reworded}}
    config["handlers"]["default"]["filters"] = ["reworded"]
    return config
