"""Site rules for The North Africa Journal (north-africa.com, WordPress).

The site's markup is not known and may change, so every rule anchors on what a reader
sees (the labels "Posted On", "Number of times this article was read", "Most Recent
Stories from the Region", "Written by"), on standard metadata (JSON-LD, og:/article:
meta, <time datetime>, rel=canonical) and on WordPress conventions, never on one theme.
Each extract_<field>(page) returns its value or None; parse.py assembles the Article.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate
from typing import Any

from lxml import etree

from .. import dates
from ..model import Article, Author, Related
from ..page import Element, Page, clean_text, ld_name, text_of
from ..urls import host_of, unwrap_archive, url_key


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


NAME = "north-africa.com"
HOSTS = frozenset({"north-africa.com"})
# "The North Africa Journal" in og:site_name, the <title> suffix, the JSON-LD publisher
SITE_NAME = re.compile(r"North\s+Africa\s+Journal", re.I)
# "Southern Libya Boils Over … Near Niger - The North Africa Journal"
TITLE_SUFFIX = re.compile(r"\s*[-–—|:·»]\s*(The\s+)?North\s+Africa\s+Journal\s*$", re.I)
# "Posted On 4 February 2026" (the date may sit in a child element)
POSTED_ON = Label("Posted On")
# "4 February 2026", "February 4, 2026", "2026-02-04", "04/02/2026"
DATE_TEXT = re.compile(
    r"\d{1,2}\s+[A-Za-z]{3,9}\.?,?\s+\d{4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}"
)
POSTED_ON_DATE = re.compile(POSTED_ON.regex.pattern + r"\s*:?\s*(" + DATE_TEXT.pattern + ")", re.I)
# "Number of times this article was read : 86", "… read : 1,204"
READ_LABEL = Label("Number of times this article was read")
READ_COUNT = re.compile(READ_LABEL.regex.pattern + r"\s*:?\s*(\d{1,3}(?:[,.\u202f\u00a0 ]\d{3})+|\d+)", re.I)
# "Most Recent Stories from the Region"
RELATED_LABEL = Label("Most Recent Stories from the Region")
# "Written by The North Africa Journal"
WRITTEN_BY_LABEL = Label("Written by")
LABEL_FIRST_WORDS = tuple(
    lb.words.split()[0].lower() for lb in (POSTED_ON, READ_LABEL, RELATED_LABEL, WRITTEN_BY_LABEL)
)
LABEL_WORDS = re.compile(r"\b(" + "|".join(LABEL_FIRST_WORDS) + r")\b", re.I)
ALL_TEXT = etree.XPath("//text()")  # every text node, in document order
# "Written by The North Africa Journal"
WRITTEN_BY = re.compile(r"^\s*Written\s+by\b\s*:?\s*", re.I)
LABEL_MAX_CHARS = 400  # an element around a split label is small; a whole section is not
# "Maghreb Edition", "Sahel Edition": the edition label above the headline
EDITION = re.compile(r"^[A-Z][\w&' -]{1,40}\sEdition$")
# The badge glyph rendered beside titles: an element holding a lone "F"
BADGE_TEXT = "F"
# Promo lines inside the article: "Read also: …", "The North Africa Journal's WhatsApp Group"
PROMO_LINE = re.compile(
    r"^\s*(read\s+also|also\s+read|read\s+more|see\s+also|related(\s+stor(y|ies))?|"
    r"lire\s+aussi|à\s+lire\s+aussi)\s*[:：»>–—-]",
    re.I,
)
# "Read also Algeria's …" with no colon: short, and opening with the words
PROMO_START = re.compile(r"^\s*(read\s+also|also\s+read|see\s+also|lire\s+aussi)\b", re.I)
# "The North Africa Journal's WhatsApp Group", "Join our WhatsApp channel"
WHATSAPP = re.compile(r"whatsapp", re.I)
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
# Where themes put the post's text: entry-content, td-post-content, AMP, Elementor, …
CONTENT_TOKENS = frozenset(
    {
        "entry-content", "post-content", "td-post-content", "article-content", "article-body",
        "post-body", "single-content", "entry-body", "the-content", "amp-wp-article-content",
        "elementor-widget-theme-post-content", "tdb_single_content", "story-content",
        "article__content", "content-inner", "post-entry", "single-post-content",
    }
)  # fmt: skip
CONTENT_CONTAINERS = ("div", "article", "section", "main", "td")  # the tags themes put content classes on
TIME_CLASS = re.compile(r"published|entry-date|post-date|date", re.I)
SKIP_LINK_PATH = re.compile(r"/(category|tag|author|page|feed|wp-login\.php|comment)s?(/|$)|#", re.I)
NON_HEADLINE = re.compile(r"^(read\s+more|continue\s+reading|more)?\s*[»›→…]*\s*(\.\.\.)?$", re.I)


# ---- recognising the site -------------------------------------------------------------


def matches(page: Page) -> bool:
    """Whether the page is one of this site's, by its own markers; the host is one of them.

    A page whose canonical URL is on another site needs the visible labels too: naming the
    Journal in a title is not enough (other sites quote it)."""
    urls = [unwrap_archive(u) for u in (page.links.get("canonical"), page.meta.get("og:url"), page.url) if u]
    if any(host_of(u) in HOSTS for u in urls):
        return True
    labels = find_label(page, READ_LABEL) is not None or find_label(page, RELATED_LABEL) is not None
    canonical = host_of(page.absolute(page.links.get("canonical") or page.meta.get("og:url")))
    if canonical and canonical not in HOSTS and not _is_local(canonical):
        return labels  # a mirror or another site: only the visible labels tell
    names = (page.meta.get("og:site_name"), page.meta.get("application-name"), page.title)
    if any(n and SITE_NAME.search(n) for n in names):
        return True
    if any(SITE_NAME.search(ld_name(obj.get("publisher")) or "") for obj in page.jsonld):
        return True
    return labels


def _is_local(host: str) -> bool:
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")


# ---- finding things on the page -------------------------------------------------------


def find_label(
    page: Page,
    label: Label,
    root: Element | None = None,
    *,
    skip_chrome: bool = False,
    exclude: tuple[Element | None, ...] = (),
) -> Element | None:
    """The first element holding the label, outside <title> and `exclude`; with skip_chrome, also
    outside the site's chrome (a sidebar's "Popular posts" say "Posted On" too).

    A label split across elements ("<span>Posted</span> <span>On</span>") is found through the
    element around its first word."""
    for text, element in _candidates(page, label) if root is None else page.iter_text(root):
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
            words = _words(holder) if holder is not None else ""
            found = len(words) <= LABEL_MAX_CHARS and bool(label.regex.search(words))
        if not found or holder is None:
            continue
        if (skip_chrome and in_chrome(holder)) or _inside(holder, exclude):
            continue
        return holder
    return None


def _candidates(page: Page, label: Label) -> list[tuple[str, Element]]:
    """The page's text nodes holding the label's first word, in document order, each with its
    element as iter_text gives it (a tail belongs to its element's parent). Found for all labels
    at once: libxml2 lists the text nodes, one search over their lowercased join finds the few
    that hold a first word, and the regex confirms each."""
    index = page.cache.get("label words")
    if index is None:
        index = {}
        seen: set[tuple[Element, bool]] = set()
        for node in _label_texts(page):
            owner = node.getparent()
            if owner is None or (owner, node.is_tail) in seen:
                continue
            seen.add((owner, node.is_tail))
            # lxml's .text/.tail: all the text there, where libxml2 may hold it as several nodes
            # (a <script> stripped from inside a label leaves its two halves)
            text, element = (owner.tail, owner.getparent()) if node.is_tail else (owner.text, owner)
            if element is None or not isinstance(element.tag, str) or not text:
                continue
            for word in {w.lower() for w in LABEL_WORDS.findall(text)}:
                index.setdefault(word, []).append((text, element))
        page.cache["label words"] = index
    return list(index.get(label.words.split()[0].lower(), []))


def _label_texts(page: Page) -> list[Any]:
    """The text nodes (lxml "smart strings") that may hold a label's first word."""
    texts = ALL_TEXT(page.tree)
    joined = "".join(texts)  # a word across two nodes is a false hit: the regex drops it
    lowered = joined.lower()
    if len(lowered) != len(joined):  # a character whose lowercase is longer ("İ"): check each node
        return [t for t in texts if LABEL_WORDS.search(t)]
    ends = list(accumulate(map(len, texts)))
    hits: set[int] = set()
    for word in LABEL_FIRST_WORDS:
        at = lowered.find(word)
        while at >= 0:
            hits.add(bisect_right(ends, at))
            at = lowered.find(word, at + 1)
    return [texts[i] for i in sorted(hits)]


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


def _inside(element: Element, regions: tuple[Element | None, ...]) -> bool:
    node: Element | None = element
    while node is not None:
        if any(node is r for r in regions if r is not None):
            return True
        node = node.getparent()
    return False


def _words(element: Element) -> str:
    """Visible text with a space between elements, for reading labels and their values."""
    return clean_text(" ".join(element.itertext()))


def _label_value(element: Element, pattern: re.Pattern[str], levels: int = 3) -> re.Match[str] | None:
    """Match pattern against the label's element, then its parents: the value may sit beside it."""
    node: Element | None = element
    for _ in range(levels + 1):
        if node is None:
            return None
        match = pattern.search(_words(node))
        if match:
            return match
        node = node.getparent()
    return None


# ---- the fields -----------------------------------------------------------------------


def clean_headline(text: str | None, *, known: str | None = None) -> str:
    """A title without the site-name suffix and without the trailing badge glyph "F"."""
    text = TITLE_SUFFIX.sub("", clean_text(text))
    if text.endswith(BADGE_TEXT) and len(text) > 1:
        bare = text[:-1].rstrip()
        if known is not None and known in (text, bare):
            return known  # the metadata title settles it: "…the IMFF" -> "…the IMF"
        # "…Near NigerF" -> "…Near Niger"; "…Talks with IMF" keeps its F (an acronym)
        if not text[-2].isupper():
            return bare
    return text


def _heading_text(element: Element) -> str:
    """A heading's text without badge elements (a child holding a lone "F")."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and clean_text(text_of(child)) != BADGE_TEXT:
            parts.append(text_of(child))
        parts.append(child.tail or "")
    return clean_text("".join(parts))


def extract_meta_headline(page: Page) -> str | None:
    ld = page.article_ld() or {}
    for candidate in (ld.get("headline"), page.meta.get("og:title"), page.meta.get("twitter:title")):
        if isinstance(candidate, str) and clean_headline(candidate):
            return clean_headline(candidate)
    return clean_headline(page.title) or None


def find_headline_element(page: Page, known: str | None) -> Element | None:
    """The visible title: h1.entry-title or [itemprop=headline], else the h1 that matches the metadata."""
    h1s = [h for h in page.tree.iter("h1") if clean_text(text_of(h))]
    for h in h1s:
        classes = (h.get("class") or "").split()
        if h.get("itemprop") == "headline" or {"entry-title", "post-title"} & set(classes):
            return h
    if known:
        prefix = known[:30].lower()
        for h in h1s:
            if clean_headline(_heading_text(h), known=known).lower().startswith(prefix):
                return h
    for h in h1s:
        text = clean_text(text_of(h))
        if not SITE_NAME.fullmatch(text.removeprefix("The ")) and not in_chrome(h):
            return h
    return None


def extract_headline(page: Page) -> tuple[str | None, bool]:
    """The headline, and whether the page glues the badge "F" to titles as text ("…NigerF")."""
    known = extract_meta_headline(page)
    element = find_headline_element(page, known)
    if element is None:
        return known, False
    visible = TITLE_SUFFIX.sub("", _heading_text(element))
    headline = clean_headline(visible, known=known) or known
    return headline, bool(headline and visible == headline + BADGE_TEXT)


def extract_visible_date(page: Page, regions: tuple[Element | None, ...] = ()) -> str | None:
    label = find_label(page, POSTED_ON, skip_chrome=True, exclude=regions)
    if label is None:
        return None
    match = _label_value(label, POSTED_ON_DATE)
    return dates.to_iso(match.group(1)) if match else None


def extract_structured_date(page: Page, regions: tuple[Element | None, ...]) -> str | None:
    ld = page.article_ld() or {}
    for candidate in (
        ld.get("datePublished"),
        page.meta.get("article:published_time"),
        page.meta.get("og:published_time"),
        page.meta.get("datepublished"),
        page.meta.get("pubdate"),
    ):
        iso = dates.to_iso(candidate) if isinstance(candidate, str) else None
        if iso:
            return iso
    times = [
        t for t in page.tree.iter("time")
        if t.get("datetime") and not _inside(t, regions) and not in_chrome(t) and not _is_modified(t)
    ]  # fmt: skip
    times.sort(key=lambda t: not TIME_CLASS.search(t.get("class") or ""))
    for t in times:
        iso = dates.to_iso(t.get("datetime"))
        if iso:
            return iso
    return None


def _is_modified(element: Element) -> bool:
    """<time class="updated"> or itemprop="dateModified": when it changed, not when it ran."""
    marks = f"{element.get('class') or ''} {element.get('itemprop') or ''}".lower()
    return ("updated" in marks or "modified" in marks) and "published" not in marks


def extract_published(page: Page, regions: tuple[Element | None, ...] = ()) -> str | None:
    """Structured metadata first; the visible "Posted On" date wins over a UTC time of another day."""
    structured = extract_structured_date(page, regions)
    visible = extract_visible_date(page, regions)
    if structured and visible and structured[:10] != visible and structured.endswith("+00:00"):
        return visible  # "2026-02-03T23:41:00Z" on a page that prints 4 February
    return structured or visible


def extract_read_count(page: Page, regions: tuple[Element | None, ...] = ()) -> int | None:
    label = find_label(page, READ_LABEL, skip_chrome=True, exclude=regions)
    if label is None:
        return None
    match = _label_value(label, READ_COUNT)
    if not match:
        return None
    return int(re.sub(r"\D", "", match.group(1)))


def extract_section(page: Page, regions: tuple[Element | None, ...] = ()) -> str | None:
    section = page.first_meta("article:section")
    if section:
        return section
    ld = page.article_ld() or {}
    ld_section = ld.get("articleSection")
    if isinstance(ld_section, list):
        ld_section = next((s for s in ld_section if isinstance(s, str) and s.strip()), None)
    if isinstance(ld_section, str) and clean_text(ld_section):
        return clean_text(ld_section)
    for a in page.tree.iter("a"):
        if "category" in (a.get("rel") or "").split() and not in_chrome(a) and not _inside(a, regions):
            text = clean_text(text_of(a))
            if text:
                return text
    crumb = _breadcrumb_section(page)
    if crumb:
        return crumb
    for text, element in page.iter_text():
        if EDITION.match(clean_text(text)) and not in_chrome(element) and not _inside(element, regions):
            return clean_text(text)
    return None


def _breadcrumb_section(page: Page) -> str | None:
    for obj in page.jsonld:
        if obj.get("@type") != "BreadcrumbList" or not isinstance(obj.get("itemListElement"), list):
            continue
        names = []
        for item in obj["itemListElement"]:
            if isinstance(item, dict):
                name = item.get("name") or ld_name(item.get("item"))
                if isinstance(name, str) and clean_text(name):
                    names.append(clean_text(name))
        # Home › Maghreb Edition › <the article>
        middle = [n for n in names[1:-1] if n.lower() != "home"]
        if middle:
            return middle[-1]
    return None


def find_related_block(page: Page) -> tuple[Element | None, list[Element]]:
    """The label's element and the elements that follow it holding the stories."""
    label = find_label(page, RELATED_LABEL)
    if label is None:
        return None, []
    bylines = [element for text, element in _candidates(page, WRITTEN_BY_LABEL) if WRITTEN_BY.match(text)]
    node: Element | None = label
    while node is not None and node.tag != "body":
        following: list[Element] = []
        for sibling in node.itersiblings():
            if not isinstance(sibling.tag, str):
                continue
            if any(_inside(byline, (sibling,)) for byline in bylines):
                break  # the author box closes the block
            if _is_plain_heading(sibling):
                break  # the next widget's title closes it
            following.append(sibling)
        if any(_story_links(s) for s in following):
            return node, following
        node = node.getparent()
    return label, []


def _is_plain_heading(element: Element) -> bool:
    return element.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and element.find(".//a") is None


def _story_links(element: Element) -> list[Element]:
    return [
        a for a in element.iter("a")
        if a.get("href") and not SKIP_LINK_PATH.search(a.get("href", ""))
    ]  # fmt: skip


def extract_related(page: Page, blocks: list[Element], *, glued_badge: bool = False) -> list[Related]:
    """Stories in page order, each once (by URL identity); a headline from its best link, a summary
    from its excerpt. `glued_badge`: this page glues the badge "F" to titles as text."""
    stories: dict[str, dict[str, Any]] = {}
    current: str | None = None
    events = (event for block in blocks for event in _walk_related(block))
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
        headline = max(story["headlines"], key=len, default="")
        if glued_badge and headline.endswith(BADGE_TEXT):
            headline = headline[:-1].rstrip()
        if not headline:
            continue
        texts = [t for t in story["texts"] if len(t) >= 40 and not dates.to_iso(t)]
        related.append(Related(headline=headline, url=story["url"], summary=max(texts, key=len, default=None)))
    return related


def _is_story_link(element: Element) -> bool:
    return bool(element.get("href")) and not SKIP_LINK_PATH.search(element.get("href", ""))


def _walk_related(element: Element) -> Iterator[tuple[str, str, str]]:
    """('link', href, headline) for each story link and ('text', excerpt, '') for the text between."""
    if not isinstance(element.tag, str) or element.tag in ("script", "style"):
        return
    if element.tag == "a" and _is_story_link(element):
        text = clean_headline(_heading_text(element))
        if not text or NON_HEADLINE.match(text):
            img = element.find(".//img")
            text = clean_headline(element.get("title") or (img.get("alt") if img is not None else ""))
        yield "link", element.get("href", ""), "" if NON_HEADLINE.match(text) else text
        return
    links = element.findall(".//a")
    if element.tag in ("p", "div", "span", "li") and all(_is_more_link(a) for a in links):
        text = clean_text(_text_without(element, links))  # an excerpt, perhaps ending in "Read more »"
        if text:
            yield "text", text, ""
        return
    if element.text and element.text.strip():
        yield "text", clean_text(element.text), ""
    for child in element:
        yield from _walk_related(child)
        if child.tail and clean_text(child.tail):
            yield "text", clean_text(child.tail), ""


def _is_more_link(a: Element) -> bool:
    return bool(NON_HEADLINE.match(clean_text(text_of(a)))) or "more" in (a.get("class") or "")


def _text_without(element: Element, skip: list[Element]) -> str:
    parts = [element.text or ""]
    for child in element:
        if child not in skip and isinstance(child.tag, str):
            parts.append(_text_without(child, skip))
        parts.append(child.tail or "")
    return "".join(parts)


def find_author_box(page: Page) -> Element | None:
    """The smallest element around the "Written by" label that also holds the blurb (or the label)."""
    for text, element in _candidates(page, WRITTEN_BY_LABEL):
        if WRITTEN_BY.match(text) and len(clean_text(text)) < 120 and element.tag != "title":
            node = element
            for _ in range(4):
                parent = node.getparent()
                if parent is None or parent.tag == "body" or len(_words(parent)) > 4000:
                    break
                node = parent
                if _blurb_of(node, element):
                    break
            return node
    return None


def _blurb_of(box: Element, label: Element) -> str | None:
    """The longest paragraph in the author box that is not the label: the author's blurb."""
    texts = []
    for element in box.iter("p", "div", "span"):
        if element is label or _inside(label, (element,)):
            continue  # the label, or an element around it
        if element.tag != "p" and any(isinstance(c.tag, str) and c.tag not in INLINE_TAGS for c in element):
            continue  # a wrapper of other blocks repeats their text; inline links and emphasis are fine
        text = clean_text(text_of(element))
        if len(text) >= 40 and not WRITTEN_BY.match(text):
            texts.append(text)
    return max(texts, key=len, default=None)


def extract_author(page: Page, box: Element | None) -> Author | None:
    if box is not None:
        label = find_label(page, WRITTEN_BY_LABEL, box)
        if label is not None:
            name = WRITTEN_BY.sub("", _words(label))
            if not name:
                nxt = label.getnext()
                name = _words(nxt) if nxt is not None else ""
            if len(name) > 80:  # the label element holds the blurb too: the name is its first child
                name = _words(label[0]) if len(label) else ""
            if name:
                return Author(name=name, blurb=_blurb_of(box, label))
    ld = page.article_ld() or {}
    name = ld_name(ld.get("author")) or page.first_meta("author", "article:author") or ""
    if not name:
        for a in page.tree.iter("a"):
            if "author" in (a.get("rel") or "").split() and clean_text(text_of(a)):
                name = clean_text(text_of(a))
                break
    if name and not name.startswith("http"):
        return Author(name=name)
    return None


# ---- the body -------------------------------------------------------------------------


def find_content(page: Page, regions: tuple[Element | None, ...]) -> Element | None:
    """The element holding the article's paragraphs: the one whose own paragraphs (and loose text)
    hold the most text, a container (div, article, section, main, td) with a theme's content
    class counting four times (on another tag, a content class is a theme's odd choice and gets
    no bonus); not in chrome or `regions`.

    Most pages settle it at once. An element's own paragraphs are disjoint from those of any
    element inside or outside it (unless C sits in a paragraph), so the best content container C
    wins outright when its score beats both the length of C's text (what an element inside it
    can score) and the length of the page's text outside C (what any other element can);
    otherwise every element is scored."""
    candidates = sorted(
        (
            (_score(element) * 4 + len((element.text or "").strip()), element)
            for element in page.tree.iter(*CONTENT_CONTAINERS)
            if _is_content_class(element) and not _inside(element, regions) and not in_chrome(element)
        ),
        key=lambda item: -item[0],
    )
    if candidates and (len(candidates) == 1 or candidates[0][0] > candidates[1][0]):  # a tie: score all
        score, element = candidates[0]
        inside, everything = len(text_of(element)), len(text_of(page.tree))
        if any(a.tag in CONTAINED_TAGS for a in element.iterancestors()):
            inside = everything  # a paragraph around it counts its text for the element around that
        if score > max(inside, everything - inside):
            return element
    return best_scored(page, regions)


def best_scored(page: Page, regions: tuple[Element | None, ...]) -> Element | None:
    """find_content the long way: every element scored."""
    scores: dict[Element, int] = {}
    for block in page.tree.iter(*CONTAINED_TAGS):
        parent = block.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(text_of(block))
    for br in page.tree.iter("br"):  # text separated by <br> rather than wrapped in <p>
        parent = br.getparent()
        if parent is not None and parent.tag not in BLOCK_TAGS:
            scores[parent] = scores.get(parent, 0) + len((br.tail or "").strip())
    for element in list(scores):
        if element.tag in CONTENT_CONTAINERS and _is_content_class(element):
            scores[element] *= 4
            scores[element] += len((element.text or "").strip())
    for element, _ in sorted(scores.items(), key=lambda item: -item[1]):
        if not _inside(element, regions) and not in_chrome(element):
            return element
    return None


def _is_content_class(element: Element) -> bool:
    if element.get("itemprop") == "articleBody":
        return True
    marks = f"{element.get('class') or ''} {element.get('id') or ''}"
    return ("content" in marks or "body" in marks or "entry" in marks) and not CONTENT_TOKENS.isdisjoint(marks.split())


def _score(element: Element) -> int:
    """The text of an element's own paragraph-like children, and of text after its <br>s."""
    score = 0
    for child in element:
        if child.tag in CONTAINED_TAGS:
            score += len(text_of(child))
        elif child.tag == "br" and element.tag not in BLOCK_TAGS:
            score += len((child.tail or "").strip())
    return score


def extract_body(page: Page, content: Element | None, regions: tuple[Element | None, ...]) -> str:
    """The article's own paragraphs in order, joined by a blank line."""
    if content is None:
        return ""
    blocks: list[tuple[str, bool]] = []  # (text, is a quotation)
    _collect_blocks(content, regions, blocks)
    quotes = any(quote for _, quote in blocks)
    plain = "\n".join(_bare(text) for text, quote in blocks if not quote) if quotes else ""
    checked = 0
    kept = []
    for text, quote in blocks:
        if not _is_article_text(text):
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


def _is_article_text(text: str) -> bool:
    if not any(ch.isalnum() for ch in text):
        return False  # a lone "." or "•"
    if PROMO_LINE.match(text) or STOCK_LINES.match(text):
        return False
    if (PROMO_START.match(text) or WHATSAPP.search(text)) and len(text) < PROMO_MAX_CHARS:
        return False
    if READ_LABEL.regex.search(text) and len(text) < 80:
        return False
    return not ((POSTED_ON.regex.match(text) or WRITTEN_BY.match(text)) and len(text) < 120)


# ---- the article ----------------------------------------------------------------------


def extract(page: Page) -> Article:
    """Every field by this site's rules; fields the page lacks are None (headline/body "")."""
    label, related_blocks = find_related_block(page)
    author_box = find_author_box(page)
    regions = (label, *related_blocks, author_box)
    content = find_content(page, regions)
    headline, glued_badge = extract_headline(page)
    return Article(
        headline=headline or "",
        body=extract_body(page, content, regions),
        published=extract_published(page, regions),
        section=extract_section(page, regions),
        read_count=extract_read_count(page, regions),
        author=extract_author(page, author_box),
        related=tuple(extract_related(page, related_blocks, glued_badge=glued_badge)),
        rules=NAME,
    )
