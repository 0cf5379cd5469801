"""Raw pages in the archive: stored packed against a dictionary of their site, read back whole.

The codec (zstd with a dictionary made of a page of the site) is nai.raw's; this module keeps
the pages and the dictionaries in the raw_pages and raw_dicts tables and chooses each page's
dictionary. The writer (RawPages) and the worker processes of `nai ingest --jobs` (Packer)
choose the same way, through one cache of ready dictionaries (Dictionaries).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from .. import raw
from ..raw import RawPage

DICTIONARY_CACHE = 16  # dictionaries kept ready in memory (about 1 MB each, with its compressor)


class Dictionaries:
    """A connection's dictionaries, made ready once each and kept, most recently used last."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._ready: dict[int, raw.Dictionary] = {}

    def newest(self, site: str | None) -> list[int]:
        """The ids of the site's newest dictionaries, newest first: those a page is tried against."""
        rows = self.conn.execute(
            "SELECT id FROM raw_dicts WHERE site IS ? ORDER BY id DESC LIMIT ?", (site, raw.MAX_TRIES)
        )
        return [dict_id for (dict_id,) in rows]

    def get(self, dict_id: int) -> raw.Dictionary:
        dictionary = self._ready.pop(dict_id, None)
        if dictionary is None:
            row = self.conn.execute("SELECT content FROM raw_dicts WHERE id = ?", (dict_id,)).fetchone()
            if row is None:
                raise raw.Damaged(f"its dictionary {dict_id} is missing")
            dictionary = raw.Dictionary(raw.unpack(row[0], raw.ZSTD))
        self.remember(dict_id, dictionary)
        return dictionary

    def remember(self, dict_id: int, dictionary: raw.Dictionary) -> None:
        self._ready[dict_id] = dictionary
        while len(self._ready) > DICTIONARY_CACHE:
            del self._ready[next(iter(self._ready))]

    def forget(self) -> None:
        """After a rollback: a dictionary made in it is gone, and its id may be given again."""
        self._ready.clear()

    def attempts(self, data: bytes, ids: list[int]) -> Iterator[tuple[bytes, int, bool]]:
        """The page packed against each of `ids` in turn, and whether it fits (packs to raw.FITS or less)."""
        for dict_id in ids:
            dictionary = self.get(dict_id)
            packed = dictionary.pack(data)
            yield packed, dict_id, dictionary.fits(packed, data)

    def first_fit(self, data: bytes, ids: list[int]) -> tuple[bytes, int] | None:
        """The page packed against the first of `ids` that it fits."""
        return next(((packed, dict_id) for packed, dict_id, fits in self.attempts(data, ids) if fits), None)


class RawPages:
    """The writer's side: store a page once (by its SHA-256), read it back, drop it when unused."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.dictionaries = Dictionaries(conn)

    def store(self, page: RawPage, *, site: str | None, url: str | None, source: str | None, now: str) -> int:
        existing = self.conn.execute("SELECT id FROM raw_pages WHERE sha256 = ?", (page.sha256,)).fetchone()
        if existing:
            return int(existing[0])
        packed, dict_id = (page.packed, page.dict_id) if page.packed is not None else self._pack(page.data, site, now)
        cursor = self.conn.execute(
            """INSERT INTO raw_pages (sha256, content, size, url, source, stored_at, codec, dict_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (page.sha256, packed, page.size, url, source, now, raw.ZSTD, dict_id),
        )
        return int(cursor.lastrowid or 0)

    def _pack(self, data: bytes, site: str | None, now: str) -> tuple[bytes, int]:
        """The page packed against the first of its site's newest dictionaries that it fits; else
        against the one that helps most, if one helps; else the page becomes a new dictionary."""
        tried: list[tuple[int, int, bytes]] = []
        for packed, dict_id, fits in self.dictionaries.attempts(data, self.dictionaries.newest(site)):
            if fits:
                return packed, dict_id
            tried.append((len(packed), dict_id, packed))
        if tried:
            size, dict_id, packed = min(tried)
            if size < raw.HELPS * len(raw.pack_plain(data)):
                return packed, dict_id
        cursor = self.conn.execute(
            "INSERT INTO raw_dicts (site, content, size, created_at) VALUES (?, ?, ?, ?)",
            (site, raw.pack_plain(data), len(data), now),
        )
        dict_id = int(cursor.lastrowid or 0)
        dictionary = raw.Dictionary(data)
        self.dictionaries.remember(dict_id, dictionary)
        return dictionary.pack(data), dict_id

    def read(self, raw_id: int) -> bytes:
        """A stored page's bytes. Raises one of nai.raw.Error when they are damaged."""
        row = self.conn.execute(
            "SELECT content, codec, dict_id, sha256 FROM raw_pages WHERE id = ?", (raw_id,)
        ).fetchone()
        if row is None:
            raise raw.Damaged(f"raw page {raw_id} is missing")
        content, codec, dict_id, sha256 = row
        data = raw.unpack(content, codec, self.dictionaries.get(dict_id) if dict_id is not None else None)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise raw.Damaged("its bytes do not match their SHA-256")
        return data

    def drop_if_unused(self, raw_id: int) -> None:
        self.conn.execute(
            """DELETE FROM raw_pages WHERE id = ?
                 AND NOT EXISTS (SELECT 1 FROM articles WHERE raw_page_id = ?)
                 AND NOT EXISTS (SELECT 1 FROM versions WHERE raw_page_id = ?)""",
            (raw_id, raw_id, raw_id),
        )


class Packer:
    """Packs pages against an archive's committed dictionaries, reading it only: what the worker
    processes of `nai ingest --jobs` run, so the one writer receives a few KB a page. A page that
    fits none is left to the writer (which makes dictionaries)."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = 30_000) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._dictionaries: Dictionaries | None = None
        self._tried: dict[str | None, list[int]] = {}  # the ids each site was last tried against

    def pack(self, page: RawPage, site: str | None) -> RawPage:
        try:
            dictionaries = self._open()
            ids = self._tried.get(site)
            if ids is None:
                ids = self._tried[site] = dictionaries.newest(site)
            fit = dictionaries.first_fit(page.data, ids)
            if fit is None:  # the writer may have made a dictionary since: try those not tried yet
                newest = self._tried[site] = dictionaries.newest(site)
                fresh = [i for i in newest if i not in ids]
                fit = dictionaries.first_fit(page.data, fresh)
            if fit is not None:
                return page.packed_with(*fit)
        except (sqlite3.Error, *raw.Error):
            pass  # the writer packs it
        return page

    def _open(self) -> Dictionaries:
        if self._dictionaries is None:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            conn.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
            self._dictionaries = Dictionaries(conn)
        return self._dictionaries
