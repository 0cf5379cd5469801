"""What article pages of any WordPress theme share: vocabularies (of chrome and noise), and the
algorithms finding a site's labels, the body, related block, author box and story links.
A site's module (northafrica.py) holds its own labels, names and field rules; none is known here."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate
from typing import Any, AnyStr, NamedTuple

from .. import dates
from ..model import Related
from ..page import Element, Page, clean_text, document_position, text_of
from ..urls import unwrap_archive, url_key
from .titles import heading_text, text_without, without_glued_badge

# ---- the vocabularies -----------------------------------------------------------------

LABEL_MAX_CHARS = 400  # an element around a split label is small; a whole section is not
# Promo lines inside the article: "Read also: …", "Lire aussi : …"
PROMO_LINE = re.compile(
    r"^\s*(read\s+also|also\s+read|read\s+more|see\s+also|related(\s+stor(y|ies))?|"
    r"lire\s+aussi|à\s+lire\s+aussi)\s*[:：»>–—-]",
    re.I,
)
# "Read also Algeria's …" with no colon: short, and opening with the words
PROMO_START = re.compile(r"^\s*(read\s+also|also\s+read|see\s+also|lire\s+aussi)\b", re.I)
PROMO_MAX_CHARS = 300
STOCK_LINES = re.compile(r"^(advertisement|sponsored|share( this)?:?|subscribe|print|email|tweet|share on \w+)$", re.I)
# Class or id words of things inside the content that are never article text, matched against the
# parts of each class ("naj-ads-in-content" -> naj, ads, in, content): share bars, ads, embeds…
NOISE_PARTS = frozenset(
    {
        "ad", "ads", "adsbygoogle", "advert", "advertisement", "sponsor", "sponsored", "promo",
        "share", "sharing", "sharedaddy", "social", "addtoany", "a2a", "subscribe", "subscription",
        "subscriptions", "newsletter", "pullquote", "embed", "tweet", "twitter", "instagram",
        "tiktok", "facebook", "youtube", "caption", "credit", "credits", "related", "relatedposts",
        "yarpp", "readalso", "comments", "comment", "navigation", "breadcrumb", "breadcrumbs",
        "views", "sidebar", "widget", "tags", "whatsapp", "rec",
    }
)  # fmt: skip
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")  # <br><br> inside a <p>
QUOTE_MARKS = re.compile(r"[\"“”„«»‘’'‹›]")
MAX_QUOTE_CHECKS = 200  # quotations compared against the text, per page: bounded work on hostile pages
CLASS_PARTS = re.compile(r"[-_\s]+")
NOISE_TAGS = frozenset(
    {
        "figcaption", "iframe", "embed", "object", "video", "audio", "form", "button", "picture",
        "input", "select", "textarea", "nav", "aside", "header", "footer", "ins", "table",
        "amp-ad", "amp-embed", "amp-social-share", "amp-iframe", "amp-twitter",
        "amp-youtube", "amp-instagram", "amp-facebook", "amp-sidebar",
    }
)  # fmt: skip
# Regions of the page around the article: never body, never the date or section.
# Exact tokens only: layout classes such as "right-sidebar" sit on wrappers of the article too.
CHROME_TOKEN = re.compile(
    r"^(sidebar|secondary|widget|widget-area|site-footer|footer|site-header|masthead|menu|"
    r"main-navigation|navigation|nav|navbar|related|related-posts|recent-posts|popular-posts|"
    r"comments|comment-respond|breadcrumb|breadcrumbs)$|^(widget_|menu-)",
    re.I,
)
CHROME_TAGS = frozenset({"nav", "aside"})
SITE_LEVEL_TAGS = frozenset({"header", "footer"})  # chrome unless inside the article
BLOCK_TAGS = frozenset({"p", "li", "blockquote", "h2", "h3", "h4", "h5", "h6", "pre", "dd"})
CONTAINED_TAGS = BLOCK_TAGS | {"ul", "ol"}
INLINE_TAGS = frozenset(
    {"a", "b", "strong", "em", "i", "span", "u", "small", "sup", "sub", "mark", "abbr", "cite", "q"}
)
NON_HEADLINE = re.compile(
    r"^((read\s+more|continue\s+reading|more)?\s*[»›→…]*\s*(\.\.\.)?"
    r"|(\d+|no|one)\s+comments?|leave\s+a\s+(comment|reply))$",
    re.I,
)
# How much text beyond the label its wrappers may hold (a "View all" link, a line describing the
# block): an ancestor holding more holds the article, and the climb to the stories stops there.
LABEL_WRAPPER_SLACK = 300
# WordPress paths that are never a story's page: archives (category, tag, author, paged lists), feeds,
# comments, search, WordPress's own directories and login. (Discovery also skips what it need not
# fetch: the home page, files, AMP copies; see nai.discover.)
NON_STORY_PATH = re.compile(
    r"/((category|tag|author|page|feed|comment)s?|search|wp-admin|wp-content|wp-includes|wp-json|wp-login\.php)(/|$)",
    re.I,
)
# An href's path (RFC 3986, appendix B): after the scheme and host, before the query and fragment
HREF_PATH = re.compile(r"^(?:[^:/?#]+:)?(?://[^/?#]*)?([^?#]*)")


@dataclass(frozen=True)
class Label:
    """A visible label: its words in any spacing and case, and its first word to find it when split."""

    words: str

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(r"\b" + r"\s+".join(map(re.escape, self.words.split())) + r"\b", re.I)

    @cached_property
    def first(self) -> re.Pattern[str]:
        return re.compile(r"\b" + re.escape(self.words.split()[0]) + r"\b", re.I)

    # the label opening a text, with its colon and spaces: "Written by: " in "Written by: X"
    @cached_property
    def lead(self) -> re.Pattern[str]:
        return re.compile(r"^\s*" + self.regex.pattern + r"\s*:?\s*", re.I)


@dataclass(frozen=True)
class LabelSet:
    """A site's labels, found together: one search of the page's text finds the text nodes of all
    of them (label_candidates). A page keeps that index in its cache under the set itself."""

    labels: tuple[Label, ...]

    @cached_property
    def first_words(self) -> tuple[str, ...]:
        return tuple(label.words.split()[0].lower() for label in self.labels)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(r"\b(" + "|".join(map(re.escape, self.first_words)) + r")\b", re.I)

    @cached_property
    def ascii_first_words(self) -> tuple[bytes, ...] | None:
        """The first words as bytes, to find them in a page's text as bytes; None when one is not ASCII."""
        if not all(word.isascii() for word in self.first_words):
            return None
        return tuple(word.encode("ascii") for word in self.first_words)


class LineRule(NamedTuple):
    """A line of the content that `pattern` finds, shorter than `max_chars`, is not article text."""

    pattern: re.Pattern[str]
    max_chars: int


# ---- elements and links --------------------------------------------------------------


def is_story_path(path: str) -> bool:
    """Whether a URL's path may be a story's page (see NON_STORY_PATH for what is not)."""
    return not NON_STORY_PATH.search(path)


def is_story_href(href: str | None) -> bool:
    """Whether a link may lead to a story: a story's path, whatever fragment follows it
    ("/slug/#comments" leads to the story; "#respond" alone to this page)."""
    if not href or href.lstrip().startswith("#"):
        return False
    path = HREF_PATH.match(href)
    return path is not None and is_story_path(path[1])


def _tokens(element: Element) -> list[str]:
    return f"{element.get('class') or ''} {element.get('id') or ''}".split()


def is_noise(element: Element) -> bool:
    """Never article text: by tag, or by a word of its class or id (ads, share, embed, caption…).

    A <figure> is an image with its caption and credit, unless it holds a quotation."""
    if not isinstance(element.tag, str) or element.tag in NOISE_TAGS:
        return True
    classes, ident = element.get("class"), element.get("id")
    if classes or ident:
        marks = f"{classes or ''} {ident or ''}".lower()
        if not NOISE_PARTS.isdisjoint(CLASS_PARTS.split(marks)) or "read-also" in (classes or "").lower():
            return True
    return element.tag == "figure" and element.find(".//blockquote") is None


def in_chrome(element: Element) -> bool:
    """Whether the element sits in the site's chrome: nav, site header, sidebar, footer, widgets."""
    node: Element | None = element
    site_level = False
    while node is not None and node.tag not in ("body", "html"):
        if node.tag in CHROME_TAGS or any(CHROME_TOKEN.search(t) for t in _tokens(node)):
            return True
        if node.tag in SITE_LEVEL_TAGS:
            site_level = True
        elif node.tag in ("article", "main"):
            site_level = False  # an article's own header or footer
            break
        node = node.getparent()
    return site_level


def inside(element: Element, regions: tuple[Element | None, ...]) -> bool:
    node: Element | None = element
    while node is not None:
        if any(node is r for r in regions if r is not None):
            return True
        node = node.getparent()
    return False


def words(element: Element) -> str:
    """Visible text with a space between elements, for reading labels and their values."""
    return clean_text(" ".join(element.itertext()))


# ---- labels ---------------------------------------------------------------------------


def find_label(
    page: Page,
    labels: LabelSet,
    label: Label,
    root: Element | None = None,
    *,
    skip_chrome: bool = False,
    exclude: tuple[Element | None, ...] = (),
) -> Element | None:
    """The first element holding the label (one of the site's `labels`), outside <title> and `exclude`;
    with skip_chrome, also outside the site's chrome (a sidebar's "Popular posts" say "Posted On" too).

    A label split across elements ("<span>Posted</span> <span>On</span>") is found through the
    element around its first word."""
    for text, element in label_candidates(page, labels, label) if root is None else page.iter_text(root):
        if element.tag == "title" or not label.first.search(text):
            continue
        holder: Element | None = element
        found = bool(label.regex.search(text))
        # up to two levels around a split label; a text node too long to be in a label's element
        # (a paragraph that says "most") is not climbed from: what is around it is longer still
        for _ in range(0 if len(text) > LABEL_MAX_CHARS and len(clean_text(text)) > LABEL_MAX_CHARS else 2):
            if found or holder is None:
                break
            holder = holder.getparent()
            text_around = words(holder) if holder is not None else ""
            found = len(text_around) <= LABEL_MAX_CHARS and bool(label.regex.search(text_around))
        if not found or holder is None:
            continue
        if (skip_chrome and in_chrome(holder)) or inside(holder, exclude):
            continue
        return holder
    return None


def label_candidates(page: Page, labels: LabelSet, label: Label) -> list[tuple[str, Element]]:
    """The page's text nodes holding the label's first word, in document order, each with its
    element as iter_text gives it (a tail belongs to its element's parent). Found for all the
    site's labels at once: Page.text_nodes lists the page's texts, one search over their lowercased
    join finds the few that hold a first word, and the regex confirms each."""
    word = label.words.split()[0].lower()
    if word not in labels.first_words:
        raise ValueError(f"the label {label.words!r} is not one of the site's labels")
    index = page.cache.get(labels)
    if index is None:
        index = {}
        for text, element in _label_texts(page, labels):
            for found in {w.lower() for w in labels.pattern.findall(text)}:
                index.setdefault(found, []).append((text, element))
        page.cache[labels] = index
    return list(index.get(word, []))


def _label_texts(page: Page, labels: LabelSet) -> list[tuple[str, Element]]:
    """The texts (Page.text_nodes) that may hold a label's first word, with their element as iter_text
    gives it, in document order.

    The page's text is searched lowercased as UTF-8 bytes, whose lower() changes ASCII letters only:
    0.06 ms a page, where str.lower() and find() took 0.1 ms (a page with one curly quote makes
    str.lower() look up every character). For first words in ASCII both find the same places: of the
    characters that are not ASCII, only "İ" and the Kelvin sign lowercase to ASCII letters ("i̇",
    "k"), and a page holding either is searched as text, as is a site's word that is not ASCII."""
    nodes = page.text_nodes()
    texts = nodes.texts
    joined = "".join(texts)  # a word across two texts is a false hit: the regex drops it
    if labels.ascii_first_words is None or "\u0130" in joined or "\u212a" in joined:
        lowered = joined.lower()
        if len(lowered) != len(joined):  # a character whose lowercase is longer ("İ"): check each text
            hits = {i for i, text in enumerate(texts) if labels.pattern.search(text)}
        else:
            hits = _texts_at(texts, _starts(lowered, labels.first_words))
    else:
        data = joined.encode("utf-8", "surrogatepass").lower()
        # byte offsets to offsets in the text: a word found starts at an ASCII byte, a character's start
        starts, chars, previous = [], 0, 0
        for at in _starts(data, labels.ascii_first_words):
            chars += len(data[previous:at].decode("utf-8", "surrogatepass"))
            starts.append(chars)
            previous = at
        hits = _texts_at(texts, starts)
    found = []
    for i in hits:
        owner, tail = nodes.owners[i], nodes.is_tail(i)
        element = owner.getparent() if tail else owner  # a tail belongs to its element's parent
        if element is not None and isinstance(element.tag, str):
            found.append((document_position(owner, tail=tail), texts[i], element))
    return [(text, element) for _, text, element in sorted(found, key=lambda item: item[0])]


def _texts_at(texts: list[str], starts: list[int]) -> set[int]:
    """The indexes of the texts that the offsets in their join fall in."""
    ends = list(accumulate(map(len, texts)))
    return {bisect_right(ends, at) for at in starts}


def _starts(text: AnyStr, words: tuple[AnyStr, ...]) -> list[int]:
    """Where any of the words starts in the text, in order (words may overlap)."""
    hits: set[int] = set()
    for word in words:
        at = text.find(word)
        while at >= 0:
            hits.add(at)
            at = text.find(word, at + 1)
    return sorted(hits)


def label_value(element: Element, pattern: re.Pattern[str], levels: int = 3) -> re.Match[str] | None:
    """Match pattern against the label's element, then its parents: the value may sit beside it."""
    node: Element | None = element
    for _ in range(levels + 1):
        if node is None:
            return None
        match = pattern.search(words(node))
        if match:
            return match
        node = node.getparent()
    return None


# ---- the body (the content: content.py) ------------------------------------------------


def extract_body(content: Element | None, regions: tuple[Element | None, ...], lines: tuple[LineRule, ...] = ()) -> str:
    """The article's own paragraphs in order, joined by a blank line; `lines`: the site's own non-text lines."""
    if content is None:
        return ""
    blocks: list[tuple[str, bool]] = []  # (text, is a quotation)
    _collect_blocks(content, regions, blocks)
    quotes = any(quote for _, quote in blocks)
    plain = "\n".join(_bare(text) for text, quote in blocks if not quote) if quotes else ""
    checked = 0
    kept = []
    for text, quote in blocks:
        if not is_article_text(text, lines):
            continue
        if quote and checked < MAX_QUOTE_CHECKS:  # a pull quote repeats a sentence of the text
            checked += 1
            if _bare(text) in plain:
                continue
        kept.append(text)
    return "\n\n".join(_dedupe(kept))


def _bare(text: str) -> str:
    """Text without quote marks and case, to see a pull quote in the paragraph it repeats."""
    return QUOTE_MARKS.sub("", text).strip().lower()


def _dedupe(paragraphs: list[str]) -> list[str]:
    out: list[str] = []
    for p in paragraphs:
        if not out or out[-1] != p:
            out.append(p)
    return out


def _collect_blocks(element: Element, regions: tuple[Element | None, ...], out: list[tuple[str, bool]]) -> None:
    loose = [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):
            loose.append(child.tail or "")
            continue
        if is_noise(child) or any(child is r for r in regions if r is not None):
            pass
        elif child.tag in BLOCK_TAGS:
            _flush(loose, out)
            if child.tag == "blockquote":
                inner = [clean_text(text_of(p)) for p in child.iter("p")] or [clean_text(text_of(child))]
                out.append((clean_text(" ".join(inner)), True))
            elif child.tag == "li" and (child.find(".//ul") is not None or child.find(".//ol") is not None):
                _collect_blocks(child, regions, out)
            else:
                out.extend((clean_text(part), False) for part in PARAGRAPH_BREAK.split(text_of(child)))
        elif child.tag in ("br", "img", "hr"):
            loose.append("\n\n")
        elif child.tag in INLINE_TAGS:
            loose.append(text_of(child))
        else:
            _flush(loose, out)
            _collect_blocks(child, regions, out)
        loose.append(child.tail or "")
    _flush(loose, out)


def _flush(loose: list[str], out: list[tuple[str, bool]]) -> None:
    for part in "".join(loose).split("\n\n"):
        text = clean_text(part)
        if text:
            out.append((text, False))
    loose.clear()


def is_article_text(text: str, lines: tuple[LineRule, ...] = ()) -> bool:
    """Not a lone mark, a promo, a stock line ("Advertisement") or one of the site's `lines`."""
    if not any(ch.isalnum() for ch in text):
        return False  # a lone "." or "•"
    if PROMO_LINE.match(text) or STOCK_LINES.match(text):
        return False
    if PROMO_START.match(text) and len(text) < PROMO_MAX_CHARS:
        return False
    for pattern, max_chars in lines:  # noqa: SIM110 (a loop: no generator for each line of every page)
        if len(text) < max_chars and pattern.search(text):
            return False
    return True


# ---- the related block ----------------------------------------------------------------


def find_related_block(
    page: Page, labels: LabelSet, label: Label, byline: Label
) -> tuple[Element | None, list[Element]]:
    """The label's element and the elements that follow it holding the stories, up to the next
    widget's title (a heading without a link) or the author box (its `byline` label: "Written by")."""
    found = find_label(page, labels, label)
    if found is None:
        return None, []
    bylines = [element for text, element in label_candidates(page, labels, byline) if byline.lead.match(text)]
    node: Element | None = found
    own = len(clean_text(text_of(found)))
    while node is not None and node.tag != "body":
        if node is not found and len(clean_text(text_of(node))) > own + LABEL_WRAPPER_SLACK:
            break  # past the label's own wrappers (its heading, a title bar): the block has no stories
        following: list[Element] = []
        for sibling in node.itersiblings():
            if not isinstance(sibling.tag, str):
                continue
            if any(inside(element, (sibling,)) for element in bylines):
                break  # the author box closes the block
            if _is_plain_heading(sibling):
                break  # the next widget's title closes it
            following.append(sibling)
        if any(is_story_href(a.get("href")) for s in following for a in s.iter("a")):
            return node, following
        node = node.getparent()
    return found, []


def _is_plain_heading(element: Element) -> bool:
    return element.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and element.find(".//a") is None


def related_stories(
    page: Page, blocks: list[Element], *, clean: Callable[[str], str], badge: str, glued: bool
) -> list[Related]:
    """Stories in page order, each once (by URL identity): a headline from its best link, `clean`ed and
    without the `badge` glyph (glued to it as text: see titles.without_glued_badge); a summary from its excerpt."""
    stories: dict[str, dict[str, Any]] = {}
    current: str | None = None
    events = (event for block in blocks for event in walk_related(block, clean, badge))
    for kind, value, extra in events:
        if kind == "link":
            url = page.absolute(value)
            if url is None:
                continue
            url = unwrap_archive(url)
            current = url_key(url)
            story = stories.setdefault(current, {"url": url, "headlines": [], "texts": []})
            if extra:
                story["headlines"].append(extra)
        elif current is not None:
            stories[current]["texts"].append(value)
    related = []
    for story in stories.values():
        headline = without_glued_badge(
            max(story["headlines"], key=len, default=""), badge, url=story["url"], glued=glued
        )
        if not headline:
            continue
        texts = [t for t in story["texts"] if len(t) >= 40 and not dates.to_iso(t)]
        related.append(Related(headline=headline, url=story["url"], summary=max(texts, key=len, default=None)))
    return related


def walk_related(element: Element, clean: Callable[[str], str], badge: str) -> Iterator[tuple[str, str, str]]:
    """('link', href, headline) for each story link and ('text', excerpt, '') for the text between."""
    if not isinstance(element.tag, str) or element.tag in ("script", "style"):
        return
    if element.tag == "a" and is_story_href(element.get("href")):
        text = clean(heading_text(element, badge))
        if not text or NON_HEADLINE.match(text):
            img = element.find(".//img")
            text = clean(element.get("title") or (img.get("alt") if img is not None else ""))
        href = element.get("href", "").partition("#")[0]
        yield "link", href, "" if NON_HEADLINE.match(text) else text
        return
    links = element.findall(".//a")
    if element.tag in ("p", "div", "span", "li") and all(_is_more_link(a) for a in links):
        text = clean_text(text_without(element, links))  # an excerpt, perhaps ending in "Read more »"
        if text:
            yield "text", text, ""
        return
    if element.text and element.text.strip():
        yield "text", clean_text(element.text), ""
    for child in element:
        yield from walk_related(child, clean, badge)
        if child.tail and clean_text(child.tail):
            yield "text", clean_text(child.tail), ""


def _is_more_link(a: Element) -> bool:
    return bool(NON_HEADLINE.match(clean_text(text_of(a)))) or "more" in (a.get("class") or "")


# ---- the author box -------------------------------------------------------------------


def find_author_box(page: Page, labels: LabelSet, byline: Label) -> Element | None:
    """The smallest element around the byline label ("Written by") that also holds the blurb (or the label)."""
    for text, element in label_candidates(page, labels, byline):
        if byline.lead.match(text) and len(clean_text(text)) < 120 and element.tag != "title":
            node = element
            for _ in range(4):
                parent = node.getparent()
                if parent is None or parent.tag == "body" or len(words(parent)) > 4000:
                    break
                node = parent
                if blurb_of(node, element, byline):
                    break
            return node
    return None


def blurb_of(box: Element, label: Element, byline: Label) -> str | None:
    """The longest paragraph in the author box that is not the label: the author's blurb."""
    texts = []
    for element in box.iter("p", "div", "span"):
        if element is label or inside(label, (element,)):
            continue  # the label, or an element around it
        if element.tag != "p" and any(isinstance(c.tag, str) and c.tag not in INLINE_TAGS for c in element):
            continue  # a wrapper of other blocks repeats their text; inline links and emphasis are fine
        text = clean_text(text_of(element))
        if len(text) >= 40 and not byline.lead.match(text):
            texts.append(text)
    return max(texts, key=len, default=None)
