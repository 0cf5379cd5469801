"""nai ingest through the real CLI: files, folders, gzip, stdin, and bad input of every kind."""

from __future__ import annotations

import gzip
import os
import sqlite3
from pathlib import Path

import pytest

from conftest import FIXTURES, LIBYA_URL, Nai, session_members

CLASSIC = FIXTURES / "naj-libya-classic.html"


def count(db: Path, table: str = "articles") -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_ingest_a_file_then_again_is_unchanged(nai: Nai, db_path: Path) -> None:
    first = nai("-v", "ingest", str(CLASSIC))
    assert first.exit_code == 0
    assert first.stdout == ""  # data only on stdout, and ingest has none
    assert "new:" in first.stderr and "1 new, 0 updated, 0 unchanged, 0 failed" in first.stderr
    again = nai("-v", "ingest", str(CLASSIC))
    assert "unchanged:" in again.stderr
    assert count(db_path) == 1
    assert count(db_path, "versions") == 0  # versions hold earlier states: there is none
    assert count(db_path, "read_counts") == 2  # the count seen twice: each observation is kept


def test_quiet_and_non_tty_print_nothing_on_success(nai: Nai) -> None:
    result = nai("ingest", str(CLASSIC))
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""  # cron mails any output


def test_folder_recursive_with_gzip(nai: Nai, tmp_path: Path, db_path: Path) -> None:
    pages = tmp_path / "pages" / "2026" / "02"
    pages.mkdir(parents=True)
    (pages / "story.html.gz").write_bytes(gzip.compress(CLASSIC.read_bytes()))
    (pages / "notes.txt").write_text("not a page, not read")
    result = nai("-v", "ingest", str(tmp_path / "pages"))
    assert result.exit_code == 0, result.stderr
    assert "1 new" in result.stderr
    assert nai.jsonl("export")[0]["url"] == LIBYA_URL


def test_stdin_with_url(nai: Nai, db_path: Path) -> None:
    page = CLASSIC.read_bytes().replace(b'rel="canonical"', b'rel="x-canonical"').replace(b"og:url", b"og:x")
    result = nai("ingest", "-", "--url", "https://north-africa.com/from-stdin/", input=page)
    assert result.exit_code == 0, result.stderr
    assert nai.jsonl("export")[0]["url"] == "https://north-africa.com/from-stdin/"


def test_url_with_several_paths_is_a_usage_error(nai: Nai) -> None:
    result = nai("ingest", str(CLASSIC), str(CLASSIC), "--url", "https://north-africa.com/x/")
    assert result.exit_code == 2


def test_changed_page_is_updated_and_keeps_the_old_version(nai: Nai, tmp_path: Path, db_path: Path) -> None:
    nai("ingest", str(CLASSIC))
    changed = tmp_path / "changed.html"
    changed.write_bytes(CLASSIC.read_bytes().replace(b"Three Libyan soldiers", b"Four Libyan soldiers"))
    result = nai("-v", "ingest", str(changed))
    assert "updated:" in result.stderr
    assert count(db_path) == 1
    with sqlite3.connect(db_path) as conn:
        earlier = conn.execute("SELECT body, reason, raw_page_id FROM versions ORDER BY version").fetchall()
        [(body, current_raw)] = conn.execute("SELECT body, raw_page_id FROM articles").fetchall()
    [(old_body, reason, old_raw)] = earlier
    assert old_body.startswith("Three Libyan") and body.startswith("Four Libyan") and reason == "page"
    assert old_raw != current_raw  # each state keeps the page it came from
    assert nai.json("search", '"Three Libyan soldiers"', "--format", "json") == []  # the index follows
    assert len(nai.json("search", '"Four Libyan soldiers"', "--format", "json")) == 1


def test_a_page_and_its_edit_in_one_commit_leave_the_index_in_step(nai: Nai, tmp_path: Path) -> None:
    """New articles are indexed when their commit ends (Archive.index_new), not one by one: an
    article stored and then changed within the same commit, and the stories beside it, are found by
    their current text only, and the index matches the records."""
    changed = tmp_path / "z-changed.html"
    changed.write_bytes(CLASSIC.read_bytes().replace(b"Three Libyan soldiers", b"Four Libyan soldiers"))
    others = sorted(p for p in FIXTURES.glob("naj-*.html") if p != CLASSIC)
    result = nai("ingest", "--jobs", "1", str(CLASSIC), *map(str, others), str(changed))
    assert result.exit_code == 0, result.stderr
    assert nai.json("search", '"Three Libyan soldiers"', "--format", "json") == []
    assert len(nai.json("search", '"Four Libyan soldiers"', "--format", "json")) == 1
    assert len(nai.json("search", "Salvador", "--exact", "--format", "json")) >= 1
    assert nai("check").stdout == "ok\n"


def test_read_count_moves_is_a_new_observation_not_an_update(nai: Nai, tmp_path: Path, db_path: Path) -> None:
    nai("ingest", str(CLASSIC))
    later = tmp_path / "later.html"
    later.write_bytes(CLASSIC.read_bytes().replace(b'post-views-count">86<', b'post-views-count">1,204<'))
    assert later.read_bytes() != CLASSIC.read_bytes(), "fixture markup changed: adjust the replace above"
    result = nai("-v", "ingest", str(later))
    assert "unchanged:" in result.stderr
    with sqlite3.connect(db_path) as conn:
        series = [r[0] for r in conn.execute("SELECT read_count FROM read_counts ORDER BY observed_at")]
    assert series == [86, 1204]
    assert nai.jsonl("export")[0]["read_count"] == 1204
    assert count(db_path, "versions") == 0


BAD_INPUTS = {
    "empty.html": (b"", "empty page"),
    "blank.html": (b"   \n\t  \n", "empty page"),
    "binary.html": (os.urandom(2048).replace(b"<", b"x"), "not an HTML page"),
    "report.html": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj", "PDF"),
    "photo.html": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG"),
    "nul.html": (b"<html><body><p>a" + b"\x00" * 4096 + b"b</p></body></html>", "binary data"),
    "truncated.html": (CLASSIC.read_bytes()[:9000], "truncated"),
    "bomb.html.gz": (gzip.compress(b"<p>" + b"a" * (20 * 1024 * 1024)), "inflates past"),
    "corrupt.html.gz": (b"\x1f\x8b\x08\x00garbage", "gzip"),
    "notes.html": (b"just some text, no markup at all", "no markup"),
    "deep.html": (b"<html><body>" + b"<div>" * 100_000 + b"x" + b"</div>" * 100_000 + b"</body></html>", "nested too"),
}


def test_bad_inputs_fail_one_line_each_and_the_rest_goes_in(nai: Nai, tmp_path: Path, db_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    for name, (data, _) in BAD_INPUTS.items():
        (bad / name).write_bytes(data)
    (bad / "loop.html").symlink_to(bad / "loop.html")
    (bad / "dangling.html").symlink_to(tmp_path / "nowhere.html")
    (bad / "sub").mkdir()
    (bad / "sub" / "up").symlink_to(bad, target_is_directory=True)
    good = tmp_path / "good.html"
    good.write_bytes(CLASSIC.read_bytes())
    missing = tmp_path / "missing.html"

    result = nai("ingest", str(bad), str(good), str(missing))

    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert all(line.startswith("nai: ") for line in lines), lines
    assert "Traceback" not in result.stderr
    for name, (_, reason) in BAD_INPUTS.items():
        line = next((line for line in lines if line.startswith(f"nai: {bad / name}: ")), None)
        assert line is not None, f"no error line for {name}: {lines}"
        assert reason in line, line
    assert any(str(bad / "loop.html") in line for line in lines)
    assert any(str(bad / "dangling.html") in line for line in lines)
    assert any("symlink loop" in line for line in lines)
    assert f"nai: {missing}: no such file or directory" in lines
    assert count(db_path) == 1  # the good page went in; nothing of the bad ones did
    assert count(db_path, "raw_pages") == 1


def test_large_page_is_refused_before_reading(nai: Nai, tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    big.write_bytes(b"<html><body>" + b"<p>word</p>" * 4_600_000 + b"</body></html>")  # 50 MB
    result = nai("ingest", str(big))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"nai: {big}: too large: 48.3 MB (the limit is 8.0 MB")
    crowded = tmp_path / "crowded.html"
    crowded.write_bytes(b"<html><body>" + b"<p>word</p>" * 1_000_000 + b"</body></html>")  # 11 MB
    allowed = nai("ingest", "--max-mb", "64", str(crowded))  # past the size limit: the element limit
    assert allowed.stderr.startswith(f"nai: {crowded}: too many elements (1,000,002; the limit is 30,000)")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(nai: Nai, tmp_path: Path) -> None:
    page = tmp_path / "secret.html"
    page.write_bytes(CLASSIC.read_bytes())
    page.chmod(0)
    result = nai("ingest", str(page))
    assert result.exit_code == 1
    assert result.stderr == f"nai: {page}: Permission denied\n"


@pytest.mark.parametrize("name", ["not-article-home.html", "not-article-category.html"])
def test_non_article_pages_are_refused(nai: Nai, name: str, db_path: Path) -> None:
    page = FIXTURES / "not-articles" / name
    result = nai("ingest", str(page))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"nai: {page}: not an article page")
    assert count(db_path) == 0


def test_progress_bar_and_summary_on_a_terminal(tmp_path: Path, db_path: Path) -> None:
    """On a terminal (a real pty) stderr shows progress and the summary; stdout stays empty."""
    import pty
    import select
    import subprocess
    import sys

    pages = []
    for n in range(3):
        page = tmp_path / f"p{n}.html"
        page.write_bytes(CLASSIC.read_bytes().replace(LIBYA_URL.encode(), f"https://north-africa.com/s{n}/".encode()))
        pages.append(str(page))
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nai", "--db", str(db_path), "ingest", *pages],
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    stdout, _ = proc.communicate(timeout=30)
    os.close(master)
    assert proc.returncode == 0
    assert stdout == b""
    text = seen.decode()
    assert "ingesting" in text
    assert "3 new, 0 updated, 0 unchanged, 0 failed" in text


def test_jobs_parse_in_workers_with_the_same_outcomes(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(12):
        data = CLASSIC.read_bytes().replace(LIBYA_URL.encode(), f"https://north-africa.com/s{n}/".encode())
        (pages / f"p{n:02}.html").write_bytes(data if n != 5 else b"")
    one, two = Nai(tmp_path / "one.db"), Nai(tmp_path / "two.db")
    first = one("-v", "ingest", str(pages))
    second = two("-v", "ingest", "--jobs", "2", str(pages))
    assert (first.exit_code, second.exit_code) == (1, 1)
    assert first.stderr.replace("one.db", "x") == second.stderr.replace("two.db", "x")  # same lines, same order
    assert one.jsonl("export") == two.jsonl("export")


def test_jobs_workers_pack_raw_pages_against_the_archives_dictionary(tmp_path: Path) -> None:
    from datetime import date

    from mocksite import article_page
    from nai.store import Archive

    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(1, 41):
        page = article_page("https://north-africa.com", n, published=date(2020, 1, 1), read_count=n)
        (pages / f"story-{n:02}.html").write_bytes(page)
    nai = Nai(tmp_path / "a.db")
    assert nai("ingest", str(pages / "story-01.html")).exit_code == 0  # makes the site's dictionary
    assert nai("ingest", "--jobs", "2", str(pages)).exit_code == 0
    rows = sql_rows(nai.db, "SELECT id, source, dict_id, length(content), size FROM raw_pages ORDER BY id")
    assert len(rows) == 40 and len({dict_id for _, _, dict_id, _, _ in rows}) == 1  # the one the first page made
    assert sql_rows(nai.db, "SELECT count(*) FROM raw_dicts") == [(1,)]
    with Archive(nai.db) as archive:
        for raw_id, source, _, packed, size in rows:
            assert archive.raw.read(raw_id) == Path(source).read_bytes() and packed < size / 10


def sql_rows(db: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(query).fetchall()


def test_an_input_the_archive_refuses_is_undone_alone_within_its_commit(nai: Nai, db_path: Path) -> None:
    """Inputs share a commit, each in its own savepoint: one that fails halfway leaves nothing,
    and the inputs before and after it in the same commit are stored."""
    assert nai("ingest", str(FIXTURES / "other-site-generic.html")).exit_code == 0  # creates the archive
    with sqlite3.connect(db_path) as conn:  # the archive refuses the Libya story's related rows
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON related WHEN new.headline LIKE 'Tunisia Appeals%' "
            "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END"
        )
    pages = sorted(FIXTURES.glob("naj-*.html"))
    result = nai("ingest", *map(str, pages))
    assert result.exit_code == 1
    refused = [p for p in pages if "libya" in p.name]
    assert result.stderr.splitlines() == [f"nai: {p}: archive error: refused by a test trigger" for p in refused]
    assert count(db_path) == 1 + len(pages) - len(refused)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM articles WHERE url = ?", (LIBYA_URL,)).fetchone() == (0,)
        for table, column in (("versions", "article_id"), ("related", "article_id"), ("read_counts", "article_id")):
            sql = f"SELECT count(*) FROM {table} WHERE {column} NOT IN (SELECT id FROM articles)"
            assert conn.execute(sql).fetchone() == (0,), table
        sql = "SELECT count(*) FROM raw_pages WHERE id NOT IN (SELECT raw_page_id FROM articles)"
        assert conn.execute(sql).fetchone() == (0,)
    assert nai("check").stdout == "ok\n"  # the refused input's text never reached the index


def test_an_update_undone_within_a_commit_leaves_the_new_articles_before_it_indexed(nai: Nai, tmp_path: Path) -> None:
    """New articles are indexed when their commit ends (Archive.index_new), and an update indexes
    what is new before it: when the update's input is then undone, the new articles before it in the
    same commit must still be indexed at the commit."""
    from datetime import date

    from mocksite import article_page

    def story(n: int, related: tuple[int, ...] = ()) -> Path:
        path = tmp_path / f"{n}-{len(related)}.html"
        path.write_bytes(
            article_page("https://north-africa.com", n, published=date(2025, 3, 1), read_count=5, related=related)
        )
        return path

    assert nai("ingest", str(story(902))).exit_code == 0
    with sqlite3.connect(nai.db) as conn:  # the archive refuses story 902's new related rows
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON related WHEN new.url LIKE '%/story-903/%' "
            "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END"
        )
    new, update = story(901), story(902, related=(903,))
    result = nai("ingest", "--jobs", "1", str(new), str(update))
    assert result.exit_code == 1 and result.stderr.splitlines() == [
        f"nai: {update}: archive error: refused by a test trigger"
    ]
    assert [hit["url"] for hit in nai.json("search", '"In story 901"', "--format", "json")] == [
        "https://north-africa.com/story-901/"
    ]
    assert nai("check").stdout == "ok\n"


@pytest.mark.skipif(not Path("/proc/self/stat").exists() or not hasattr(os, "mkfifo"), reason="reads /proc")
@pytest.mark.parametrize("inputs", [63, 64])
def test_jobs_auto_starts_workers_for_64_inputs_or_more(tmp_path: Path, inputs: int) -> None:
    """README: --jobs auto (the default) gives one worker a core, at most 4, for 64 inputs or more;
    for fewer it parses in the one process. The last input is a FIFO named on the command line (a
    folder's FIFOs are skipped): the writer reads it, and waits there, after the workers have
    started, until the test writes the page; meanwhile the test counts the processes."""
    import errno
    import subprocess
    import sys
    import time

    cores = len(os.sched_getaffinity(0))
    if inputs >= 64 and cores < 2:
        pytest.skip("one core: auto is one process whatever the inputs")
    pages = tmp_path / "pages"
    pages.mkdir()
    fifo = tmp_path / "p000.html"
    os.mkfifo(fifo)
    for n in range(1, inputs):
        data = CLASSIC.read_bytes().replace(LIBYA_URL.encode(), f"https://north-africa.com/s{n}/".encode())
        (pages / f"p{n:03}.html").write_bytes(data)
    proc = subprocess.Popen(
        [sys.executable, "-m", "nai", "--db", str(tmp_path / "a.db"), "-v", "ingest", str(pages), str(fifo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:  # a writer's non-blocking open succeeds once a reader has the FIFO open
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError as exc:
                assert exc.errno == errno.ENXIO
                assert proc.poll() is None and time.monotonic() < deadline, "nobody opened the FIFO"
                time.sleep(0.01)
        processes = len(session_members(proc.pid))
        os.set_blocking(fd, True)
        with os.fdopen(fd, "wb") as writer:
            writer.write(CLASSIC.read_bytes())
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    assert stderr.decode().endswith(f"{inputs} new, 0 updated, 0 unchanged, 0 failed\n")
    if inputs < 64:
        assert processes == 1  # no worker
    else:  # the writer and its workers (and, where processes start from a fork server, that server)
        assert 2 <= processes <= 2 + min(cores, 4)


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_jobs_must_be_a_number_of_processes_or_auto(nai: Nai, value: str) -> None:
    result = nai("ingest", "--jobs", value, str(CLASSIC))
    assert result.exit_code == 2 and "is not a number of processes" in result.stderr
