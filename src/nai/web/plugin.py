"""nai's Datasette plugin, registered by `nai serve` on its own Datasette (not through an entry point,
so that installing nai[web] changes no other Datasette a user runs).

- SQL functions on every connection: nai_match(q), plain words to the FTS5 query `nai search` runs,
  and nai_discounts(q), how `nai search` weighs a name's spellings as one word. Every query string
  of the pages goes through them, so the pages find and rank what `nai search` does.
- The article page (the row page of `articles`): its body as paragraphs, related stories linked to
  their archive pages, the stories that list it, its read-count history.
- A `month` facet type: articles by the month of their publication date (`published__gte/__lt`).
- A template filter, nai_marks: a snippet's marks (MARKS, which no text holds, so a "[word]" in
  an article stays as it is) as <mark> elements.
- The search page's suggestions when nothing matches (nai_suggest), as `nai search` makes them.
- The index's inner view (articles_fts_text, the text as the full-text index reads it) neither
  listed nor served: Datasette hides inner tables by metadata, but not views.
- A write refused: the archive is read-only, so a request other than GET or HEAD is answered 405
  (Datasette 0.65 answers a POST to a canned query or a table with its own 500).
"""

from __future__ import annotations

import functools
import html
import json
import re
import sqlite3
from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args
from markupsafe import Markup

from ..spellings import Spellings
from ..store import browse, ranking
from ..store.schema import FTS_CONTENT
from . import chart as charts

DATABASE = "archive"
#: What a read-only archive answers: the methods that read.
READS = ("GET", "HEAD")
#: A query string that yields no FTS5 query matches nothing, rather than being a syntax error.
MATCH_NOTHING = '""'
#: What the search page's snippets mark matches with: two Unicode noncharacters, for a program's
#: own use and never in text (nai search's [brackets] are in text: "[Haftar]" in an article).
MARKS = ("\ufdd0", "\ufdd1")
MARKED = re.compile(f"{MARKS[0]}([^{MARKS[0]}{MARKS[1]}]*){MARKS[1]}")


#: `nai serve --aliases FILE`: more groups, as `nai search --aliases` adds them (app.check_spellings).
ALIASES: str | None = None


@functools.cache
def spellings() -> Spellings:
    """The groups `nai search` uses: the shipped ones, the user's aliases file and ALIASES, read once."""
    return Spellings.load(ALIASES)


def nai_match(query: str | None) -> str:
    """A query string as the FTS5 query that `nai search` runs for it, every spelling of a name
    included; the pages' only conversion."""
    match = spellings().expand(query or "").match
    return match if match.strip() else MATCH_NOTHING


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    """Every request other than a read is refused with 405 and the methods allowed."""

    def wrap(app: Any) -> Any:
        async def reads_only(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http" or scope["method"] in READS:
                await app(scope, receive, send)
                return
            body = f"405: the archive is read-only; {scope['method']} is not allowed\n".encode()
            headers = [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"allow", ", ".join(READS).encode()),
            ]
            await send({"type": "http.response.start", "status": 405, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        return reads_only

    return wrap


@hookimpl
def permission_allowed(action: str, resource: Any) -> bool | None:
    """No page of the index's inner view; everything else as Datasette decides."""
    if action == "view-table" and isinstance(resource, tuple) and resource[1:] == (FTS_CONTENT,):
        return False
    return None


def nai_discounts(conn: sqlite3.Connection, query: str | None) -> str:
    """The rarer phrases of a query's names and their discounts (nai.store.ranking.discounts), as a
    JSON list of [phrase, discount]: the search page corrects bm25 with them as nai search does.
    Counted on the connection running the page's query (a function may read through its own)."""
    return json.dumps(ranking.discounts(conn, spellings().expand(query or "").terms))


@hookimpl
def prepare_connection(conn: Any) -> None:
    conn.create_function("nai_match", 1, nai_match, deterministic=True)
    conn.create_function("nai_discounts", 1, functools.partial(nai_discounts, conn))


def marks(snippet: str | None) -> Markup:
    """A snippet marked with MARKS as HTML: its text escaped, each marked match in <mark>."""
    escaped = html.escape(snippet or "", quote=False)
    return Markup(MARKED.sub(r"<mark>\1</mark>", escaped).replace(MARKS[0], "").replace(MARKS[1], ""))


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.filters["nai_marks"] = marks


@hookimpl
def extra_template_vars(view_name: str, database: str, table: str, request: Any, datasette: Any) -> Any:
    """The article page's data, for the row page of `articles`; the search page's suggestions."""
    if database != DATABASE or request is None:
        return None
    if view_name == "row" and table == "articles":
        try:
            article_id = int(request.url_vars.get("pks", ""))
        except ValueError:
            return None

        async def page() -> dict[str, Any]:
            db = datasette.get_database(DATABASE)
            data = await db.execute_fn(lambda conn: browse.article_page(conn, article_id))
            return {"nai_article": data, "nai_chart": chart(data["read_counts"]) if data else None}

        return page

    async def suggest(query: str) -> list[str]:
        """What `nai search` suggests when `query` matches nothing: the query with close words."""
        from ..store import search

        groups = spellings()
        expanded = groups.expand(query or "")
        if not expanded.terms:
            return []
        database = datasette.get_database(DATABASE)
        return list(await database.execute_fn(lambda conn: search.suggest(conn, expanded, groups.main)))

    return {"nai_suggest": suggest}


def chart(series: list[tuple[str, int]]) -> Markup | None:
    """A read-count series as an SVG line chart (nai.web.chart); None under two observations."""
    drawn = charts.svg(series)
    return Markup(drawn) if drawn else None


@hookimpl
def register_facet_classes() -> list[type[Facet]]:
    return [MonthFacet]


def next_month(month: str) -> str:
    """The month after a `YYYY-MM` month: "2026-12" -> "2027-01"."""
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + 1:04d}-01" if number >= 12 else f"{year:04d}-{number + 1:02d}"


class MonthFacet(Facet):  # type: ignore[misc]  # Datasette has no type hints
    """Facet by month: `_facet_month=published` or {"month": "published"} in the metadata's facets.
    A value is `2026-02`, taken from the date as the site prints it; choosing one filters on
    `published__gte=2026-02&published__lt=2026-03`, which the index on the date answers (Datasette's
    `published__startswith=2026-02`, a LIKE, reads the whole index: 70 ms a query at 1M articles,
    four a page; it still shows the month chosen). Newest month first."""

    type = "month"

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            month = f"substr({escape_sqlite(column)}, 1, 7)"
            sql = (
                f"select {month} as value, count(*) as count from ({self.sql})"
                f" where {escape_sqlite(column)} glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'"
                f" group by value order by value desc limit {size + 1}"
            )
            try:
                rows = await self.ds.execute(
                    self.database,
                    sql,
                    self.params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:  # a facet too slow is left out, as Datasette's own are
                timed_out.append(column)
                continue
            values = []
            since, until, starts = f"{column}__gte", f"{column}__lt", f"{column}__startswith"
            for row in rows.rows[:size]:
                chosen = {since: row["value"], until: next_month(row["value"])}
                selected = all(args.get(k) == v for k, v in chosen.items()) or args.get(starts) == row["value"]
                path = (
                    path_with_removed_args(self.request, {**chosen, starts: row["value"]})
                    if selected
                    else path_with_added_args(self.request, chosen)
                )
                values.append(
                    {
                        "value": row["value"],
                        "label": row["value"],
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, path),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": column,
                    "type": self.type,
                    "results": values,
                    "hideable": source_and_config["source"] != "metadata",
                    "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet_month": column})),
                    "truncated": len(rows.rows) > size,
                }
            )
        return results, timed_out
