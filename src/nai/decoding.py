"""Bytes to text as a browser reads them, and right where a browser would show them wrong.

Pure (no I/O). page.py parses what this decodes; UTF-8 pages (most) never come here but for their
NUL bytes.
"""

from __future__ import annotations

import codecs
import re

from .errors import ParseError

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# <meta charset="windows-1252">, <meta http-equiv="Content-Type" content="text/html; charset=...">
META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)""", re.I)
CHARSET_WINDOW = 64 * 1024
# How the HTML standard (WHATWG Encoding) reads a declared name, as Python's codec names: latin-1 and
# ascii mean windows-1252, a page cannot declare itself UTF-16 or UTF-32 in ASCII (it is UTF-8), and
# a few legacy names mean their Windows supersets.
CHARSET_ALIASES = {
    "iso8859-1": "cp1252", "ascii": "cp1252", "latin-1": "cp1252",
    "utf-16": "utf-8", "utf-16-le": "utf-8", "utf-16-be": "utf-8",
    "utf-32": "utf-8", "utf-32-le": "utf-8", "utf-32-be": "utf-8",
    "iso8859-9": "cp1254", "iso8859-11": "cp874", "tis-620": "cp874",
    "gb2312": "gbk", "shift_jis": "cp932", "euc_kr": "cp949", "big5": "big5hkscs",
}  # fmt: skip
# The encodings of the HTML standard (WHATWG Encoding), as Python's codec names once aliased: a label
# naming anything else (base64, rot13, zlib, unicode_escape, EBCDIC…) is no charset to a browser.
WEB_CODECS = frozenset(
    {
        "utf-8", "cp866", "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic", "gbk", "gb18030", "big5hkscs",
        "euc_jp", "iso2022_jp", "cp932", "cp949", "cp874", *(f"cp{n}" for n in range(1250, 1259)),
        *(f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)),
    }
)  # fmt: skip
# A run of three or more bytes above ASCII: the letters of a script other than Latin in a legacy
# code page (Cyrillic, Greek, Arabic, CJK), where accented Latin letters come one at a time.
HIGH_RUN = re.compile(rb"[\x80-\xff]{3,}")
HIGH_BYTES = bytes(range(0x80, 0x100))
# Two or more letters of a script other than Latin, in a row: a word of Cyrillic, Greek, Arabic, CJK…
OTHER_SCRIPT_WORD = re.compile(r"[^\W\d_\x00-\u024f\u1e00-\u1eff]{2,}")
LATIN_LETTER = re.compile(r"[\u00c0-\u024f\u1e00-\u1eff]")  # accented Latin letters: À-ɏ, Ḁ-ỿ
DETECT_BYTES = 256 * 1024
# Bytes that are no text: NUL, the C0 controls but whitespace and ESC (ISO-2022), and DEL
NOT_TEXT_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1b") + b"\x7f"
NOT_TEXT_CHARS = dict.fromkeys(NOT_TEXT_BYTES)
# Magic numbers of things that are not HTML: PDF, PNG, JPEG, GIF, ZIP, gzip, WebP/RIFF, SQLite.
BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive",
    b"\x1f\x8b": "gzip data",
    b"RIFF": "a RIFF (WebP/AVI) file",
    b"SQLite format 3": "an SQLite database",
}
WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)  # UTF-32 LE's starts as UTF-16 LE's
# Where NUL bytes fall in UTF-32 and UTF-16 without a BOM: the high bytes of ASCII characters
WIDE_LANES = (("utf-32-le", (1, 2, 3)), ("utf-32-be", (0, 1, 2)), ("utf-16-le", (1, 3)), ("utf-16-be", (0, 2)))


def decode(data: bytes, charset: str | None = None) -> str:
    """Bytes to text as a browser reads them, and right where it would show them wrong.

    `charset`: the one the HTTP response's Content-Type named, if any. A BOM wins, then UTF-8,
    then the charset declared, as the HTML standard reads its name: the HTTP header's before the
    page's own (<meta charset>, http-equiv), as a browser ranks them. Bytes that are valid UTF-8
    are UTF-8 whatever the header says (a server's default "ISO-8859-1" of a UTF-8 page). An
    undeclared page that is not UTF-8 is windows-1252, the standard's fallback, unless its bytes
    come in runs (a script other than Latin) and a detector reads them as words of that script
    (Cyrillic, Greek, Arabic, CJK…): a detector alone takes French in Latin-1 for a Central
    European code page ("à" as "ŕ").

    Mended beyond a browser: in a page that declares UTF-8 or mostly is UTF-8, the bytes that are
    not UTF-8 are windows-1252 (an old CMS's export, a hand-saved page: é is E9, ’ is 92), not
    replacement characters.
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace").lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = charset_name(charset) or _declared_charset(data[:CHARSET_WINDOW])
    if _mostly_utf8(data):
        return data.decode("utf-8", errors=LEGACY_BYTES)
    if declared and declared != "utf-8":
        try:
            return data.decode(declared)
        except UnicodeDecodeError:  # as a browser does: undefined bytes of windows-1252 are no text
            return data.decode(declared, errors="ignore" if declared == "cp1252" else "replace")
    other = _other_script(data)
    if other:
        return data.decode(other, errors="replace")
    if declared == "utf-8":
        return data.decode("utf-8", errors=LEGACY_BYTES)
    return data.decode("cp1252", errors="ignore")


def _legacy_bytes(error: UnicodeError) -> tuple[str, int]:
    """A codecs error handler: bytes that are not UTF-8 read as windows-1252."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return bytes(error.object[error.start : error.end]).decode("cp1252", errors="ignore"), error.end


LEGACY_BYTES = "nai-cp1252"
codecs.register_error(LEGACY_BYTES, _legacy_bytes)


def _mostly_utf8(data: bytes) -> bool:
    """Well-formed UTF-8 multi-byte characters, with at most one stray byte for ten of them.

    Counted on the text decoded with replacement, at C speed: each character of it that is not
    ASCII is a well-formed sequence, but U+FFFD, a stray byte (a regex over the bytes took 4 ms
    on a 100 KB windows-1252 page)."""
    text = data.decode("utf-8", errors="replace")
    errors = text.count("\ufffd")
    multibyte = len(text) - len(text.encode("ascii", errors="ignore")) - errors
    return multibyte > 0 and errors * 10 <= multibyte


def _other_script(data: bytes) -> str | None:
    """The legacy encoding of a page in a script other than Latin, when a detector reads its bytes
    as words of that script; None for accented Latin text (windows-1252)."""
    sample = data[:DETECT_BYTES]
    high = len(sample) - len(sample.translate(None, HIGH_BYTES))
    if sum(map(len, HIGH_RUN.findall(sample))) * 3 < high:
        return None  # accented letters one at a time among ASCII ones: Latin text
    import charset_normalizer  # here: a UTF-8 page, or one that declares its charset, never needs it

    best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        return None
    try:
        text = sample.decode(best.encoding, errors="replace")
    except LookupError:
        return None
    other = sum(map(len, OTHER_SCRIPT_WORD.findall(text)))
    return best.encoding if other > 2 * len(LATIN_LETTER.findall(text)) else None


def _declared_charset(head: bytes) -> str | None:
    match = META_CHARSET.search(head)
    return charset_name(match.group(1).decode("ascii", errors="replace")) if match else None


def charset_name(label: str | None) -> str | None:
    """A charset's label (a page's <meta>, an HTTP Content-Type's) as the Python codec a browser
    would decode with (CHARSET_ALIASES); None for a label of no encoding of the web (WEB_CODECS),
    which a browser ignores as this does: the page is decoded as if it named none. A UTF-16 or UTF-32 page
    without a BOM is told by its NUL bytes before this is asked (page.bomless_wide)."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'").strip()).name
    except (LookupError, ValueError):
        return None
    name = CHARSET_ALIASES.get(name, name)
    return name if name in WEB_CODECS else None


def sniff_binary(data: bytes) -> str | None:
    """What the bytes are when they are plainly not an HTML page, else None."""
    head = data[:16].lstrip()
    for magic, what in BINARY_MAGIC.items():
        if head.startswith(magic):
            return what
    return None


def bomless_wide(data: bytes) -> str | None:
    """UTF-32 or UTF-16 without a BOM, told by where its NUL bytes fall (the high bytes of ASCII)."""
    head = data[:4096]
    lanes = len(head) // 4
    if lanes < 4 or b"\x00" not in head:
        return None
    nuls = [head[i : lanes * 4 : 4].count(0) for i in range(4)]
    mostly, hardly = [n * 10 > lanes * 7 for n in nuls], [n * 10 < lanes for n in nuls]
    for encoding, lanes_of_nuls in WIDE_LANES:
        if all(mostly[i] if i in lanes_of_nuls else hardly[i] for i in range(4)):
            return encoding
    return None


def without_nul_bytes(data: bytes) -> bytes:
    if b"\x00" not in data:
        return data
    _check_mostly_text(len(data), len(data) - len(data.translate(None, NOT_TEXT_BYTES)))
    return data.replace(b"\x00", b"")


def without_nul_chars(text: str) -> str:
    if "\x00" not in text:
        return text
    _check_mostly_text(len(text), len(text) - len(text.translate(NOT_TEXT_CHARS)))
    return text.replace("\x00", "")


def _check_mostly_text(length: int, not_text: int) -> None:
    if not_text * 2 > length:
        raise ParseError(f"not an HTML page: binary data ({not_text * 100 // length}% NUL and control bytes)")
