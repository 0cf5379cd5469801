"""Rendering: records, hits and stats to table, json, jsonl, csv or text. Pure: a stream in, text out."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from .model import RECORD_KEYS, Hit, Stored, Trend

if TYPE_CHECKING:
    from .spellings import Expanded

SEARCH_KEYS = (*RECORD_KEYS, "rank", "snippet", "matched")


def _json(value: Any) -> str:
    import json  # here: a table needs none (1.5 ms of a search's start)

    return json.dumps(value, ensure_ascii=False)


def write_json(records: Iterable[dict[str, Any]], stream: TextIO) -> None:
    """A JSON array, written record by record (nothing buffered)."""
    stream.write("[")
    for i, record in enumerate(records):
        stream.write(",\n" if i else "\n")
        stream.write(_json(record))
    stream.write("\n]\n")


def write_jsonl(records: Iterable[dict[str, Any]], stream: TextIO) -> None:
    for record in records:
        stream.write(_json(record) + "\n")


def write_csv(records: Iterable[dict[str, Any]], stream: TextIO, keys: tuple[str, ...] = RECORD_KEYS) -> None:
    """One row per record; author and related as JSON text."""
    import csv

    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(keys)
    for record in records:
        writer.writerow(_csv_cell(record.get(k)) for k in keys)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return _json(value)
    return "" if value is None else value


def write_records(records: Iterable[dict[str, Any]], fmt: str, stream: TextIO) -> None:
    if fmt == "json":
        write_json(records, stream)
    elif fmt == "jsonl":
        write_jsonl(records, stream)
    elif fmt == "csv":
        write_csv(records, stream)
    else:
        raise ValueError(f"unknown format {fmt!r}")


def write_hits(
    hits: list[Hit], fmt: str, stream: TextIO, *, width: int = 100, expanded: Expanded | None = None
) -> None:
    records = [hit.to_record() for hit in hits]
    if fmt == "json":
        write_json(records, stream)
    elif fmt == "jsonl":
        write_jsonl(records, stream)
    elif fmt == "csv":
        write_csv(records, stream, SEARCH_KEYS)
    else:
        stream.write(hits_table(hits, width=width, expanded=expanded))


def hits_table(hits: list[Hit], *, width: int = 100, expanded: Expanded | None = None) -> str:
    """id, date and headline on one line, the marked snippet indented below, and which spellings
    matched when the query did not type them (`expanded`: the query's spellings)."""
    lines = []
    for hit in hits:
        article = hit.stored.article
        date = (article.published or "")[:10] or "-"
        lines.append(_cut(f"{hit.stored.id:>6}  {date:<10}  {article.headline}", width))
        for line in textwrap.wrap(" ".join(hit.snippet.split()), width=max(width - 8, 20))[:3]:
            lines.append(" " * 8 + line)
        others = expanded.not_typed(list(hit.matched)) if expanded else []
        if others:
            lines.append(_cut(" " * 8 + "matched: " + ", ".join(others), width))
    return "\n".join(lines) + ("\n" if lines else "")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def article_text(
    stored: Stored, history: list[tuple[str, int]], *, removed: tuple[str, int] | None = None, width: int = 88
) -> str:
    """An article to read in a terminal: metadata, body, related stories, read-count history."""
    a = stored.article
    wrap = textwrap.TextWrapper(width=width)
    out = [a.headline, "=" * min(len(a.headline), width), ""]
    meta = [
        ("Published", a.published),
        ("Section", a.section),
        ("Author", a.author.name if a.author else None),
        ("Read count", f"{a.read_count:,}" if a.read_count is not None else None),
        ("URL", a.url),
        ("Archive id", f"{stored.id} (first seen {stored.first_seen[:10]})"),
        ("Removed", f"{removed[0][:10]} (the site answered HTTP {removed[1]})" if removed else None),
    ]
    out += [f"{label + ':':<12}{value}" for label, value in meta if value]
    out.append("")
    for paragraph in a.paragraphs:
        out += [*wrap.wrap(paragraph), ""]
    if a.related:
        out += ["Most Recent Stories from the Region", "-" * 35]
        for story in a.related:
            out += textwrap.wrap(story.headline, width, initial_indent="* ", subsequent_indent="  ")
            out.append(f"  {story.url}")
            if story.summary:
                out += textwrap.wrap(story.summary, width, initial_indent="  ", subsequent_indent="  ")
            out.append("")
    if a.author and a.author.blurb:
        out += [f"Written by {a.author.name}", *wrap.wrap(a.author.blurb), ""]
    if history:
        out += ["Read-count history", "-" * 18]
        out += [_observed(run) for run in _runs(history)]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _runs(history: Sequence[tuple[str, int]]) -> list[list[tuple[str, int]]]:
    """The observations, consecutive ones of the same count together."""
    runs: list[list[tuple[str, int]]] = []
    for when, count in history:
        if runs and runs[-1][-1][1] == count:
            runs[-1].append((when, count))
        else:
            runs.append([(when, count)])
    return runs


def _observed(run: list[tuple[str, int]]) -> str:
    """'  2026-02-06 06:00       140', and when it was seen again unchanged: how often, until when."""
    first, count = run[0]
    line = f"  {first[:16].replace('T', ' ')}  {count:>8,}"
    if len(run) > 1:
        line += f"  (seen {len(run)} times, to {run[-1][0][:16].replace('T', ' ')})"
    return line


def _size(n: float) -> str:
    if n < 1024:
        return f"{n:,.0f} bytes"
    for unit in ("KB", "MB"):
        n /= 1024
        if n < 1024:
            return f"{n:,.1f} {unit}"
    return f"{n / 1024:,.1f} GB"


def stats_text(stats: dict[str, Any]) -> str:
    out = [
        f"articles        {stats['articles']:,}",
        f"published       {stats['first_published'] or '-'} to {stats['last_published'] or '-'}",
        f"archive file    {_size(stats['file_bytes'])} (raw pages {_size(stats['raw_page_bytes'])} compressed)",
        "",
        "fields filled (a drop shows a layout change)",
    ]
    out += [f"  {name:<12}{rate * 100:6.1f}%" for name, rate in stats["fill"].items()]
    out += ["", "sites"]
    out += [f"  {s['site']:<30}{s['articles']:>8,}" for s in stats["sites"]]
    out += ["", "articles per month"]
    top = max((m["articles"] for m in stats["per_month"]), default=0)
    for m in stats["per_month"]:
        bar = "#" * max(1, round(30 * m["articles"] / top)) if top else ""
        out.append(f"  {m['month']:<8}{m['articles']:>7,}  {bar}")
    out += ["", "tables"]
    out += [f"  {name:<12}{n:>8,}" for name, n in stats["tables"].items()]
    if stats.get("removed"):
        out += ["", f"removed by the site  {stats['removed']:,} (kept here)"]
    if stats.get("last_run_fill"):
        out += _fill_lines(stats["last_run_fill"])
    if stats.get("last_runs"):
        out += ["", "last scrapes"]
        for run in stats["last_runs"]:
            counts = ", ".join(f"{run[k]} {k}" for k in ("new", "updated", "refreshed", "removed", "failed") if run[k])
            out.append(
                f"  {run['started_at'][:16].replace('T', ' ')}  {counts or 'nothing new'};"
                f" {run['requests']:,} requests, {_size(run['bytes'])}, {run['seconds']:.0f} s"
            )
    return "\n".join(out) + "\n"


LAYOUT_HINT = "the layout may have changed"


def layout_alarm(fill: dict[str, Any]) -> str:
    """The line `nai scrape` prints on stderr for a field that fell (a record of nai.store.fill.FieldFill)."""
    return (
        f"nai: {fill['site']}: {fill['label']} found on {fill['filled']} of {fill['pages']} pages tonight"
        f" ({_percent(fill['filled_before'], fill['pages_before'])} before); {LAYOUT_HINT};"
        " raw pages are kept: run nai reparse after upgrading nai"
    )


def _percent(n: int, total: int) -> str:
    """Rounded down, so that 99.6% never reads as all of them."""
    return f"{100 * n // total}%" if total else "-"


def _fill_lines(fill: dict[str, Any]) -> list[str]:
    when = fill["started_at"][:16].replace("T", " ")
    out = ["", f"last scrape's pages ({when}), against the articles stored in the {fill['before_days']} days before"]
    if not fill["fields"]:
        return [*out, "  no article page fetched"]
    site = None
    for f in fill["fields"]:
        if f["site"] != site:
            site = f["site"]
            out.append(f"  {site:<28}{'tonight':>16}{'before':>18}")
        tonight = f"{f['filled']:,}/{f['pages']:,} {_percent(f['filled'], f['pages']):>4}"
        before = f"{f['filled_before']:,}/{f['pages_before']:,} {_percent(f['filled_before'], f['pages_before']):>4}"
        flag = f"  {LAYOUT_HINT}" if f["alarm"] else ""
        out.append(f"    {f['label']:<26}{tonight:>16}{before:>18}{flag}")
    return out


def write_trend(trend: Trend, fmt: str, stream: TextIO, *, width: int = 80) -> None:
    """A trend (nai.store.trends) as JSON, CSV (a period a row, a query a column) or a bar chart."""
    if fmt == "json":
        stream.write(_json(trend.to_record()) + "\n")
    elif fmt == "csv":
        import csv

        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["period", *trend.queries])
        writer.writerows([period, *counts] for period, counts in trend.periods)
    else:
        from .charts import bars

        stream.write(
            bars([p for p, _ in trend.periods], list(trend.queries), [c for _, c in trend.periods], width=width)
        )
