"""Dates: the only module that uses dateutil (imported when a date needs it: `nai search --since
2026-02` does not). Text in, ISO 8601 text out."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

# "2026-02-04", "2026-02-04T00:41:00+01:00", "2026-02-04 00:41", "2026-02-03T23:41:00Z"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}")
ISO_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")  # "2026", "2026-02", "2026-02-04"
YEAR_FIRST = re.compile(r"^\d{4}(?:\D|\d{4}$)")  # "2026/02/04", "2026.02.04", "20260204"
# "4 February 2026"
DAY_MONTH_YEAR = re.compile(r"^(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]+)\s+(?P<year>\d{4})$")
# "February 2026"
MONTH_YEAR = re.compile(r"^(?P<month>[A-Za-z]+)\s+(?P<year>\d{4})$")
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december")  # fmt: skip
MONTHS = {name: n for n, name in enumerate(MONTH_NAMES, 1)}
MIN_YEAR, MAX_YEAR = 1900, 2100

# Two far-apart defaults: a field that comes out different under each was not in the text.
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 12, 28)


def to_iso(text: str | None) -> str | None:
    """A page's date text as ISO 8601, or None when it is not a date.

    A full datetime keeps its time and offset exactly as given (never converted to UTC);
    a date without a time, or a date in words ("4 February 2026"), gives "2026-02-04".
    """
    if not text:
        return None
    text = text.strip()
    try:
        if ISO_DATE.match(text):
            return _checked(date.fromisoformat(text).isoformat(), text[:4])
        if ISO_DATETIME.match(text):
            return _checked(_iso_datetime(text.replace(" ", "T", 1)).isoformat(), text[:4])
        return _words_to_date(text)
    except (ValueError, OverflowError):
        return None


def _iso_datetime(text: str) -> datetime:
    """datetime.fromisoformat for what it reads (every form the pages write, on Python 3.11), then
    dateutil's isoparse for what it does not; importing dateutil costs a command 11 ms."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        from dateutil.parser import isoparse

        return isoparse(text)


def _checked(iso: str, year: str) -> str | None:
    return iso if MIN_YEAR <= int(year) <= MAX_YEAR else None


def _words_to_date(text: str) -> str | None:
    """'4 February 2026', 'February 4, 2026', '04/02/2026' -> '2026-02-04' (day, month, year all needed)."""
    if len(text) > 60:
        return None
    plain = DAY_MONTH_YEAR.match(text)  # the site's own form, read without dateutil (it is slow)
    if plain and plain.group(2).lower() in MONTHS:
        day, month, year = int(plain.group(1)), MONTHS[plain.group(2).lower()], int(plain.group(3))
        try:
            return _checked(date(year, month, day).isoformat(), str(year))
        except ValueError:
            return None
    a, b = _parse_twice(text)
    if (a.year, a.month, a.day) != (b.year, b.month, b.day):
        return None
    return _checked(a.date().isoformat(), str(a.year))


def _parse_twice(text: str) -> tuple[datetime, datetime]:
    """Parse under two defaults; a field that differs was not in the text.

    A year written first ("2026/02/04", "20260204") is year-month-day; otherwise a day comes
    before the month ("04/02/2026" is 4 February), as the site and its readers write dates.
    """
    from dateutil.parser import parse

    year_first = bool(YEAR_FIRST.match(text))
    return (
        parse(text, default=_DEFAULT_A, dayfirst=not year_first, yearfirst=year_first),
        parse(text, default=_DEFAULT_B, dayfirst=not year_first, yearfirst=year_first),
    )


def parse_bound(text: str, *, end: bool = False) -> str:
    """A --since/--until value as an ISO date, expanded to its whole period.

    '2026' is the year, '2026-02' or 'February 2026' the month, '4 February 2026' the day:
    with end=False the first day of that period, with end=True the last.
    Raises ValueError with a message for the user when the text is not such a date.
    """
    text = text.strip()
    iso = ISO_PARTIAL.match(text)
    if iso:  # 2026, 2026-02, 2026-02-04: year first, whatever dayfirst says
        year, month, day = (int(g) if g else None for g in iso.groups())
        try:
            if month is None:
                first, last = date(year or 0, 1, 1), date(year or 0, 12, 31)
            elif day is None:
                first = date(year or 0, month, 1)
                last = _month_end(year or 0, month)
            else:
                first = last = date(year or 0, month, day)
        except ValueError:
            raise ValueError(f"{text!r} is not a date (try 2026-02-04, 2026-02 or 2026)") from None
        return (last if end else first).isoformat()
    named = DAY_MONTH_YEAR.match(text) or MONTH_YEAR.match(text)  # the site's forms, without dateutil
    if named and named.group("month").lower() in MONTHS:
        year, month = int(named.group("year")), MONTHS[named.group("month").lower()]
        try:
            if "day" in named.groupdict():
                return date(year, month, int(named.group("day"))).isoformat()
            return (_month_end(year, month) if end else date(year, month, 1)).isoformat()
        except ValueError:
            raise ValueError(f"{text!r} is not a date (try 2026-02-04, 2026-02 or 2026)") from None
    try:
        a, b = _parse_twice(text)
    except (ValueError, OverflowError):
        raise ValueError(f"{text!r} is not a date (try 2026-02-04, 2026-02 or 2026)") from None
    if a.year != b.year:
        raise ValueError(f"{text!r} has no year (try 2026-02-04, 2026-02 or 2026)")
    year = a.year
    if a.month != b.month:  # a year alone
        first, last = date(year, 1, 1), date(year, 12, 31)
    elif a.day != b.day:  # a month
        first = date(year, a.month, 1)
        last = _month_end(year, a.month)
    else:
        first = last = a.date()
    return (last if end else first).isoformat()


def _month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


# "2026-02-05", "2026-02-05T03:17", "2026-02-05 03:17:00", "2026-02-05T03:17:00.5+01:00", "…Z"
MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


def parse_moment(text: str) -> str:
    """A moment given by a user (`nai ingest --observed-at`, `nai trending --at`) as the archive
    writes times: ISO 8601 in UTC ("2026-02-05T02:17:00+00:00"). A date alone is its midnight, and a
    time without an offset is UTC. Raises ValueError for anything else."""
    from datetime import timezone

    text = text.strip()
    if not MOMENT.match(text):
        raise ValueError(
            f"{text!r} is not a date and time: write it as 2026-02-05, 2026-02-05T03:17 or 2026-02-05T03:17:00+01:00"
        )
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date and time: {exc}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    try:
        return when.astimezone(timezone.utc).isoformat()
    except OverflowError:  # 0001-01-01T00:00+01:00 is in year 0 in UTC
        raise ValueError(f"{text!r} is out of range") from None
