"""The record and what the archive gives back, all immutable. Article.to_record() is the one place
the record's keys live (a contract: keep them stable).

All are NamedTuples, which cost a tenth as much to define as a frozen dataclass: every `nai
search` defines them, and start-up is what it feels (Article as a frozen dataclass, with the
dataclasses module, took 2.5 ms of a search's 55). Article's equality leaves out the fields that
are not part of the record (rules, notes, captured_at). Their annotations are evaluated (no
`from __future__ import annotations`): typing.NamedTuple compiles each one given as a string, 0.6 ms
of the 1.9 ms this module took to import.
"""

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


class Article(NamedTuple):
    """One article as parsed from a page. `rules` names the site rules that applied; `notes` say what
    parsing left out (not part of the record). `article._replace(field=value)` derives another."""

    headline: str
    body: str
    url: str | None = None
    site: str | None = None
    published: str | None = None
    section: str | None = None
    read_count: int | None = None
    author: Author | None = None
    related: tuple[Related, ...] = ()
    rules: str = "generic"  # the fields from here on are not part of the record, nor of equality
    notes: tuple[str, ...] = ()  # what parsing dropped (malformed URLs): for -v
    #: When the page was captured, for a page saved from an archive.org capture (ISO 8601 UTC): when
    #: its read count was seen.
    captured_at: str | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Article):
            return NotImplemented
        return self[:RECORD_FIELDS] == other[:RECORD_FIELDS]

    def __ne__(self, other: object) -> bool:  # tuple has its own, which would compare every field
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self[:RECORD_FIELDS])

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
    def from_record(cls, record: dict[str, Any], *, rules: str = "generic") -> "Article":
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


RECORD_FIELDS = Article._fields.index("rules")  # Article's fields that its equality compares

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
