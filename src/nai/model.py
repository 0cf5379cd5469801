"""The record and what the archive gives back, all immutable. Article.to_record() is the one place
the record's keys live (a contract: keep them stable).

Article is a frozen dataclass (two of its fields are not part of its equality, and parsing
derives one from another with dataclasses.replace); the others are NamedTuples, which cost a
fifth as much to define: every `nai search` defines them, and start-up is what it feels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

#: What saving an article did to the archive.
SaveStatus = Literal["new", "updated", "unchanged"]
#: What became of one input of `nai ingest`.
Status = Literal[SaveStatus, "failed"]


class Author(NamedTuple):
    name: str
    blurb: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {"name": self.name, "blurb": self.blurb}


class Related(NamedTuple):
    headline: str
    url: str
    summary: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {"headline": self.headline, "url": self.url, "summary": self.summary}


@dataclass(frozen=True, slots=True)
class Article:
    """One article as parsed from a page. `rules` names the site rules that applied; `notes` say what
    parsing left out (not part of the record)."""

    headline: str
    body: str
    url: str | None = None
    site: str | None = None
    published: str | None = None
    section: str | None = None
    read_count: int | None = None
    author: Author | None = None
    related: tuple[Related, ...] = ()
    rules: str = field(default="generic", compare=False)
    notes: tuple[str, ...] = field(default=(), compare=False)  # what parsing dropped (malformed URLs): for -v
    #: When the page was captured, for a page saved from an archive.org capture (ISO 8601 UTC): when
    #: its read count was seen. Not part of the record.
    captured_at: str | None = field(default=None, compare=False)

    @property
    def paragraphs(self) -> list[str]:
        return self.body.split("\n\n") if self.body else []

    def to_record(self, *, id: int | None = None) -> dict[str, Any]:
        """The record as the contract gives it; `id` comes first when the article is stored."""
        record: dict[str, Any] = {
            "id": id,
            "url": self.url,
            "site": self.site,
            "headline": self.headline,
            "published": self.published,
            "section": self.section,
            "read_count": self.read_count,
            "body": self.body,
            "author": self.author.to_record() if self.author else None,
            "related": [r.to_record() for r in self.related],
        }
        if id is None:
            del record["id"]
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any], *, rules: str = "generic") -> Article:
        author = record.get("author")
        return cls(
            headline=record["headline"],
            body=record["body"],
            url=record.get("url"),
            site=record.get("site"),
            published=record.get("published"),
            section=record.get("section"),
            read_count=record.get("read_count"),
            author=Author(author["name"], author.get("blurb")) if author else None,
            related=tuple(Related(r["headline"], r["url"], r.get("summary")) for r in record.get("related") or ()),
            rules=rules,
        )


#: The record's keys, in the order `nai export` writes them.
RECORD_KEYS = tuple(Article(headline="", body="").to_record(id=0))


class Saved(NamedTuple):
    id: int
    status: SaveStatus


class Stored(NamedTuple):
    """An article as the archive holds it."""

    id: int
    article: Article
    first_seen: str
    fts_key: int | None = None

    def to_record(self) -> dict[str, Any]:
        return self.article.to_record(id=self.id)


class Hit(NamedTuple):
    """A search result: the article, its bm25 score (lower is better), a marked snippet, and the
    spellings of the query's words and phrases that the article holds."""

    stored: Stored
    rank: float
    snippet: str
    matched: tuple[str, ...] = ()

    def to_record(self) -> dict[str, Any]:
        return {**self.stored.to_record(), "rank": self.rank, "snippet": self.snippet, "matched": list(self.matched)}


class Trend(NamedTuple):
    """Articles matching each query per period (nai.store.trends): `periods` in order, from the
    first match of any query to the last, each with one count per query (in the order of
    `queries`), zeros included."""

    by: str
    queries: tuple[str, ...]
    periods: list[tuple[str, tuple[int, ...]]]

    def to_record(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "queries": list(self.queries),
            "periods": [
                {"period": period, "counts": dict(zip(self.queries, counts, strict=True))}
                for period, counts in self.periods
            ],
        }


class Reparsed(NamedTuple):
    """What `nai reparse` did: articles read, changed, and those that failed with why."""

    total: int
    changed: int
    failed: list[tuple[int, str]]
