"""Rendering for `nai trending`, `nai history` and `nai related`: their results to table, text,
json or csv. Pure: results in, text out (the diffs are nai.textdiff's, the sparklines
nai.sparkline's)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol, TextIO

from .output import write_csv, write_json
from .sparkline import sparkline
from .textdiff import body_diff, in_context, paragraphs, render, same_body, same_text, word_diff

TRENDING_KEYS = ("id", "url", "headline", "published", "read_count", "growth", "series")
SPARK_WIDTH = 16
CONTEXT_WORDS = 8  # unchanged words shown on each side of a change in a paragraph


class Record(Protocol):
    def to_record(self) -> dict[str, Any]: ...


def write_trending(trends: Sequence[Record], fmt: str, stream: TextIO, *, width: int = 100) -> None:
    records = [t.to_record() for t in trends]
    if fmt == "json":
        write_json(records, stream)
    elif fmt == "csv":
        write_csv(records, stream, TRENDING_KEYS)
    else:
        stream.write(trending_table(records, width=width))


def trending_table(records: list[dict[str, Any]], *, width: int = 100) -> str:
    """One article a line: id, growth, read count, date, the series as a sparkline, headline."""
    if not records:
        return ""
    # on a narrow terminal the date goes first, then the read count: the sparkline and some of the
    # headline stay (the headline is cut to the width, and gets at least HEADLINE_MIN of it)
    columns = ["id", "growth", "reads", "published"]
    while columns[2:] and sum(TRENDING_COLUMNS[c][0] + 2 for c in columns) + SPARK_WIDTH + 2 + HEADLINE_MIN > width:
        columns.pop()
    head = "  ".join(f"{c:{TRENDING_COLUMNS[c][1]}{TRENDING_COLUMNS[c][0]}}" for c in columns)
    lines = [f"{head}  {'series':<{SPARK_WIDTH}}  headline"]
    for r in records:
        spark = sparkline([count for _, count in r["series"]], SPARK_WIDTH)
        cells = {
            "id": f"{r['id']:>6}",
            "growth": f"{r['growth']:>+8,}",
            "reads": f"{r['read_count']:>8,}" if r["read_count"] is not None else f"{'-':>8}",
            "published": f"{(r['published'] or '-')[:10]:<10}",
        }
        line = "  ".join(cells[c] for c in columns) + f"  {spark:<{SPARK_WIDTH}}  {r['headline']}"
        lines.append(line if len(line) <= width else line[: width - 1] + "…")
    return "\n".join(lines) + "\n"


# trending's columns before the series: (width, alignment); HEADLINE_MIN, the least room for the headline
TRENDING_COLUMNS = {"id": (6, ">"), "growth": (8, ">"), "reads": (8, ">"), "published": (10, "<")}
HEADLINE_MIN = 12


def history_json(article_id: int, url: str | None, states: Sequence[Record], stream: TextIO) -> None:
    record = {"id": article_id, "url": url, "versions": [s.to_record() for s in states]}
    stream.write(json.dumps(record, ensure_ascii=False) + "\n")


def history_text(
    article_id: int, url: str | None, states: Sequence[Record], *, colour: bool = False, width: int = 88
) -> str:
    """Each state, oldest first, with when it was seen and why it came; the first in full but its
    body, each later one as what changed from the one before: headline and body word by word
    (unchanged paragraphs elided, white space ignored), the date old -> new."""
    records = [s.to_record() for s in states]
    if not records:
        return ""
    count = _plural(len(records), "state")
    out = [records[-1]["headline"], f"{url or '(no URL)'} (id {article_id}), {count}", ""]
    indent = "    "
    for n, state in enumerate(records, 1):
        when = state["seen_at"][:19].replace("T", " ")
        out.append(f"{n}. {when} UTC  {state['reason']}")
        if n == 1:
            out += [f"{indent}headline: {state['headline']}", f"{indent}published: {state['published'] or '-'}"]
            out += [f"{indent}body: {_plural(len(paragraphs(state['body'])), 'paragraph')}", ""]
            continue
        before = records[n - 2]
        changes = []
        if not same_text(before["headline"], state["headline"]):
            lines = render(word_diff(before["headline"], state["headline"]), colour=colour, width=width - 14)
            changes += [f"{indent}headline: {lines[0]}", *(f"{indent}          {line}" for line in lines[1:])]
        if before["published"] != state["published"]:
            changes.append(f"{indent}published: {before['published'] or '-'} -> {state['published'] or '-'}")
        if not same_body(before["body"], state["body"]):
            changes += _body_lines(before["body"], state["body"], colour=colour, width=width, indent=indent)
        out += changes or [f"{indent}(white space only)"]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _body_lines(old: str, new: str, *, colour: bool, width: int, indent: str) -> list[str]:
    out = [f"{indent}body:"]
    for block in body_diff(old, new):
        if block.unchanged:
            out.append(f"{indent}  [… {_plural(block.unchanged, 'unchanged paragraph')} …]")
        else:
            pieces = in_context(block.pieces, CONTEXT_WORDS)
            out += [f"{indent}  {line}" for line in render(pieces, colour=colour, width=width - len(indent) - 2)]
    return out


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def related_json(article_id: int, url: str | None, links: Sequence[Record], back: Sequence[Record]) -> str:
    record = {
        "id": article_id,
        "url": url,
        "links": [link.to_record() for link in links],
        "backlinks": [b.to_record() for b in back],
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def related_text(
    headline: str, article_id: int, links: Sequence[Record], back: Sequence[Record], *, width: int = 88
) -> str:
    """The stories the article lists (in page order) and those that list it, each with its id in
    the archive ("-": not in it) and its URL."""
    out = [headline, f"(id {article_id})", "", f"Lists ({len(links)}, in page order)"]
    for link in (x.to_record() for x in links):
        ident = str(link["id"]) if link["id"] is not None else "-"
        note = "" if link["id"] is not None else "  (not in the archive)"
        out += [_cut(f"  {ident:>6}  {link['headline']}", width - len(note)) + note, f"          {link['url']}"]
    out += ["", f"Listed by ({len(back)})"]
    for b in (x.to_record() for x in back):
        out += [_cut(f"  {b['id']:>6}  {b['headline']}", width), f"          {b['url'] or '(no URL)'}"]
    return "\n".join(out) + "\n"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
