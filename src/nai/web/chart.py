"""The article page's read-count chart: an SVG line, its x the observation's time (a week between two
counts is seven times a day's width), its y the count, labelled with the first and last dates and
the lowest and highest counts. Pure: a series in, SVG text out (no Datasette)."""

from __future__ import annotations

from datetime import datetime
from html import escape

WIDTH, HEIGHT = 460, 132
LEFT, RIGHT, TOP, BOTTOM = 56, 14, 12, 24  # margins: the counts on the left, the dates below
MAX_DOTS = 60  # a dot on each observation up to this many (more would only blur the line)
LINE = "#2a6ebb"
INK = "#555"
RULE = "#ccc"


def svg(series: list[tuple[str, int]]) -> str | None:
    """The chart of (observed_at ISO 8601, count) in time order; None for fewer than two."""
    if len(series) < 2:
        return None
    times = [_moment(at) for at, _ in series]
    counts = [count for _, count in series]
    xs = _positions(times)
    low, high = min(counts), max(counts)
    x0, x1, y0, y1 = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM

    def x(fraction: float) -> float:
        return x0 + fraction * (x1 - x0)

    def y(count: int) -> float:
        if high == low:  # unchanged: one line across the middle, not along the bottom
            return (y0 + y1) / 2
        return y1 - (count - low) / (high - low) * (y1 - y0)

    points = [(x(f), y(c)) for f, c in zip(xs, counts, strict=True)]
    first, last = _dates(series[0][0], series[-1][0])
    if high == low:
        label = f"unchanged: {low:,} reads, {first} to {last}"
        levels = [(y(low), f"{low:,}")]
    else:
        label = f"read count from {counts[0]:,} to {counts[-1]:,} ({low:,} to {high:,}), {first} to {last}"
        levels = [(y(high), f"{high:,}"), (y(low), f"{low:,}")]
    parts = [
        f'<svg class="nai-chart" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(label)}</title>",
    ]
    for level, text in levels:  # a faint rule at the highest and lowest counts, each labelled
        parts.append(
            f'<line x1="{x0}" x2="{x1}" y1="{level:.1f}" y2="{level:.1f}" stroke="{RULE}" stroke-dasharray="3 3"/>'
        )
        parts.append(f'<text x="{x0 - 6}" y="{level + 4:.1f}" text-anchor="end" fill="{INK}">{escape(text)}</text>')
    parts.append(f'<line x1="{x0}" x2="{x1}" y1="{y1 + 4}" y2="{y1 + 4}" stroke="{RULE}"/>')  # the time axis
    parts.append(f'<text x="{x0}" y="{HEIGHT - 6}" fill="{INK}">{escape(first)}</text>')
    parts.append(f'<text x="{x1}" y="{HEIGHT - 6}" text-anchor="end" fill="{INK}">{escape(last)}</text>')
    if high == low:
        parts.append(
            f'<text x="{(x0 + x1) / 2:.1f}" y="{y(low) - 8:.1f}" text-anchor="middle" fill="{INK}">'
            f"unchanged: {low:,}</text>"
        )
    coordinates = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    parts.append(f'<polyline fill="none" stroke="{LINE}" stroke-width="2" points="{coordinates}"/>')
    if len(points) <= MAX_DOTS:
        for (px, py), (at, count) in zip(points, series, strict=True):
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{LINE}">'
                f"<title>{escape(at[:16].replace('T', ' '))}: {count:,}</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _moment(text: str) -> float | None:
    try:
        return datetime.fromisoformat(text).timestamp()
    except (TypeError, ValueError):
        return None


def _positions(times: list[float | None]) -> list[float]:
    """Each observation's place across, 0 to 1: in proportion to its time; evenly when the times
    cannot be read or are all the same."""
    known = [t for t in times if t is not None]
    if len(known) != len(times) or max(known) == min(known):
        return [i / (len(times) - 1) for i in range(len(times))]
    start, span = min(known), max(known) - min(known)
    return [(t - start) / span for t in known]


def _dates(first: str, last: str) -> tuple[str, str]:
    """The first and last observations' dates; with their times when both are on one day."""
    if first[:10] == last[:10]:
        return first[:16].replace("T", " "), last[11:16] or last[:10]
    return first[:10], last[:10]
