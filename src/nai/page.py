"""A page: bytes decoded once, parsed once with lxml, its standard metadata at hand.

Pure (no I/O). Site rules (nai.sites) and the generic path (nai.parse) read from a Page.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, AnyStr, TypeAlias, TypeVar

import charset_normalizer
from lxml import etree

from .errors import ParseError, TruncatedPage
from .urls import absolute_url, quoted

# lxml's plain HTML parser: the same libxml2 parser as lxml.html, without the per-element class
# lookup that lxml.html adds (a third of the time of walking a page). lxml has no type hints.
Element: TypeAlias = Any
T = TypeVar("T")

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
# A well-formed UTF-8 multi-byte character: "’" is E2 80 99.
UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
# WHATWG: a page that says latin-1 or ascii means windows-1252.
CHARSET_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252", "latin-1": "cp1252"}
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
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
CLOSING_HTML = re.compile(r"</(html|body)\s*>", re.I)
CLOSING_HTML_BYTES = re.compile(rb"</(html|body)\s*>", re.I)
MARKUP = re.compile(r"<(html|body|p|div)\b", re.I)  # in the first 64 KB, when no "<" is in the first 4 KB
MARKUP_BYTES = re.compile(rb"<(html|body|p|div)\b", re.I)
WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)  # UTF-32 LE's starts as UTF-16 LE's
# Elements whose text is never article text. JSON-LD is read before they go.
UNWANTED_TAGS = ("script", "style", "noscript", "template", "svg", "math", "head")
ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "webpage",
}
#: Real article pages have a few thousand elements; extraction time grows with the count, so a
#: page past this limit is refused rather than parsed for minutes.
MAX_ELEMENTS = 30_000
#: libxml2's time grows with the square of a tag's attributes: a tag with more than this many is
#: refused before parsing (real tags have a handful).
MAX_TAG_ATTRIBUTES = 1000
CROWDED_TAG = re.compile(r"<[a-zA-Z](?:[^<>=]*=){" + str(MAX_TAG_ATTRIBUTES) + "}")
NOT_TAG_MARKS = bytes(b for b in range(256) if b not in b"<>=")  # deleted, they leave "<=>" skeletons
ATTRIBUTES_RUN = b"=" * MAX_TAG_ATTRIBUTES
COUNT_ELEMENTS = etree.XPath("count(//*)")
_OPTIONS = {"remove_comments": True, "remove_pis": True, "no_network": True, "default_doctype": False}
_PARSER = etree.HTMLParser(**_OPTIONS, collect_ids=False)  # ids are never looked up: no table of them
_UTF8_PARSER = etree.HTMLParser(**_OPTIONS, collect_ids=False, encoding="utf-8")


def text_of(element: Element) -> str:
    """All the text under an element (lxml.html's text_content, for plain elements).

    libxml2's text serialiser: the same text as joining itertext(), eight times as fast."""
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)  # type: ignore[no-any-return]


def clean_text(text: str | None) -> str:
    """Whitespace runs (NBSP, newlines, zero-width spaces too) to one space, stripped."""
    if not text:
        return ""
    return " ".join(text.replace("\u200b", "").replace("\ufeff", "").split())


def first(candidates: Iterable[object], convert: Callable[[str], T | None]) -> T | None:
    """The first non-empty value `convert` gives for a candidate, in order; None when none does.

    Candidates are what a page offers for one field, best first (JSON-LD, meta tags, attributes):
    those that are not strings (absent, or a JSON-LD list or object) are skipped, and those after
    the first usable one are not converted."""
    for candidate in candidates:
        if isinstance(candidate, str):
            value = convert(candidate)
            if value:
                return value
    return None


def decode(data: bytes) -> str:
    """Bytes to text: a BOM wins, then UTF-8, then the declared charset, then detection.

    A page of valid UTF-8 multi-byte characters with a few stray bytes is still UTF-8 (the stray
    bytes become U+FFFD); a page with no multi-byte UTF-8 at all is a single-byte encoding.
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace").lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data[:CHARSET_WINDOW])
    if _mostly_utf8(data) or (declared == "utf-8" and not _single_byte_text(data)):
        return data.decode("utf-8", errors="replace")
    if declared and declared not in ("utf-8", "utf-16-le", "utf-16-be", "utf-16"):
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(data[: 256 * 1024]).best()
    encoding = best.encoding if best is not None else "cp1252"
    return data.decode(encoding, errors="replace")


def _mostly_utf8(data: bytes) -> bool:
    """Well-formed UTF-8 multi-byte characters, with at most one stray byte for ten of them.

    Counted on the text decoded with replacement, at C speed: each character of it that is not
    ASCII is a well-formed sequence, but U+FFFD, a stray byte (a regex over the bytes took 4 ms
    on a 100 KB windows-1252 page)."""
    text = data.decode("utf-8", errors="replace")
    errors = text.count("\ufffd")
    multibyte = len(text) - len(text.encode("ascii", errors="ignore")) - errors
    return multibyte > 0 and errors * 10 <= multibyte


def _single_byte_text(data: bytes) -> bool:
    """Non-ASCII bytes and no UTF-8 sequence among them: cp1252 or latin-1 text."""
    return not UTF8_MULTIBYTE.search(data)


def _declared_charset(head: bytes) -> str | None:
    match = META_CHARSET.search(head)
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return CHARSET_ALIASES.get(name, name)


def sniff_binary(data: bytes) -> str | None:
    """What the bytes are when they are plainly not an HTML page, else None."""
    head = data[:16].lstrip()
    for magic, what in BINARY_MAGIC.items():
        if head.startswith(magic):
            return what
    return None


@dataclass
class Page:
    """A parsed page. `url` is the address the caller knows it by (fetched from, or --url)."""

    tree: Element
    text: str  # the page as decoded text
    url: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)
    body_classes: frozenset[str] = frozenset()
    title: str = ""
    _texts: list[tuple[str, Element]] | None = field(default=None, repr=False)
    cache: dict[Hashable, Any] = field(default_factory=dict, repr=False)  # what site rules compute once a page
    notes: list[str] = field(default_factory=list, repr=False)  # what parsing dropped: malformed URLs

    def first_meta(self, *names: str) -> str | None:
        return first((self.meta.get(name) for name in names), clean_text)

    def article_ld(self) -> dict[str, Any] | None:
        """The first JSON-LD object that describes an article (NewsArticle, Article, …)."""
        best: dict[str, Any] | None = None
        for obj in self.jsonld:
            types = {t.lower() for t in _as_list(obj.get("@type")) if isinstance(t, str)}
            if types & (ARTICLE_TYPES - {"webpage"}):
                return obj
            if "webpage" in types and best is None and obj.get("datePublished"):
                best = obj
        return best

    def absolute(self, href: str | None) -> str | None:
        """A link of the page as an absolute http(s) URL (nai.urls.absolute_url); a malformed one is
        None, and noted."""
        try:
            return absolute_url(href, self.url)
        except ValueError as exc:
            self.notes.append(f"dropped a malformed URL ({exc}): {quoted(href or '')}")
            return None

    def iter_text(self, root: Element | None = None) -> Iterator[tuple[str, Element]] | list[tuple[str, Element]]:
        """Every non-blank text node under root (default: the whole page, listed once), with its element."""
        if root is None:
            if self._texts is None:
                self._texts = list(self._walk_text(self.tree))
            return self._texts
        return self._walk_text(root)

    @staticmethod
    def _walk_text(root: Element) -> Iterator[tuple[str, Element]]:
        for node in root.iter():
            if not isinstance(node.tag, str):
                continue
            if node.text and node.text.strip():
                yield node.text, node
            for child in node:
                if child.tail and child.tail.strip():
                    yield child.tail, node


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def load_page(data: bytes | str, *, url: str | None = None) -> Page:
    """Decode and parse a page. Raises ParseError for what is not an HTML page.

    Pages in UTF-8 (most) go to libxml2 as bytes, which it reads a tenth faster than a str,
    after the checks below run on the bytes; other pages are decoded here (BOM, declared
    charset, detection) and go to it as UTF-8 too, checked as bytes (a third of the time of
    checking the text: 0.4 ms on a 100 KB windows-1252 page)."""
    if isinstance(data, bytes):
        if not data or data.isspace():
            raise ParseError("empty page")
        what = sniff_binary(data)
        if what:
            raise ParseError(f"not an HTML page: this is {what}")
        if not data.startswith(WIDE_BOMS):
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                tree = _parse_utf8(data)
                if tree is not None:
                    return _page(tree, text.lstrip("\ufeff"), url)
        text = decode(data)
        tree = _parse_utf8(utf8) if (utf8 := _utf8(text)) else None
        if tree is not None:
            return _page(tree, text, url)
    else:
        text = data
    if not text or text.isspace():
        raise ParseError("empty page")
    _check_markup(text, ("\x00", "<"), MARKUP, CLOSING_HTML, 1)
    if CROWDED_TAG.search(text):
        raise ParseError(f"a tag with more than {MAX_TAG_ATTRIBUTES} attributes (hostile markup?)")
    try:
        tree = etree.fromstring(XML_DECLARATION.sub("", text, count=1), parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(f"unparsable HTML: {exc}") from None
    return _page(tree, text, url)


def _utf8(text: str) -> bytes | None:
    """Decoded text as UTF-8 again, for libxml2; None for blank text or text that cannot be (a lone
    surrogate that a UTF-7 page gave, say): the text's own checks then apply."""
    if not text or text.isspace():
        return None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None


def _parse_utf8(data: bytes) -> Element | None:
    """The tree of a page whose bytes are valid UTF-8; None when a tag may be crowded (the exact
    check needs the text)."""
    _check_markup(data, (b"\x00", b"<"), MARKUP_BYTES, CLOSING_HTML_BYTES, 4)  # 4 bytes a character at most
    if ATTRIBUTES_RUN in data.translate(None, NOT_TAG_MARKS):  # a condition a crowded tag needs
        return None
    try:
        return etree.fromstring(data, parser=_UTF8_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(f"unparsable HTML: {exc}") from None


def _check_markup(
    text: AnyStr, marks: tuple[AnyStr, AnyStr], markup: re.Pattern[AnyStr], closing: re.Pattern[AnyStr], unit: int
) -> None:
    """What makes a text no HTML page: NUL characters, no markup, no end. `marks`: NUL and "<";
    `unit`: the most bytes a character takes (the windows below are in characters)."""
    nul, lt = marks
    if nul in text:
        raise ParseError("not an HTML page: it contains NUL bytes (binary data?)")
    if lt not in text[: 4096 * unit] and not markup.search(text[: 65536 * unit]):
        raise ParseError("not an HTML page: no markup found")
    if not closing.search(text[-8192 * unit :]):
        raise TruncatedPage("truncated HTML: the page ends before </body></html>")


def _page(tree: Element | None, text: str, url: str | None) -> Page:
    if tree is None:
        raise ParseError("unparsable HTML: no document")
    elements = int(COUNT_ELEMENTS(tree))
    if elements > MAX_ELEMENTS:
        raise ParseError(f"too many elements ({elements:,}; the limit is {MAX_ELEMENTS:,})")
    page = Page(tree=tree, text=text, url=url)
    _read_head(page)
    for br in tree.iter("br"):  # a line break separates words: "Tripoli<br>Benghazi"
        br.tail = "\n" + (br.tail or "")
    etree.strip_elements(tree, *UNWANTED_TAGS, with_tail=False)
    return page


def _read_head(page: Page) -> None:
    """meta, link rel, JSON-LD, <title> and the body's classes, in one pass over those tags."""
    title: Element | None = None
    body: Element | None = None
    for el in page.tree.iter("meta", "link", "script", "title", "body"):
        tag = el.tag
        if tag == "meta":
            key = el.get("property") or el.get("name") or el.get("itemprop")
            content = el.get("content")
            if key and content:
                key = key.strip().lower()
                if key and key not in page.meta:
                    page.meta[key] = content
        elif tag == "link":
            href = el.get("href")
            if href:
                for rel in (el.get("rel") or "").lower().split():
                    page.links.setdefault(rel, href)
        elif tag == "script":
            if el.text and (el.get("type") or "").strip().lower() == "application/ld+json":
                page.jsonld.extend(_flatten_ld(el.text))
        elif tag == "title":
            title = el if title is None else title
        else:
            body = el if body is None else body
    page.title = clean_text(text_of(title)) if title is not None else ""
    if body is not None:
        page.body_classes = frozenset((body.get("class") or "").lower().split())


def _flatten_ld(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    out: list[dict[str, Any]] = []
    stack = data if isinstance(data, list) else [data]
    for item in stack:
        if not isinstance(item, dict):
            continue
        graph = item.get("@graph")
        if isinstance(graph, list):
            out.extend(g for g in graph if isinstance(g, dict))
        else:
            out.append(item)
    return out


def ld_name(value: Any) -> str | None:
    """A JSON-LD person/organisation/thing as its name: {"name": "X"}, "X", or a list of those."""
    for item in _as_list(value):
        if isinstance(item, str) and clean_text(item):
            return clean_text(item)
        if isinstance(item, dict) and isinstance(item.get("name"), str) and clean_text(item["name"]):
            return clean_text(item["name"])
    return None
