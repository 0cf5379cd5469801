"""How often the site-rule fields are filled: the night a site changes its layout, they fall.

After each scrape, the fields of the pages it stored ("tonight": each article fetched with a 200,
parsed and saved as new, updated, unchanged or refreshed; a 304 parses nothing and is not one)
are compared, site by site, with the same fields over the articles of that site stored before
the run: `articles.first_seen` in the BEFORE_DAYS before the run's start, whatever their
publication dates, so a first backfill counts. The earlier side is read when the run starts,
before it writes anything: an article fetched again tonight counts with its earlier record
there and with its new record tonight.

A field filled on at least 90% of the earlier articles and on fewer than half of at least
MIN_PAGES pages tonight is an alarm. The run row keeps the comparison (runs.fields, JSON), so
`nai stats` shows exactly what the scrape saw.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..model import Article

#: The site-rule fields compared, in the order they are shown.
FIELDS = ("published", "read_count", "section", "related", "author", "body")
#: How a field is named in the alarm and in `nai stats`, where its key alone would not say it.
LABELS = {"body": "body of 3+ paragraphs"}
MIN_PARAGRAPHS = 3  # "body" is filled by a body of at least this many paragraphs (split on blank lines)
BEFORE_DAYS = 90  # the earlier articles: stored in this many days before the run
MIN_PAGES = 5  # fewer pages tonight say nothing
WAS_PERCENT = 90  # filled on at least this share of the earlier articles ...
NOW_BELOW_PERCENT = 50  # ... and on less than this share of tonight's pages: an alarm

# The same tests as filled(), on the archive's rows. A body of n paragraphs holds n - 1 blank
# lines ("\n\n"), counted the way str.split counts them (non-overlapping, left to right).
_FILLED_SQL = {
    "published": "published IS NOT NULL AND published != ''",
    "read_count": "read_count IS NOT NULL",
    "section": "section IS NOT NULL AND section != ''",
    "related": "EXISTS (SELECT 1 FROM related r WHERE r.article_id = a.id)",
    "author": "author_id IS NOT NULL",
    "body": f"length(body) - length(replace(body, char(10) || char(10), '')) >= {2 * (MIN_PARAGRAPHS - 1)}",
}


def filled(article: Article) -> frozenset[str]:
    """The fields this record has."""
    present = {
        "published": bool(article.published),
        "read_count": article.read_count is not None,
        "section": bool(article.section),
        "related": bool(article.related),
        "author": article.author is not None,
        "body": len(article.paragraphs) >= MIN_PARAGRAPHS,
    }
    return frozenset(name for name, ok in present.items() if ok)


@dataclass
class Sample:
    """Some pages of one site, and how many of them have each field."""

    pages: int = 0
    filled: Counter[str] = field(default_factory=Counter)


class Tally:
    """Tonight's pages, by site. An article saved twice in a run counts once, as last saved."""

    def __init__(self) -> None:
        self._pages: dict[int, tuple[str, frozenset[str]]] = {}

    def add(self, article_id: int, article: Article, *, site: str) -> None:
        self._pages[article_id] = (article.site or site, filled(article))

    def samples(self) -> dict[str, Sample]:
        samples: dict[str, Sample] = {}
        for site, present in self._pages.values():
            sample = samples.setdefault(site, Sample())
            sample.pages += 1
            sample.filled.update(present)
        return samples


def stored_before(conn: sqlite3.Connection, started_at: str, *, days: int = BEFORE_DAYS) -> dict[str, Sample]:
    """The articles of each site first stored in the `days` before `started_at` (an ISO time), as they are now:
    call it before the run writes anything."""
    since = (datetime.fromisoformat(started_at) - timedelta(days=days)).isoformat(timespec="microseconds")
    sums = ", ".join(f"sum({_FILLED_SQL[name]})" for name in FIELDS)
    rows = conn.execute(
        f"""SELECT site, count(*), {sums} FROM articles a
            WHERE first_seen >= ? AND first_seen < ? AND site IS NOT NULL GROUP BY site""",
        (since, started_at),
    )
    return {
        site: Sample(pages, Counter({name: int(n or 0) for name, n in zip(FIELDS, counts, strict=True)}))
        for site, pages, *counts in rows
    }


@dataclass(frozen=True, slots=True)
class FieldFill:
    """One field of one site: on how many of tonight's pages it was filled, and of the earlier articles."""

    site: str
    field: str
    filled: int
    pages: int
    filled_before: int
    pages_before: int

    @property
    def label(self) -> str:
        return LABELS.get(self.field, self.field)

    @property
    def alarm(self) -> bool:
        """Filled on 90% or more of the earlier articles, and below 50% on at least 5 pages tonight."""
        return (
            self.pages >= MIN_PAGES
            and self.pages_before > 0
            and 100 * self.filled_before >= WAS_PERCENT * self.pages_before
            and 100 * self.filled < NOW_BELOW_PERCENT * self.pages
        )

    def to_record(self) -> dict[str, Any]:
        """As `nai stats --format json` gives it: the counts, the rates (None without pages), the alarm."""
        return {
            **dataclasses.asdict(self),
            "label": self.label,
            "rate": round(self.filled / self.pages, 3) if self.pages else None,
            "rate_before": round(self.filled_before / self.pages_before, 3) if self.pages_before else None,
            "alarm": self.alarm,
        }

    def to_json(self) -> dict[str, Any]:
        """As the run row keeps it: the counts only (the thresholds are the code's)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FieldFill:
        return cls(**{f.name: data[f.name] for f in dataclasses.fields(cls)})


def compare(tonight: dict[str, Sample], before: dict[str, Sample]) -> tuple[FieldFill, ...]:
    """Every field of every site that had pages tonight, sites in name order, fields in FIELDS order."""
    return tuple(
        FieldFill(
            site=site,
            field=name,
            filled=sample.filled[name],
            pages=sample.pages,
            filled_before=before.get(site, Sample()).filled[name],
            pages_before=before.get(site, Sample()).pages,
        )
        for site, sample in sorted(tonight.items())
        for name in FIELDS
    )


def alarms(fields: Iterable[FieldFill]) -> list[FieldFill]:
    return [f for f in fields if f.alarm]
