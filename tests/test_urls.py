from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import FIXTURES, LIBYA_URL, Nai, sql
from nai.urls import host_of, unwrap_archive, url_key


@pytest.mark.parametrize(
    "url",
    [
        "https://north-africa.com/story/",
        "http://north-africa.com/story",
        "https://www.North-Africa.com/story/?utm_source=twitter&utm_medium=social",
        "https://north-africa.com/story/#comments",
        "https://north-africa.com/story/?fbclid=abc",
        "https://north-africa.com/story/amp/",
        "https://web.archive.org/web/20260205101010/https://north-africa.com/story/",
    ],
)
def test_url_key_normalises_the_forms_of_one_url(url: str) -> None:
    assert url_key(url) == "north-africa.com/story"


def test_url_key_keeps_meaningful_query_parameters() -> None:
    assert url_key("https://north-africa.com/?p=123&utm_source=x") == "north-africa.com/?p=123"
    assert url_key("https://north-africa.com/?p=123") != url_key("https://north-africa.com/?p=124")


def test_unwrap_archive_org_capture() -> None:
    capture = "https://web.archive.org/web/20260205101010id_/http://www.north-africa.com/a/"
    assert unwrap_archive(capture) == "http://www.north-africa.com/a/"
    assert unwrap_archive("https://north-africa.com/a/") == "https://north-africa.com/a/"


def test_host_of() -> None:
    assert host_of("https://www.north-africa.com/x") == "north-africa.com"
    assert host_of("http://127.0.0.1:8000/x") == "127.0.0.1"
    assert host_of(None) is None
    assert host_of("not a url") is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://north-africa.com:abc/x/", "port"),
        ("https://north-africa.com:99999/x/", "port"),
        ("https://north-africa.com:８０/x/", "port"),
        ("https://[::1/x/", "IPv6"),
        ("https://[::1]x/", "IPv6"),
        ("https://[north-africa.com]/x/", "IPv6"),
        ("https:///x/", "no host"),
        ("https://./x/", "not a host name"),
        ("https://../", "not a host name"),
        ("https://north africa.com/x/", "host"),
        ("https://north-africa.com/a\x00b/", "control character"),
        ("https://north-africa.com/\udce9/", "not text"),
        ("https://north-africa.com/" + "a" * 3000, "longer than"),
        ("ftp://north-africa.com/x/", "not an http"),
        ("north-africa.com/x/", "not an http"),
        ("", "empty"),
    ],
)
def test_check_url_says_what_is_wrong(url: str, reason: str) -> None:
    from nai.urls import check_url, valid_url

    with pytest.raises(ValueError, match=reason):
        check_url(url)
    assert valid_url(url) is None


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("  https://north-africa.com/x/\n", "https://north-africa.com/x/"),
        ("https://north-africa.com/a\n  b/", "https://north-africa.com/a%20%20b/"),  # a wrapped attribute
        ("https://north-africa.com/a b/?q=c d", "https://north-africa.com/a%20b/?q=c%20d"),
        ("HTTPS://user:pw@North-Africa.com:8443/x/", "HTTPS://user:pw@North-Africa.com:8443/x/"),
        ("http://[::1]:8000/x/", "http://[::1]:8000/x/"),
        ("https://north-africa.com/caf\u00e9/", "https://north-africa.com/caf\u00e9/"),
    ],
)
def test_valid_url_cleans_what_browsers_clean(url: str, clean: str) -> None:
    from nai.urls import valid_url

    assert valid_url(url) == clean


def test_absolute_url_joins_unwraps_and_checks() -> None:
    from nai.urls import absolute_url

    assert absolute_url("/x/", "https://north-africa.com/a/") == "https://north-africa.com/x/"
    assert absolute_url("mailto:desk@north-africa.com", "https://north-africa.com/") is None  # not a web page
    assert absolute_url("/x/", None) is None  # relative, and nothing to join it to
    capture = "https://web.archive.org/web/2026/https://north-africa.com/x/"
    assert absolute_url(capture, None) == "https://north-africa.com/x/"
    with pytest.raises(ValueError, match="port"):
        absolute_url("https://web.archive.org/web/2026/https://north-africa.com:abc/x/", None)
    with pytest.raises(ValueError, match="IPv6"):
        absolute_url("//[::1/x/", "https://north-africa.com/")


@pytest.mark.parametrize(
    "url",
    [
        "https://north-africa.com/caf%c3%a9-story/",
        "https://north-africa.com/caf%C3%A9-story",
        "https://north-africa.com/café-story/",
        "https://north-africa.com/x/../caf%C3%A9-story/",
        "https://north-africa.com/./caf%c3%a9-story/.",
        "https://north-africa.com./caf%c3%a9-story/",
        "https://NORTH-AFRICA.COM/c%61f%C3%A9-story/",
    ],
)
def test_url_key_spells_each_url_one_way(url: str) -> None:
    assert url_key(url) == "north-africa.com/caf%C3%A9-story"


@pytest.mark.parametrize(("a", "b"), [("a b", "a%20b"), ("{a}", "%7Ba%7D"), ("a|b", "a%7cb"), ('a"b', "a%22b")])
def test_url_key_escapes_what_a_browser_escapes(a: str, b: str) -> None:
    assert url_key(f"https://north-africa.com/{a}/") == url_key(f"https://north-africa.com/{b}/")


def test_url_key_keeps_reserved_escapes_and_decodes_no_slash() -> None:
    assert url_key("https://north-africa.com/a%2fb/") == "north-africa.com/a%2Fb"
    assert url_key("https://north-africa.com/a%2fb/") != url_key("https://north-africa.com/a/b/")


CAFE = "https://north-africa.com/caf%c3%a9-story/"
CHAD = "https://north-africa.com/chad-and-niger-agree-joint-patrols-along-lake-chad-border/"
GHANNOUCHI = "https://north-africa.com/tunisia-appeals-court-extends-rached-ghannouchis-prison-term-by-20-years/"


@pytest.fixture
def cafe(tmp_path: Path) -> Nai:
    """A story whose URL has an escaped letter (its canonical in lower case), and the Libya story
    listing it as "café" (the first related link) and with dot segments (the second)."""
    story = tmp_path / "cafe.html"
    story.write_bytes((FIXTURES / "naj-one-paragraph.html").read_bytes().replace(CHAD.encode(), CAFE.encode()))
    hub = tmp_path / "hub.html"
    data = (
        (FIXTURES / "naj-libya-classic.html")
        .read_bytes()
        .replace(GHANNOUCHI.encode(), "https://north-africa.com/café-story/".encode())
    )
    hub.write_bytes(data)
    nai = Nai(tmp_path / "archive.db")
    assert nai("ingest", str(story), str(hub)).exit_code == 0
    return nai


def test_a_url_in_another_spelling_finds_its_article_and_links_to_it(cafe: Nai) -> None:
    for form in (
        "https://north-africa.com/café-story/",
        "https://north-africa.com/caf%C3%A9-story",
        "https://north-africa.com./x/../caf%c3%a9-story/",
    ):
        assert cafe.json("related", form, "--format", "json")["id"] == 1
    links = cafe.json("related", "2", "--format", "json")["links"]
    assert links[0]["id"] == 1
    assert [b["id"] for b in cafe.json("related", "1", "--format", "json")["backlinks"]] == [2]


def test_migration_m011_spells_the_keys_of_an_older_archive_one_way(cafe: Nai) -> None:
    """As an archive made before m011 held them: the keys as the URLs were spelled, the link not
    resolved; the migration makes them again, and the link finds its article."""
    with sqlite3.connect(cafe.db) as conn:
        conn.execute("UPDATE articles SET key = 'north-africa.com/caf%c3%a9-story' WHERE id = 1")
        conn.execute(
            "UPDATE related SET url_key = 'north-africa.com/café-story', target_id = NULL WHERE article_id = 2"
        )
        conn.execute("DELETE FROM _nai_migrations WHERE name = 'm011_url_keys_in_one_spelling'")
    conn.close()
    assert cafe("related", "2", "--format", "json").exit_code == 0  # opening the archive migrates it
    assert sql(cafe.db, "SELECT key FROM articles WHERE id = 1") == [("north-africa.com/caf%C3%A9-story",)]
    assert cafe.json("related", "2", "--format", "json")["links"][0]["id"] == 1
    assert [b["id"] for b in cafe.json("related", "1", "--format", "json")["backlinks"]] == [2]


@pytest.mark.parametrize(
    "ref",
    [
        "www.north-africa.com/southern-libya-boils-over-three-haftar-soldiers-killed-in-border-raid-near-niger/",
        "north-africa.com/southern-libya-boils-over-three-haftar-soldiers-killed-in-border-raid-near-niger",
        "web.archive.org/web/20260205101010/https://north-africa.com/southern-libya-boils-over-three-haftar-soldiers-killed-in-border-raid-near-niger/",
        "HTTPS://North-Africa.com./southern-libya-boils-over-three-haftar-soldiers-killed-in-border-raid-near-niger",
        " 1 ",
    ],
)
def test_an_article_is_found_by_a_url_without_its_scheme_too(nai: Nai, ref: str) -> None:
    assert nai("ingest", str(FIXTURES / "naj-libya-classic.html")).exit_code == 0
    assert nai.json("show", ref, "--format", "json")["id"] == 1


@pytest.mark.parametrize("ref", ["²", "١", "ftp://north-africa.com/x/", "some words"])
def test_what_is_no_id_and_no_url_finds_nothing_in_one_line(nai: Nai, ref: str) -> None:
    assert nai("ingest", str(FIXTURES / "naj-libya-classic.html")).exit_code == 0
    result = nai("related", ref)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"nai: {ref}: no such article in {nai.db}\n"


def test_check_names_a_story_stored_twice_under_two_spellings_and_repair_rekeys(cafe: Nai) -> None:
    """As an archive made before m011 can hold them: a copy of the café story under another spelling
    of its URL (m011 merges nothing: it keeps its old key), and a key that is not its URL's."""
    badge = FIXTURES / "naj-flag-badge.html"
    assert cafe("ingest", str(badge)).exit_code == 0
    with sqlite3.connect(cafe.db) as conn:
        conn.execute(
            "UPDATE articles SET url = 'https://north-africa.com/café-story/', key = 'north-africa.com/café-story'"
            " WHERE id = 3"
        )
        conn.execute("UPDATE articles SET key = 'north-africa.com/x/../' || key WHERE id = 2")
    conn.close()
    check = cafe("check")
    assert check.exit_code == 1
    assert "article 3: its URL is article 1's, spelled another way: the same story twice" in check.stdout
    assert "article 2: its key is not its URL's" in check.stdout
    repaired = cafe("check", "--repair")
    assert "article 2: keyed by its URL again" in repaired.stdout
    assert cafe.json("show", LIBYA_URL, "--format", "json")["id"] == 2
    assert "article 2" not in cafe("check").stdout


@pytest.mark.parametrize("when", ["earlier", "later"])
def test_repair_merges_a_story_stored_twice_losing_nothing(cafe: Nai, tmp_path: Path, when: str) -> None:
    """The café story keyed as nai spelled its URL before m011, then again, edited and read more,
    ingested by this nai: two articles, as an archive made then holds them. --repair makes them
    article 1: the record of the copy seen last, both texts in its history by time, every read
    count, links to either."""
    with sqlite3.connect(cafe.db) as conn:
        conn.execute("UPDATE articles SET key = 'north-africa.com/café-story' WHERE id = 1")
    conn.close()
    copy = tmp_path / "cafe-copy.html"
    page = (FIXTURES / "naj-one-paragraph.html").read_bytes().replace(CHAD.encode(), CAFE.encode())
    page = page.replace(b"launch joint military patrols", b"launch joint naval patrols")
    copy.write_bytes(page.replace(b'post-views-count">7<', b'post-views-count">70<'))
    observed = ["--observed-at", "2025-06-01T08:00:00+00:00"] if when == "earlier" else []
    assert cafe("ingest", str(copy), *observed).exit_code == 0
    assert [a["id"] for a in cafe.jsonl("export")] == [1, 2, 3]
    assert "article 1: its URL is article 3's, spelled another way" in cafe("check").stdout

    repaired = cafe("check", "--repair")
    assert repaired.exit_code == 0 and "article 3: merged into article 1, the same story" in repaired.stdout
    assert cafe("check").stdout == "ok\n"
    assert [a["id"] for a in cafe.jsonl("export")] == [1, 2]
    assert cafe("show", "3").exit_code == 1
    merged = cafe.json("show", CAFE, "--format", "json")
    assert merged["id"] == 1 and ("naval" in merged["body"]) == (when == "later")
    assert merged["read_count"] == (7 if when == "earlier" else 70)
    versions = cafe.json("history", "1", "--format", "json")["versions"]
    assert ["naval" in v["body"] for v in versions] == ([True, False] if when == "earlier" else [False, True])
    assert [v["seen_at"] for v in versions] == sorted(v["seen_at"] for v in versions)
    assert versions[0]["seen_at"].startswith("2025-06-01T08:00:00") == (when == "earlier")
    series = {t["id"]: t["series"] for t in cafe.json("trending", "--days", "1000", "--format", "json")}
    assert [count for _, count in series[1]] == ([70, 7] if when == "earlier" else [7, 70]) and 3 not in series
    assert cafe.json("related", "2", "--format", "json")["links"][0]["id"] == 1
    assert [b["id"] for b in cafe.json("related", "1", "--format", "json")["backlinks"]] == [2]
    assert [h["id"] for h in cafe.json("search", "naval", "--format", "json")] == ([1] if when == "later" else [])


def stale_copy(nai: Nai, article_id: int) -> None:
    """Article `article_id` keyed as nai keyed the café story's URL before m011."""
    with sqlite3.connect(nai.db) as conn:
        conn.execute("UPDATE articles SET key = 'north-africa.com/café-story' WHERE id = ?", (article_id,))
    conn.close()


def cafe_page(tmp_path: Path, name: str, *, reads: int, word: str = "military") -> str:
    """The café story as a page read `reads` times, its patrols `word` ("launch joint naval patrols")."""
    page = (FIXTURES / "naj-one-paragraph.html").read_bytes().replace(CHAD.encode(), CAFE.encode())
    page = page.replace(b"launch joint military patrols", f"launch joint {word} patrols".encode())
    path = tmp_path / f"{name}.html"
    path.write_bytes(page.replace(b'post-views-count">7<', f'post-views-count">{reads}<'.encode()))
    return str(path)


def test_repair_merges_three_copies_and_a_text_changed_back_keeps_the_latest(nai: Nai, tmp_path: Path) -> None:
    """Copy 1 says "military" in January and again in December (read 900); copy 2 "naval" in March;
    copy 3 "military" in May, and the crawl knows its URL. All three are article 1 after --repair:
    its record December's (read 900), its history military, naval, military, every read count,
    the crawl's URL its own."""
    at = "--observed-at"
    assert nai("ingest", cafe_page(tmp_path, "jan", reads=7), at, "2025-01-01T00:00:00+00:00").exit_code == 0
    stale_copy(nai, 1)
    assert (
        nai("ingest", cafe_page(tmp_path, "mar", reads=70, word="naval"), at, "2025-03-01T00:00:00+00:00").exit_code
        == 0
    )
    with sqlite3.connect(nai.db) as conn:  # each copy keyed in turn, as each spelling of its URL was
        conn.execute("UPDATE articles SET key = 'old-spelling-2' WHERE id = 2")
    conn.close()
    assert nai("ingest", cafe_page(tmp_path, "may", reads=80), at, "2025-05-01T00:00:00+00:00").exit_code == 0
    with sqlite3.connect(nai.db) as conn:
        conn.execute("UPDATE articles SET key = 'old-spelling-3' WHERE id = 3")
        conn.execute("UPDATE articles SET key = 'north-africa.com/caf%C3%A9-story' WHERE id = 1")
    conn.close()
    assert nai("ingest", cafe_page(tmp_path, "dec", reads=900), at, "2025-12-01T00:00:00+00:00").exit_code == 0
    with sqlite3.connect(nai.db) as conn:
        conn.execute("UPDATE articles SET key = 'north-africa.com/café-story' WHERE id = 1")
        conn.execute("UPDATE articles SET key = 'north-africa.com/caf%C3%A9-story' WHERE id = 3")
        conn.execute(
            "INSERT INTO urls (key, url, kind, first_seen, article_id) VALUES (?, ?, 'article', '2025-05-01', 3)",
            ("north-africa.com/caf%C3%A9-story", CAFE),
        )
    conn.close()
    assert [a["id"] for a in nai.jsonl("export")] == [1, 2, 3]
    check = nai("check").stdout
    assert "article 1: its URL is article 3's" in check and "article 2: its URL is article 3's" in check

    repaired = nai("check", "--repair")
    assert repaired.exit_code == 0, repaired.stdout + repaired.stderr
    assert nai("check").stdout == "ok\n"
    assert [a["id"] for a in nai.jsonl("export")] == [1]
    merged = nai.json("show", "1", "--format", "json")
    assert merged["read_count"] == 900 and "military" in merged["body"]
    versions = nai.json("history", "1", "--format", "json")["versions"]
    assert [(v["seen_at"][:10], "naval" in v["body"]) for v in versions] == [
        ("2025-01-01", False),
        ("2025-03-01", True),
        ("2025-05-01", False),
    ]
    series = {t["id"]: t["series"] for t in nai.json("trending", "--days", "100000", "--format", "json")}
    assert [count for _, count in series[1]] == [7, 70, 80, 900]
    assert sql(nai.db, "SELECT article_id FROM urls") == [(1,)]


def test_repair_merges_copies_as_if_their_pages_were_ingested_into_one_article(nai: Nai, tmp_path: Path) -> None:
    """Copy 1: military in January, naval in February, naval again in November. Copy 2: air in
    March, again in December. Ingested in time order into one article, the pages would make military,
    naval, air, naval (November), air (December): the merge makes that history, and keeps no raw
    page that no state holds."""
    pages = [  # (copy, month, patrols, read count)
        (1, "01", "military", 7),
        (1, "02", "naval", 8),
        (1, "11", "naval", 9),
        (2, "03", "air", 70),
        (2, "12", "air", 71),
    ]
    for copy, month, word, reads in pages:
        page = cafe_page(tmp_path, f"{copy}-{month}", reads=reads, word=word)
        assert nai("ingest", page, "--observed-at", f"2025-{month}-01T00:00:00+00:00").exit_code == 0
        if (copy, month) == (1, "11"):  # the first copy, keyed as before m011: the second is another article
            stale_copy(nai, 1)
    assert nai("check", "--repair").exit_code == 0 and nai("check").stdout == "ok\n"
    versions = nai.json("history", "1", "--format", "json")["versions"]
    words = [next(w for w in ("military", "naval", "air") if f"joint {w}" in v["body"]) for v in versions]
    assert [(v["seen_at"][:7], w) for v, w in zip(versions, words, strict=True)] == [
        ("2025-01", "military"),
        ("2025-02", "naval"),
        ("2025-03", "air"),
        ("2025-11", "naval"),
        ("2025-12", "air"),
    ]
    assert nai.json("show", "1", "--format", "json")["read_count"] == 71
    unheld = """SELECT count(*) FROM raw_pages
                WHERE id NOT IN (SELECT raw_page_id FROM articles WHERE raw_page_id IS NOT NULL)
                  AND id NOT IN (SELECT raw_page_id FROM versions WHERE raw_page_id IS NOT NULL)"""
    assert sql(nai.db, unheld) == [(0,)]
