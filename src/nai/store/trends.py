"""How many articles match a query in each month, ISO week or year: the periods come from the
full-text index's rowids alone (keys.fts_key: the publication day in the high bits), so a count
never reads the articles table."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from ..model import Trend
from ..spellings import Expanded
from .keys import FTS_EPOCH, ID_SPAN, fts_range
from .queries import fts_guard

BY = ("month", "week", "year")


def period(day: date, by: str) -> str:
    """2026-02 (month), 2026-W06 (ISO week), 2026 (year)."""
    if by == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return f"{day.year:04d}"


def _every(first: date, last: date, by: str) -> list[str]:
    """Every period from the one holding `first` to the one holding `last`."""
    if by == "week":
        monday = first - timedelta(days=first.weekday())
        return [period(monday + timedelta(weeks=n), by) for n in range((last - monday).days // 7 + 1)]
    if by == "year":
        return [f"{year:04d}" for year in range(first.year, last.year + 1)]
    months = (last.year - first.year) * 12 + last.month - first.month
    return [
        f"{first.year + (first.month - 1 + n) // 12:04d}-{(first.month - 1 + n) % 12 + 1:02d}"
        for n in range(months + 1)
    ]


def days(conn: sqlite3.Connection, match: str, *, since: str | None = None, until: str | None = None) -> dict[int, int]:
    """Articles matching `match` (FTS5) per publication day (days since keys.FTS_EPOCH); undated
    articles are left out."""
    low, high = fts_range(since, until)
    with fts_guard(conn, match, fts_syntax=False):
        rows = conn.execute(
            "SELECT rowid >> 32 AS day, count(*) FROM articles_fts WHERE articles_fts MATCH ?"
            " AND rowid BETWEEN ? AND ? GROUP BY day",
            (match, max(low, ID_SPAN), high),
        ).fetchall()
    return dict(rows)


def trend(
    conn: sqlite3.Connection,
    queries: list[tuple[str, Expanded]],
    *,
    by: str = "month",
    since: str | None = None,
    until: str | None = None,
) -> Trend:
    """Each query's matching articles per period (`by`: month, week or year), spellings as expanded."""
    if by not in BY:
        raise ValueError(f"unknown period {by!r}")
    counts: list[dict[str, int]] = []
    first: int | None = None
    last: int | None = None
    for _, expanded in queries:
        per_day = days(conn, expanded.match, since=since, until=until) if expanded.match else {}
        per_period: dict[str, int] = {}
        for day, n in per_day.items():
            key = period(FTS_EPOCH + timedelta(days=day), by)
            per_period[key] = per_period.get(key, 0) + n
        counts.append(per_period)
        if per_day:
            first = min(per_day) if first is None else min(first, min(per_day))
            last = max(per_day) if last is None else max(last, max(per_day))
    names = tuple(name for name, _ in queries)
    if first is None or last is None:
        return Trend(by, names, [])
    periods = _every(FTS_EPOCH + timedelta(days=first), FTS_EPOCH + timedelta(days=last), by)
    return Trend(by, names, [(p, tuple(c.get(p, 0) for c in counts)) for p in periods])
