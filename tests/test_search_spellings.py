"""nai search and the spellings of a name, through the CLI, on archives built by ingesting the fixture
pages and edited copies of them (README, "nai search", "Every spelling of a name"): names of several
words, queries in decomposed Unicode and with letters the index folds, names longer than six
words, `matched` as the groups and articles write it, did-you-mean for phrases and groups, the
shipped file's rule against common words, --format jsonl, and --aliases added to the user's file."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import sqlite3
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from conftest import FIXTURES, LIBYA_URL, Nai, sql
from nai import spellings as spellings_module
from nai.arabic import MAX_WRITINGS, spelled
from nai.spellings import (
    DATA_FILE,
    MAX_ALTERNATIVES,
    Spellings,
    fold,
    fold_text,
    read_groups,
    read_lines,
)
from nai.store.keys import INDEX_MARKS
from nai.store.schema import M003_TRIGGERS

CLASSIC = FIXTURES / "naj-libya-classic.html"
SLUG = "southern-libya-boils-over-three-haftar-soldiers-killed-in-border-raid-near-niger"
HEADLINE = "Southern Libya Boils Over: Three Haftar Soldiers Killed in Border Raid Near Niger"


def story(tmp_path: Path, name: str, headline: str, *paragraphs: str, day: date = date(2026, 3, 2)) -> Path:
    """The classic Libya page as another story: its own URL, headline, date and paragraphs."""
    page = CLASSIC.read_text(encoding="utf-8")
    page = page.replace(SLUG, f"{name}-story").replace(HEADLINE, html.escape(headline, quote=True))
    page = re.sub(r'<meta (name|property)="(og:)?description"[^>]*>', "", page)
    start = page.index("</div><p>Three Libyan") + len("</div>")
    end = page.index("converge.</p>") + len("converge.</p>")
    page = page[:start] + "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs) + page[end:]
    page = page.replace("2026-02-04", day.isoformat()).replace("February 4, 2026", f"{day:%B} {day.day}, {day.year}")
    page = page.replace("Posted On 4 February 2026", f"Posted On {day.day} {day:%B} {day.year}")
    path = tmp_path / f"{name}.html"
    path.write_text(page, encoding="utf-8")
    return path


def url(name: str) -> str:
    return f"https://north-africa.com/{name}-story/"


STORIES = {
    "saddam": ("Son Takes Command", "Saddam Heftar inspected units in the south on Monday."),
    "khalifa": ("Marshal Visits Cairo", "Field Marshal Khalifa Hifter met officials in Cairo on Tuesday."),
    "saied": ("President Saïed Dissolves Council", "President Kais Saïed dissolved the council on Monday."),
    "decomposed": ("Carthage Statement", unicodedata.normalize("NFD", "Qais Saïed spoke on television.")),
    "jnim-long": ("Sahel Attack Claimed", "The Group for the Support of Islam and Muslims claimed the attack."),
    "jnim": ("Fighters Move South", "JNIM fighters moved south, officials reported."),
    "kadhafi": ("A Divisive Legacy", "Kadhafi's legacy still divides Libyans."),
    "tribes": ("Arabic Tribal Review", "اجتمع شيوخ القبائل في سبها وقد سرت شائعات عن اتفاق. وصل وفد صحراوي من الجنوب."),
    "us-house": ("Washington Vote", "The US House of Representatives voted on a budget bill."),
    "salvador": ("Smugglers at Night", "Smugglers crossed the Salvador Pass at night."),
    "xaftar": ("A Typo", "A wire story spelled the marshal Xaftar."),
    "zaftar": ("Another Typo", "Another wire story spelled the marshal Zaftar."),
    "arabic-haftar": ("Arabic Press Review", "قال المشير خليفة حفتر إن قواته تتقدم."),
}


@pytest.fixture
def archive(nai: Nai, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Nai:
    """The fixtures, and STORIES as edited copies of the Libya page (one a day from 2 March 2026)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no user file unless a test writes one
    pages = [
        story(tmp_path, name, headline, body, day=date(2026, 3, 2 + n))
        for n, (name, (headline, body)) in enumerate(STORIES.items())
    ]
    assert nai("ingest", *map(str, [*sorted(FIXTURES.glob("*.html")), *pages])).exit_code == 0
    return nai


def hits(nai: Nai, *args: str) -> dict[str, list[str]]:
    """Each hit's URL and what it `matched`."""
    return {h["url"]: h["matched"] for h in nai.json("search", *args, "--format", "json", "--limit", "100")}


def aliases(tmp_path: Path, text: str, name: str = "mine.txt") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# ---- 1. a name of several words stands for its words' spellings -----------------------------------


def test_a_shipped_name_of_several_words_finds_the_other_spellings_of_its_words(archive: Nai) -> None:
    """ "Saddam Haftar, Saddam Hifter, صدام حفتر" is the group; Heftar is Haftar, so "Saddam Heftar" is too."""
    assert hits(archive, "Saddam Haftar") == {url("saddam"): ["Saddam Heftar"]}
    assert hits(archive, '"Saddam Hifter"') == {url("saddam"): ["Saddam Heftar"]}
    assert hits(archive, "Saddam Haftar", "--exact") == {}


def test_a_users_name_of_several_words_adds_to_what_a_search_finds(archive: Nai, tmp_path: Path) -> None:
    """A group of the user's made "Khalifa Haftar" a phrase of two spellings: it lost "Khalifa Hifter"."""
    without = hits(archive, "Khalifa Haftar")
    assert set(without) == {LIBYA_URL, url("khalifa")}
    mine = aliases(tmp_path, "Khalifa Haftar, Field Marshal Haftar\n")
    found = hits(archive, "Khalifa Haftar", "--aliases", mine)
    assert found == {LIBYA_URL: ["Khalifa Haftar"], url("khalifa"): ["Khalifa Hifter"]}


def test_a_long_name_of_many_spellings_stands_for_a_bounded_number_of_phrases(archive: Nai, tmp_path: Path) -> None:
    """Eight words of ten spellings each would be 10^8 phrases: a term stands for MAX_ALTERNATIVES."""
    words = [[f"w{i}x{j}" for j in range(10)] for i in range(8)]
    text = "".join(", ".join(w) + "\n" for w in words) + " ".join(w[0] for w in words) + ", Xaftar\n"
    mine = aliases(tmp_path, text)
    assert set(hits(archive, " ".join(w[0] for w in words), "--aliases", mine)) == {url("xaftar")}
    assert set(hits(archive, " ".join(w[9] for w in words), "--aliases", mine)) == set()  # not a spelling
    spellings = Spellings([], lines=read_lines(mine)).expand(" ".join(w[0] for w in words)).terms[0].spellings
    assert len(spellings) == MAX_ALTERNATIVES and spellings[:2] == (" ".join(w[0] for w in words), "Xaftar")


# ---- 2. decomposed Unicode, and letters the index folds -----------------------------------------------


def test_a_query_typed_in_decomposed_unicode_is_the_query(archive: Nai) -> None:
    """ "Sai\u0308ed" is "Saïed" (NFC): one word, not "Sai" and "ed". The index folds a decomposed
    article's text the same (the "decomposed" story was ingested in NFD)."""
    saied = {url("saied"), url("decomposed"), *hits(archive, "Kaïs", "--exact")}  # the UGTT fixture's Kaïs Saïed
    assert len(saied) == 3
    for query in ("Saied", "Saïed", "Sai\u0308ed", unicodedata.normalize("NFD", "SAÏED")):
        assert set(hits(archive, query)) == saied, query
        assert set(hits(archive, query, "--exact")) == saied, query


@pytest.mark.parametrize("query", ["Ḥaftar", "ḤAFTAR", "H\u0323aftar"])
def test_a_letter_with_a_dot_below_is_folded_as_the_index_folds_it(archive: Nai, query: str) -> None:
    assert set(hits(archive, query)) == set(hits(archive, "Haftar")) and len(hits(archive, "Haftar")) > 2
    assert set(hits(archive, query, "--exact")) == set(hits(archive, "Haftar", "--exact"))


def test_a_transliteration_with_macrons_finds_the_group(archive: Nai) -> None:
    assert set(hits(archive, "Qaḏḏāfī")) == {LIBYA_URL, url("kadhafi")}


def test_the_folding_table_folds_as_unicodedata_does() -> None:
    """A text is folded without unicodedata (a search does not load it) when a table covers it: that
    fold is the one with unicodedata (NFC, NFKD without marks, Arabic letters kept) for every
    character, and what the table leaves as it is needs no NFC (Arabic's vowels dropped)."""
    unusual = re.compile(spellings_module._UNUSUAL)
    covered = 0
    for code in range(0x80, 0x3000):
        char = chr(code)
        assert spellings_module._unusual(char) == bool(unusual.search(char)), hex(code)  # short texts
        for text in (char, char.lower(), f"x{char}y"):
            if not unusual.search(text.lower()):
                covered += 1
                assert fold_text(text) == spellings_module._fold_unicode(text.lower()), hex(code)
            if not unusual.search(text):
                unmarked = spellings_module._ARABIC_MARKS.sub("", text)  # a query keeps no Arabic vowel
                assert spellings_module.normal(text) == unicodedata.normalize("NFC", unmarked), hex(code)
    assert covered > 1000


def test_the_shipped_file_folds_without_unicodedata() -> None:
    text = "\n".join(read_lines(DATA_FILE))
    assert not re.search(spellings_module._UNUSUAL, text.lower())
    assert unicodedata.normalize("NFC", text) == text
    lines = read_lines(DATA_FILE, nfc=False)
    assert Spellings([], lines=lines, shipped=len(lines))._text == Spellings([], lines=lines)._text


# ---- 3. names longer than six words -----------------------------------------------------------------------


def test_a_shipped_name_longer_than_six_words_is_one_term(archive: Nai) -> None:
    found = hits(archive, "Group for the Support of Islam and Muslims")
    assert found == {url("jnim"): ["JNIM"], url("jnim-long"): ["Group for the Support of Islam and Muslims"]}


def test_a_users_name_longer_than_the_shipped_ones_is_one_term(archive: Nai, tmp_path: Path) -> None:
    name = "the marshal of the east whose name the wire services spell in many ways"
    assert hits(archive, name) == {}  # its words are in no article together
    mine = aliases(tmp_path, f"Xaftar, {name}\n")
    assert hits(archive, name, "--aliases", mine) == {url("xaftar"): ["Xaftar"]}


# ---- 4. matched: the spellings as the groups and the articles write them ----------------------------------


@pytest.mark.parametrize("query", ["(Haftar)", '"Haftar', "Haftar*", "HAFTAR", "haftar,", "Ḥaftar"])
def test_matched_is_the_articles_spelling_without_the_querys_punctuation(archive: Nai, query: str) -> None:
    found = hits(archive, query)
    assert found[LIBYA_URL] == ["Haftar"] and found[url("khalifa")] == ["Hifter"]
    assert found[url("saddam")] == ["Heftar"]


def test_matched_is_the_article_s_own_spelling(archive: Nai) -> None:
    assert hits(archive, "Gaddafi's") == {url("kadhafi"): ["Kadhafi's"]}
    assert hits(archive, "government of national unity")[LIBYA_URL] == ["Government of National Unity"]
    assert hits(archive, "Saied")[url("saied")] == ["Saïed"]
    tripoli = archive.json("search", "--format", "json", "--", "-Tripoli")  # after --: a word, not an option
    assert {h["url"]: h["matched"] for h in tripoli}[LIBYA_URL] == ["Tripoli"]


def test_the_table_and_csv_name_the_spellings_as_written(archive: Nai) -> None:
    out = archive("search", "(Hifter)").stdout
    blocks = re.split(r"\n(?=\s*\d+  \d{4})", out)
    libya = next(b for b in blocks if "Southern Libya" in b)
    assert "matched: Haftar" in libya and "(" not in libya.split("matched:")[1]
    assert not any("matched:" in b for b in blocks if "Marshal Visits Cairo" in b)  # it says Hifter
    rows = list(csv.DictReader(io.StringIO(archive("search", "HAFTAR*", "--format", "csv").stdout)))
    assert {r["url"]: json.loads(r["matched"]) for r in rows}[LIBYA_URL] == ["Haftar"]


# ---- 5. did you mean --------------------------------------------------------------------------------------


def test_did_you_mean_suggests_the_corrected_query(archive: Nai) -> None:
    result = archive("search", "Salvadr Pass")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "nai: no match; did you mean: Salvador Pass?\n")
    assert archive("search", '"Salvadr Pass"').stderr == 'nai: no match; did you mean: "Salvador Pass"?\n'
    assert archive("search", "Salvador Pass").stdout  # the suggestion finds something


def test_did_you_mean_corrects_the_misspelt_part_of_a_word_the_index_splits(archive: Nai) -> None:
    """A possessive or a hyphenated word is two words to the index: the misspelt one is put right and
    the word keeps its apostrophe ("Salvadr's" -> "Salvador's"), or it suggests nothing."""
    result = archive("search", "Salvadr's Pass")
    expected = (0, "", "nai: no match; did you mean: Salvador's Pass?\n")
    assert (result.exit_code, result.stdout, result.stderr) == expected
    assert archive("search", "Salvadr’s-Pass").stderr == "nai: no match; did you mean: Salvador’s-Pass?\n"
    assert archive("search", "Qwxyzzy's").stderr == ""
    assert archive("search", "x's").stderr == ""  # a letter is no misspelt word: not "a's"
    assert archive("search", "x's Salvadr").stderr == ""  # "x's Salvador" would find nothing either
    assert archive("search", "l'Salvadr").stderr == "nai: no match; did you mean: l'Salvador?\n"
    assert archive("search", "Salvadr'").stderr == "nai: no match; did you mean: Salvador'?\n"


def test_did_you_mean_suggests_nothing_it_cannot_correct(archive: Nai, tmp_path: Path) -> None:
    """A word with nothing close, or a name the archive lacks (a spelling, not a misspelling): the
    query cannot be put right, so nothing is suggested ("Islam" is not to become "Islamic")."""
    assert archive("search", "Salvadr Qwxyzzy").stderr == ""
    empty = Nai(tmp_path / "other.db")
    assert empty("ingest", str(CLASSIC)).exit_code == 0
    assert empty("search", "Group for the Support of Islam and Muslims").stderr == ""
    assert empty("search", "Saddam Haftar").stderr == ""
    assert empty("search", "Fezzzan").stderr == "nai: no match; did you mean: Fezzan?\n"


def test_did_you_mean_names_a_group_once_by_its_first_spelling(archive: Nai) -> None:
    """Hftar is one edit from Haftar and Heftar, two from Hifter: one group, suggested as Haftar."""
    stderr = archive("search", "Hftar").stderr
    assert stderr.startswith("nai: no match; did you mean: Haftar") and stderr.endswith("?\n")
    assert "Heftar" not in stderr and "Hifter" not in stderr
    assert archive("search", "Hftar", "--exact").stderr.startswith("nai: no match; did you mean: Haftar, ")


# ---- 6. the shipped file: no spelling that is a common word ---------------------------------------------


@pytest.mark.parametrize("query", ["Kabylie", "Sirte", "Sahrawi", "Sabha"])
def test_an_arabic_common_word_is_no_spelling(archive: Nai, query: str) -> None:
    """The story says "the tribes" (القبائل), "spread" (سرت) and "desert" (صحراوي); and Sabha (سبها)."""
    assert (url("tribes") in hits(archive, query)) == (query == "Sabha")


def test_another_countrys_house_of_representatives_is_not_libyas(archive: Nai) -> None:
    assert hits(archive, "Libyan House of Representatives") == {}
    assert url("us-house") in hits(archive, "House of Representatives")  # the words, as typed


def test_the_shipped_file_states_its_rule_and_keeps_no_common_word() -> None:
    text = Path(DATA_FILE).read_text(encoding="utf-8")
    assert "no spelling is a common word in English, French or Arabic" in " ".join(text.split())
    spellings = {fold(s) for group in read_groups(DATA_FILE) for s in group}
    common = ["القبائل", "سرت", "صحراوي", "الحراك", "الزاوية", "العيون", "النهضة", "المخزن", "مجلس النواب"]
    common += ["HoR", "House of Representatives", "Presidential Council", "Nahda", "Bougie"]
    assert {fold(w) for w in common} & spellings == set()
    assert len(read_groups(DATA_FILE)) >= 60


# ---- 7. --format jsonl --------------------------------------------------------------------------------------


def test_search_writes_jsonl(archive: Nai) -> None:
    lines = archive.jsonl("search", "Haftar", "--format", "jsonl")
    assert lines == archive.json("search", "Haftar", "--format", "json") and len(lines) > 2
    assert archive("search", "Zzyzx", "--format", "jsonl").stdout == ""


# ---- 8. --aliases adds to the user's file -------------------------------------------------------------------


def test_aliases_adds_to_the_users_file_and_the_shipped_groups(archive: Nai, tmp_path: Path) -> None:
    (tmp_path / "config" / "nai").mkdir(parents=True)
    (tmp_path / "config" / "nai" / "aliases.txt").write_text("Hifter, Xaftar\n", encoding="utf-8")
    assert set(hits(archive, "Haftar")) >= {LIBYA_URL, url("xaftar")}
    assert url("zaftar") not in hits(archive, "Haftar")
    mine = aliases(tmp_path, "Zaftar, Heftar\n")
    found = set(hits(archive, "Haftar", "--aliases", mine))
    assert found >= {LIBYA_URL, url("khalifa"), url("xaftar"), url("zaftar")}
    help_text = " ".join(archive("search", "--help").stdout.split())
    assert "added to the shipped ones and to $XDG_CONFIG_HOME/nai/aliases.txt" in help_text


@pytest.mark.parametrize("query", ["حَفْتَر", "حـفـتـر", "حفتر"])
@pytest.mark.parametrize("exact", [False, True])
def test_arabic_typed_with_its_vowels_or_a_tatweel_finds_the_name_as_articles_write_it(
    archive: Nai, query: str, exact: bool
) -> None:
    """The index takes a short vowel or a tatweel for a space: a query keeps neither."""
    found = hits(archive, query, *(["--exact"] if exact else []))
    assert url("arabic-haftar") in found
    assert found[url("arabic-haftar")] == ["حفتر"]
    if not exact:
        assert LIBYA_URL in found  # and the Latin spellings of the group


def test_a_word_longer_than_any_language_has_gets_no_suggestion_and_no_look_ups(
    archive: Nai, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Did-you-mean looks up each word one edit away: "x" * 10,000 would be 370,000 look-ups (70 s)."""
    from nai.store import search

    looked: list[str] = []
    held = search._held
    monkeypatch.setattr(search, "_held", lambda conn, phrase: looked.append(phrase) or held(conn, phrase))
    result = archive("search", "x" * 10_000)
    assert (result.exit_code, result.stdout) == (0, "")
    assert len(looked) < 10 and "did you mean" not in result.stderr
    result = archive("search", "Eurobnd")  # a word of a language is still put right
    assert "did you mean: Eurobond?" in result.stderr and len(looked) > 100


# ---- 9. a name's spellings rank as one word ----------------------------------------------------------------

MARSHAL = [f"haftar-{n}" for n in range(4)]  # Haftar in the headline and the body
IN_PASSING = "hifter-once"  # Hifter, a rarer spelling, once in a long body


def spelled_apart(nai: Nai, tmp_path: Path) -> Nai:
    """Four stories of Haftar, one that names him once as Hifter, and others that name him not."""
    filler = "Officials in the region met on Monday to discuss trade, water and the price of bread."
    pages = [
        story(tmp_path, name, f"Haftar Forces Advance on Day {n}", f"Forces loyal to Haftar advanced ({n}).", filler)
        for n, name in enumerate(MARSHAL)
    ]
    pages.append(story(tmp_path, IN_PASSING, "Cairo Talks", *[filler] * 3, "A statement named Hifter in passing."))
    pages += [story(tmp_path, f"other-{n}", f"Market Report {n}", filler, day=date(2025, 1, 1 + n)) for n in range(8)]
    assert nai("ingest", *map(str, pages)).exit_code == 0
    return nai


def ranks(nai: Nai, *args: str) -> list[tuple[str, float]]:
    return [(h["url"], h["rank"]) for h in nai.json("search", *args, "--format", "json", "--limit", "100")]


def test_a_rare_spelling_weighs_as_the_name_does_not_as_its_own_rarity(nai: Nai, tmp_path: Path) -> None:
    """bm25 weighs a word by its rarity, so Hifter once (in 1 of 13 articles) outweighed Haftar in a
    headline (in 4): every spelling now weighs as the name's most common one. An article holding
    that one keeps its bm25 (as --raw scores it); one holding the rare one only ranks lower than
    its --raw score would put it; any spelling typed ranks alike; --sort date shows the same scores."""
    spelled_apart(nai, tmp_path)
    ranked = ranks(nai, "Haftar")
    assert {u for u, _ in ranked[:4]} == {url(n) for n in MARSHAL}
    assert ranked[-1][0] == url(IN_PASSING)
    raw = dict(ranks(nai, "--raw", "Haftar OR Hifter"))
    assert raw[url(IN_PASSING)] < min(raw[url(n)] for n in MARSHAL)  # as bm25 alone ranks them
    assert all(rank == raw[u] for u, rank in ranked if u != url(IN_PASSING))
    assert raw[url(IN_PASSING)] < dict(ranked)[url(IN_PASSING)] < 0
    assert ranks(nai, "Hifter") == ranked
    assert sorted(ranks(nai, "Haftar", "--sort", "date")) == sorted(ranked)


def test_a_query_without_spellings_ranks_as_bm25_does(nai: Nai, tmp_path: Path) -> None:
    spelled_apart(nai, tmp_path)
    for query in ("bread", "Forces advanced", "Haftar bread"):
        assert ranks(nai, query, "--exact") == ranks(nai, "--raw", query)
    assert [u for u, _ in ranks(nai, "Haftar bread")] == [u for u, _ in ranks(nai, "Haftar")]


def test_a_long_arabic_query_looks_up_no_writing_of_words_no_group_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another writing of a run of words is looked up among the groups only when each of its words
    is written somehow in the groups' file: 200 Arabic words made 50,000 look-ups (2.8 s)."""
    groups = Spellings.load()
    looked: list[str] = []
    holding = groups._holding
    monkeypatch.setattr(groups, "_holding", lambda key: looked.append(key) or holding(key))
    groups.expand(" ".join(f"الامارة{chr(0x628 + i % 20)}" for i in range(200)))
    assert len(looked) < 2_000
    looked.clear()
    assert "Dbeibah" in groups.expand("الدبيبه").terms[0].spellings and len(looked) > 1  # a writing still found


def test_a_long_quoted_arabic_phrase_is_searched_in_its_bounded_writings(archive: Nai) -> None:
    """Each word of "الامارة الامارة …" has two careful writings: 60 words would be 2**60 phrases
    made before MAX_WRITINGS cut them (the process was killed for memory). At most MAX_WRITINGS."""
    phrase = " ".join(["الامارة"] * 60)
    result = archive("search", f'"{phrase}"')
    assert (result.exit_code, result.stdout) == (0, "")
    assert len(spelled(phrase.split())) == MAX_WRITINGS


# ---- 6. Arabic written with its vowels in an article ---------------------------------------------

VOWELLED = "قال أُسامة الأمينُ إن محمّد وصلَ إلى سبها."


def vowelled_hits(nai: Nai, query: str) -> dict[str, list[str]]:
    return {h["url"]: h["matched"] for h in nai.json("search", query, "--exact", "--format", "json")}


def test_arabic_written_with_its_vowels_in_an_article_is_found_as_its_words(nai: Nai, tmp_path: Path) -> None:
    """unicode61 takes a short vowel or a shadda for a space: the index leaves them out of the text
    (محمّد was "محم د", and محمد did not find it). The snippet is the text as the index reads it."""
    page = story(tmp_path, "vowelled", "Arabic Press Review", VOWELLED)
    assert nai("ingest", str(page)).exit_code == 0
    for query in ("محمد", "محمّد", "أسامة", '"أسامة الأمين"', "وصل"):
        assert list(vowelled_hits(nai, query)) == [url("vowelled")], query
    assert vowelled_hits(nai, "اسامه")[url("vowelled")] == ["أسامة"]  # another writing finds it too
    assert vowelled_hits(nai, "سامة") == {}  # no longer a word of its own
    [hit] = nai.json("search", "محمد", "--format", "json")
    assert "[محمد]" in hit["snippet"] and hit["matched"] == ["محمد"]
    assert nai.json("show", "1", "--format", "json")["body"] == VOWELLED  # the record keeps its marks
    assert nai("check").exit_code == 0


def test_an_edited_vowelled_article_is_indexed_as_it_reads_now(nai: Nai, tmp_path: Path) -> None:
    """The update trigger takes the old text out of the index as it was put in (without its marks):
    else FTS5's own check finds the index wrong."""
    assert nai("ingest", str(story(tmp_path, "vowelled", "Arabic Press Review", VOWELLED))).exit_code == 0
    edited = story(tmp_path, "vowelled", "Arabic Press Review", VOWELLED.replace("محمّد", "عُمَر"))
    assert nai("ingest", str(edited)).exit_code == 0
    assert vowelled_hits(nai, "محمد") == {} and list(vowelled_hits(nai, "عمر")) == [url("vowelled")]
    check = nai("check")
    assert (check.exit_code, check.stdout) == (0, "ok\n")


@pytest.mark.parametrize("content", ["content='articles'", 'content="articles"'])
def test_an_archive_indexed_with_the_marks_is_indexed_again_without_them(
    nai: Nai, tmp_path: Path, content: str
) -> None:
    """As before migration m015: the index's content the articles themselves, marks and all. The
    index as m003 wrote it is switched to its new content in place, its vowelled articles indexed
    again; an index written otherwise is made again whole."""
    pages = [story(tmp_path, "vowelled", "Arabic Press Review", VOWELLED), *sorted(FIXTURES.glob("*.html"))]
    assert nai("ingest", *map(str, pages)).exit_code == 0
    before = {q: sorted(vowelled_hits(nai, q)) for q in ("Haftar", "Niger", "Tripoli")}
    with sqlite3.connect(nai.db) as conn:
        conn.executescript(
            f"""
            DROP TRIGGER articles_ad; DROP TRIGGER articles_au; DROP TABLE articles_fts; DROP VIEW articles_fts_text;
            CREATE VIRTUAL TABLE articles_fts USING fts5 (headline, body,
              tokenize='unicode61 remove_diacritics 2', {content}, content_rowid='fts_key');
            INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
            {M003_TRIGGERS} DROP TRIGGER articles_ai;
            DELETE FROM _nai_migrations WHERE name = 'm015_index_without_arabic_marks';
            """
        )
    conn.close()
    assert sql(nai.db, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'محمد'") == [(0,)]
    assert list(vowelled_hits(nai, "محمد")) == [url("vowelled")]  # opening the archive migrates it
    assert {q: sorted(vowelled_hits(nai, q)) for q in before} == before
    [(made,)] = sql(nai.db, "SELECT sql FROM sqlite_master WHERE name = 'articles_fts'")
    assert "content='articles_fts_text'" in str(made)
    assert ("\n" in str(made)) == (content == "content='articles'")  # switched in place, or made anew
    triggers = sql(nai.db, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    assert [name for name, _ in triggers] == ["articles_ad", "articles_au"]
    assert all("x'D9'" in str(text) for _, text in triggers)  # the new ones: they fold the text
    assert nai("check").stdout == "ok\n"
    edited = story(tmp_path, "vowelled", "Arabic Press Review", VOWELLED.replace("محمّد", "عُمَر"))
    assert nai("ingest", str(edited)).exit_code == 0
    assert vowelled_hits(nai, "محمد") == {} and nai("check").stdout == "ok\n"


def test_a_query_drops_the_marks_the_index_leaves_out_and_no_other() -> None:
    for code in range(0x0600, 0x0700):
        char = chr(code)
        assert (spellings_module.normal(f"ب{char}ب") == "بب") == (char in INDEX_MARKS), hex(code)


def test_a_lookup_parses_only_the_lines_that_hold_its_words_whole() -> None:
    """A user's file of many lines: "other5" is inside other50 … other1999, and parsing each of
    those lines, then looking up their spellings in turn, cost a search 0.4 s at 10,000 lines."""
    lines = [f"Name{n}a, Name{n}b, Other{n}" for n in range(1, 2000)] + [
        "al_Sarraj, Fayez Serraj",
        "Kadhafi's, Gaddafi",
    ]
    spellings = Spellings([], lines=list(lines))
    assert spellings.group("Name5a") == ("Name5a", "Name5b", "Other5")
    assert spellings._unparsed == len(lines) - 1
    assert spellings.group("Other50") == ("Name50a", "Name50b", "Other50")
    assert spellings._unparsed == len(lines) - 2
    assert spellings.group("al Sarraj") == ("al_Sarraj", "Fayez Serraj")  # fold parts words at "_"
    assert spellings.group("Kadhafi's") == ("Kadhafi's", "Gaddafi")
    assert spellings.group("Name5") == () and spellings.group("ther5") == ()
