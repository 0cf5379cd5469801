from __future__ import annotations

import pytest

from nai.dates import parse_bound, to_iso


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("4 February 2026", "2026-02-04"),
        ("February 4, 2026", "2026-02-04"),
        ("2026-02-04", "2026-02-04"),
        # a page's local time keeps its offset: 00:41 at +01:00 is still 4 February
        ("2026-02-04T00:41:00+01:00", "2026-02-04T00:41:00+01:00"),
        ("2026-02-03T23:41:00Z", "2026-02-03T23:41:00+00:00"),
        ("Posted", None),
        ("86", None),
        ("", None),
        (None, None),
        ("31 February 2026", None),
        ("4 February 1066", None),
    ],
)
def test_to_iso(text: str | None, iso: str | None) -> None:
    assert to_iso(text) == iso


@pytest.mark.parametrize(
    ("text", "since", "until"),
    [
        ("2026", "2026-01-01", "2026-12-31"),
        ("2026-02", "2026-02-01", "2026-02-28"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("February 2026", "2026-02-01", "2026-02-28"),
        ("4 February 2026", "2026-02-04", "2026-02-04"),
        ("2026-02-04", "2026-02-04", "2026-02-04"),
    ],
)
def test_parse_bound_expands_to_the_period(text: str, since: str, until: str) -> None:
    assert parse_bound(text) == since
    assert parse_bound(text, end=True) == until


@pytest.mark.parametrize("text", ["bogus", "Feb 4", "13/13/2026", "'; DROP TABLE articles; --"])
def test_parse_bound_rejects_non_dates(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a date|no year"):
        parse_bound(text)


@pytest.mark.parametrize("text", ["2026/02/04", "2026.02.04", "20260204", "04/02/2026", "4.2.2026"])
def test_year_first_and_day_first_dates(text: str) -> None:
    assert parse_bound(text) == "2026-02-04"
    assert to_iso(text) == "2026-02-04"
