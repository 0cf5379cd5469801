"""The record: frozen dataclasses, and to_record(), the one place its keys live."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The record's keys, in the order `nai export` writes them. A contract: keep stable.
RECORD_KEYS = (
    "id",
    "url",
    "site",
    "headline",
    "published",
    "section",
    "read_count",
    "body",
    "author",
    "related",
)


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    blurb: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {"name": self.name, "blurb": self.blurb}


@dataclass(frozen=True, slots=True)
class Related:
    headline: str
    url: str
    summary: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {"headline": self.headline, "url": self.url, "summary": self.summary}


@dataclass(frozen=True, slots=True)
class Article:
    """One article as parsed from a page. `rules` names the site rules that applied."""

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
