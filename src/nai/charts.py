"""Charts as text for a terminal: horizontal bars, one row a period, several series side by side.
Pure: numbers in, text out."""

from __future__ import annotations

EIGHTHS = " ▏▎▍▌▋▊▉"  # a bar's last cell, in eighths of a cell
FULL = "█"


def bar(value: float, top: float, cells: int) -> str:
    """A bar of `value` out of `top` in at most `cells` cells, in eighths of a cell; a value above
    zero always shows (at least an eighth)."""
    if value <= 0 or top <= 0 or cells <= 0:
        return ""
    eighths = max(1, round(value / top * cells * 8))
    return FULL * (eighths // 8) + EIGHTHS[eighths % 8].strip()


def bars(labels: list[str], names: list[str], rows: list[tuple[int, ...]], *, width: int = 80) -> str:
    """One line a label, each series a column of its own (its bar, then its count beside it), every
    bar on one scale (the largest count fills its column), a header naming the series."""
    if not labels:
        return ""
    label_width = max(len(label) for label in [*labels, "period"])
    top = max((n for row in rows for n in row), default=0)
    count_width = len(f"{top:,}")
    column = max((width - label_width) // max(len(names), 1), count_width + 6)
    cells = column - count_width - 3  # a space before the bar, one between bar and count, one after
    header = "period".ljust(label_width) + "".join(" " + _cut(name, column - 1).ljust(column - 1) for name in names)
    lines = [header.rstrip()]
    for label, row in zip(labels, rows, strict=True):
        line = label.ljust(label_width)
        for n in row:
            drawn = bar(n, top, cells)
            line += " " + f"{drawn} {n:,}".lstrip().ljust(column - 1) if drawn else " " + f"{n:,}".ljust(column - 1)
        lines.append(line.rstrip())
    return "\n".join(lines) + "\n"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
