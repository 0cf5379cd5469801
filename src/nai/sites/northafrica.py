"""Site rules for The North Africa Journal (north-africa.com, WordPress).

The site's markup is not known and may change, so every rule anchors on what a reader
sees (the labels "Posted On", "Number of times this article was read", "Most Recent
Stories from the Region", "Written by"), on standard metadata (JSON-LD, og:/article:
meta, <time datetime>, rel=canonical) and on WordPress conventions, never on one theme.
Each extract_<field>(page) returns its value or None; parse.py assembles the Article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml.html import HtmlElement

from .. import dates
from ..model import Article, Author, Related
from ..page import Page, clean_text, ld_name
from ..urls import host_of, unwrap_archive

NAME = "north-africa.com"
HOSTS = frozenset({"north-africa.com"})
# "The North Africa Journal" in og:site_name, the <title> suffix, the JSON-LD publisher
SITE_NAME = re.compile(r"North\s+Africa\s+Journal", re.I)
# "Southern Libya Boils Over … Near Niger - The North Africa Journal"
TITLE_SUFFIX = re.compile(r"\s*[-–—|:·»]\s*(The\s+)?North\s+Africa\s+Journal\s*$", re.I)
# "Posted On 4 February 2026" (the date may sit in a child element)
POSTED_ON = re.compile(r"\bPosted\s+On\b", re.I)
# "4 February 2026", "February 4, 2026", "2026-02-04", "04/02/2026"
DATE_TEXT = re.compile(
    r"\d{1,2}\s+[A-Za-z]{3,9}\.?,?\s+\d{4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}"
)
POSTED_ON_DATE = re.compile(r"\bPosted\s+On\b\s*:?\s*(" + DATE_TEXT.pattern + ")", re.I)
# "Number of times this article was read : 86", "… read : 1,204"
READ_LABEL = re.compile(r"Number\s+of\s+times\s+this\s+article\s+was\s+read", re.I)
READ_COUNT = re.compile(READ_LABEL.pattern + r"\s*:?\s*(\d{1,3}(?:[,.\u202f\u00a0 ]\d{3})+|\d+)", re.I)
# "Most Recent Stories from the Region"
RELATED_LABEL = re.compile(r"Most\s+Recent\s+Stories\s+from\s+the\s+Region", re.I)
# "Written by The North Africa Journal"
WRITTEN_BY = re.compile(r"^\s*Written\s+by\b\s*:?\s*", re.I)
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
WHATSAPP = re.compile(r"whatsapp", re.I)
STOCK_LINES = re.compile(
    r"^(advertisement|sponsored|share( this)?:?|subscribe|print|email|tweet|share on \w+)$", re.I
)
# Class or id tokens of things that are never article text: share bars, ads, embeds, pull quotes…
NOISE_TOKEN = re.compile(
    r"^(share|sharing|sharedaddy|social|addtoany|a2a_kit|subscribe|newsletter|ad|ads|advert|"
    r"advertisement|adsbygoogle|sponsor|sponsored|promo|pullquote|wp-block-pullquote|"
    r"twitter-tweet|instagram-media|tiktok-embed|wp-block-embed|embed|wp-caption-text|"
    r"caption|jp-relatedposts|related|related-posts|yarpp-related|author-box|comments?|"
    r"navigation|post-navigation|breadcrumbs?|post-views|post-tags|tags|sidebar|widget)$"
    r"|^(ad|ads|share|social|advert|sponsor|newsletter|subscribe|embed|pullquote|related|"
    r"td-a-rec|code-block)[-_]"
    r"|[-_](ad|ads|share|sharing|social|advert|sponsor|newsletter|subscribe|embed|"
    r"pullquote|caption|related|widget)$",
    re.I,
)
NOISE_TAGS = frozenset(
    {
        "figcaption", "iframe", "embed", "object", "video", "audio", "form", "button",
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
TIME_CLASS = re.compile(r"published|entry-date|post-date|date", re.I)
SKIP_LINK_PATH = re.compile(r"/(category|tag|author|page|feed|wp-login\.php|comment)s?(/|$)|#", re.I)
NON_HEADLINE = re.compile(r"^(read\s+more|continue\s+reading|more|»|…|\.\.\.)$", re.I)


# ---- recognising the site -------------------------------------------------------------


def matches(page: Page) -> bool:
    """Whether the page is one of this site's, by its own markers; the host is one of them."""
    urls = (page.links.get("canonical"), page.meta.get("og:url"), page.url)
    if any(host_of(unwrap_archive(u)) in HOSTS for u in urls if u):
        return True
    names = (page.meta.get("og:site_name"), page.meta.get("application-name"), page.title)
    if any(n and SITE_NAME.search(n) for n in names):
        return True
    if any(SITE_NAME.search(ld_name(obj.get("publisher")) or "") for obj in page.jsonld):
        return True
    return find_label(page, READ_LABEL) is not None or find_label(page, RELATED_LABEL) is not None


# ---- finding things on the page -------------------------------------------------------


def find_label(
    page: Page,
    label: re.Pattern[str],
    root: HtmlElement | None = None,
    *,
    skip_chrome: bool = False,
    exclude: tuple[HtmlElement | None, ...] = (),
) -> HtmlElement | None:
    """The first element whose own text holds the label, outside <title> and `exclude`; with
    skip_chrome, also outside the site's chrome (a sidebar's "Popular posts" say "Posted On" too)."""
    for text, element in page.iter_text(root):
        if not label.search(text) or element.tag == "title":
            continue
        if (skip_chrome and in_chrome(element)) or _inside(element, exclude):
            continue
        return element
    return None


def _tokens(element: HtmlElement) -> list[str]:
    return f"{element.get('class') or ''} {element.get('id') or ''}".split()


def is_noise(element: HtmlElement) -> bool:
    if not isinstance(element.tag, str):
        return True
    if element.tag in NOISE_TAGS:
        return True
    return any(NOISE_TOKEN.search(t) for t in _tokens(element))


def in_chrome(element: HtmlElement) -> bool:
    """Whether the element sits in the site's chrome: nav, site header, sidebar, footer, widgets."""
    node: HtmlElement | None = element
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


def _inside(element: HtmlElement, regions: tuple[HtmlElement | None, ...]) -> bool:
    node: HtmlElement | None = element
    while node is not None:
        if any(node is r for r in regions if r is not None):
            return True
        node = node.getparent()
    return False


def _words(element: HtmlElement) -> str:
    """Visible text with a space between elements, for reading labels and their values."""
    return clean_text(" ".join(element.itertext()))


def _label_value(element: HtmlElement, pattern: re.Pattern[str], levels: int = 3) -> re.Match[str] | None:
    """Match pattern against the label's element, then its parents: the value may sit beside it."""
    node: HtmlElement | None = element
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


def _heading_text(element: HtmlElement) -> str:
    """A heading's text without badge elements (a child holding a lone "F")."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and clean_text(child.text_content()) != BADGE_TEXT:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return clean_text("".join(parts))


def extract_meta_headline(page: Page) -> str | None:
    ld = page.article_ld() or {}
    for candidate in (ld.get("headline"), page.meta.get("og:title"), page.meta.get("twitter:title")):
        if isinstance(candidate, str) and clean_headline(candidate):
            return clean_headline(candidate)
    return clean_headline(page.title) or None


def find_headline_element(page: Page, known: str | None) -> HtmlElement | None:
    """The visible title: h1.entry-title or [itemprop=headline], else the h1 that matches the metadata."""
    h1s = [h for h in page.tree.iter("h1") if clean_text(h.text_content())]
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
        text = clean_text(h.text_content())
        if not SITE_NAME.fullmatch(text.removeprefix("The ")) and not in_chrome(h):
            return h
    return None


def extract_headline(page: Page) -> str | None:
    known = extract_meta_headline(page)
    element = find_headline_element(page, known)
    if element is not None:
        return clean_headline(_heading_text(element), known=known) or known
    return known


def extract_visible_date(page: Page, regions: tuple[HtmlElement | None, ...] = ()) -> str | None:
    label = find_label(page, POSTED_ON, skip_chrome=True, exclude=regions)
    if label is None:
        return None
    match = _label_value(label, POSTED_ON_DATE)
    return dates.to_iso(match.group(1)) if match else None


def extract_structured_date(page: Page, regions: tuple[HtmlElement | None, ...]) -> str | None:
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
        if t.get("datetime") and not _inside(t, regions) and not in_chrome(t)
    ]  # fmt: skip
    times.sort(key=lambda t: not TIME_CLASS.search(t.get("class") or ""))
    for t in times:
        iso = dates.to_iso(t.get("datetime"))
        if iso:
            return iso
    return None


def extract_published(page: Page, regions: tuple[HtmlElement | None, ...] = ()) -> str | None:
    """Structured metadata first; the visible "Posted On" date wins over a UTC time of another day."""
    structured = extract_structured_date(page, regions)
    visible = extract_visible_date(page, regions)
    if structured and visible and structured[:10] != visible and structured.endswith("+00:00"):
        return visible  # "2026-02-03T23:41:00Z" on a page that prints 4 February
    return structured or visible


def extract_read_count(page: Page, regions: tuple[HtmlElement | None, ...] = ()) -> int | None:
    label = find_label(page, READ_LABEL, skip_chrome=True, exclude=regions)
    if label is None:
        return None
    match = _label_value(label, READ_COUNT)
    if not match:
        return None
    return int(re.sub(r"\D", "", match.group(1)))


def extract_section(page: Page, regions: tuple[HtmlElement | None, ...] = ()) -> str | None:
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
            text = clean_text(a.text_content())
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


def find_related_block(page: Page) -> tuple[HtmlElement | None, list[HtmlElement]]:
    """The label's element and the elements that follow it holding the stories."""
    label = find_label(page, RELATED_LABEL)
    if label is None:
        return None, []
    node: HtmlElement | None = label
    while node is not None and node.tag != "body":
        following: list[HtmlElement] = []
        for sibling in node.itersiblings():
            if not isinstance(sibling.tag, str):
                continue
            if find_label(page, WRITTEN_BY_LABEL, sibling) is not None:
                break  # the author box closes the block
            if _is_plain_heading(sibling):
                break  # the next widget's title closes it
            following.append(sibling)
        if any(_story_links(s) for s in following):
            return node, following
        node = node.getparent()
    return label, []


WRITTEN_BY_LABEL = re.compile(r"^\s*Written\s+by\b", re.I)


def _is_plain_heading(element: HtmlElement) -> bool:
    return element.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and element.find(".//a") is None


def _story_links(element: HtmlElement) -> list[HtmlElement]:
    return [
        a for a in element.iter("a")
        if a.get("href") and not SKIP_LINK_PATH.search(a.get("href", ""))
    ]  # fmt: skip


def extract_related(page: Page, blocks: list[HtmlElement]) -> list[Related]:
    """Stories in page order, each once; a headline from its best link, a summary from its excerpt."""
    stories: dict[str, dict[str, list[str]]] = {}
    current: str | None = None
    events = (event for block in blocks for event in _walk_related(block))
    for kind, value, extra in events:
        if kind == "link":
            url = page.absolute(value)
            if url is None:
                continue
            url = unwrap_archive(url)
            current = url
            story = stories.setdefault(url, {"headlines": [], "texts": []})
            if extra:
                story["headlines"].append(extra)
        elif current is not None:
            stories[current]["texts"].append(value)
    related = []
    for url, story in stories.items():
        headline = max(story["headlines"], key=len, default="")
        if not headline:
            continue
        texts = [t for t in story["texts"] if len(t) >= 40 and not dates.to_iso(t)]
        related.append(Related(headline=headline, url=url, summary=max(texts, key=len, default=None)))
    return related


def _walk_related(element: HtmlElement) -> Iterator[tuple[str, str, str]]:
    if not isinstance(element.tag, str) or element.tag in ("script", "style"):
        return
    if element.tag == "a" and element.get("href") and not SKIP_LINK_PATH.search(element.get("href", "")):
        text = clean_headline(_heading_text(element))
        if not text or NON_HEADLINE.match(text):
            img = element.find(".//img")
            text = clean_headline(element.get("title") or (img.get("alt") if img is not None else ""))
        yield "link", element.get("href", ""), "" if NON_HEADLINE.match(text) else text
        return
    if element.tag in ("p", "div", "span", "li") and not element.findall(".//a"):
        text = clean_text(element.text_content())
        if text:
            yield "text", text, ""
        return
    if element.text and element.text.strip() and len(element) == 0:
        yield "text", clean_text(element.text), ""
    for child in element:
        yield from _walk_related(child)
        if child.tail and clean_text(child.tail):
            yield "text", clean_text(child.tail), ""


def find_author_box(page: Page) -> HtmlElement | None:
    """The smallest element around the "Written by" label that also holds the blurb (or the label)."""
    for text, element in page.iter_text():
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


def _blurb_of(box: HtmlElement, label: HtmlElement) -> str | None:
    """The longest paragraph in the author box that is not the label: the author's blurb."""
    texts = []
    for element in box.iter("p", "div", "span"):
        if element is label or _inside(label, (element,)):
            continue  # the label, or an element around it
        if element.tag != "p" and len(element):
            continue  # only leaf divs and spans: a wrapper repeats its children's text
        text = clean_text(element.text_content())
        if len(text) >= 40 and not WRITTEN_BY.match(text):
            texts.append(text)
    return max(texts, key=len, default=None)


def extract_author(page: Page, box: HtmlElement | None) -> Author | None:
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
            if "author" in (a.get("rel") or "").split() and clean_text(a.text_content()):
                name = clean_text(a.text_content())
                break
    if name and not name.startswith("http"):
        return Author(name=name)
    return None


# ---- the body -------------------------------------------------------------------------


def find_content(page: Page, regions: tuple[HtmlElement | None, ...]) -> HtmlElement | None:
    """The element holding the article's paragraphs: a known content class, else the densest."""
    best: HtmlElement | None = None
    best_score = 0
    for element in page.tree.iter():
        if not isinstance(element.tag, str):
            continue
        score = len(clean_text(element.text)) + sum(
            len(clean_text(child.text_content()))
            if child.tag in CONTAINED_TAGS
            else len(clean_text(child.tail))
            for child in element
            if isinstance(child.tag, str)
        )
        if set(_tokens(element)) & CONTENT_TOKENS or element.get("itemprop") == "articleBody":
            score *= 4  # a theme's own content class beats a dense sidebar
        if score <= best_score or _inside(element, regions) or in_chrome(element):
            continue
        best, best_score = element, score
    return best


def extract_body(page: Page, content: HtmlElement | None, regions: tuple[HtmlElement | None, ...]) -> str:
    """The article's own paragraphs in order, joined by a blank line."""
    if content is None:
        return ""
    blocks: list[tuple[str, bool]] = []  # (text, is a quotation)
    _collect_blocks(content, regions, blocks)
    plain = [text for text, quote in blocks if not quote]
    kept = [
        text
        for text, quote in blocks
        if _is_article_text(text) and not (quote and any(text in p for p in plain))
    ]  # fmt: skip  (a pull quote repeats a sentence of the text)
    return "\n\n".join(_dedupe(kept))


def _dedupe(paragraphs: list[str]) -> list[str]:
    out: list[str] = []
    for p in paragraphs:
        if not out or out[-1] != p:
            out.append(p)
    return out


def _collect_blocks(
    element: HtmlElement, regions: tuple[HtmlElement | None, ...], out: list[tuple[str, bool]]
) -> None:
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
                inner = [clean_text(p.text_content()) for p in child.iter("p")] or [
                    clean_text(child.text_content())
                ]
                out.append((clean_text(" ".join(inner)), True))
            elif child.tag == "li" and (child.find(".//ul") is not None or child.find(".//ol") is not None):
                _collect_blocks(child, regions, out)
            else:
                out.append((clean_text(child.text_content()), False))
        elif child.tag in ("br", "img", "hr"):
            loose.append("\n\n")
        elif child.tag in INLINE_TAGS:
            loose.append(child.text_content())
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
    if WHATSAPP.search(text) and len(text) < 160:
        return False
    if READ_LABEL.search(text) and len(text) < 80:
        return False
    return not ((POSTED_ON.match(text) or WRITTEN_BY.match(text)) and len(text) < 120)


# ---- the article ----------------------------------------------------------------------


def extract(page: Page) -> Article:
    """Every field by this site's rules; fields the page lacks are None (headline/body "")."""
    label, related_blocks = find_related_block(page)
    author_box = find_author_box(page)
    regions = (label, *related_blocks, author_box)
    content = find_content(page, regions)
    return Article(
        headline=extract_headline(page) or "",
        body=extract_body(page, content, regions),
        published=extract_published(page, regions),
        section=extract_section(page, regions),
        read_count=extract_read_count(page, regions),
        author=extract_author(page, author_box),
        related=tuple(extract_related(page, related_blocks)),
        rules=NAME,
    )
