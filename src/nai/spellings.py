"""Every spelling of a name: groups of spellings (Haftar, Hifter, Heftar, حفتر), and plain queries
expanded to them as FTS5 MATCH expressions. Pure: text in, text out; the data file is read with
open() beside this module (`nai search` start-up is measured: no pathlib, no importlib.resources,
and unicodedata only for a text that the folding table below does not cover).

The groups: `spellings.txt` beside this module, then the user's file ($XDG_CONFIG_HOME/nai/aliases.txt),
then --aliases FILE, one group a line, spellings separated by commas, `#` comments. Two groups that
share a spelling (a user's line naming a shipped spelling) are one group: a user extends a shipped
group by naming one of its spellings. Spellings are compared folded, as the full-text index folds
its words: case, accents, combining marks and punctuation do not matter (Saïed is Saied, Ḥaftar
is Haftar, al-Sarraj is "al Sarraj").

A spelling of several words stands for its words' spellings too: "Saddam Haftar" is also "Saddam
Heftar" because Heftar is Haftar (at most MAX_ALTERNATIVES phrases a term).

A spelling that is also a common word ("Said", the word that reports speech) is never a spelling on
its own: it goes in as part of a longer name ("Kais Said"), so that typing Saied does not find every
article that says "said", and typing "said" expands to nothing.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from itertools import accumulate
from typing import NamedTuple

from .arabic import ARABIC_START, LAM, PROCLITICS, spelled, writings
from .errors import NaiError

DATA_FILE = os.path.join(os.path.dirname(__file__), "spellings.txt")
MAX_QUERY_TERMS = 32  # distinct words or phrases of a query, and words of one phrase (as nai.store.keys)
MAX_ALTERNATIVES = 32  # phrases one word or phrase of a query stands for: its spellings, and their words'
_PARTS = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+")
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")  # what a query puts around a word: "(Haftar)", Haftar*, -Tripoli
# Arabic's short vowels, shadda, sukun, tanwin, the dagger alif and the tatweel that stretches a
# word: a query drops them, as the index does (nai.store.keys.INDEX_MARKS)
_ARABIC_MARKS = re.compile("[\u0640\u064b-\u065f\u0670]")
WRITTEN_KEPT = 10_000  # Arabic words whose writings' presence in the groups' text is remembered
# Folding, as FTS5's `unicode61 remove_diacritics 2` folds the index (which does the real matching):
# lower case, letters without their accents (NFKD, then no combining marks), Arabic short vowels
# dropped; Arabic letters stay as they are (the index holds أ and ا apart). The table holds the
# lower-case Latin letters (U+00C0-U+024F, U+1E00-U+1EFF) that NFKD changes, as it writes them without
# marks (tests/test_search_spellings.py checks it against unicodedata): a text of those, ASCII, Arabic
# letters and common punctuation is folded without unicodedata; any other, with it (a search loads
# nothing it does not need).
_ACCENTED = (
    ("a", "àáâãäåāăąǎǟǡǻȁȃȧḁạảấầẩẫậắằẳẵặ"),
    ("b", "ḃḅḇ"),
    ("c", "çćĉċčḉ"),
    ("d", "ďḋḍḏḑḓ"),
    ("e", "èéêëēĕėęěȅȇȩḕḗḙḛḝẹẻẽếềểễệ"),
    ("f", "ḟ"),
    ("g", "ĝğġģǧǵḡ"),
    ("h", "ĥȟḣḥḧḩḫẖ"),
    ("i", "ìíîïĩīĭįǐȉȋḭḯỉị"),
    ("j", "ĵǰ"),
    ("k", "ķǩḱḳḵ"),
    ("l", "ĺļľḷḹḻḽ"),
    ("m", "ḿṁṃ"),
    ("n", "ñńņňǹṅṇṉṋ"),
    ("o", "òóôõöōŏőơǒǫǭȍȏȫȭȯȱṍṏṑṓọỏốồổỗộớờởỡợ"),
    ("p", "ṕṗ"),
    ("r", "ŕŗřȑȓṙṛṝṟ"),
    ("s", "śŝşšșṡṣṥṧṩẛſ"),
    ("t", "ţťțṫṭṯṱẗ"),
    ("u", "ùúûüũūŭůűųưǔǖǘǚǜȕȗṳṵṷṹṻụủứừửữự"),
    ("v", "ṽṿ"),
    ("w", "ŵẁẃẅẇẉẘ"),
    ("x", "ẋẍ"),
    ("y", "ýÿŷȳẏẙỳỵỷỹ"),
    ("z", "źżžẑẓẕ"),
    ("æ", "ǣǽ"),
    ("ø", "ǿ"),
    ("ʒ", "ǯ"),
)
_LIGATURES = {"ĳ": "ij", "ŀ": "l·", "ŉ": "ʼn", "ǆ": "dz", "ǉ": "lj", "ǌ": "nj", "ǳ": "dz", "ẚ": "aʾ"}
_LATIN = "\u00c0-\u024f\u1e00-\u1eff"  # a letter of these the table does not hold is its own fold
_HARAKAT = "\u064b-\u0652\u0656-\u065f\u0670"  # dropped; U+0653-U+0655 compose with a letter: not here
_FOLD = {
    **{c: base for base, letters in _ACCENTED for c in letters},
    **_LIGATURES,
    **{chr(c): "" for c in (*range(0x64B, 0x653), *range(0x656, 0x660), 0x670)},
}
# Characters a fold leaves as they are and that no normalisation changes: Arabic letters and digits
# (the hamza, madda and their letters compose: U+0653-U+0655 are not here), common punctuation.
_KEPT = "\u0621-\u063a\u0640-\u064a\u0660-\u0669\u066e\u066f\u0671-\u06d3\u060c\u061b\u061f‘’‚“”„–—«»·•"
_FOLDABLE = re.compile(f"[{_LATIN}{_HARAKAT}]")  # a regex finds the few in C
_UNUSUAL = f"[^\\x00-\\x7f{_LATIN}{_HARAKAT}{_KEPT}]"  # compiled for a long text only (0.25 ms)
_USUAL_MARKS = "\u060c\u061b\u061f‘’‚“”„–—«»·•"


def _unusual(text: str) -> bool:
    """Whether `text` holds a character that the table does not cover (_UNUSUAL). A short one (a
    spelling, a query) is read in Python: a search folds a few, and compiling the regex costs more."""
    if len(text) > 100:
        return re.search(_UNUSUAL, text) is not None
    for char in text:
        if char > "\x7f" and char not in _USUAL_MARKS:
            code = ord(char)
            if not (
                0xC0 <= code <= 0x24F
                or 0x1E00 <= code <= 0x1EFF
                or (
                    0x621 <= code <= 0x6D3
                    and not (0x63B <= code <= 0x63F or 0x653 <= code <= 0x655 or 0x66A <= code <= 0x66D)
                )
            ):
                return True
    return False


def fold_text(text: str) -> str:
    """Lower case, unaccented."""
    text = text.lower()
    if text.isascii():
        return text
    if _unusual(text):
        return _fold_unicode(text)
    return _FOLDABLE.sub(_fold_letter, text)


def _fold_letter(found: re.Match[str]) -> str:
    letter = found.group()
    return _FOLD.get(letter, letter)


def _fold_unicode(text: str) -> str:
    """fold_text of any text: NFC (a mark typed apart joins its letter), then each letter but an
    Arabic one as NFKD writes it, without its marks; marks dropped."""
    import unicodedata

    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if "\u0600" <= char <= "\u06ff":
            if unicodedata.category(char) != "Mn":
                out.append(char)
        else:
            out += (c for c in unicodedata.normalize("NFKD", char) if not unicodedata.category(c).startswith("M"))
    return "".join(out).lower()


def normal(text: str) -> str:
    """A query in NFC: "Sai\\u0308ed" (a letter and its mark typed apart) is "Saïed", one word.
    Arabic without its short vowels and other marks (حَفْتَر is حفتر): the full-text index takes a
    mark for a space between letters, and articles write the names without them."""
    if text.isascii():
        return text
    if _ARABIC_MARKS.search(text):
        text = _ARABIC_MARKS.sub("", text)
    if not _unusual(text):
        return text
    import unicodedata

    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """A spelling as nai compares it: its words, lower case, unaccented, one space apart."""
    return " ".join(_WORD.findall(fold_text(text).replace("_", " ")))


def clean(text: str) -> str:
    """A word or phrase typed without what a query puts around it: "(Haftar)", "Haftar*" -> "Haftar"."""
    return _EDGES.sub("", " ".join(text.split())) or text.strip()


def phrase(text: str) -> str:
    """Words as one FTS5 phrase: "Al-Tum" -> '"Al Tum"'. Only letters and digits: never FTS5 syntax.
    A phrase that starts with a word of Arabic script is also looked for with a conjunction or
    preposition joined to that word (PROCLITICS): '("حفتر" OR "وحفتر" OR …)'."""
    quoted = forms(text)
    return quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")"


def forms(text: str) -> list[str]:
    """The FTS5 phrases `phrase` ORs: the words quoted, and for Arabic script each writing of its
    words (writings) with the joined forms of the first."""
    words = _WORD.findall(text.replace("_", " "))[:MAX_QUERY_TERMS]
    if not words or not ARABIC_START.match(words[0]):
        return ['"' + " ".join(words) + '"']
    quoted: list[str] = []
    for first, *others in spelled(words):
        rest = "".join(" " + w for w in others)
        if first.startswith("ال"):  # ل + ال is written لل: "للجزائر", not "لالجزائر"
            joined = [first, *(p + first for p in PROCLITICS if not p.endswith("ل")), *(p + first[1:] for p in LAM)]
        else:
            joined = [first, *(p + first for p in PROCLITICS)]
        quoted += (f'"{w}{rest}"' for w in joined)
    return quoted


class Term(NamedTuple):
    """A word or quoted phrase of a query, as typed, and the spellings it stands for: the one typed
    first, as the groups write it (without the query's punctuation), then the others. `quoted`: typed
    between double quotes."""

    text: str
    spellings: tuple[str, ...]
    quoted: bool = False


class Expanded(NamedTuple):
    """A query expanded: its FTS5 MATCH expression (all terms must match; each term matches any of
    its spellings) and its terms. `match` is empty when the query has no word."""

    match: str
    terms: tuple[Term, ...]

    def match_held(self, held: Callable[[str], bool]) -> str:
        """`match` with only the phrases that `held` says the index holds (a search of a name in
        most articles pays for every phrase of an OR, empty ones too: 17 phrases of Haftar, 7 ms of
        a 17 ms search on 5,000 articles). A term none of whose phrases is held keeps its first,
        so that the query stays valid and matches nothing."""
        return _match(list(self.terms), held)

    def not_typed(self, matched: list[str]) -> list[str]:
        """What a table notes: for each term whose typed spelling is not in `matched` (the spellings
        an article holds), the spellings of it that are."""
        held = {fold(s): s for s in matched}
        notes: list[str] = []
        for term in self.terms:
            if fold(term.text) not in held:
                notes += [held[k] for k in map(fold, term.spellings) if k in held and held[k] not in notes]
        return notes


def _alternatives(spellings: tuple[str, ...]) -> list[str]:
    """The phrases a term is searched with: one per spelling, less those that hold another one
    ("Khalifa Haftar" holds "Haftar": any article with the first has the second)."""
    keys = [fold(s) for s in spellings]
    kept: list[str] = []
    for spelling, key in zip(spellings, keys, strict=True):
        padded = f" {key} "
        if key and not any(other != key and f" {other} " in padded for other in keys if other):
            kept.append(spelling)
    return kept[:MAX_ALTERNATIVES]


def searched(term: Term) -> list[str]:
    """The spellings of a term that its MATCH expression names (those holding no other one)."""
    return _alternatives(term.spellings)


def phrases(term: Term) -> list[str]:
    """The FTS5 phrases a term is searched with, each once: its spellings' (searched), each in its
    forms (an Arabic word joined to "and", written with or without its hamza...)."""
    return [p for p in dict.fromkeys(f for s in _alternatives(term.spellings) for f in forms(s)) if p != '""']


def _match(terms: list[Term], held: Callable[[str], bool] | None = None) -> str:
    parts = []
    for term in terms:
        quoted = phrases(term)
        if held is not None and len(quoted) > 1:
            quoted = [p for p in quoted if held(p)] or quoted[:1]
        if len(quoted) == 1:
            parts.append(quoted[0])
        elif quoted:
            parts.append("(" + " OR ".join(quoted) + ")")
    return " AND ".join(parts)


class Spellings:
    """Groups of spellings, found by any of their spellings folded.

    Lines are parsed when a lookup needs them: a search reads the file but parses only the lines
    that hold its words (and the lines those share a spelling with), so start-up stays cheap."""

    def __init__(self, groups: list[list[str]], *, lines: list[str] | None = None, shipped: int = 0) -> None:
        """`shipped`: how many of `lines` are the shipped file's, folded with the table alone (a test
        checks that it covers them): no search looks for unusual letters in the whole file."""
        self._groups: list[tuple[str, ...]] = []
        self._group: dict[str, int] = {}  # folded spelling -> its group in self._groups
        self._lines = lines or []  # lines not parsed yet, comments cut ("" once parsed)
        ours = _FOLDABLE.sub(_fold_letter, "\n".join(self._lines[:shipped]).lower())
        self._text = "\n".join(f for f in (ours, fold_text("\n".join(self._lines[shipped:]))) if f)  # folded
        self._starts = [0, *accumulate(len(line) + 1 for line in self._text.split("\n"))]  # where each line starts
        self._unparsed = len(self._lines)
        self._probed: set[str] = set()  # words whose lines are parsed
        self._written: dict[str, bool] = {}  # an Arabic word -> whether a writing of it is in the text
        self._longest = 0 if self._lines else 1  # words of the longest spelling; 0: not counted yet
        for group in groups:
            self.add(group)

    @property
    def longest(self) -> int:
        """Words in the longest spelling: how many words of a query are looked up as one name.
        Counted from the lines when first asked (most queries are two words or fewer)."""
        if not self._longest:
            counts = [len(_WORD.findall(part.replace("_", " "))) for part in re.split("[,\n]", self._text)]
            self._longest = max([1, *counts, *(key.count(" ") + 1 for key in self._group)])
        return self._longest

    def _span(self, words: int) -> int:
        """How many of `words` words may be one spelling (counting the longest only for three or more)."""
        return words if words <= 2 else min(words, self.longest)

    def add(self, spellings: list[str]) -> None:
        """A group; merged with every group it shares a spelling with."""
        members: dict[str, str] = {}
        joined = sorted({self._group[k] for k in map(fold, spellings) if k in self._group})
        for index in joined:
            members.update((fold(s), s) for s in self._groups[index])
        for spelling in spellings:
            members.setdefault(fold(spelling), spelling)
        members.pop("", None)
        group = tuple(members.values())
        if joined:
            self._groups[joined[0]] = group
            for index in joined[1:]:
                self._groups[index] = ()  # kept, so that the indices stay valid
        else:
            self._groups.append(group)
        at = joined[0] if joined else len(self._groups) - 1
        for key in members:
            self._group[key] = at
            if self._longest:
                self._longest = max(self._longest, key.count(" ") + 1)

    def _parse(self, key: str) -> None:
        """Parse the lines that hold a word of `key` (its longest: punctuation may join the others in
        a line), and those that share a spelling with them. A word is found whole in the folded text:
        a word inside another (other5 in other50) parses no line: in a user's file of 10,000 such
        lines, a lookup takes under 1 ms, not a cascade of parses and scans (0.4 s a search)."""
        wanted = [key]
        while wanted and self._unparsed:
            probe = max(wanted.pop().split(), key=len)
            if probe in self._probed or probe not in self._text:
                continue
            self._probed.add(probe)
            for start in self._whole(probe):
                line = bisect_right(self._starts, start) - 1
                if self._lines[line]:
                    group = _spellings(self._lines[line])
                    self._lines[line] = ""
                    self._unparsed -= 1
                    self.add(group)
                    wanted += [fold(s) for s in group]

    def _whole(self, word: str) -> Iterator[int]:
        """Where `word` stands whole in the folded text: not inside a word (as _WORD finds words,
        but with "_" between two: fold splits there)."""
        text, start = self._text, self._text.find(word)
        while start >= 0:
            end = start + len(word)
            if not (start and text[start - 1].isalnum()) and not (end < len(text) and text[end].isalnum()):
                yield start
            start = text.find(word, end)  # a whole word cannot overlap another: it is bounded

    def group(self, spelling: str) -> tuple[str, ...]:
        """The group holding `spelling` (folded), or, for Arabic script, another writing of it
        (الدبيبه is the group of الدبيبة); () when none does."""
        key = fold(spelling)
        found = self._holding(key)
        if found or not ARABIC_START.search(key) or not all(map(self._in_text, key.split())):
            return found
        return next(filter(None, (self._holding(" ".join(run)) for run in spelled(key.split())[1:])), ())

    def _in_text(self, word: str) -> bool:
        """Whether some writing of `word` is in the groups' text (else no writing of a phrase that
        holds it can be a spelling: a long query of Arabic looks up nothing for most of its runs)."""
        if word not in self._written:
            if len(self._written) >= WRITTEN_KEPT:  # a server's spellings live as long as it does
                self._written.clear()
            self._written[word] = any(w in self._text for w in writings(word))
        return self._written[word]

    def _holding(self, key: str) -> tuple[str, ...]:
        if key and self._lines:
            self._parse(key)
        index = self._group.get(key)
        return self._groups[index] if index is not None else ()

    def main(self, spelling: str) -> str | None:
        """The first spelling of the group holding `spelling` (as its file writes it), or None."""
        group = self.group(spelling)
        return group[0] if group else None

    @property
    def groups(self) -> list[tuple[str, ...]]:
        """Every group."""
        for line in self._lines:
            if line:
                self._parse(fold(_spellings(line)[0]))
        return [g for g in self._groups if g]

    def __len__(self) -> int:
        return len(self.groups)

    @classmethod
    def load(cls, user_file: str | None = None) -> Spellings:
        """The shipped groups, then the user's: $XDG_CONFIG_HOME/nai/aliases.txt
        (~/.config/nai/aliases.txt) when it exists, then `user_file` (--aliases: an error when it
        cannot be read). Each adds to the groups before it."""
        lines = read_lines(DATA_FILE, nfc=False)  # NFC already (a test checks it)
        shipped = len(lines)
        config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
        default = os.path.join(config, "nai", "aliases.txt")
        if os.path.exists(default):
            lines += read_lines(default)
        if user_file is not None:
            lines += read_lines(user_file)
        return cls([], lines=lines, shipped=shipped)

    def expand(self, query: str, *, exact: bool = False) -> Expanded:
        """A plain query as an FTS5 MATCH expression that is never a syntax error.

        Words and "quoted phrases" must all match, as nai.store.keys.to_match reads them. Unless
        `exact`, a word, a run of words or a quoted phrase that is a spelling stands for its whole
        group ((“haftar” OR “hifter” …)), a spelling of several words for its words' spellings too
        ("Saddam Haftar" OR "Saddam Heftar" …), and a quoted phrase holding spellings stands for
        each of its spellings in turn ("Marshal Haftar" OR "Marshal Hifter" …)."""
        terms: list[Term] = []
        seen: set[str] = set()
        words: list[str] = []  # a run of unquoted words, read once the run ends

        def add(term: Term) -> None:
            key = fold(term.text)
            if key and key not in seen and len(terms) < MAX_QUERY_TERMS:
                seen.add(key)
                terms.append(term)

        def flush() -> None:
            for term in self._words(words, exact):
                add(term)
            words.clear()

        for quoted, word in _PARTS.findall(normal(query)):
            if word:
                words.append(word)
                continue
            flush()
            add(Term(quoted.strip(), self._phrase(quoted, exact), quoted=True))
        flush()
        return Expanded(_match(terms), tuple(terms))

    def _words(self, words: list[str], exact: bool) -> list[Term]:
        """Unquoted words: each a term, but a run of words that is a spelling ("Aguila Saleh") is one."""
        terms, i = [], 0
        while i < len(words):
            span = 1
            if not exact and i + 1 < len(words):
                for n in range(self._span(len(words) - i), 1, -1):
                    if self.group(" ".join(words[i : i + n])):
                        span = n
                        break
            text = " ".join(words[i : i + span])
            terms.append(Term(text, self._phrase(text, exact)))
            i += span
        return terms

    def _phrase(self, text: str, exact: bool) -> tuple[str, ...]:
        """What a word or phrase stands for: its group when it is a spelling (the spelling typed
        first, as the group writes it), with the group's phrases' words' spellings; else each
        spelling of the names in it in turn; else itself. Without the query's punctuation."""
        text = clean(text)
        if exact or not fold(text):
            return (text,)
        key = fold(text)
        group = self.group(text)
        if not group:
            return tuple(self._variants(text, self._span(len(key.split()))))
        typed = next((s for s in group if fold(s) == key), text)  # another writing of a spelling: as typed
        spellings = {key: typed, **{fold(s): s for s in group}}
        for spelling in _alternatives(tuple(spellings.values())):
            if len(spellings) >= MAX_ALTERNATIVES:
                break
            words = len(fold(spelling).split())
            for variant in self._variants(spelling, words - 1) if words > 1 else ():
                spellings.setdefault(fold(variant), variant)
        return tuple(spellings.values())[:MAX_ALTERNATIVES]

    def _variants(self, text: str, longest: int) -> list[str]:
        """A phrase with the runs of its words (of `longest` words at most) that are spellings of a
        group written each spelling of the group in turn (of as many words and in the same script),
        its other words and what separates them as they are: "Gaddafi's" -> "Qaddafi's"."""
        found = list(_WORD.finditer(text.replace("_", " ")))[:MAX_QUERY_TERMS]
        variants, i = [""], 0
        while i < len(found):
            for n in range(max(1, min(longest, len(found) - i)), 0, -1):
                piece = text[found[i].start() : found[i + n - 1].end()]
                options = self.group(piece)
                if options or n == 1:
                    key, arabic = fold(piece), bool(ARABIC_START.match(piece))
                    written = next((s for s in options if fold(s) == key), piece)
                    others = [
                        s
                        for s in options
                        if fold(s) != key and len(fold(s).split()) == n and bool(ARABIC_START.match(s)) == arabic
                    ]
                    after = text[found[i + n - 1].end() : found[i + n].start()] if i + n < len(found) else ""
                    variants = [v + o + after for v in variants for o in (written, *others)][:MAX_ALTERNATIVES]
                    i += n
                    break
        return list(dict.fromkeys(variants)) or [text]


def read_lines(path: str, *, nfc: bool = True) -> list[str]:
    """The lines of a spellings file that hold a group, comments cut (in NFC unless not `nfc`)."""
    try:
        with open(path, encoding="utf-8") as file:
            text = normal(file.read()) if nfc else file.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise NaiError(f"{path}: cannot read the spellings: {reason}") from None
    lines = (line.split("#", 1)[0] for line in text.splitlines())
    return [line for line in lines if line.strip(" ,\t")]


def _spellings(line: str) -> list[str]:
    return [s.strip() for s in line.split(",") if fold(s)]


def read_groups(path: str) -> list[list[str]]:
    """The groups of a spellings file: one a line, spellings separated by commas, `#` comments."""
    return [group for group in map(_spellings, read_lines(path)) if group]


_NONE = Spellings([])


def plain(query: str) -> Expanded:
    """A query as typed, no spelling expanded (--exact)."""
    return _NONE.expand(query, exact=True)


def expand_each(queries: list[str], *, exact: bool = False, aliases: str | None = None) -> list[tuple[str, Expanded]]:
    """Each query once, as text (bytes of the command line that are no UTF-8 replaced), with what
    it stands for: every spelling (the shipped groups, the user's file and `aliases`) unless `exact`."""
    spellings = None if exact else Spellings.load(aliases)
    texts = [q.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for q in dict.fromkeys(queries)]
    return [(text, spellings.expand(text) if spellings is not None else plain(text)) for text in texts]
