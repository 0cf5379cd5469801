"""Sparklines: a series of numbers as a line of block characters, ▁ for its least to █ for its
most. Pure."""

from __future__ import annotations

from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], width: int = 16) -> str:
    """`values` scaled from their least to their most, at most `width` characters: a longer
    series is cut into `width` stretches, each shown by its last value (a read count only grows,
    so its last is where the stretch ended). A flat series is a flat line of ▁; none is ""."""
    if not values or width < 1:
        return ""
    if len(values) > width:
        values = [values[(i + 1) * len(values) // width - 1] for i in range(width)]
    low, high = min(values), max(values)
    if high == low:
        return BARS[0] * len(values)
    top = len(BARS) - 1
    return "".join(BARS[round((v - low) / (high - low) * top)] for v in values)
