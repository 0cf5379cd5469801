"""A page: bytes decoded once, parsed once with lxml, its standard metadata at hand.

Pure (no I/O). Site rules (nai.sites) and the generic path (nai.parse) read from a Page.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, AnyStr, Generic, NamedTuple, TypeAlias, TypeVar

from lxml import etree

from .decoding import WIDE_BOMS, bomless_wide, decode, sniff_binary, without_nul_bytes, without_nul_chars
from .errors import ParseError
from .urls import absolute_url, quoted

# lxml's plain HTML parser: the same libxml2 parser as lxml.html, without the per-element class
# lookup that lxml.html adds (a third of the time of walking a page). lxml has no type hints.
Element: TypeAlias = Any
T = TypeVar("T")

XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
CLOSING_HTML = re.compile(r"</(html|body)\s*>", re.I)
CLOSING_HTML_BYTES = re.compile(rb"</(html|body)\s*>", re.I)
MARKUP = re.compile(r"<(html|body|p|div)\b", re.I)  # in the first 64 KB, when no "<" is in the first 4 KB
MARKUP_BYTES = re.compile(rb"<(html|body|p|div)\b", re.I)
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
#: libxml2 stops at this depth and drops the rest of the page without a word: a page nested as
#: deep is refused, never stored without its end.
MAX_DEPTH = 255
END_TAG = "nai-end-of-input"  # the mark after the last byte of a page that lacks its closing tags
# ---- what is hidden from readers (see drop_hidden)
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
SCREEN_READER_CLASSES = frozenset(
    {
        "sr-only", "screen-reader-text", "screen-reader-only", "visually-hidden", "visuallyhidden",
        "element-invisible", "assistive-text", "show-for-sr",
    }
)  # fmt: skip
# Icon fonts: their glyphs are characters (a private-use code point, a ligature's name) in an <i> or <span>
ICON_CLASSES = frozenset(
    {
        "fa", "fas", "far", "fal", "fad", "fab", "fat", "fa-solid", "fa-regular", "fa-light", "fa-thin",
        "fa-duotone", "fa-brands", "dashicons", "genericon", "genericons", "glyphicon", "bi", "material-icons",
        "material-icons-outlined", "material-icons-round", "material-icons-sharp", "material-symbols-outlined",
        "material-symbols-rounded", "material-symbols-sharp",
    }
)  # fmt: skip
ICON_I_CLASSES = ICON_CLASSES | {"icon", "icons"}  # on an <i>, which holds nothing else
ICON_PREFIXES = ("fa-", "dashicons-", "genericon-", "glyphicon-", "icon-", "bi-", "td-icon-")  # on an <i>
# The candidates _is_hidden confirms, under the elements `roots`: attribute steps, then a few contains()
_LOWER = "translate(., 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
HIDDEN_CANDIDATES = etree.XPath(
    "$roots/descendant::*/@aria-hidden/.. | $roots/descendant::*/@hidden/.. | $roots/descendant::i[@class]"
    f" | $roots/descendant::*/@style[contains({_LOWER}, 'none') or contains({_LOWER}, 'hidden')]/.."
    " | $roots/descendant::*/@class[contains(., 'sr-only') or contains(., 'screen-reader') or contains(., 'visually')"
    " or contains(., 'element-invisible') or contains(., 'assistive-text') or contains(., 'show-for-sr')"
    " or contains(., 'material-')]/.."
)
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


@dataclass
class Page:
    """A parsed page. `url` is the address the caller knows it by (fetched from, or --url)."""

    tree: Element
    text: str  # the page as decoded text
    url: str | None = None
    #: What its relative links are relative to: <base href>, else `url`, else the URL the page gives
    #: itself (rel=canonical, og:url: a saved copy's relative links resolve as they did on the site).
    base: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)
    body_classes: frozenset[str] = frozenset()
    title: str = ""
    #: Where a page that lacks its closing tags (</body>, </html>) ends: the innermost element still
    #: open after its last byte (it and its ancestors are open); None for a page that ends.
    cut_in: Element | None = None
    #: The elements the article was read from, in the order it runs, its end last (content, related
    #: block, author box), set by the rules that extract it: a page cut short must hold them whole.
    parts: tuple[Element | None, ...] = ()
    _texts: list[tuple[str, Element]] | None = field(default=None, repr=False)
    _text_nodes: TextNodes | None = field(default=None, repr=False)
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
            return absolute_url(href, self.base)
        except ValueError as exc:
            self.notes.append(f"dropped a malformed URL ({exc}): {quoted(href or '')}")
            return None

    def holds_whole(self) -> bool:
        """Whether the page holds its article whole. A page that ends does. One cut short (no
        </body></html>) does when the cut falls after the article's end: the last of its `parts`
        present (the author box, say) is closed, and any part still open where the bytes end holds
        it (a content element that also holds the author box, missing only its closing tag)."""
        if self.cut_in is None:
            return True
        parts = [part for part in self.parts if part is not None]
        still_open = [self.cut_in, *self.cut_in.iterancestors()]
        if not parts or any(parts[-1] is e for e in still_open):
            return False
        around_end = list(parts[-1].iterancestors())
        return all(any(part is a for a in around_end) for part in parts if any(part is e for e in still_open))

    def iter_text(self, root: Element | None = None) -> Iterator[tuple[str, Element]] | list[tuple[str, Element]]:
        """Every non-blank text node under root (default: the whole page, listed once), with its element."""
        if root is None:
            if self._texts is None:
                self._texts = list(self._walk_text(self.tree))
            return self._texts
        return self._walk_text(root)

    def text_nodes(self) -> TextNodes:
        """The page's text, listed once: the page as site rules first read it, before they change it
        (drop_hidden). The label search and find_content (the length of the page's text) share it."""
        if self._text_nodes is None:
            self._text_nodes = TextNodes.of(self.tree)
        return self._text_nodes

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


class TextNodes(NamedTuple):
    """Every non-empty text and tail of a tree's elements (lxml's .text and .tail: all the text there,
    which libxml2 may hold as several nodes), with the element that holds each as its text or tail.

    Listed element by element, each one's text then its tail: not document order, where a tail
    follows the text inside its element (document_position sorts what needs it). Their lengths add
    up to text_of(tree)'s. Reading .text and .tail takes 0.20 ms a page, where the XPath //text()
    took 0.33 ms: each of its "smart strings" made an element proxy to know its parent."""

    texts: list[str]
    owners: list[Element]

    @classmethod
    def of(cls, tree: Element) -> TextNodes:
        texts: list[str] = []
        owners: list[Element] = []
        for element in tree.iter():
            text, tail = element.text, element.tail
            if text:
                texts.append(text)
                owners.append(element)
            if tail:
                texts.append(tail)
                owners.append(element)
        return cls(texts, owners)

    def is_tail(self, i: int) -> bool:
        """Whether texts[i] is its owner's tail: the second of its owner's two, or its only one when
        the owner has no text."""
        owner = self.owners[i]
        return (i > 0 and self.owners[i - 1] is owner) or not owner.text


def document_position(element: Element, *, tail: bool = False) -> tuple[float, ...]:
    """Where an element's text (or its tail) sits in document order, as a key to sort by: the
    indexes of the element and its ancestors among their siblings, from the root; a text before
    its element's children (-1), a tail between its element and the next sibling (+0.5)."""
    path: list[float] = []
    node, parent = element, element.getparent()
    while parent is not None:
        path.append(parent.index(node))
        node, parent = parent, parent.getparent()
    path.reverse()
    if tail and path:
        path[-1] += 0.5
    else:
        path.append(float("inf") if tail else -1)  # the root's tail: after all of it
    return tuple(path)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def load_page(data: bytes | str, *, url: str | None = None, charset: str | None = None) -> Page:
    """Decode and parse a page. Raises ParseError for what is not an HTML page.

    `charset`: what the HTTP response's Content-Type said, if the page was fetched (decoding.decode).

    Pages go to libxml2 as UTF-8 bytes, which it reads a tenth faster than a str, after the checks
    below run on the bytes: UTF-8 pages (most) as they are, others once decoded here (BOM, declared
    charset, detection). A page whose bytes may hold a crowded tag is checked and parsed as text.
    NUL bytes (a broken export) are dropped, as a browser drops them; bytes that are mostly NUL and
    control bytes are refused as binary."""
    if isinstance(data, str):
        return _load_text(without_nul_chars(data), url)
    if not data or data.isspace():
        raise ParseError("empty page")
    what = sniff_binary(data)
    if what:
        raise ParseError(f"not an HTML page: this is {what}")
    wide = "" if data.startswith(WIDE_BOMS) else bomless_wide(data)
    if wide is None:
        data = without_nul_bytes(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = decode(data, charset)
        else:
            parsed = _parse_utf8(data)
            if parsed is not None:
                return _page(*parsed, text.lstrip("\ufeff"), url)
            return _load_text(without_nul_chars(text), url)
    else:
        text = data.decode(wide, errors="replace") if wide else decode(data, charset)
    text = without_nul_chars(text)
    if text and not text.isspace():
        parsed = _parse_utf8(XML_DECLARATION.sub("", text, count=1).encode("utf-8"))
        if parsed is not None:
            return _page(*parsed, text, url)
    return _load_text(text, url)


def _load_text(text: str, url: str | None) -> Page:
    """A page as text (NUL characters dropped already): the exact crowded-tag check, parsed as a str."""
    if not text or text.isspace():
        raise ParseError("empty page")
    ended = _check_markup(text, "<", MARKUP, CLOSING_HTML, 1)
    if CROWDED_TAG.search(text):
        raise ParseError(f"a tag with more than {MAX_TAG_ATTRIBUTES} attributes (hostile markup?)")
    source = XML_DECLARATION.sub("", text, count=1)
    marked = source if ended else _end_marked(source, TEXT_MARKS)
    return _page(_parse(marked, _PARSER), ended, most_elements(marked.count("<")), text, url)


def _parse_utf8(data: bytes) -> tuple[Element, bool, int] | None:
    """The tree of a page whose bytes are valid UTF-8, whether the page ends (</body>, </html>), and
    the most elements it can hold; None when a tag may be crowded (the exact check needs the text)."""
    ended = _check_markup(data, b"<", MARKUP_BYTES, CLOSING_HTML_BYTES, 4)  # 4 bytes a character at most
    marks = data.translate(None, NOT_TAG_MARKS)  # its "<", ">" and "=": a twentieth of it
    if ATTRIBUTES_RUN in marks:  # a condition a crowded tag needs
        return None
    marked = data if ended else _end_marked(data, BYTE_MARKS)  # at most one "<" more
    return _parse(marked, _UTF8_PARSER), ended, most_elements(marks.count(b"<") + (not ended))


def _parse(source: str | bytes, parser: Any) -> Element:
    try:
        return etree.fromstring(source, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(f"unparsable HTML: {exc}") from None


def _check_markup(text: AnyStr, lt: AnyStr, markup: re.Pattern[AnyStr], closing: re.Pattern[AnyStr], unit: int) -> bool:
    """Refuses a text with no markup; tells whether it ends (</body> or </html> near its end).
    `unit`: the most bytes a character takes (the windows below are in characters)."""
    if lt not in text[: 4096 * unit] and not markup.search(text[: 65536 * unit]):
        raise ParseError("not an HTML page: no markup found")
    return bool(closing.search(text[-8192 * unit :]))


class _Marks(NamedTuple, Generic[AnyStr]):
    lt: AnyStr
    gt: AnyStr
    comment: AnyStr
    comment_end: AnyStr
    tag: re.Pattern[AnyStr]
    end: AnyStr


TEXT_MARKS = _Marks("<", ">", "<!--", "-->", re.compile(r"<[a-zA-Z/!?]"), f"<{END_TAG}>")
BYTE_MARKS = _Marks(b"<", b">", b"<!--", b"-->", re.compile(rb"<[a-zA-Z/!?]"), f"<{END_TAG}>".encode())


def _end_marked(source: AnyStr, marks: _Marks[AnyStr]) -> AnyStr:
    """A page that lacks its closing tags, with a mark after its last byte: libxml2 puts the mark in
    the element the page's bytes end in (see _take_end_mark). A tag or comment cut in two goes first."""
    comment = source.rfind(marks.comment)
    if comment >= 0 and source.find(marks.comment_end, comment + 4) < 0:
        source = source[:comment]
    lt = source.rfind(marks.lt)
    if lt >= 0 and source.find(marks.gt, lt) < 0 and marks.tag.match(source, lt):
        source = source[:lt]
    return source + marks.end


def _page(tree: Element | None, ended: bool, most: int, text: str, url: str | None) -> Page:
    """The page of a parsed tree: `most`, the most elements its source can hold (most_elements)."""
    if tree is None:
        raise ParseError("unparsable HTML: no document")
    last, depth = tree, 0
    while len(last):  # the last element in document order: where libxml2 stopped
        last, depth = last[-1], depth + 1
    if depth >= MAX_DEPTH:
        raise ParseError(
            f"markup nested too deeply: {depth + 1} levels, the HTML parser's limit (it drops the rest of the page)"
        )
    if most > MAX_ELEMENTS and (elements := int(COUNT_ELEMENTS(tree))) > MAX_ELEMENTS:
        raise ParseError(f"too many elements ({elements:,}; the limit is {MAX_ELEMENTS:,})")
    page = Page(tree=tree, text=text, url=url, cut_in=None if ended else _take_end_mark(last))
    _read_head(page)
    for br in tree.iter("br"):  # a line break separates words: "Tripoli<br>Benghazi"
        br.tail = "\n" + (br.tail or "")
    etree.strip_elements(tree, *UNWANTED_TAGS, with_tail=False)
    return page


def most_elements(tags: int) -> int:
    """The most elements libxml2 makes of a page with this many "<": one a "<", and the few it implies
    (html, head, body, a <p> around loose text, which follows a tag). Counting the elements in the
    tree takes 0.1 ms a page; counting the "<" of the page, a few microseconds."""
    return 2 * tags + 4


def _take_end_mark(last: Element) -> Element:
    """The element the page's bytes end in: the end mark's parent (the mark removed), or else the last
    element (a script or textarea whose raw text took the mark in)."""
    if last.tag == END_TAG:
        parent: Element = last.getparent()
        parent.remove(last)
        return parent
    return last


def drop_hidden(*roots: Element | None) -> None:
    """Removes what is hidden from readers under each root, the text after it kept: aria-hidden, the
    hidden attribute, display:none and visibility:hidden, screen-reader-only classes, icon-font
    glyphs (svg went at parsing). Site rules call it on the parts they read text from (the title,
    the content, the related block, the author box) before they read it: a fraction of the page,
    where one search of the whole tree costs a fifth of parsing it. What holds those parts is never
    searched: a page saved with a dialog open (the page behind it aria-hidden) or hidden until its
    scripts run is still read."""
    found = [root for root in roots if root is not None]
    for element in HIDDEN_CANDIDATES(found[0], roots=found) if found else ():
        if element.getparent() is None or not _is_hidden(element):
            continue  # under one already emptied, or shown
        # emptied where it stands, its tail kept: no text is joined anew (lxml refuses to set text
        # that holds what XML cannot, which a page's text may hold)
        element.clear(keep_tail=True)


def _is_hidden(element: Element) -> bool:
    classes = set((element.get("class") or "").lower().split())
    if not classes.isdisjoint(SCREEN_READER_CLASSES):
        return True
    if element.tag == "i" and (
        not classes.isdisjoint(ICON_I_CLASSES) or any(c.startswith(ICON_PREFIXES) for c in classes)
    ):
        return True
    if element.tag == "span" and not classes.isdisjoint(ICON_CLASSES):
        return True
    hidden = element.get("hidden")  # hidden="until-found": a collapsed section, found by find in page
    return (
        (element.get("aria-hidden") or "").strip().lower() == "true"
        or (hidden is not None and hidden.strip().lower() != "until-found")
        or bool(HIDDEN_STYLE.search(element.get("style") or ""))
    )


def _read_head(page: Page) -> None:
    """meta, link rel, JSON-LD, <title> and the body's classes, in one pass over those tags."""
    title: Element | None = None
    body: Element | None = None
    base: str | None = None
    for el in page.tree.iter("meta", "link", "script", "title", "body", "base"):
        tag = el.tag
        if tag == "base":
            base = base or el.get("href")
        elif tag == "meta":
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
    page.base = _base_of(page, base)


def _base_of(page: Page, base: str | None) -> str | None:
    """<base href> (relative to what follows), else the page's URL, else the first absolute http(s)
    URL among rel=canonical and og:url; a malformed one is passed over."""
    found: str | None = None
    for candidate in (page.url, page.links.get("canonical"), page.meta.get("og:url")):
        with contextlib.suppress(ValueError):
            found = absolute_url(candidate)
        if found is not None:
            break
    if base:
        with contextlib.suppress(ValueError):
            return absolute_url(base, found) or found
    return found


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
