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


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-04T00:41:00+01:00",
        "2026-02-03T23:41:00Z",
        "2026-02-04T00:41:00.5+01:00",
        "2026-02-04T00:41:00.123456-05:30",
        "2026-02-04T00:41:00,25Z",
        "2026-02-04T00:41",
        "2026-02-04 00:41:07",
        "2026-02-04T00:41:00+0100",
        "2026-02-04T24:00",
        "2026-02-04T9:41",
        "2026-02-04T00:41:00+01",
        "2026-02-04T00:41:00 +01:00",
        "2026-02-04T00:41:00junk",
    ],
)
def test_iso_datetimes_read_as_dateutil_reads_them(text: str) -> None:
    """The standard library reads the forms it knows (dateutil costs 11 ms to import): what dateutil's
    isoparse reads comes out as it reads it; of what it refuses, the standard library reads a time
    with a space before its offset, and refuses the rest."""
    from datetime import datetime

    from dateutil.parser import isoparse

    text_t = text.replace(" ", "T", 1)
    try:
        expected: str | None = isoparse(text_t).isoformat()
    except ValueError:
        expected = datetime.fromisoformat(text_t).isoformat() if text.endswith(" +01:00") else None
    assert to_iso(text) == expected


def test_a_page_with_iso_dates_is_read_without_dateutil() -> None:
    import subprocess
    import sys
    from pathlib import Path

    page = Path(__file__).parent.parent / "fixtures" / "naj-libya-classic.html"
    assert b'published_time" content="2026-02-04T00:41:00+01:00"' in page.read_bytes()
    code = (
        "import sys; from nai.parse import parse_page; "
        f"a = parse_page(open({str(page)!r}, 'rb').read()); print(a.published, 'dateutil' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0].startswith("2026-02-0") and out[1] == "False"
