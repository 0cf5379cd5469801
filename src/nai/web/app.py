"""The Datasette that `nai serve` runs: the archive read-only (immutable) as the database `archive`,
whatever its file is called, with nai's plugin, templates, style and metadata."""

from __future__ import annotations

import os
from typing import Any

from datasette.app import Datasette
from datasette.plugins import pm

from ..store.search import BODY_WEIGHT, HEADLINE_WEIGHT, MARK_END, MARK_START, SEARCH_CANDIDATES, SNIPPET_TOKENS
from . import plugin

DATABASE = plugin.DATABASE  # the database's name in Datasette's URLs: /archive/...

HERE = os.path.dirname(os.path.abspath(__file__))
STATIC_ROUTE = "-/nai"
#: Hits the search page shows (a canned query has no pages).
SEARCH_LIMIT = 50

# `nai search` (nai.store.queries.search) in one statement: the newest SEARCH_CANDIDATES matches
# in index order (the index is ordered by publication date), ranked by bm25 with the headline
# weighted above the body; snippets for the hits shown only.
SEARCH_SQL = f"""with candidates as (
  select rowid from articles_fts where articles_fts match nai_match(:q)
  order by rowid desc limit {SEARCH_CANDIDATES}
),
ranked as (
  select rowid as fts_key, bm25(articles_fts, {HEADLINE_WEIGHT}, {BODY_WEIGHT}) as score from articles_fts
  where articles_fts match nai_match(:q) and rowid >= (select min(rowid) from candidates)
  order by score limit {SEARCH_LIMIT}
)
select a.id, a.headline, a.published, a.section, au.name as author, a.read_count, round(r.score, 4) as rank,
  snippet(articles_fts, -1, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_TOKENS}) as snippet, a.url
from ranked r
join articles_fts on articles_fts.rowid = r.fts_key and articles_fts match nai_match(:q)
join articles a on a.fts_key = r.fts_key
left join authors au on au.id = a.author_id
order by r.score"""


def metadata() -> dict[str, Any]:
    """Titles, descriptions, the search page, facets, default sorts; the crawl's inner tables hidden."""
    return {
        "title": "nai: The North Africa Journal archive",
        "description": "Articles of The North Africa Journal, as nai archived them. Search them ranked, "
        "or browse them by section, author and month.",
        "about": "nai",
        "about_url": "https://pypi.org/project/nai/",
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
                        "accents do not matter. Best match first (a match in the headline weighs ten times "
                        f"one in the body); the {SEARCH_LIMIT} best are shown. A very common word ranks its "
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


def datasette(link: str) -> Datasette:
    """A Datasette serving the archive that `link` names, immutable, with nai's plugin. `link` is a
    file named archive.db (the database's name, `archive`, is its stem): see serve()."""
    if pm.get_plugin("nai") is None:
        pm.register(plugin, name="nai")
    return Datasette(
        immutables=[link],
        metadata=metadata(),
        template_dir=os.path.join(HERE, "templates"),
        static_mounts=[(STATIC_ROUTE, os.path.join(HERE, "static"))],
        settings={"truncate_cells_html": 240, "suggest_facets": False},
    )


def serve(path: str, *, host: str, port: int, log_level: str = "warning") -> None:
    """Serve the archive at `path` until Ctrl-C or SIGTERM.

    Datasette names a database after its file and opens it through a URI that it does not quote
    (a `?` or `#` in the name would open another file), so it is given a symlink named
    archive.db, in a temporary folder, to the archive."""
    import asyncio
    import tempfile

    import uvicorn

    with tempfile.TemporaryDirectory(prefix="nai-serve-") as folder:
        link = os.path.join(folder, f"{DATABASE}.db")
        os.symlink(os.path.abspath(path), link)
        ds = datasette(link)
        asyncio.run(ds.invoke_startup())
        uvicorn.run(ds.app(), host=host, port=port, log_level=log_level, log_config=_logs(), lifespan="on", workers=1)


def _logs() -> dict[str, Any]:
    """uvicorn's logging, its request log on stderr too: nai's stdout carries data only."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    for handler in config["handlers"].values():
        handler["stream"] = "ext://sys.stderr"
    return config
