"""Word-level differences between two states of an article's text (`nai history`). Pure.

Paragraphs are matched first (a body is paragraphs joined by a blank line), then the words of
each changed paragraph. Words are what white space separates, so a change of white space alone
is no change. Rendered with [-deleted-] and {+inserted+} markers, or in colour.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Literal, NamedTuple

Op = Literal["equal", "delete", "insert"]
DELETE_MARKS = ("[-", "-]")
INSERT_MARKS = ("{+", "+}")
COLOURS = {"delete": "\x1b[31m", "insert": "\x1b[32m"}  # red, green
RESET = "\x1b[0m"


class Piece(NamedTuple):
    op: Op
    words: tuple[str, ...]


class Block(NamedTuple):
    """A stretch of the body: `unchanged` paragraphs (elided), or one paragraph's `pieces`."""

    unchanged: int
    pieces: tuple[Piece, ...] = ()


def same_text(old: str | None, new: str | None) -> bool:
    """Equal but for white space."""
    return (old or "").split() == (new or "").split()


def word_diff(old: str, new: str) -> tuple[Piece, ...]:
    """The words of `old` and `new` as runs kept, deleted and inserted, in order."""
    a, b = old.split(), new.split()
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(Piece("equal", tuple(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("delete", tuple(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("insert", tuple(b[j1:j2])))
    return tuple(pieces)


def body_diff(old: str, new: str) -> list[Block]:
    """The changed paragraphs of a body, each as words kept, deleted and inserted; a run of
    unchanged paragraphs (white space aside) as their number. A paragraph replaced by another is
    diffed word by word against it, in order; one added or removed is all inserted or deleted."""
    a = [" ".join(p.split()) for p in old.split("\n\n")] if old.strip() else []
    b = [" ".join(p.split()) for p in new.split("\n\n")] if new.strip() else []
    blocks: list[Block] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            blocks.append(Block(unchanged=i2 - i1))
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for k in range(max(len(olds), len(news))):
            before = olds[k] if k < len(olds) else ""
            after = news[k] if k < len(news) else ""
            blocks.append(Block(0, word_diff(before, after)))
    return blocks


def in_context(pieces: tuple[Piece, ...], words: int) -> tuple[Piece, ...]:
    """The pieces with each run of unchanged words cut to the `words` next to a change, "…" for the rest."""
    out = []
    for i, piece in enumerate(pieces):
        kept = piece.words
        if piece.op == "equal":
            after = kept[:words] if i > 0 else ()  # after the change before it
            before = kept[-words:] if i < len(pieces) - 1 else ()  # before the change after it
            if len(after) + len(before) < len(kept):
                kept = (*after, "…", *before) if after or before else ("…",)
        out.append(Piece(piece.op, kept))
    return tuple(out)


def render(pieces: tuple[Piece, ...], *, colour: bool = False, width: int = 0) -> list[str]:
    """Pieces as lines of text at most `width` visible characters (0: one line), deletions and
    insertions marked [-like this-] and {+like this+}, or in red and green."""
    tokens: list[tuple[str, int]] = []  # (text, visible length)
    for piece in pieces:
        for i, word in enumerate(piece.words):
            if piece.op == "equal":
                tokens.append((word, len(word)))
            elif colour:
                tokens.append((f"{COLOURS[piece.op]}{word}{RESET}", len(word)))
            else:
                opening, closing = DELETE_MARKS if piece.op == "delete" else INSERT_MARKS
                text = (opening if i == 0 else "") + word + (closing if i == len(piece.words) - 1 else "")
                tokens.append((text, len(text)))
    lines: list[str] = []
    line: list[str] = []
    used = 0
    for text, size in tokens:
        if line and width and used + 1 + size > width:
            lines.append(" ".join(line))
            line, used = [], 0
        used += size + (1 if line else 0)
        line.append(text)
    if line:
        lines.append(" ".join(line))
    return lines
