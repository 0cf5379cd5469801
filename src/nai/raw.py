"""Raw pages as the archive keeps them: zstd against a dictionary made of a page of their site.

A news site's chrome (the head's CSS and scripts, menus, sidebars, footer) is most of every page
and much the same on each. zlib cannot use that: its window is 32 KB and a page is 110 KB. A
zstd dictionary can: a site's first stored page becomes its dictionary, and each later page of
the site is stored as what differs from it (3.8 KB of a 114 KB page, where zlib keeps 21 KB),
twenty times as fast as zlib at level 6. When a site's chrome changes (a new theme), pages stop
fitting its dictionary and a new one is made from the first page that does not fit.

A site may serve pages of several templates at once (its theme, AMP, a saved copy): each has its
dictionary, and a page finds its template's by the signature of its head (`signature`), which its
dictionary keeps, rather than by being packed against each dictionary in turn.

Pure: the archive (nai.store) keeps the dictionaries and chooses one per page.
"""

from __future__ import annotations

import hashlib
import re
import sys
import zlib
from dataclasses import dataclass

if sys.version_info >= (3, 14):
    from compression import zstd
else:  # the same module, from PyPI
    from backports import zstd

# Level 2: against its template's dictionary a 100 KB page packs in 0.13 ms to 3.8 KB, where zstd's
# default (3) takes 0.18 ms for 3.7 KB (its larger tables are set up for each page); 9 saves 8% more
# than 3 and takes four times as long. Any level reads back the same.
LEVEL = 2
#: A page packed to this share of its size or less fits the dictionary tried.
FITS = 0.10
#: A dictionary that packs a page to less than this share of what plain zstd does still helps.
HELPS = 0.70
#: Dictionaries of a site tried per page, newest first, before a new one is made.
MAX_TRIES = 4
ZSTD = "zstd"
ZLIB = None  # raw_pages.codec of pages stored before zstd (NULL)
SIGNATURE_VERSION = "1"  # what a signature starts with: another way of making them would not match these
#: Where the head is looked for; a page without one is signed by its first HEADLESS bytes.
HEAD_WINDOW = 256 * 1024
HEADLESS = 32 * 1024
HEAD_END = re.compile(rb"</head\s*>|<body[\s>]", re.I)
TAG = re.compile(rb"<[a-zA-Z][^>]*>")  # an opening tag: "<" then a letter, so the search runs at C speed
VALUE = re.compile(rb"""=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+)""")
ID = re.compile(rb""" id=["']?([^"'\s>]*)""")  # a literal start: searched at C speed
DIGITS = b"0123456789"


class Damaged(Exception):
    """A stored page that cannot be read back whole: its dictionary is missing, its codec unknown,
    or its bytes do not match their SHA-256."""


Error = (zstd.ZstdError, zlib.error, Damaged)


@dataclass(frozen=True, slots=True)
class RawPage:
    """A page as read, with its hash (computed where it was read: a worker process, with --jobs).

    A worker may pack it already (`packed` against dictionary `dict_id`, `data` then dropped), so
    that a few KB go to the writer rather than the page."""

    sha256: str
    data: bytes
    size: int
    packed: bytes | None = None
    dict_id: int | None = None

    @classmethod
    def of(cls, data: bytes) -> RawPage:
        return cls(hashlib.sha256(data).hexdigest(), data, len(data))

    def packed_with(self, packed: bytes, dict_id: int) -> RawPage:
        return RawPage(self.sha256, b"", self.size, packed, dict_id)


# zstd frames carry a checksum of what they hold, so damage is found on reading (zlib's has one)
OPTIONS: dict[int, int] = {
    zstd.CompressionParameter.compression_level: LEVEL,
    zstd.CompressionParameter.checksum_flag: 1,
}


class Dictionary:
    """A dictionary's compressor and decompression dictionary, made once and reused."""

    def __init__(self, content: bytes) -> None:
        self.zdict = zstd.ZstdDict(content, is_raw=True)
        self._compressor = zstd.ZstdCompressor(options=OPTIONS, zstd_dict=self.zdict)

    def pack(self, data: bytes) -> bytes:
        return self._compressor.compress(data, mode=zstd.ZstdCompressor.FLUSH_FRAME)

    def fits(self, packed: bytes, data: bytes) -> bool:
        return len(packed) <= FITS * len(data)


def signature(data: bytes) -> str:
    """The signature of a page's template: what its head's tags are, whatever the page's own values.

    The set of the head's opening tags with their attribute names but no values (a title, a
    canonical URL, a description, a saved copy's "./TITLE_files/" paths differ page to page), and
    the ids among those values (they name the theme's and plugins' stylesheets and scripts), digits
    left out (a post's id, a version). Pages of one template share it whatever their story; two
    templates (a theme and its AMP pages, another theme) differ in what their heads load. On bytes,
    whatever their encoding, without parsing: on a 110 KB page about what packing it against its
    template's dictionary takes (0.1 ms), a quarter of packing it against another template's."""
    end = data.find(b"</head>", 0, HEAD_WINDOW)
    if end < 0:
        found = HEAD_END.search(data, 0, HEAD_WINDOW)
        end = found.start() if found else HEADLESS
    tags = b"\n".join(TAG.findall(data, 0, end))
    skeleton = VALUE.sub(b"", tags) + b"\n" + b"\n".join(ID.findall(tags))
    lines = sorted(set(skeleton.translate(None, DIGITS).lower().split(b"\n")))
    return SIGNATURE_VERSION + ":" + hashlib.blake2b(b"\n".join(lines), digest_size=8).hexdigest()


def pack_plain(data: bytes) -> bytes:
    """zstd without a dictionary: how a dictionary's content is kept."""
    return zstd.compress(data, options=OPTIONS)


def unpack(content: bytes, codec: str | None, dictionary: Dictionary | None = None) -> bytes:
    """A stored page's bytes. Raises one of raw.Error when the stored bytes are damaged."""
    if codec == ZSTD:
        if dictionary is None:
            return zstd.decompress(content)
        return zstd.decompress(content, zstd_dict=dictionary.zdict)
    if codec is ZLIB:
        return zlib.decompress(content)
    raise Damaged(f"unknown codec {codec!r}")
