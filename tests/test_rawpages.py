"""Raw pages of a site that serves several templates at once (its theme, AMP, saved copies): each
template has its dictionary, and a page is packed once, against its own template's, found by the
signature of its head (nai.raw.signature) rather than by packing it against each dictionary."""

from __future__ import annotations

import random
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from conftest import FIXTURES
from mocksite import WORDS, article_page
from nai import raw
from nai.model import Article
from nai.raw import RawPage
from nai.store import Archive, Packer

SITE = "north-africa.com"
#: The five markup families the site has used (fixtures/README.md), one template each.
TEMPLATES = {
    "classic": FIXTURES / "naj-libya-classic.html",
    "newspaper": FIXTURES / "naj-libya-builder.html",
    "blocks": FIXTURES / "naj-quote-list-arabic.html",
    "amp": FIXTURES / "naj-libya-amp.html",
    "saved-cp1252": FIXTURES / "naj-saved-copy-cp1252.html",
}


def story(template: str, n: int) -> bytes:
    """Story n in a template's markup: its own title, description and a paragraph of its own."""
    words = " ".join(random.Random(n).choices(WORDS, k=40))
    page = TEMPLATES[template].read_bytes()
    page = re.sub(rb"<title>[^<]*</title>", f"<title>Story {n}: {words[:50]}</title>".encode(), page, count=1)
    page = re.sub(rb'(name="description" content=")[^"]*', rb"\g<1>" + words[:80].encode(), page, count=1)
    return page.replace(b"</body>", f"<p>Story {n}. {words}.</p>\n</body>".encode(), 1)


def interleaved(rounds: range) -> Iterator[tuple[str, int, bytes]]:
    """Pages of the five templates in turn, as a night's scrape or a folder of saved pages gives them."""
    for r in rounds:
        for k, template in enumerate(TEMPLATES):
            n = r * len(TEMPLATES) + k
            yield template, n, story(template, n)


def save(archive: Archive, n: int, page: bytes) -> int:
    article = Article(headline=f"Story {n}", body="Text.", url=f"https://{SITE}/story-{n}/", site=SITE)
    archive.save(article, page=page)
    return int(archive.conn.execute("SELECT max(id) FROM raw_pages").fetchone()[0])


@pytest.fixture
def packings(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times pages are packed against a dictionary, and without one (raw.pack_plain)."""
    counts: Counter[str] = Counter()
    pack, plain = raw.Dictionary.pack, raw.pack_plain

    def counted_pack(self: raw.Dictionary, data: bytes) -> bytes:
        counts["dictionary"] += 1
        return pack(self, data)

    def counted_plain(data: bytes) -> bytes:
        counts["plain"] += 1
        return plain(data)

    monkeypatch.setattr(raw.Dictionary, "pack", counted_pack)
    monkeypatch.setattr(raw, "pack_plain", counted_plain)
    return counts


def test_pages_of_alternating_templates_are_each_packed_small_against_their_templates_dictionary(
    tmp_path: Path,
) -> None:
    """Five templates in turn, more than a site's newest dictionaries that were tried (raw.MAX_TRIES):
    one dictionary each, made of its first page, and every later page packed against it."""
    stored: list[tuple[str, int, bytes]] = []
    with Archive(tmp_path / "a.db") as archive:
        for template, n, page in interleaved(range(6)):
            stored.append((template, save(archive, n, page), page))
        rows = dict(archive.conn.execute("SELECT id, dict_id FROM raw_pages").fetchall())
        first = {}
        for template, raw_id, page in stored:
            dict_id = first.setdefault(template, rows[raw_id])  # the first page of a template made its dictionary
            assert rows[raw_id] == dict_id, f"{template}: page {raw_id} packed against another template's"
            assert archive.raw.read(raw_id) == page  # whole, byte for byte (SHA-256 checked)
        dictionaries = archive.conn.execute("SELECT id FROM raw_dicts ORDER BY id").fetchall()
        assert sorted(first.values()) == [dict_id for (dict_id,) in dictionaries]  # one a template
        sizes = archive.conn.execute("SELECT length(content), size FROM raw_pages").fetchall()
        assert all(packed < size / 10 for packed, size in sizes)
        signatures = dict(archive.conn.execute("SELECT id, signature FROM raw_dicts").fetchall())
        assert {signatures[first[template]] for template in TEMPLATES} == {raw.signature(p) for _, _, p in stored}


def test_a_page_is_packed_once_against_its_templates_dictionary(tmp_path: Path, packings: Counter[str]) -> None:
    """Once its template has a dictionary, a page is packed once, not against each dictionary in turn."""
    with Archive(tmp_path / "a.db") as archive:
        for _, n, page in interleaved(range(2)):
            save(archive, n, page)
        packings.clear()
        pages = list(interleaved(range(2, 8)))
        for _, n, page in pages:
            save(archive, n, page)
        assert packings == Counter(dictionary=len(pages))
        assert archive.conn.execute("SELECT count(*) FROM raw_dicts").fetchone() == (len(TEMPLATES),)


def test_a_page_of_a_new_template_gets_its_own_dictionary_and_the_next_is_packed_once(
    tmp_path: Path, packings: Counter[str]
) -> None:
    with Archive(tmp_path / "a.db") as archive:
        save(archive, 1, story("classic", 1))
        save(archive, 2, story("amp", 2))  # fits the classic dictionary badly: a dictionary of its own
        assert archive.conn.execute("SELECT count(*) FROM raw_dicts").fetchone() == (2,)
        packings.clear()
        raw_id = save(archive, 3, story("amp", 3))
        assert packings == Counter(dictionary=1)
        assert archive.raw.read(raw_id) == story("amp", 3)


def test_the_workers_packer_chooses_as_the_writer_does(tmp_path: Path, packings: Counter[str]) -> None:
    """`nai ingest --jobs` workers pack against the archive's committed dictionaries: each page once,
    against its template's; a page of a template without one is left to the writer."""
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        made = {template: save(archive, n, page) for template, n, page in interleaved(range(1))}
        rows = dict(archive.conn.execute("SELECT id, dict_id FROM raw_pages").fetchall())
    packer = Packer(db)
    packings.clear()
    pages = list(interleaved(range(1, 5)))
    for template, _, page in pages:
        packed = packer.pack(RawPage.of(page), SITE)
        assert packed.dict_id == rows[made[template]], template  # the dictionary its template's first page made
        assert packed.packed is not None and len(packed.packed) < len(page) / 10
    assert packings == Counter(dictionary=len(pages))
    elsewhere = RawPage.of(story("classic", 99))  # a site without dictionaries: the writer makes one
    assert packer.pack(elsewhere, "other.example") == elsewhere


def test_a_templates_signature_ignores_what_its_pages_say() -> None:
    """One template, any story: the same signature; each of the fixtures' templates: its own."""
    for template in TEMPLATES:
        assert len({raw.signature(story(template, n)) for n in range(5)}) == 1, template
    pages = sorted(FIXTURES.glob("*.html"))
    assert len({raw.signature(page.read_bytes()) for page in pages}) == len(pages)
    first = article_page("https://north-africa.com", 1, published=date(2020, 1, 1), read_count=1)
    other = article_page("https://north-africa.com", 99, published=date(2024, 5, 6), read_count=9, related=(98,))
    assert raw.signature(first) == raw.signature(other)  # another URL, headline, date, read count, post id
    restyled = first.replace(b"</head>", b"<link rel='stylesheet' id='new-theme-css' href='x.css'></head>")
    assert raw.signature(restyled) != raw.signature(first)  # the head loads something else
    for odd in (b"", b"\x00" * 10, random.Random(1).randbytes(50_000), b"<p>no head</p>"):
        assert raw.signature(odd).startswith(raw.SIGNATURE_VERSION + ":")


def test_dictionaries_made_before_signatures_get_theirs(tmp_path: Path) -> None:
    """Migration m007: the dictionaries of an archive made before it are signed from their content;
    one that cannot be read keeps none, and the archive opens all the same."""
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        for _, n, page in interleaved(range(1)):
            save(archive, n, page)
    with sqlite3.connect(db) as conn:
        signed = conn.execute("SELECT id, signature FROM raw_dicts ORDER BY id").fetchall()
        conn.execute("DROP INDEX idx_raw_dicts_site_signature")
        conn.execute("ALTER TABLE raw_dicts DROP COLUMN signature")  # as migration m006 left it
        conn.execute("DELETE FROM _nai_migrations WHERE name = 'm007_raw_dict_signatures'")
        conn.execute("UPDATE raw_dicts SET content = zeroblob(10) WHERE id = ?", (signed[-1][0],))
    with Archive(db) as archive:
        again = archive.conn.execute("SELECT id, signature FROM raw_dicts ORDER BY id").fetchall()
    assert again == [*signed[:-1], (signed[-1][0], None)]
