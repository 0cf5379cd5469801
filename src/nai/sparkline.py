"""Sparklines: a series of numbers as a line of block characters, ▁ for its least to █ for its
most. Pure."""

from __future__ import annotations

from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], width: int = 16) -> str:
    """`values` scaled from their least to their most, at most `width` characters: a longer
    series is its first value (where trending's growth counts from), then the rest cut into
    `width - 1` stretches, each shown by its last value (a read count only grows, so its last is
    where the stretch ended). A flat series is a flat line of ▁; none is ""."""
    if not values or width < 1:
        return ""
    if len(values) > width == 1:
        values = values[-1:]
    elif len(values) > width:
        rest, stretches = values[1:], width - 1
        values = [values[0], *(rest[(i + 1) * len(rest) // stretches - 1] for i in range(stretches))]
    low, high = min(values), max(values)
    if high == low:
        return BARS[0] * len(values)
    top = len(BARS) - 1
    return "".join(BARS[round((v - low) / (high - low) * top)] for v in values)
