"""Word-level differences between two states of an article's text (`nai history`). Pure.

A body is paragraphs joined by a blank line. Its paragraphs are aligned first: the same
paragraphs (white space aside) are kept and elided; within a run of changed ones, each old
paragraph is paired with the new one it most resembles (or with the new ones it was split into,
or several old ones with the one they were merged into), and only the words of such a pair are
diffed. A paragraph that resembles none is all deleted or all inserted. Words are what white space
separates, so a change of white space alone is no change; a paragraph break added or removed is a
¶ inserted or deleted. Rendered with [-deleted-] and {+inserted+} markers, in colour or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Literal, NamedTuple

Op = Literal["equal", "delete", "insert"]
DELETE_MARKS = ("[-", "-]")
INSERT_MARKS = ("{+", "+}")
COLOURS = {"delete": "\x1b[31m", "insert": "\x1b[32m"}  # red, green
RESET = "\x1b[0m"
#: A paragraph break among a paragraph's words (a word never holds white space); shown as ¶.
BREAK = "\n"
PILCROW = "¶"
#: How alike two paragraphs must be to be diffed word by word rather than deleted and inserted:
#: SequenceMatcher's ratio of their words (twice the words kept over the words of both).
ALIKE = 0.5
MOST_PARTS = 8  # a paragraph split into (or merged from) at most this many

Words = tuple[str, ...]


class Piece(NamedTuple):
    op: Op
    words: Words


class Block(NamedTuple):
    """A stretch of the body: `unchanged` paragraphs (elided), or one paragraph's `pieces` (or a
    paragraph split or merged: their words, with a ¶ where a break was added or removed)."""

    unchanged: int
    pieces: tuple[Piece, ...] = ()


def same_text(old: str | None, new: str | None) -> bool:
    """Equal but for white space."""
    return (old or "").split() == (new or "").split()


def paragraphs(body: str | None) -> list[Words]:
    """A body's paragraphs as their words; a paragraph of white space alone is none."""
    return [words for words in (tuple(p.split()) for p in (body or "").split("\n\n")) if words]


def same_body(old: str | None, new: str | None) -> bool:
    """The same paragraphs of the same words: white space aside, but not a paragraph break."""
    return paragraphs(old) == paragraphs(new)


def word_diff(old: str | Sequence[str], new: str | Sequence[str]) -> tuple[Piece, ...]:
    """The words of `old` and `new` (texts, or their words) as runs kept, deleted and inserted, in order."""
    a = old.split() if isinstance(old, str) else list(old)
    b = new.split() if isinstance(new, str) else list(new)
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
    unchanged paragraphs (white space aside) as their number. See the module's docstring."""
    a, b = paragraphs(old), paragraphs(new)
    blocks: list[Block] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            blocks.append(Block(unchanged=i2 - i1))
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for o1, o2, n1, n2 in align(olds, news):
            blocks.append(Block(0, word_diff(_joined(olds[o1:o2]), _joined(news[n1:n2]))))
    return blocks


# A run of changed paragraphs longer than this (old times new) pairs a paragraph only with those
# near its place, BAND paragraphs each way, scaled: every pair is tried in a run of 50 by 50, but a
# body rewritten whole, 120 paragraphs against 120, tried 14,400 and took 7 s.
BAND_FROM = 2500
BAND = 12


def align(olds: Sequence[Words], news: Sequence[Words]) -> list[tuple[int, int, int, int]]:
    """Changed paragraphs paired in order: (o1, o2, n1, n2), olds[o1:o2] became news[n1:n2],
    one of the two a single paragraph (the same one edited, split or merged), or none (a paragraph
    deleted or inserted). The pairing keeps the most words, among pairs alike enough (ALIKE) whose
    every part is at least half kept: two unrelated paragraphs are never diffed word by word."""
    m, n = len(olds), len(news)
    # best[i][j]: the most words kept pairing olds[:i] with news[:j], and where its last step starts
    best = [[(0, 0, 0)] * (n + 1) for _ in range(m + 1)]
    for i in range(m + 1):
        for j in range(n + 1):
            if not i and not j:
                continue
            choice = (best[i][j - 1][0], i, j - 1) if j else (best[i - 1][j][0], i - 1, j)  # inserted, deleted
            if i and j and best[i - 1][j][0] > choice[0]:
                choice = (best[i - 1][j][0], i - 1, j)
            if m * n > BAND_FROM and abs(i * n - j * m) > BAND * max(m, n):
                continue  # far from the diagonal of a long run: inserted or deleted, not paired
            for p, q, kept in _pairs(olds, news, i, j):
                if best[p][q][0] + kept > choice[0]:
                    choice = (best[p][q][0] + kept, p, q)
            best[i][j] = choice
    steps = []
    i, j = m, n
    while i or j:
        _, p, q = best[i][j]
        steps.append((p, i, q, j))
        i, j = p, q
    return steps[::-1]


def _pairs(olds: Sequence[Words], news: Sequence[Words], i: int, j: int) -> list[tuple[int, int, int]]:
    """The pairs ending with olds[i - 1] and news[j - 1] that are alike enough, as (p, q, words
    kept) for olds[p:i] and news[q:j]: the paragraph edited, split into news or merged from olds."""
    out: list[tuple[int, int, int]] = []
    if not i or not j:
        return out
    for one, many, end, split in ((olds[i - 1], news, j, True), (news[j - 1], olds, i, False)):
        size = 0
        for k in range(1, min(end, MOST_PARTS) + 1):
            size += len(many[end - k])
            if size > 2 * len(one):  # each part at least half kept: no more can be
                break
            if k == 1 and not split:
                continue  # the paragraph edited: tried once
            group = many[end - k : end]
            kept = _kept([one], group) if split else _kept(group, [one])
            if kept is not None:
                out.append((i - 1, j - k, kept) if split else (i - k, j - 1, kept))
    return out


def _kept(olds: Sequence[Words], news: Sequence[Words]) -> int | None:
    """The words kept from olds to news if they are alike enough, each part of a split or merge at
    least half kept; None if not."""
    a, b = _joined(olds), _joined(news)
    if 2 * min(len(a), len(b)) < ALIKE * (len(a) + len(b)):  # too unlike in length (a quick bound)
        return None
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.quick_ratio() < ALIKE:
        return None
    blocks = matcher.get_matching_blocks()
    kept = sum(block.size for block in blocks)  # words: a break is on one side only, never kept
    if 2 * kept < ALIKE * (len(a) + len(b)):
        return None
    for side, parts in ((0, olds), (1, news)):
        start = 0
        for part in parts if len(parts) > 1 else ():
            end = start + len(part)
            inside = sum(max(0, min(end, block[side] + block.size) - max(start, block[side])) for block in blocks)
            if 2 * inside < len(part):
                return None
            start = end + 1  # past the break
    return kept


def _joined(parts: Sequence[Words]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if out:
            out.append(BREAK)
        out.extend(part)
    return out


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
    insertions marked [-like this-] and {+like this+}, in red and green too when `colour`; a
    paragraph break as ¶."""
    tokens: list[tuple[str, int]] = []  # (text, visible length)
    for piece in pieces:
        last = len(piece.words) - 1
        for i, word in enumerate(piece.words):
            text = PILCROW if word == BREAK else word
            if piece.op != "equal":
                opening, closing = DELETE_MARKS if piece.op == "delete" else INSERT_MARKS
                text = (opening if i == 0 else "") + text + (closing if i == last else "")
            size = len(text)
            if colour and piece.op != "equal":
                text = f"{COLOURS[piece.op]}{text}{RESET}"
            tokens.append((text, size))
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
