"""How Arabic writes a word: the letters it writes more than one way (the alef and its hamza or
madda, the ending ة or ه, ى or ي), the words it joins to the next (و, ل...), and the writings of a
run of words a search looks for, likeliest first. Pure text; nai.spellings makes FTS5 phrases of
them, and uses them to find a group of spellings written another way."""

from __future__ import annotations

import re
from itertools import islice, product

ARABIC_START = re.compile("[\u0621-\u064a\u066e-\u06d3]")
# Arabic writes a conjunction or preposition joined to the word after it: "وحفتر" is "and Haftar",
# "لحفتر" "to Haftar", and one token to the index. A word of Arabic script is looked for with them:
# و and, ف so, ب with, ل to, ك like, and their pairs. ل before the article ال makes لل ("للجزائر").
PROCLITICS = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك")
LAM = tuple(p for p in PROCLITICS if p.endswith("ل"))
# Arabic writes some letters of a word more than one way, and the index holds each as written, as
# it holds "Tripoli" and "Tripolis" apart. A word of Arabic script is looked for in the writings of
# the same word, as the index finds "Saïed" for "Saied": the alef that starts it (or follows the
# article ال) with or without its hamza or madda (اسامة finds أسامة and آسامة, أسامة finds اسامة;
# الامن finds الأمن; الى finds إلى), ة or ه at its end (أسامه, أسامة), and ى written ي (مصطفى
# finds مصطفي; not the other way: علي, Ali, is not على, "on"). A phrase is looked for in
# MAX_WRITINGS writings at most (spelled): as typed, in careful writing, then those that change the
# fewest letters.
ALEFS = "اأإآ"
MAX_WRITINGS = 64


def spelled(words: list[str]) -> list[list[str]]:
    """The writings of a run of words (each word's, writings), the likeliest first, MAX_WRITINGS at
    most: the words as typed; then each word in careful writing (a hamza on its alef, ة for its ه):
    a name typed without them is written with them ("اسامه احمد الامين", "أسامة أحمد الأمين", four
    letters changed); then those that change fewest letters."""
    runs: list[tuple[int, list[str]]] = [(0, [])]
    for word in words:
        runs = sorted(((cost + more, [*run, w]) for cost, run in runs for more, w in _writings(word)), key=_cost)
        runs = runs[:MAX_WRITINGS]
    careful = [list(run) for run in islice(product(*map(_careful, words)), MAX_WRITINGS // 4)]
    found = {tuple(run): run for run in [list(words), *careful, *(run for _, run in runs)]}
    return list(found.values())[:MAX_WRITINGS]


def _careful(word: str) -> list[str]:
    """A word of Arabic script with a hamza on the alef that starts it (or follows the article),
    above or below, and ة for the ه that ends it: how a careful text writes it, if it is that."""
    if len(word) < 2 or not ARABIC_START.match(word):
        return [word]
    at = 2 if word.startswith("ال") and len(word) > 3 else 0
    ending = word[:-1] + "ة" if word.endswith("ه") and len(word) > 2 else word
    if ending[at] != "ا" or (at == 0 and word.startswith("ال")):
        return [ending]
    return [ending[:at] + alef + ending[at + 1 :] for alef in "أإ"]


def _cost(run: tuple[int, object]) -> int:
    return run[0]


def writings(word: str) -> list[str]:
    """The ways Arabic writes a word (see ALEFS), as typed first, then those that change least:
    "اسامه" is also "اسامة", "أسامه", "إسامه"... A word of another script, or of one letter, is
    itself."""
    return [w for _, w in _writings(word)]


def _writings(word: str) -> list[tuple[int, str]]:
    """writings, each with how much it changes the word: a hamza put on or taken off the alef, or
    the other ending, 1; a madda, or a hamza on the alef of a word that starts like the article
    (إلى, إلهام), 2."""
    if len(word) < 2 or not ARABIC_START.match(word):
        return [(0, word)]
    options = [(0, word)]
    for at in (2, 0) if word.startswith("ال") and len(word) > 3 else (0,):
        extra = 1 if at == 2 or not word.startswith("ال") else 2
        if word[at] == "ا":
            options += [(extra + (alef == "آ"), word[:at] + alef + word[at + 1 :]) for alef in ALEFS[1:]]
        elif word[at] in ALEFS[1:]:
            options.append((extra, word[:at] + "ا" + word[at + 1 :]))
    ending = {"ة": "ه", "ه": "ة", "ى": "ي"}.get(word[-1]) if len(word) > 2 else None
    if ending:
        options += [(cost + 1, option[:-1] + ending) for cost, option in options]
    return sorted(options, key=_cost)
