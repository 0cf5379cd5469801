"""The archive at scale: synthetic archives of 10k, 100k, 1M articles; insert, search, export and ingest.

Prints insert rows/s, bytes per article, search latency (median, p95) for rare, common and very common
terms with and without a date filter, export records/s, the peak memory of each command, and ingest
pages/s next to trafilatura's rate on the same pages.

The archives are built through the project's own code (Archive.save with nai.model.Article objects) from
the fixtures' vocabulary with Zipf-like word frequencies; article i is the same whatever the size, so a
build resumes where it stopped (each batch is one transaction: Ctrl-C loses at most one batch). Three
control terms give queries at three levels: Tamanrasset (~0.1% of articles), Sonatrach (~7%) and Libya
(~50%). Search and export are also run as `nai` subprocesses, for their peak memory (GNU time when
/usr/bin/time exists). A 1M archive takes about 15 GB of disk (bench/data/ is git-ignored).

Usage:  python bench/archive_bench.py [--articles 10000 | --sizes 10000,100000,1000000] [--skip-build]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import closing
from datetime import date, timedelta
from itertools import accumulate
from operator import itemgetter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import families  # noqa: E402  (bench/, beside this script)
import realpages  # noqa: E402

from mocksite import FIXTURES, WORDS, article_page  # noqa: E402
from nai.model import Article, Author, Related  # noqa: E402
from nai.store import Archive, queries  # noqa: E402

SITE = "north-africa.com"
RULES = "north-africa.com"  # the site rules' NAME, as a parsed page of the site would carry
#: (level, term, share of articles). No other generated word contains these as an FTS5 token.
CONTROL = (("rare", "Tamanrasset", 0.001), ("common", "Sonatrach", 0.07), ("very common", "Libya", 0.5))
TERMS_FOLDED = tuple(term.lower() for _, term, _ in CONTROL)  # as FTS5's unicode61 tokenizer stores them
FIRST_DAY, DAYS = date(2006, 1, 1), (date(2026, 1, 1) - date(2006, 1, 1)).days  # twenty years
SECTIONS = ("Maghreb Edition", "Sahel Edition", "Energy", "Security", "Economy", "Politics", "Migration")
AUTHORS = (
    ("The North Africa Journal", "The North Africa Journal is a leading English-language publication."),
    ("Staff Writer", None),
    *(
        (f"{first} {last}", f"{first} {last} covers {beat} for the Journal." if (k % 3) else None)
        for k, (first, last, beat) in enumerate(
            (
                ("Amina", "Belkacem", "Algeria"),
                ("Youssef", "Trabelsi", "Tunisia"),
                ("Karim", "El Mansouri", "Morocco"),
                ("Leila", "Ben Salem", "the Sahel"),
                ("Omar", "Zidane", "energy markets"),
                ("Sara", "Haddad", "migration"),
                ("Hassan", "Ag Ahmed", "Niger and Mali"),
                ("Nadia", "Chraibi", "security"),
                ("Farid", "Benali", "Libya's east"),
                ("Meriem", "Khelifi", "courts and elections"),
            )
        )
    ),
)
AUTHOR_WEIGHTS = (40, 10, *([5] * 10))
SLOTS = 2**16  # the Zipf table: a uniform 16-bit number picks a word
WINDOW_STARTS = tuple(range(2006, 2025, 3))  # date filters: two calendar years each, rotating over these


# ---- the synthetic corpus: article i is a pure function of (seed, i) -----------------------------------


def vocabulary() -> list[str]:
    """Words of the fixtures' records and mocksite.WORDS, most frequent first, minus the control terms."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for path in sorted(FIXTURES.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        texts = [record["headline"], record["body"], *(r["headline"] for r in record["related"])]
        texts += [r.get("summary") or "" for r in record["related"]]
        for text in texts:
            for word in re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", text):
                counts[word.casefold()] += 1
                forms.setdefault(word.casefold(), Counter())[word] += 1
    for word in WORDS:
        counts[word.casefold()] += 1
        forms.setdefault(word.casefold(), Counter())[word] += 1
    control = {term.casefold() for _, term, _ in CONTROL}
    kept = [w for w in counts if not control & {t.casefold() for t in re.findall(r"\w+", w)}]  # "Libya’s" too
    kept.sort(key=lambda w: (-counts[w], w))
    return [forms[w].most_common(1)[0][0] for w in kept]


class Corpus:
    """Deterministic synthetic articles of the North Africa Journal."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.words = vocabulary()
        # Zipf, weight 1/rank: each word gets its share of 65,536 slots (the rarest still get several)
        weights = [1 / rank for rank in range(1, len(self.words) + 1)]
        slots = [max(1, round(w / sum(weights) * SLOTS)) for w in weights]
        slots[0] += SLOTS - sum(slots)
        self.table = [word for word, n in zip(self.words, slots, strict=True) for _ in range(n)]
        self.head_words = [w for w in self.words if len(w) > 3]
        self.head_cum = list(accumulate(1 / rank for rank in range(1, len(self.head_words) + 1)))

    def _rng(self, i: int, salt: int) -> random.Random:
        return random.Random((self.seed << 40) + i * 8 + salt)

    def terms(self, i: int) -> list[str]:
        rng = self._rng(i, 0)
        return [term for _, term, share in CONTROL if rng.random() < share]

    def headline(self, i: int) -> tuple[str, str]:
        """Article i's headline and URL (its slug), which related blocks of later articles repeat."""
        rng = self._rng(i, 1)
        words = rng.choices(self.head_words, cum_weights=self.head_cum, k=rng.randint(8, 14))
        for term in self.terms(i):
            if rng.random() < 0.3:  # some of the articles that mention a term have it in the headline
                words[rng.randrange(len(words))] = term
        headline = " ".join(w[:1].upper() + w[1:] for w in words)
        return headline, f"https://{SITE}/{re.sub(r'[^a-z0-9]+', '-', headline.lower()).strip('-')}/"

    def _words(self, rng: random.Random, n: int) -> list[str]:
        """n words drawn by Zipf frequency: 16-bit random numbers looked up in the slot table, at C speed."""
        if n == 1:
            return [self.table[int.from_bytes(rng.randbytes(2), "little")]]
        return list(itemgetter(*memoryview(rng.randbytes(2 * n)).cast("H"))(self.table))

    def _sentences(self, rng: random.Random, n: int) -> list[str]:
        """About n words as sentences of 8 to 26 words, capitalised, some with a comma."""
        words, start = self._words(rng, n), 0
        while start < n:
            end = min(n, start + rng.randint(8, 26))
            words[start] = words[start][:1].upper() + words[start][1:]
            if end - start > 12 and rng.random() < 0.5:
                words[rng.randrange(start + 3, end - 3)] += ","
            words[end - 1] += "."
            start = end
        return words

    def article(self, i: int) -> Article:
        rng = self._rng(i, 2)
        published = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        paragraphs = [self._sentences(rng, rng.randint(40, 120)) for _ in range(rng.randint(6, 12))]
        for term in self.terms(i):
            for _ in range(rng.choice((1, 1, 1, 2, 3))):
                words = rng.choice(paragraphs)
                k = rng.randrange(len(words))
                words[k] = term + words[k][-1] if words[k][-1] in ",." else term
        name, blurb = rng.choices(AUTHORS, weights=AUTHOR_WEIGHTS)[0]
        related = []
        for j in sorted({i - rng.randint(1, 400) for _ in range(rng.randint(0, 3))} - {i}, reverse=True):
            if j >= 0:
                summary = " ".join(self._sentences(rng, rng.randint(20, 45))) if rng.random() < 0.8 else None
                related.append(Related(*self.headline(j), summary))
        headline, url = self.headline(i)
        return Article(
            headline=headline,
            body="\n\n".join(" ".join(words) for words in paragraphs),
            url=url,
            site=SITE,
            published=f"{published.isoformat()}T{rng.randint(6, 22):02d}:{rng.randrange(60):02d}:00+01:00",
            section=rng.choice(SECTIONS),
            read_count=int(rng.lognormvariate(5.5, 1.3)),
            author=Author(name, blurb),
            related=tuple(related),
            rules=RULES,
        )


# ---- building ----------------------------------------------------------------------------------------


def archive_path(directory: Path, size: int, seed: int) -> Path:
    return directory / f"synthetic-{size}-seed{seed}.db"


def synthetic(articles: int, *, build_missing: bool = True) -> Path:
    """The other benches' archive in bench/data: `articles` synthetic articles (seed 4), built or
    completed first unless `build_missing` is false (resumable; 15-20 minutes at 1M)."""
    path = archive_path(ROOT / "bench" / "data", articles, 4)
    if build_missing and count_articles(path) < articles:
        build(path, articles, Corpus(4), 2000)
    return path


def count_articles(path: Path) -> int:
    if not path.exists():
        return 0
    with Archive(path, create=False) as archive:
        return int(archive.conn.execute("SELECT count(*) FROM articles").fetchone()[0])


def build(path: Path, size: int, corpus: Corpus, batch: int) -> tuple[int, float, float]:
    """Add articles count..size-1, `batch` per transaction. Returns (rows added, seconds in all, seconds
    making the articles), so that the insert rate counts Archive.save and the commits alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with Archive(path) as archive:
        done = start = int(archive.conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        if start:  # resuming: the last article stored must be this corpus's article start - 1, row `start`
            last = queries.get(archive.conn, start)
            if last is None or last.to_record() != corpus.article(start - 1).to_record(id=start):
                raise SystemExit(f"{path}: made by another version of this script; delete it to rebuild")
        began, making = time.perf_counter(), 0.0
        while done < size:
            end = min(done + batch, size)
            with archive.transaction():  # each save joins it: a batch is stored whole or not at all
                for i in range(done, end):
                    made = time.perf_counter()
                    article = corpus.article(i)
                    making += time.perf_counter() - made
                    saved = archive.save(article)
                    if saved.status != "new":  # article i must be row i + 1, or resuming would skip some
                        raise SystemExit(f"article {i} saved as {saved.status} (id {saved.id}): not a fresh build")
            done = end
            rate = (done - start) / (time.perf_counter() - began - making)
            print(f"\r  {path.name}: {done:,}/{size:,} articles, {rate:,.0f} rows/s   ", end="", file=sys.stderr)
        seconds = time.perf_counter() - began
        archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if done > start:
        print(file=sys.stderr)
    return done - start, seconds, making


# ---- measuring -------------------------------------------------------------------------------------------


TIME = Path("/usr/bin/time")  # GNU time: the child's own peak RSS (-f %M, in KiB)


PEAK_TOTALS: dict[tuple[str, ...], float] = {}  # args -> the peak of the summed RSS of nai and its workers
CPU_SECONDS: dict[tuple[str, ...], float] = {}  # args -> the CPU time (user + system) of nai and its workers


def session_rss_mb(session: int) -> float:
    """The summed resident memory of a session's processes (nai and its worker processes), from /proc."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            pid = int(status.parent.name)
            if os.getsid(pid) != session or pid == session:  # the session leader is GNU time
                continue
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except (OSError, ValueError):
            continue  # gone meanwhile
        total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total / 1024


def run_nai(args: Sequence[str], *, src: Path | None = None, sample: bool = True) -> tuple[float, float, int, str]:
    """Run `python -m nai ARGS`: (seconds, peak RSS in MB, stdout bytes, stderr).

    With GNU time the peak RSS is the nai process's alone. Without it, it comes from wait4 and is an
    upper bound: Linux counts the RSS of this (larger) process at fork in the child's ru_maxrss.
    PEAK_TOTALS gets the peak of nai's and its workers' RSS summed, sampled every 20 ms, and CPU_SECONDS
    their CPU time (which, unlike wall time, other work on a shared machine hardly changes). `sample=False`
    for one process, whose peak GNU time gives: sampling /proc takes a millisecond of CPU every 20 ms, which
    on a busy machine is taken from nai. `src`: run the nai of another checkout's src/ folder (PYTHONPATH
    comes before this checkout's editable install)."""
    # With its .pyc files, as an installed nai runs (PYTHONDONTWRITEBYTECODE, set by some CI and
    # sandbox images, would have every run compile nai's modules again).
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    if src is not None:
        env["PYTHONPATH"] = str(src.resolve())
    command = [sys.executable, "-m", "nai", *args]
    with tempfile.NamedTemporaryFile("r", prefix="archive-bench-", suffix=".rss") as rss:
        if TIME.exists():
            command = [str(TIME), "-f", "%M", "-o", rss.name, *command]
        began = time.perf_counter()
        child = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, start_new_session=True, env=env
        )
        assert child.stdout is not None and child.stderr is not None
        peak_total, done = [0.0], threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                peak_total[0] = max(peak_total[0], session_rss_mb(child.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        if sample and Path("/proc/self/status").exists():
            sampler.start()
        size = 0
        while chunk := child.stdout.read(1 << 20):  # stream: an export must not pile up in this process
            size += len(chunk)
        err = child.stderr.read().decode("utf-8", "replace")
        _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage, not RUSAGE_CHILDREN's maximum
        seconds = time.perf_counter() - began
        done.set()
        PEAK_TOTALS[tuple(args)] = peak_total[0]
        CPU_SECONDS[tuple(args)] = usage.ru_utime + usage.ru_stime  # with the workers it waited for
        child.returncode = os.waitstatus_to_exitcode(status)
        lines = rss.read().split()
        peak = int(lines[-1]) / 1024 if TIME.exists() and lines and lines[-1].isdigit() else rss_mb(usage.ru_maxrss)
    if child.returncode not in (0, 1):
        raise SystemExit(f"nai {' '.join(args)} exited {child.returncode}: {err.strip()}")
    return seconds, peak, size, err


def rss_mb(maxrss: int) -> float:
    return maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes on macOS, KiB on Linux


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]  # nearest rank


def table_bytes(path: Path) -> dict[str, int]:
    """Bytes on disk by part of the archive (SQLite's dbstat: each table with its indexes)."""
    groups = {
        "records (articles + indexes)": ("articles",),
        "versions": ("versions",),
        "full-text index": ("articles_fts",),
        "related, read counts, authors": ("related", "read_counts", "authors"),
        "raw pages (with their dictionaries)": ("raw_pages", "raw_dicts"),
    }
    sizes: Counter[str] = Counter()
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        rows = conn.execute(
            "SELECT COALESCE(m.tbl_name, s.name), s.pgsize FROM dbstat AS s"
            " LEFT JOIN sqlite_master AS m ON m.name = s.name WHERE s.aggregate = TRUE"
        ).fetchall()
    for table, size in rows:
        group = next((g for g, prefixes in groups.items() if table in prefixes), None)
        if group is None and table.startswith("articles_fts"):
            group = "full-text index"
        sizes[group or "other (schema, crawl state, free pages)"] += size
    return dict(sizes)


def print_parts(sizes: dict[str, int], count: int, unit: str) -> None:
    print(f"{'part of the archive':<42}{'MB':>10}{f'B/{unit}':>12}{'share':>8}")
    for part, size in sorted(sizes.items(), key=lambda item: -item[1]):
        print(f"{part:<42}{size / 1e6:>10,.1f}{size / count:>12,.0f}{size / sum(sizes.values()):>8.0%}")


def file_bytes(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def doc_counts(path: Path) -> dict[str, int]:
    """How many articles hold each control term, from FTS5's own statistics (fts5vocab)."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        conn.execute("CREATE VIRTUAL TABLE temp.bench_vocab USING fts5vocab(main, articles_fts, row)")
        found = dict(conn.execute("SELECT term, doc FROM bench_vocab WHERE term IN (?, ?, ?)", TERMS_FOLDED))
    return {term: found.get(term.lower(), 0) for _, term, _ in CONTROL}


def measure(path: Path, runs: int) -> None:
    articles = count_articles(path)
    total = file_bytes(path)
    print(f"\n== {path.name}: {articles:,} articles, {total / 1e6:,.1f} MB, {total / articles:,.0f} B/article\n")
    print_parts(table_bytes(path), articles, "article")

    docs = doc_counts(path)
    print(f"\nsearch, limit 20 with snippets: {runs} runs in-process (Archive.search) after one warm-up;")
    print("one `nai search --format json` subprocess each for its wall time and peak RSS")
    head = f"{'query':<13}{'term':<13}{'articles':>16}  {'date filter':<24}{'median ms':>10}{'p95 ms':>9}"
    print(f"\n{head}{'hits':>6}{'process s':>11}{'peak MB':>9}")
    with Archive(path, create=False) as archive:
        for level, term, _ in CONTROL:
            share = f"{docs[term]:,} ({docs[term] / articles:.1%})"
            for filtered in (False, True):
                windows = [(f"{y}-01-01", f"{y + 1}-12-31") for y in WINDOW_STARTS] if filtered else [(None, None)]
                queries.search(archive.conn, term, since=windows[0][0], until=windows[0][1], limit=20)  # warm-up
                samples, hits = [], []
                for k in range(runs):
                    since, until = windows[k % len(windows)]
                    began = time.perf_counter()
                    found = queries.search(archive.conn, term, since=since, until=until, limit=20)
                    samples.append((time.perf_counter() - began) * 1000)
                    hits.append(len(found))
                since, until = windows[0]
                cli = ["--db", str(path), "search", term, "--format", "json"]
                cli += ["--since", since, "--until", until] if filtered else []
                seconds, peak, _, _ = run_nai(cli)
                label = "2 years, rotating" if filtered else "none"
                print(
                    f"{level:<13}{term:<13}{share:>16}  {label:<24}{statistics.median(samples):>10.1f}"
                    f"{percentile(samples, 95):>9.1f}{statistics.mean(hits):>6.0f}{seconds:>11.2f}{peak:>9.0f}"
                )

        began = time.perf_counter()
        exported = sum(1 for stored in queries.all_stored(archive.conn) if stored.to_record())
        in_process = time.perf_counter() - began
    seconds, peak, size, _ = run_nai(["--db", str(path), "export"])
    print(f"\n{'export':<46}{'records':>10}{'seconds':>9}{'records/s':>11}{'peak MB':>9}")
    print(f"{'queries.all_stored() + to_record(), in-process':<46}{exported:>10,}{in_process:>9.1f}", end="")
    print(f"{exported / in_process:>11,.0f}")
    print(f"{f'nai export (jsonl, {size / 1e6:,.0f} MB), whole process':<46}{articles:>10,}{seconds:>9.1f}", end="")
    print(f"{articles / seconds:>11,.0f}{peak:>9.0f}")


# ---- ingest of real pages ------------------------------------------------------------------------------


def ingest_section(
    pages: int, kind: str, seed: int, *, trafilatura_too: bool = True, rounds: int = 1, before: Path | None = None
) -> None:
    """Trafilatura in-process, then `nai ingest --jobs 1`, `--jobs 2` and the default as whole processes, on the
    same pages, `rounds` times in turn: each round's ratios are of figures measured minutes apart, and the
    medians over the rounds are printed (the machine may be shared). `before`: another checkout's src/
    folder, whose `nai ingest --jobs 1` and `--jobs 2` run in each round too (before and after a change)."""
    import trafilatura  # only this section needs it

    from nai.ingest import auto_jobs

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    corpus = Corpus(seed)
    first = 100  # real-size pages list the 22 stories before them in their sidebars
    configs: list[tuple[str, list[str], Path | None]] = [
        ("--jobs 1", ["--jobs", "1"], None),
        ("--jobs 2", ["--jobs", "2"], None),
        ("default", [], None),
    ]
    if before is not None:
        configs += [("--jobs 1 (before)", ["--jobs", "1"], before), ("--jobs 2 (before)", ["--jobs", "2"], before)]
    seconds: dict[str, list[float]] = {label: [] for label in ("trafilatura", *(label for label, _, _ in configs))}
    cpu = {label: list[float]() for label in seconds}  # CPU time: user + system, the workers' included
    peaks: dict[str, list[float]] = {label: [] for label, _, _ in configs}
    with tempfile.TemporaryDirectory(prefix="archive-bench-") as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        for n in range(first, first + pages):
            published, related = date(2016, 1, 1) + timedelta(days=n), tuple(m for m in (n - 1, n - 2) if m >= 1)
            if kind == "real":
                page = realpages.page(corpus, n, published=published, read_count=10 * n, related=related)
            elif kind == "mixed":
                page = families.page(corpus, n, published=published, read_count=10 * n, related=related)
            else:
                page = article_page(f"https://{SITE}", n, published=published, read_count=10 * n, related=related)
            (folder / f"story-{n}.html").write_bytes(page)
        files = sorted(folder.iterdir())
        page_bytes = sum(f.stat().st_size for f in files)
        expected = {realpages.expected(corpus, n) for n in range(first, first + pages)} if kind != "fixture" else set()

        startup, startup_peak, _, _ = run_nai(["--version"])
        checks: dict[str, str] = {}
        for round_ in range(rounds):
            if trafilatura_too:  # given text, decoded here (the saved copies from windows-1252), outside the timing
                texts = [
                    families.text(f.read_bytes(), int(f.stem.rpartition("-")[2]))
                    if kind == "mixed"
                    else f.read_text(encoding="utf-8")
                    for f in files
                ]
                trafilatura.bare_extraction(texts[0], with_metadata=True)  # warm-up: imports and lazy setup
                began, began_cpu = time.perf_counter(), time.process_time()
                for text in texts:
                    trafilatura.bare_extraction(text, with_metadata=True)
                seconds["trafilatura"].append(time.perf_counter() - began)
                cpu["trafilatura"].append(time.process_time() - began_cpu)
                del texts
            for k, (label, jobs, src) in enumerate(configs):
                db = Path(tmp) / f"ingest-{k}.db"
                for old in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
                    old.unlink(missing_ok=True)
                command = ["--db", str(db), "ingest", *jobs, str(folder)]
                took, peak, _, err = run_nai(command, src=src, sample=jobs != ["--jobs", "1"] or not TIME.exists())
                seconds[label].append(took)
                cpu[label].append(CPU_SECONDS[tuple(command)])
                peaks[label].append(max(peak, PEAK_TOTALS.get(tuple(command), 0.0)))  # workers: all together
                with closing(sqlite3.connect(db)) as conn:
                    stored, generic = conn.execute(
                        "SELECT count(*), count(*) FILTER (WHERE rules = 'generic') FROM articles"
                    ).fetchone()
                    # the site rules read these pages right: headline and body, word for word
                    rows = conn.execute("SELECT headline, body FROM articles") if expected else []
                    wrong = sum(row not in expected for row in rows)
                if stored != pages or wrong:
                    print(f"  nai ingest {label}: {stored} of {pages} stored, {wrong} wrong; {err.strip()[-300:]}")
                checks[label] = f"{stored} stored, {generic} by the generic extractor, {wrong} wrong"
            if rounds > 1:
                line = "  ".join(f"{label} {pages / took[-1]:.1f}/s" for label, took in seconds.items() if took)
                print(f"round {round_ + 1}: {line}", file=sys.stderr)
        sizes, total = table_bytes(Path(tmp) / "ingest-0.db"), file_bytes(Path(tmp) / "ingest-0.db")
        packing = [raw_pages_packed(Path(tmp) / f"ingest-{k}.db") for k in range(len(configs))]

    def ratio(label: str, times: dict[str, list[float]] = seconds) -> float:
        """The median of each round's ratio to trafilatura's rate that round."""
        if not times["trafilatura"]:
            return float("nan")
        return statistics.median(t / s for t, s in zip(times["trafilatura"], times[label], strict=True))

    what = {
        "real": "real-size pages (bench/realpages.py)",
        "mixed": f"real-size pages of five families, interleaved ({', '.join(families.FAMILIES)}; bench/families.py)",
        "fixture": "fixture-size pages (mocksite.article_page)",
    }[kind]
    median = {label: statistics.median(took) if took else float("nan") for label, took in seconds.items()}
    print(f"\n== ingest: {pages:,} {what}, {page_bytes / pages / 1000:,.1f} KB each", end="")
    print(f"; medians of {rounds} rounds, each round in turn" if rounds > 1 else "")
    cpu_median = {label: statistics.median(took) if took else float("nan") for label, took in cpu.items()}
    print(f"\n{'what':<58}{'seconds':>9}{'pages/s':>9}{'vs trafilatura':>16}{'peak MB':>9}{'CPU s':>8}")
    print(f"{'trafilatura bare_extraction(with_metadata), in-process':<58}{median['trafilatura']:>9.2f}", end="")
    print(f"{pages / median['trafilatura']:>9.1f}{'1.0x':>16}{'':>9}{cpu_median['trafilatura']:>8.2f}")
    for label, _, _ in configs:
        name = f"nai ingest {label}" + (f" (auto: {auto_jobs(pages)} workers)" if label == "default" else "")
        print(f"{name + ', whole process':<58}{median[label]:>9.2f}{pages / median[label]:>9.1f}", end="")
        print(f"{ratio(label):>15.2f}x{statistics.median(peaks[label]):>9.0f}{cpu_median[label]:>8.2f}")
    print(f"{'  (python -m nai --version alone: startup)':<58}{startup:>9.2f}{'':>34}{startup_peak:>9.0f}")
    speedup = median["--jobs 1"] / median["--jobs 2"]
    print(f"\nnai ingest --jobs 1: {checks['--jobs 1']}; --jobs 2 is {speedup:.2f}x one job")
    for label in ("--jobs 1", "--jobs 1 (before)"):
        if label in cpu_median:
            print(
                f"nai ingest {label} in CPU time (which other work on the machine hardly changes):"
                f" {pages / cpu_median[label]:.1f} pages a CPU second, {ratio(label, cpu):.2f}x trafilatura's"
            )
    print("(vs trafilatura: the median of the rounds' ratios; peak MB: the writer's and its workers' resident memory")
    print("together, sampled every 20 ms)")
    print(f"\narchive of the ingest (raw pages kept): {total:,} bytes, {total / pages:,.0f} B/page")
    print_parts(sizes, pages, "page")
    print(f"\n{'raw pages, packed':<50}{'B/page':>8}{'dictionaries':>14}{'their B/page':>14}")
    for (label, _, _), (packed, dicts, dict_bytes) in zip(configs, packing, strict=True):
        print(f"{'nai ingest ' + label:<50}{packed / pages:>8,.0f}{dicts:>14}{dict_bytes / pages:>14,.0f}")


def raw_pages_packed(db: Path) -> tuple[int, int, int]:
    """The raw pages' packed bytes, how many dictionaries they were packed against, and those (zstd) bytes."""
    with closing(sqlite3.connect(db)) as conn:
        packed = conn.execute("SELECT COALESCE(sum(length(content)), 0) FROM raw_pages").fetchone()[0]
        dicts, dict_bytes = conn.execute("SELECT count(*), COALESCE(sum(length(content)), 0) FROM raw_dicts").fetchone()
    return int(packed), int(dicts), int(dict_bytes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000, help="archive size (default 10000)")
    parser.add_argument("--sizes", help="comma-separated sizes, e.g. 10000,100000,1000000 (overrides --articles)")
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / "data", help="where archives are kept")
    parser.add_argument("--seed", type=int, default=4, help="corpus seed; each seed has its own archive files")
    parser.add_argument("--batch", type=int, default=2000, help="articles per transaction")
    parser.add_argument("--runs", type=int, default=30, help="timed searches per query")
    parser.add_argument("--pages", type=int, default=1500, help="pages for the ingest section (0: skip it)")
    parser.add_argument(
        "--page-kind",
        choices=("real", "mixed", "fixture"),
        default="real",
        help="real: 114 KB pages like the site's (bench/realpages.py); mixed: real-size pages of the five markup"
        " families, interleaved (bench/families.py); fixture: the 38 KB classic fixture's",
    )
    parser.add_argument("--skip-build", action="store_true", help="measure the archives as they are")
    parser.add_argument("--no-trafilatura", action="store_true", help="ingest section: skip timing trafilatura")
    parser.add_argument("--rounds", type=int, default=1, help="ingest section: times to run it all, in turn")
    parser.add_argument("--ingest-only", action="store_true", help="skip the archives: the ingest section alone")
    parser.add_argument(
        "--before", type=Path, help="ingest section: also run the nai of this src/ folder (another checkout's)"
    )
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")] if args.sizes else [args.articles]
    corpus = Corpus(args.seed)
    print(f"vocabulary: {len(corpus.words):,} words from the fixtures (Zipf 1/rank), seed {args.seed}")
    for size in [] if args.ingest_only else sizes:
        path = archive_path(args.dir, size, args.seed)
        if not args.skip_build:
            try:
                added, seconds, making = build(path, size, corpus, args.batch)
            except KeyboardInterrupt:
                print(f"\ninterrupted: {count_articles(path):,} articles kept in {path}; run again to resume")
                raise SystemExit(130) from None
            peak = rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
            if added:
                print(
                    f"\nbuilt {path.name}: {added:,} articles in {seconds:,.1f} s ({added / seconds:,.0f}/s), of which"
                    f" {making:,.1f} s making them; insert rate (Archive.save + commits, {args.batch:,} per"
                    f" transaction): {added / (seconds - making):,.0f} rows/s; peak RSS of this process {peak:,.0f} MB"
                )
            else:
                print(f"\n{path.name}: already built")
        if not path.exists():
            raise SystemExit(f"{path}: no archive (run without --skip-build)")
        measure(path, args.runs)
    if args.pages:
        ingest_section(
            args.pages,
            args.page_kind,
            args.seed,
            trafilatura_too=not args.no_trafilatura,
            rounds=args.rounds,
            before=args.before,
        )


if __name__ == "__main__":
    main()
