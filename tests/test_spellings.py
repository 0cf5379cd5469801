"""Every spelling of a name (nai search) and trends (nai trend), through the CLI, on archives built by
ingesting fixture pages and edited copies of them (README, "Every spelling of a name", "nai trend")."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest

from conftest import FIXTURES, LIBYA_URL, Nai, expected
from nai.model import Article
from nai.spellings import DATA_FILE, Spellings, fold, read_groups
from nai.store import Archive

CLASSIC = FIXTURES / "naj-libya-classic.html"
SLUG = "southern-libya-boils-over-three-haftar-soldiers-killed-in-border-raid-near-niger"


def copy(
    tmp_path: Path,
    name: str,
    *,
    day: date,
    haftar: str = "Haftar",
    section: str = "Maghreb Edition",
    reads: int = 86,
) -> Path:
    """The classic Libya page as another story: its own URL, date, spelling of Haftar, section and
    read count."""
    html = CLASSIC.read_text(encoding="utf-8")
    html = html.replace(SLUG, f"{name}-story").replace("2026-02-04", day.isoformat())
    html = html.replace("February 4, 2026", f"{day:%B} {day.day}, {day.year}")
    html = html.replace("Posted On 4 February 2026", f"Posted On {day.day} {day:%B} {day.year}")
    html = html.replace("Haftar", haftar).replace("Maghreb Edition", section)
    html = html.replace('post-views-count">86<', f'post-views-count">{reads}<')
    path = tmp_path / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    return path


@pytest.fixture
def spelled(nai: Nai, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Nai:
    """The Libya story (Haftar, 4 February 2026), a copy saying Hifter (15 April 2026, Sahel
    Edition, read 900 times), one saying Xaftar (a spelling nai does not know,
    1 March 2025), and the other fixtures."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no user file unless a test writes one
    pages = [
        CLASSIC,
        copy(tmp_path, "hifter", day=date(2026, 4, 15), haftar="Hifter", section="Sahel Edition", reads=900),
        copy(tmp_path, "xaftar", day=date(2025, 3, 1), haftar="Xaftar", reads=5),
        *(p for p in sorted(FIXTURES.glob("*.html")) if not p.stem.startswith("naj-libya-")),
    ]
    assert nai("ingest", *map(str, pages)).exit_code == 0
    return nai


def urls(nai: Nai, *args: str) -> list[str]:
    return [hit["url"] for hit in nai.json("search", *args, "--format", "json")]


HIFTER_URL = "https://north-africa.com/hifter-story/"
XAFTAR_URL = "https://north-africa.com/xaftar-story/"


# ---- the shipped groups ---------------------------------------------------------------------------


def test_the_shipped_file_has_60_groups_and_no_spelling_in_two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # no user file: the shipped groups alone
    groups = read_groups(DATA_FILE)
    assert len(groups) >= 60
    keys = [fold(s) for group in groups for s in {fold(s): s for s in group}.values()]
    assert len(keys) == len(set(keys)), "a spelling in two groups would merge them"
    assert len(Spellings.load(DATA_FILE.replace("spellings.txt", "py.typed"))) == len(groups)


def test_no_shipped_single_word_spelling_is_a_common_word() -> None:
    """README: a spelling that is also a common word goes in only within a longer name ("Kais
    Said"). A word the fixtures' English uses in lower case is a common word."""
    records = [expected(page) for page in FIXTURES.glob("*.html") if page.with_suffix(".json").exists()]
    text = " ".join(f"{r['headline']} {r['body']}" for r in records)
    common = set(re.findall(r"(?<![\w’'-])[a-z]+(?![\w’'-])", text))
    singles = {fold(s) for group in read_groups(DATA_FILE) for s in group if " " not in fold(s)}
    assert "said" in common and not singles & common, singles & common


# ---- expansion -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Haftar", "Hifter", "heftar", "حفتر"])
def test_any_spelling_finds_every_spelling(spelled: Nai, query: str) -> None:
    assert set(urls(spelled, query)) == {LIBYA_URL, HIFTER_URL}


@pytest.mark.parametrize(
    ("written", "word"),
    [("وحفتر", "حفتر"), ("لحفتر", "حفتر"), ("فبحفتر", "حفتر"), ("للجزائر", "الجزائر"), ("والجزائر", "الجزائر")],
)
def test_an_arabic_word_is_found_with_a_conjunction_or_preposition_joined_to_it(
    nai: Nai, tmp_path: Path, written: str, word: str
) -> None:
    """Arabic joins "and", "to", "with" to the next word ("وحفتر": and Haftar), which the index
    holds as one word: a search for the word finds it, --exact too (the joined word is the word, as
    Latin case is), and `matched` names the word. The page's Haftar are all written this way, so a
    Latin spelling finds it through its group."""
    page = copy(tmp_path, "arabic", day=date(2026, 3, 2), haftar=written)
    assert nai("ingest", str(page)).exit_code == 0
    url = "https://north-africa.com/arabic-story/"
    hits = nai.json("search", word, "--exact", "--format", "json")
    assert [(h["url"], h["matched"]) for h in hits] == [(url, [word])]
    if word == "حفتر":
        assert [(h["url"], h["matched"]) for h in nai.json("search", "Hifter", "--format", "json")] == [(url, [word])]


@pytest.mark.parametrize(
    ("written", "typed", "matched"),
    [
        ("أسامة", "اسامة", "أسامة"),  # the hamza the query leaves out
        ("اسامة", "أسامة", "اسامة"),  # the hamza the article leaves out
        ("إبراهيم", "ابراهيم", "إبراهيم"),
        ("آمنة", "امنة", "آمنة"),
        ("أسامه", "أسامة", "أسامه"),  # ة written ه
        ("اسامة", "اسامه", "اسامة"),
        ("الأمن", "الامن", "الأمن"),  # the alef after the article
        ("مصطفي", "مصطفى", "مصطفي"),  # ى written ي
        ("إلى", "الى", "إلى"),  # a word that starts as the article does
        ("إلهام", "الهام", "إلهام"),
        ("وأسامه", "اسامة", "اسامة"),  # joined to "and", and written two other ways: the word typed
        ("أُسامة", "اسامة", "أسامة"),  # with its vowels, which the index leaves out
    ],
)
def test_an_arabic_word_is_found_however_its_hamza_and_last_letter_are_written(
    nai: Nai, tmp_path: Path, written: str, typed: str, matched: str
) -> None:
    """The alef that starts a word, with or without its hamza or madda, and ة/ه and ى/ي at its end
    are one word to a search, --exact too, as "Saïed" is "Saied"; `matched` names the word as the
    article writes it (without its vowels, as the snippet shows it)."""
    page = copy(tmp_path, "arabic", day=date(2026, 3, 2), haftar=written)
    assert nai("ingest", str(page)).exit_code == 0
    url = "https://north-africa.com/arabic-story/"
    for exact in ((), ("--exact",)):
        hits = nai.json("search", typed, *exact, "--format", "json")
        assert [(h["url"], h["matched"]) for h in hits] == [(url, [matched])]
    assert nai("search", f"{typed} Tripoli").stderr == ""  # no did-you-mean: it is held
    series = nai.json("trend", typed, "--format", "json")["periods"]
    assert [(p["period"], p["counts"][typed]) for p in series] == [("2026-03", 1)]


def test_every_writing_of_an_arabic_phrase_and_of_a_name(nai: Nai, tmp_path: Path) -> None:
    """A phrase of two words written otherwise in both ("اسامه احمد", "أسامة أحمد": three letters),
    and of three (four letters); another writing of a spelling finds the group's other spellings
    (الدبيبه: Dbeibah)."""
    pages = [
        copy(tmp_path, "osama", day=date(2026, 3, 2), haftar="أسامة أحمد"),
        copy(tmp_path, "dbeibah", day=date(2026, 3, 3), haftar="Dbeibah"),
        copy(tmp_path, "amin", day=date(2026, 3, 4), haftar="أسامة أحمد الأمين"),
    ]
    assert nai("ingest", *map(str, pages)).exit_code == 0
    osama, amin = "https://north-africa.com/osama-story/", "https://north-africa.com/amin-story/"
    assert set(urls(nai, '"اسامه احمد"')) == {osama, amin}
    assert urls(nai, '"اسامه احمد الامين"') == [amin]  # four letters written otherwise: the careful writing
    hits = nai.json("search", "الدبيبه", "--format", "json")
    assert [(h["url"], h["matched"]) for h in hits] == [("https://north-africa.com/dbeibah-story/", ["Dbeibah"])]
    assert urls(nai, "الدبيبه", "--exact") == []


@pytest.mark.parametrize(("written", "typed"), [("على", "علي"), ("أسامة", "إسامة"), ("اسامة", "سامة")])
def test_an_arabic_word_is_not_another_word_written_alike(nai: Nai, tmp_path: Path, written: str, typed: str) -> None:
    """علي (Ali) is not على ("on"); a hamza typed under the alef is not the one written above it."""
    assert nai("ingest", str(copy(tmp_path, "arabic", day=date(2026, 3, 2), haftar=written))).exit_code == 0
    assert urls(nai, typed) == []


def test_an_arabic_word_that_only_ends_with_the_name_is_not_it(nai: Nai, tmp_path: Path) -> None:
    """ "محفتر" is not "حفتر" with a word joined to it: م is no conjunction or preposition."""
    assert nai("ingest", str(copy(tmp_path, "other", day=date(2026, 3, 2), haftar="محفتر"))).exit_code == 0
    assert urls(nai, "حفتر") == []
    assert urls(nai, "محفتر") == ["https://north-africa.com/other-story/"]


def test_exact_finds_the_spelling_typed_only(spelled: Nai) -> None:
    assert urls(spelled, "Haftar", "--exact") == [LIBYA_URL]
    assert urls(spelled, "Hifter", "--exact") == [HIFTER_URL]


def test_a_common_word_spelling_expands_to_nothing(spelled: Nai) -> None:
    """ "said" is in many articles; typing it must not drag in Saied, nor Saied drag it in."""
    said = set(urls(spelled, "said", "--limit", "100"))
    assert set(urls(spelled, "said", "--exact", "--limit", "100")) == said
    saied = urls(spelled, "Saied")
    assert len(saied) == 1 and len(said) > 1


def test_json_says_which_spellings_each_hit_holds(spelled: Nai) -> None:
    hits = {h["url"]: h for h in spelled.json("search", "Haftar Niger", "--format", "json")}
    assert hits[LIBYA_URL]["matched"] == ["Haftar", "Niger"]
    assert hits[HIFTER_URL]["matched"] == ["Hifter", "Niger"]


def test_the_table_notes_a_spelling_not_typed(spelled: Nai) -> None:
    out = spelled("search", "Haftar", "--sort", "date").stdout
    blocks = re.split(r"\n(?=\s*\d+  \d{4})", out)
    assert "matched: Hifter" in blocks[0] and "2026-04-15" in blocks[0]
    assert "matched:" not in blocks[1] and "2026-02-04" in blocks[1]


# ---- the user's spellings -------------------------------------------------------------------------


def test_the_users_file_adds_to_a_shipped_group(spelled: Nai, tmp_path: Path) -> None:
    assert XAFTAR_URL not in urls(spelled, "Haftar")
    (tmp_path / "config" / "nai").mkdir(parents=True)
    (tmp_path / "config" / "nai" / "aliases.txt").write_text("# mine\nHifter, Xaftar  # a typo the site made\n")
    assert set(urls(spelled, "Haftar")) == {LIBYA_URL, HIFTER_URL, XAFTAR_URL}  # merged with Haftar's group
    assert set(urls(spelled, "Xaftar")) == {LIBYA_URL, HIFTER_URL, XAFTAR_URL}
    assert urls(spelled, "Xaftar", "--exact") == [XAFTAR_URL]


def test_aliases_option(spelled: Nai, tmp_path: Path) -> None:
    mine = tmp_path / "mine.txt"
    mine.write_text("Xaftar, Eurobond\n", encoding="utf-8")
    assert set(urls(spelled, "Xaftar", "--aliases", str(mine))) == {XAFTAR_URL, *urls(spelled, "Eurobond")}
    result = spelled("search", "Haftar", "--aliases", str(tmp_path / "missing.txt"))
    assert result.exit_code == 1
    assert result.stderr.startswith("nai: ") and "missing.txt" in result.stderr
    assert result.stderr.count("\n") == 1


# ---- filters and order -------------------------------------------------------------------------------


def test_section_author_and_min_reads_filter(spelled: Nai) -> None:
    assert urls(spelled, "Haftar", "--section", "sahel edition") == [HIFTER_URL]
    assert urls(spelled, "Haftar", "--section", "Maghreb Edition") == [LIBYA_URL]
    chad = expected(FIXTURES / "naj-one-paragraph.html")
    assert chad["author"]["name"] == "Staff Writer"
    assert urls(spelled, "Niger", "--author", "staff writer") == [chad["url"]]
    assert urls(spelled, "Niger", "--author", "Staff") == []  # the whole name
    assert set(urls(spelled, "Haftar", "--author", "The North Africa Journal")) == {LIBYA_URL, HIFTER_URL}
    assert urls(spelled, "Haftar", "--min-reads", "87") == [HIFTER_URL]
    assert set(urls(spelled, "Haftar", "--min-reads", "86")) == {LIBYA_URL, HIFTER_URL}


def test_sort_by_date_and_reads(spelled: Nai) -> None:
    dated = spelled.json("search", "Niger", "--sort", "date", "--format", "json")
    assert [h["published"] for h in dated] == sorted((h["published"] for h in dated), reverse=True)
    assert len(dated) >= 3
    read = spelled.json("search", "Niger", "--sort", "reads", "--format", "json")
    counts = [h["read_count"] if h["read_count"] is not None else -1 for h in read]
    assert counts == sorted(counts, reverse=True) and read[0]["url"] == HIFTER_URL
    ranked = [h["rank"] for h in spelled.json("search", "Niger", "--format", "json")]
    assert ranked == sorted(ranked)


def test_a_filter_is_applied_before_the_candidates_are_capped(tmp_path: Path) -> None:
    """2,001 newer Energy stories say pipeline: the newest 2,000 are the candidates, and the one
    older Security story is not among them; with --section Security it is the candidate."""
    nai = Nai(tmp_path / "a.db")
    older = Article(
        headline="A pipeline under guard",
        body="The pipeline is guarded.",
        url="https://north-africa.com/guarded/",
        site="north-africa.com",
        published="2019-06-01",
        section="Security",
    )
    with Archive(nai.db) as archive, archive.transaction():
        archive.save(older)
        for n in range(2001):
            archive.save(
                Article(
                    headline=f"Story {n}",
                    body="A pipeline story.",
                    url=f"https://north-africa.com/story-{n}/",
                    site="north-africa.com",
                    published=date.fromordinal(date(2021, 1, 1).toordinal() + n).isoformat(),
                    section="Energy",
                )
            )
    assert older.url not in urls(nai, "pipeline", "--limit", "3000")
    assert urls(nai, "pipeline", "--section", "Security") == [older.url]


# ---- suggestions --------------------------------------------------------------------------------------


def test_no_match_suggests_the_archives_own_words(spelled: Nai) -> None:
    result = spelled("search", "Fezzzan")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "nai: no match; did you mean: Fezzan?\n"
    assert spelled("search", "Fezzzan", "-q").stderr == ""
    assert "did you mean" not in spelled("search", "Fezzan").stderr
    assert "did you mean" not in spelled("search", "Eurobond Fezzan").stderr  # both held, not together


def test_suggestions_are_ranked_by_closeness_then_by_articles(spelled: Nai) -> None:
    stderr = spelled("search", "Nigerr").stderr
    assert stderr.startswith("nai: no match; did you mean: Niger, Nigeria")


# ---- trends -----------------------------------------------------------------------------------------------


def test_trend_by_month_lists_every_month_with_zeros(spelled: Nai) -> None:
    trend = spelled.json("trend", "Haftar", "Eurobond", "--format", "json")
    assert list(trend) == ["by", "queries", "periods"]
    assert trend["by"] == "month" and trend["queries"] == ["Haftar", "Eurobond"]
    periods = {p["period"]: p["counts"] for p in trend["periods"]}
    assert periods["2026-02"] == {"Haftar": 1, "Eurobond": 0}
    assert periods["2026-03"] == {"Haftar": 0, "Eurobond": 1}
    assert periods["2026-04"] == {"Haftar": 1, "Eurobond": 0}
    months = [p["period"] for p in trend["periods"]]
    assert months[-1] == "2026-04" and months == sorted(months) and len(months) == len(set(months))
    first = months[0]
    assert len(months) == (2026 - int(first[:4])) * 12 + 4 - int(first[5:]) + 1  # none missing


def test_trend_expands_spellings_unless_exact(spelled: Nai) -> None:
    def total(*args: str) -> int:
        trend = spelled.json("trend", "Hifter", *args, "--format", "json")
        return sum(p["counts"]["Hifter"] for p in trend["periods"])

    assert (total(), total("--exact")) == (2, 1)


def test_trend_by_week_and_year(spelled: Nai) -> None:
    weeks = spelled.json("trend", "Haftar", "--by", "week", "--format", "json")["periods"]
    feb, apr = date(2026, 2, 4).isocalendar(), date(2026, 4, 15).isocalendar()
    assert weeks[0] == {"period": f"{feb[0]}-W{feb[1]:02d}", "counts": {"Haftar": 1}}
    assert weeks[-1] == {"period": f"{apr[0]}-W{apr[1]:02d}", "counts": {"Haftar": 1}}
    assert len(weeks) == apr[1] - feb[1] + 1 and sum(w["counts"]["Haftar"] for w in weeks) == 2
    years = spelled.json("trend", "Niger", "Haftar", "--by", "year", "--format", "json")["periods"]
    assert [y["period"] for y in years] == ["2024", "2025", "2026"]
    assert years[-1]["counts"]["Haftar"] == 2 and years[1]["counts"]["Haftar"] == 0


def test_trend_since_until_and_csv(spelled: Nai) -> None:
    out = spelled("trend", "Haftar", "Niger", "--since", "2026-03", "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [["period", "Haftar", "Niger"], ["2026-04", "1", "1"]]


def test_trend_table_is_a_bar_chart_with_counts(spelled: Nai) -> None:
    lines = spelled("trend", "Haftar", "Eurobond").stdout.splitlines()
    assert lines[0].split() == ["period", "Haftar", "Eurobond"]
    feb = next(line for line in lines if line.startswith("2026-02"))
    assert re.fullmatch(r"2026-02\s+█+ 1\s+0", feb)
    assert re.fullmatch(r"2026-03\s+0\s+█+ 1", next(line for line in lines if line.startswith("2026-03")))


def test_trend_of_nothing_prints_nothing(spelled: Nai) -> None:
    assert spelled.json("trend", "Zzyzx", "--format", "json") == {"by": "month", "queries": ["Zzyzx"], "periods": []}


def test_the_match_names_only_the_phrases_the_index_holds() -> None:
    """A search ORs only the spellings (and Arabic joined forms) that some article holds: every
    phrase of an OR costs its search even when empty. A term with none held keeps one phrase, so
    that the query is valid and finds nothing."""
    expanded = Spellings.load().expand("Haftar Fezzan")
    held = {'"Hifter"', '"وحفتر"'}
    match = expanded.match_held(lambda p: p in held)
    assert match == '("Hifter" OR "وحفتر") AND "Fezzan"'
    assert '"Heftar"' in expanded.match and '"لحفتر"' in expanded.match  # the whole group otherwise
    assert expanded.match_held(lambda p: False) == '"Haftar" AND "Fezzan"'
