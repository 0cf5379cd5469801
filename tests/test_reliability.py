"""Reliability promises, each with a test that could fail: crashes, concurrency, disk trouble,
self-check and repair, backups, schema upgrades. Real processes and real SQLite files."""

from __future__ import annotations

import gzip
import json
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from conftest import FIXTURES, GOLDEN_PAGES, LIBYA_URL, ROOT, Nai, session_members, sql
from mocksite import MockSite, SiteSpec, article_page, build_site
from nai.parse import parse_article

DATA = ROOT / "tests" / "data"


def nai_process(db: Path, *args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "nai", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,  # type: ignore[call-overload]
    )


def run_nai(db: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nai", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,  # type: ignore[call-overload]
    )


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 distinct article pages on disk."""
    folder = tmp_path_factory.mktemp("pages")
    for n in range(1, 301):
        data = article_page("https://north-africa.com", n, published=date(2025, 1, 1), read_count=n, related=(n + 1,))
        (folder / f"story-{n:03}.html").write_bytes(data)
    return folder


def assert_healthy(db: Path) -> None:
    check = run_nai(db, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout == "ok\n"


def assert_records_whole(db: Path, folder: Path) -> None:
    """Every stored article is exactly its page's record: headline, body, author, related, all."""
    exported = Nai(db).jsonl("export")
    for record in exported:
        n = int(record["url"].rstrip("/").rsplit("-", 1)[1])
        expected = parse_article((folder / f"story-{n:03}.html").read_bytes()).to_record()
        assert {k: v for k, v in record.items() if k != "id"} == expected


# ---- crash safety ----------------------------------------------------------------------------


@pytest.mark.slow
def test_ingest_killed_at_random_moments_loses_nothing_and_resumes(pages: Path, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    rng = random.Random(7)
    kills = 0
    for _ in range(4):
        proc = nai_process(db, "ingest", str(pages))
        time.sleep(rng.uniform(0.3, 0.9))  # a run takes about a second, start-up 0.2 s
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        if db.exists():
            assert_healthy(db)
            assert_records_whole(db, pages)
    assert kills >= 2, "the ingest finished before it could be killed: make the batch bigger"
    finished = run_nai(db, "ingest", str(pages))
    assert finished.returncode == 0, finished.stderr
    assert sql(db, "SELECT count(*), count(DISTINCT url) FROM articles") == [(300, 300)]
    assert_healthy(db)
    assert_records_whole(db, pages)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ingest_with_jobs_killed_leaves_no_worker_behind(pages: Path, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    proc = nai_process(db, "ingest", "--jobs", "2", str(pages), start_new_session=True)
    deadline = time.monotonic() + 10
    while len(session_members(proc.pid)) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # until the writer and its two workers run
    assert proc.poll() is None and len(session_members(proc.pid)) >= 3, "the ingest ended before its workers ran"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 5
    while session_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session_members(proc.pid) == []  # the workers saw their writer go, and ended
    if db.exists():
        assert_healthy(db)
        assert_records_whole(db, pages)


def test_a_worker_whose_writer_died_while_it_started_ends_at_once() -> None:
    """kill -9 may reach the writer between a worker's fork and its set-up: the worker's parent is
    then another process already, and the worker must still see its writer gone (it compares with
    the writer's pid taken before the fork, not with the parent it finds)."""
    code = (
        "import os, time\n"
        "from nai.ingest import _start_worker\n"
        "_start_worker(None, os.getppid() + 1_000_000)  # a writer that is not this process's parent\n"
        "time.sleep(30)\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], timeout=20)
    assert done.returncode == 1 and time.monotonic() - started < 10


@pytest.mark.slow
def test_scrape_killed_at_random_moments_loses_nothing_and_resumes(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with MockSite() as site:
        build_site(site, SiteSpec(n=200, recent=0, per_page=50))
        rng = random.Random(11)
        for _ in range(3):
            proc = nai_process(db, "scrape", "--site", site.url, "--delay", "0.005")
            time.sleep(rng.uniform(0.5, 2.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
            if db.exists():
                assert_healthy(db)
        finished = run_nai(db, "scrape", "--site", site.url, "--delay", "0")
        assert finished.returncode == 0, finished.stderr
    assert sql(db, "SELECT count(*), count(DISTINCT url) FROM articles") == [(200, 200)]
    assert_healthy(db)


# ---- concurrency ----------------------------------------------------------------------------


@pytest.mark.slow
def test_reads_while_writing_never_fail_and_two_writers_wait(pages: Path, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    assert run_nai(db, "ingest", *map(str, GOLDEN_PAGES)).returncode == 0
    with MockSite() as site:
        build_site(site, SiteSpec(n=60, recent=0))
        ingest = nai_process(db, "ingest", str(pages))
        scrape = nai_process(db, "scrape", "--site", site.url, "--delay", "0")
        readers = 0
        while ingest.poll() is None or scrape.poll() is None:
            for args in (("search", "Haftar"), ("show", "1"), ("export",), ("stats",)):
                result = run_nai(db, *args)
                assert result.returncode == 0, (args, result.stderr)
                assert "locked" not in result.stderr
                readers += 1
        assert ingest.wait() == 0, ingest.stderr.read() if ingest.stderr else ""
        assert scrape.wait() == 0, scrape.stderr.read() if scrape.stderr else ""
    assert readers >= 4
    stories = len(GOLDEN_PAGES) - 2  # the Libya story's three markups are one article
    assert sql(db, "SELECT count(*) FROM articles") == [(stories + 300 + 60,)]
    assert_healthy(db)


# ---- disk trouble ---------------------------------------------------------------------------


def _limit_file_size(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG: SQLite's "disk is full"
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_full_disk_stops_with_a_clear_error_and_loses_nothing(pages: Path, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    assert run_nai(db, "ingest", *map(str, GOLDEN_PAGES)).returncode == 0
    before = Nai(db).jsonl("export")
    limit = db.stat().st_size + 400_000  # room for a few pages, not 300
    result = run_nai(db, "ingest", str(pages), preexec_fn=lambda: _limit_file_size(limit))
    assert result.returncode == 1
    assert result.stderr.startswith(f"nai: {db}: disk I/O error: is the disk full or failing?")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    after = Nai(db).jsonl("export")
    assert after[: len(before)] == before  # nothing already stored is lost
    assert 0 < len(after) - len(before) < 300
    assert_healthy(db)
    assert_records_whole_or_golden(db, pages)


def test_full_disk_during_a_scrape(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with MockSite() as site:
        build_site(site, SiteSpec(n=80, recent=0))
        assert run_nai(db, "scrape", "--site", site.url, "--delay", "0", "--max-pages", "2").returncode == 0
        limit = db.stat().st_size + 300_000
        result = run_nai(db, "scrape", "--site", site.url, "--delay", "0", preexec_fn=lambda: _limit_file_size(limit))
    assert result.returncode == 1
    assert "disk" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert_healthy(db)
    stored = sql(db, "SELECT count(*) FROM articles")[0][0]
    assert 2 <= stored < 80  # 10 MB of pages do not fit in 300 KB; what went in is whole


def assert_records_whole_or_golden(db: Path, folder: Path) -> None:
    for record in Nai(db).jsonl("export"):
        if "story-" in (record["url"] or ""):
            n = int(record["url"].rstrip("/").rsplit("-", 1)[1])
            expected = parse_article((folder / f"story-{n:03}.html").read_bytes()).to_record()
            assert {k: v for k, v in record.items() if k != "id"} == expected


@pytest.fixture
def small_mount(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "mnt"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("mounting a tmpfs needs privileges this machine does not give")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_read_only_archive_gives_a_clear_error(small_mount: Path) -> None:
    db = small_mount / "archive.db"
    assert run_nai(db, "ingest", *map(str, GOLDEN_PAGES[:2])).returncode == 0
    before = Nai(db).jsonl("export")
    assert subprocess.run(["mount", "-o", "remount,ro", str(small_mount)]).returncode == 0
    result = run_nai(db, "ingest", str(GOLDEN_PAGES[3]))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "read-only" in result.stderr or "readonly" in result.stderr or "unable to open" in result.stderr
    for args in (("search", "Haftar"), ("show", "1"), ("export",), ("stats",), ("check",)):
        reading = run_nai(db, *args)  # what only reads still works on a read-only archive
        assert reading.returncode == 0, (args, reading.stderr)
    assert [json.loads(line) for line in run_nai(db, "export").stdout.splitlines()] == before
    copy = small_mount.parent / "copy.db"
    assert run_nai(db, "backup", str(copy)).returncode == 0
    subprocess.run(["mount", "-o", "remount,rw", str(small_mount)], check=True)
    assert Nai(db).jsonl("export") == before
    assert Nai(copy).jsonl("export") == before


def test_small_filesystem_fills_up_cleanly(small_mount: Path, pages: Path) -> None:
    db = small_mount / "archive.db"
    result = run_nai(db, "ingest", str(pages))
    assert result.returncode == 1
    assert "the disk is full" in result.stderr and result.stderr.count("\n") == 1
    assert_healthy(db)
    assert_records_whole_or_golden(db, pages)


# ---- check, repair, backup -----------------------------------------------------------------


@pytest.fixture
def archive(nai: Nai) -> Nai:
    assert nai("ingest", *map(str, GOLDEN_PAGES)).exit_code == 0
    return nai


def test_check_a_healthy_archive(archive: Nai) -> None:
    result = archive("check")
    assert (result.exit_code, result.stdout) == (0, "ok\n")


def test_check_finds_and_repair_fixes_damage(archive: Nai) -> None:
    with sqlite3.connect(archive.db) as conn:  # damage of four kinds, behind nai's back
        conn.execute("INSERT INTO articles_fts (rowid, headline, body) VALUES (999, 'ghost', 'ghost')")
        conn.execute(
            "INSERT INTO versions (article_id, version, headline, body, reason, saved_at) "
            "VALUES (4242, 1, 'x', 'x', 'page', '2026-01-01')"
        )
        conn.execute("INSERT INTO related VALUES (4242, 0, 'x', 'https://x/', 'x', NULL, NULL)")
        conn.execute("UPDATE articles SET body = 'damaged' WHERE id = 2")
    result = archive("check")
    assert result.exit_code == 1
    problems = result.stdout
    assert "full-text index" in problems
    assert "1 versions belong to missing articles" in problems
    assert "1 related edges belong to missing articles" in problems
    repaired = archive("check", "--repair")
    assert repaired.exit_code == 0, repaired.stdout
    assert repaired.stdout.endswith("ok\n")
    assert "rebuilt records from raw pages: 1 of" in repaired.stdout
    assert archive.json("search", "ghost", "--format", "json") == []
    assert archive.json("show", "2", "--format", "json")["body"] != "damaged"


def test_backup_while_a_writer_holds_the_archive(archive: Nai, tmp_path: Path) -> None:
    writer = sqlite3.connect(archive.db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE articles SET section = 'uncommitted' WHERE id = 1")
    try:
        copy = tmp_path / "copy.db"
        result = archive("backup", str(copy))
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")  # off a terminal: nothing to say
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert Nai(copy).jsonl("export") == archive.jsonl("export")
    assert_healthy(copy)
    again = archive("backup", str(copy))
    assert again.exit_code == 1 and "already exists" in again.stderr
    said = archive("-v", "backup", str(tmp_path / "again.db"))
    count = len(archive.jsonl("export"))
    assert said.stderr.startswith(f"backed up {count} articles to {tmp_path / 'again.db'} (") and said.stdout == ""


# ---- schema upgrades -----------------------------------------------------------------------


def test_an_archive_of_the_first_schema_is_upgraded_in_place(tmp_path: Path) -> None:
    db = tmp_path / "v1.db"
    with gzip.open(DATA / "archive-v1.db.gz") as packed, db.open("wb") as out:
        shutil.copyfileobj(packed, out)
    assert sql(db, "SELECT name FROM _nai_migrations") == [("m001_initial",)]
    counts = {t: sql(db, f"SELECT count(*) FROM {t}") for t in ("articles", "related")}
    raw_pages = {r[0] for r in sql(db, "SELECT id FROM raw_pages")}
    assert sql(db, "SELECT raw_page_id FROM versions WHERE article_id = 1") == [(1,), (2,)]
    assert sql(db, "SELECT raw_page_id FROM articles WHERE id = 1") == [(3,)]  # fetched again, unchanged
    versions = sql(db, "SELECT article_id, version, body, saved_at FROM versions ORDER BY article_id, version")
    assert [v[:2] for v in versions] == [(1, 1), (1, 2), (2, 1), (3, 1), (4, 1), (5, 1)]
    records = sql(db, "SELECT id, url, headline, body FROM articles ORDER BY id")
    result = Nai(db)("stats", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [r[0] for r in sql(db, "SELECT name FROM _nai_migrations ORDER BY rowid")] == [
        "m001_initial",
        "m002_crawl_state",
        "m003_date_ordered_search",
        "m004_raw_dictionaries",
        "m005_versions_hold_earlier_states",
        "m006_run_field_fill",
        "m007_raw_dict_signatures",
        "m008_states_seen",
        "m009_raw_page_charset",
        "m010_index_at_commit",
        "m011_url_keys_in_one_spelling",
        "m012_facet_indexes",
        "m013_facet_indexes_by_date",
        "m014_facet_indexes_crossed",
        "m015_index_without_arabic_marks",
    ]
    assert {t: sql(db, f"SELECT count(*) FROM {t}") for t in counts} == counts
    assert sql(db, "SELECT id, url, headline, body FROM articles ORDER BY id") == records
    # m005: versions keep the earlier states only, each with why and when it was replaced
    assert sql(db, "SELECT article_id, version, body, reason, saved_at FROM versions") == [
        (1, 1, versions[0][2], "page", versions[1][3])
    ]
    # and raw page 2, which only the dropped copy of article 1's current state pointed at, is gone
    assert {r[0] for r in sql(db, "SELECT id FROM raw_pages")} == raw_pages - {2}
    assert_healthy(db)
    # the raw pages of the first schema (zlib) are still read back: reparse rebuilds from them
    assert sql(db, "SELECT count(*), count(codec) FROM raw_pages") == [(len(raw_pages) - 1, 0)]
    reparse = Nai(db)("reparse")
    assert reparse.exit_code == 0 and "damaged" not in reparse.stdout + reparse.stderr, reparse.stderr
    assert sql(db, "SELECT id, url, headline, body FROM articles ORDER BY id") == records
    fresh = tmp_path / "fresh.db"
    pages = sorted(str(p) for p in FIXTURES.glob("*.html"))
    ingested = Nai(fresh)("-v", "ingest", *pages)
    assert ingested.exit_code == 0, ingested.stderr
    # the Libya story in three markups: AMP (a date only), builder (the date with its time), classic (the same)
    assert ingested.stderr.endswith(f"{len(pages) - 2} new, 1 updated, 1 unchanged, 0 failed\n")
    upgraded = [{k: v for k, v in r.items() if k != "id"} for r in Nai(db).jsonl("export")]
    assert len(upgraded) == 5
    stories = {(r["url"], r["headline"]) for r in upgraded}  # fixtures added since are not in the old archive
    assert upgraded == [
        {k: v for k, v in r.items() if k != "id"}
        for r in Nai(fresh).jsonl("export")
        if (r["url"], r["headline"]) in stories
    ]
    # a backup of the upgraded archive opens as it is: same records, healthy, nothing left to migrate
    copy = tmp_path / "copy.db"
    assert Nai(db)("backup", str(copy)).exit_code == 0
    assert Nai(copy).jsonl("export") == Nai(db).jsonl("export")
    assert_healthy(copy)
    assert sql(copy, "SELECT name, applied_at FROM _nai_migrations") == sql(
        db, "SELECT name, applied_at FROM _nai_migrations"
    )


def test_repair_goes_on_past_a_damaged_raw_page(archive: Nai) -> None:
    with sqlite3.connect(archive.db) as conn:
        conn.execute(
            "UPDATE raw_pages SET content = zeroblob(10) WHERE id = (SELECT raw_page_id FROM articles WHERE id = 1)"
        )
        conn.execute("UPDATE articles SET body = 'damaged' WHERE id = 2")
    result = archive("check", "--repair")
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert "not rebuilt: its raw page is damaged" in result.stdout
    assert archive.json("show", "2", "--format", "json")["body"] != "damaged"


def test_a_reader_that_stops_early_is_no_error(archive: Nai) -> None:
    pipe = subprocess.run(
        f"{sys.executable} -m nai --db {archive.db} export | head -c 10", shell=True, capture_output=True, text=True
    )
    assert len(pipe.stdout) == 10
    assert "Error" not in pipe.stderr and "unexpected" not in pipe.stderr


def test_check_notices_and_repair_restores_missing_triggers_indexes_and_keys(archive: Nai) -> None:
    with sqlite3.connect(archive.db) as conn:
        conn.execute("DROP TRIGGER articles_au")
        conn.execute("DROP INDEX idx_articles_key")
        conn.execute("UPDATE articles SET fts_key = NULL WHERE id = 3")
    result = archive("check")
    assert result.exit_code == 1
    assert "missing articles_au" in result.stdout and "missing idx_articles_key" in result.stdout
    repaired = archive("check", "--repair")
    assert repaired.exit_code == 0, repaired.stdout
    assert "restored articles_au" in repaired.stdout and "gave 1 articles their full-text key" in repaired.stdout
    page = FIXTURES / "naj-libya-classic.html"
    changed = archive.db.parent / "changed.html"
    changed.write_bytes(page.read_bytes().replace(b"Salvador Pass", b"Passage99"))
    assert archive("ingest", str(changed)).exit_code == 0  # the restored trigger keeps the index in step
    assert len(archive.json("search", "Passage99", "--format", "json")) == 1
    assert archive("check").stdout == "ok\n"


def test_check_notices_and_repair_drops_an_insert_trigger_that_would_index_twice(archive: Nai) -> None:
    """nai indexes a new article itself when its commit ends (migration m010 dropped the insert
    trigger): a trigger put back (by an older nai's repair, say) would index each one a second time."""
    with sqlite3.connect(archive.db) as conn:
        conn.executescript(
            "CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN INSERT INTO articles_fts "
            "(rowid, headline, body) VALUES (new.fts_key, new.headline, new.body); END;"
        )
    result = archive("check")
    assert result.exit_code == 1 and "unwanted articles_ai" in result.stdout
    repaired = archive("check", "--repair")
    assert repaired.exit_code == 0 and "dropped articles_ai" in repaired.stdout
    new = archive.db.parent / "new.html"
    new.write_bytes(article_page("https://north-africa.com", 999, published=date(2025, 2, 1), read_count=9, related=()))
    assert archive("ingest", str(new)).exit_code == 0
    assert archive("check").stdout == "ok\n"


def test_an_ingest_waiting_for_its_input_does_not_hold_the_write_lock(tmp_path: Path) -> None:
    """`curl … | nai ingest -` on a slow network: another writer (a nightly scrape) must not wait."""
    db = tmp_path / "archive.db"
    assert run_nai(db, "ingest", str(GOLDEN_PAGES[0])).returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "nai", "--db", str(db), "ingest", "-", "--url", LIBYA_URL],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        time.sleep(1.5)  # it has started and waits for stdin
        other = sqlite3.connect(db, timeout=1, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # "database is locked" after 1 s if the ingest held the lock
        other.execute("ROLLBACK")
        other.close()
        assert proc.stdin is not None
        proc.stdin.write((FIXTURES / "naj-libya-classic.html").read_bytes())
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        proc.kill()
    assert sql(db, "SELECT count(*) FROM articles WHERE url = ?", LIBYA_URL) == [(1,)]
