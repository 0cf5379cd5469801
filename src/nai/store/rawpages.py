"""Raw pages in the archive: stored packed against a dictionary of their site, read back whole.

The codec (zstd with a dictionary made of a page of the site) is nai.raw's; this module keeps
the pages and the dictionaries in the raw_pages and raw_dicts tables and chooses each page's
dictionary: its template's (by nai.raw.signature), packing the page once. The writer (RawPages)
and the worker processes of `nai ingest --jobs` (Packer) choose the same way (Dictionaries).
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .. import raw
from ..raw import RawPage

DICTIONARY_CACHE = 16  # dictionaries kept ready in memory (about 1 MB each, with its compressor)
TEMPLATE_CACHE = 1024  # templates whose candidate dictionaries are kept in memory


@dataclass(slots=True)
class Choice:
    """A page packed against the first of its candidate dictionaries that it fits (`packed`,
    `dict_id`), or against none: then `tried` holds what each tried gave (size, id, packed), and
    `own` says whether its template has a dictionary (made of a page of it) at all."""

    packed: bytes | None = None
    dict_id: int | None = None
    tried: list[tuple[int, int, bytes]] = field(default_factory=list)
    own: bool = False


class Dictionaries:
    """A connection's dictionaries, made ready once each and kept, most recently used last; and,
    for each template (site and signature) seen, the dictionaries its pages are tried against, the
    one they last fit first. A page is packed once: against its template's dictionary."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._ready: dict[int, raw.Dictionary] = {}
        self._candidates: dict[tuple[str | None, str], list[int]] = {}

    def newest(self, site: str | None) -> list[int]:
        """The ids of the site's newest dictionaries, newest first: those a page is tried against."""
        rows = self.conn.execute(
            "SELECT id FROM raw_dicts WHERE site IS ? ORDER BY id DESC LIMIT ?", (site, raw.MAX_TRIES)
        )
        return [dict_id for (dict_id,) in rows]

    def own(self, site: str | None, signature: str) -> list[int]:
        """The ids of the dictionaries made of a page of this template, newest first."""
        rows = self.conn.execute(
            "SELECT id FROM raw_dicts WHERE site IS ? AND signature = ? ORDER BY id DESC LIMIT ?",
            (site, signature, raw.MAX_TRIES),
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

    def made(self, dict_id: int, site: str | None, signature: str) -> None:
        """A dictionary made of a page of this template: its pages are tried against it first."""
        ids = self._candidates.pop((site, signature), [])
        self._keep((site, signature), [dict_id, *(i for i in ids if i != dict_id)])

    def forget(self) -> None:
        """After a rollback: a dictionary made in it is gone, and its id may be given again."""
        self._ready.clear()
        self._candidates.clear()

    def choose(self, data: bytes, site: str | None, signature: str) -> Choice:
        """The page packed against the first dictionary it fits (packs to raw.FITS or less): those
        its template's pages were tried against, the one they last fit first (one packing, once the
        template is known); on a miss, those of the archive as it is now (another process may have
        made one): its template's own, newest first, then the site's newest, raw.MAX_TRIES in all."""
        key, choice = (site, signature), Choice()
        known = self._candidates.get(key)
        if known is not None:
            fit = self._first_fit(data, known, choice)
            if fit is not None:
                if known[0] != fit:  # its pages fit another now: that one first
                    self._keep(key, [fit, *(i for i in known if i != fit)])
                return choice
        own = self.own(site, signature)
        choice.own = bool(own)
        fresh = list(dict.fromkeys([*own, *self.newest(site)]))[: raw.MAX_TRIES]
        tried = {dict_id for _, dict_id, _ in choice.tried}
        fit = self._first_fit(data, [i for i in fresh if i not in tried], choice)
        self._keep(key, list(dict.fromkeys([*([fit] if fit is not None else []), *fresh]))[: raw.MAX_TRIES])
        return choice

    def _first_fit(self, data: bytes, ids: list[int], choice: Choice) -> int | None:
        """The id of the first of `ids` the page fits, packed into `choice`; the others into its `tried`."""
        for dict_id in ids:
            dictionary = self.get(dict_id)
            packed = dictionary.pack(data)
            if dictionary.fits(packed, data):
                choice.packed, choice.dict_id = packed, dict_id
                return dict_id
            choice.tried.append((len(packed), dict_id, packed))
        return None

    def _keep(self, key: tuple[str | None, str], ids: list[int]) -> None:
        self._candidates.pop(key, None)
        self._candidates[key] = ids
        while len(self._candidates) > TEMPLATE_CACHE:
            del self._candidates[next(iter(self._candidates))]


class RawPages:
    """The writer's side: store a page once (by its SHA-256), read it back, drop it when unused."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.dictionaries = Dictionaries(conn)

    def store(
        self,
        page: RawPage,
        *,
        site: str | None,
        url: str | None,
        source: str | None,
        now: str,
        charset: str | None = None,
    ) -> int:
        """The page's row id, stored now unless its bytes are there already. `charset`: what its HTTP
        response's Content-Type named, kept for decoding it again."""
        existing = self.conn.execute("SELECT id FROM raw_pages WHERE sha256 = ?", (page.sha256,)).fetchone()
        if existing:
            return int(existing[0])
        packed, dict_id = (page.packed, page.dict_id) if page.packed is not None else self._pack(page.data, site, now)
        cursor = self.conn.execute(
            """INSERT INTO raw_pages (sha256, content, size, url, source, stored_at, codec, dict_id, charset)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (page.sha256, packed, page.size, url, source, now, raw.ZSTD, dict_id, charset),
        )
        return int(cursor.lastrowid or 0)

    def _pack(self, data: bytes, site: str | None, now: str) -> tuple[bytes, int]:
        """The page packed against the first dictionary of its template, or of its site, that it
        fits (Dictionaries.choose). Else a page of a template that has no dictionary becomes its
        template's; one of a template that has (an odd page of it) is packed against the dictionary
        that helps most, if one helps, and becomes a dictionary only if none does."""
        signature = raw.signature(data)
        choice = self.dictionaries.choose(data, site, signature)
        if choice.packed is not None and choice.dict_id is not None:
            return choice.packed, choice.dict_id
        if choice.own and choice.tried:
            size, dict_id, packed = min(choice.tried)
            if size < raw.HELPS * len(raw.pack_plain(data)):
                return packed, dict_id
        cursor = self.conn.execute(
            "INSERT INTO raw_dicts (site, content, size, created_at, signature) VALUES (?, ?, ?, ?, ?)",
            (site, raw.pack_plain(data), len(data), now, signature),
        )
        dict_id = int(cursor.lastrowid or 0)
        dictionary = raw.Dictionary(data)
        self.dictionaries.remember(dict_id, dictionary)
        self.dictionaries.made(dict_id, site, signature)
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

    def pack(self, page: RawPage, site: str | None) -> RawPage:
        try:
            choice = self._open().choose(page.data, site, raw.signature(page.data))
            if choice.packed is not None and choice.dict_id is not None:
                return page.packed_with(choice.packed, choice.dict_id)
        except (sqlite3.Error, *raw.Error):
            pass  # the writer packs it
        return page

    def _open(self) -> Dictionaries:
        if self._dictionaries is None:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            conn.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
            self._dictionaries = Dictionaries(conn)
        return self._dictionaries
