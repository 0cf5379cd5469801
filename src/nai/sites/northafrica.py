"""Site rules for The North Africa Journal (north-africa.com, WordPress).

The site's markup is not known and may change, so every rule anchors on what a reader
sees (the labels "Posted On", "Number of times this article was read", "Most Recent
Stories from the Region", "Written by"), on standard metadata (JSON-LD, og:/article:
meta, <time datetime>, rel=canonical) and on WordPress conventions, never on one theme.
This module holds the site's labels, names and markers and its field rules; the algorithms
that fit any WordPress theme are in wordpress.py. Each extract_<field>(page) returns its
value or None; parse.py assembles the Article.
"""

from __future__ import annotations

import re

from .. import dates
from ..model import Article, Author, Related
from ..page import Element, Page, clean_text, drop_hidden, first, ld_name, text_of
from ..urls import host_of, unwrap_archive
from . import wordpress as wp
from .content import find_content
from .titles import heading_text, without_glued_badge
from .wordpress import Label, LabelSet, LineRule

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
WRITTEN_BY = WRITTEN_BY_LABEL.lead  # "Written by: " opening a text
# The labels found together, in one pass over the page's text (wordpress.label_candidates)
LABELS = LabelSet((POSTED_ON, READ_LABEL, RELATED_LABEL, WRITTEN_BY_LABEL))
# "Maghreb Edition", "Sahel Edition": the edition label above the headline
EDITION = re.compile(r"^[A-Z][\w&' -]{1,40}\sEdition$")
# The badge glyph rendered beside titles: an element holding a lone "F" (aria-hidden or not), or an "F"
# glued to the title's text
BADGE_TEXT = "F"
# "The North Africa Journal's WhatsApp Group", "Join our WhatsApp channel"
WHATSAPP = re.compile(r"whatsapp", re.I)
# the classes of a <time> holding the publication date
TIME_CLASS = re.compile(r"published|entry-date|post-date|date", re.I)
# Lines inside the content that are not article text: the promo, the labels, the byline
NOT_ARTICLE_LINES = (
    LineRule(WHATSAPP, wp.PROMO_MAX_CHARS),
    LineRule(READ_LABEL.regex, 80),
    LineRule(POSTED_ON.lead, 120),
    LineRule(WRITTEN_BY, 120),
)


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


# ---- this site's labels, blocks and titles --------------------------------------------


def find_label(
    page: Page,
    label: Label,
    root: Element | None = None,
    *,
    skip_chrome: bool = False,
    exclude: tuple[Element | None, ...] = (),
) -> Element | None:
    """wordpress.find_label with this site's labels."""
    return wp.find_label(page, LABELS, label, root, skip_chrome=skip_chrome, exclude=exclude)


def find_related_block(page: Page) -> tuple[Element | None, list[Element]]:
    """The "Most Recent Stories from the Region" label's element and the elements after it holding
    the stories, up to the "Written by" author box."""
    return wp.find_related_block(page, LABELS, RELATED_LABEL, WRITTEN_BY_LABEL)


def find_author_box(page: Page) -> Element | None:
    return wp.find_author_box(page, LABELS, WRITTEN_BY_LABEL)


def clean_headline(text: str | None, *, known: str | None = None) -> str:
    """A title without the site-name suffix, and without a badge glyph "F" glued to it when `known`
    (the title in the page's metadata) shows it is no part of it: "…the IMFF" -> "…the IMF". A title
    is never cut by its letters: "…Drawn in Group F" keeps its F (see titles.py for the evidence)."""
    text = TITLE_SUFFIX.sub("", clean_text(text))
    if known and text.endswith(BADGE_TEXT) and text[: -len(BADGE_TEXT)].rstrip() == known:
        return known
    return text


# ---- the fields -----------------------------------------------------------------------


def extract_meta_headline(page: Page) -> str | None:
    ld = page.article_ld() or {}
    candidates = (ld.get("headline"), page.meta.get("og:title"), page.meta.get("twitter:title"))
    return first(candidates, clean_headline) or clean_headline(page.title) or None


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
            if clean_headline(heading_text(h, BADGE_TEXT), known=known).lower().startswith(prefix):
                return h
    for h in h1s:
        text = clean_text(text_of(h))
        if not SITE_NAME.fullmatch(text.removeprefix("The ")) and not wp.in_chrome(h):
            return h
    return None


def extract_headline(page: Page, known: str | None, element: Element | None) -> tuple[str | None, bool]:
    """The headline from the visible title `element` (or the metadata's, `known`), and whether the
    page glues the badge "F" to titles as text ("…NigerF"): the metadata or the URL's slug shows it."""
    if element is None:
        return known, False
    visible = TITLE_SUFFIX.sub("", heading_text(element, BADGE_TEXT))
    cleaned = clean_headline(visible, known=known)
    if cleaned == visible:
        url = first((page.links.get("canonical"), page.meta.get("og:url"), page.url), page.absolute)
        cleaned = without_glued_badge(visible, BADGE_TEXT, url=unwrap_archive(url) if url else None, glued=False)
    headline = cleaned or known
    return headline, bool(headline and visible == headline + BADGE_TEXT)


def extract_visible_date(page: Page, regions: tuple[Element | None, ...] = ()) -> str | None:
    label = find_label(page, POSTED_ON, skip_chrome=True, exclude=regions)
    if label is None:
        return None
    match = wp.label_value(label, POSTED_ON_DATE)
    return dates.to_iso(match.group(1)) if match else None


def extract_structured_date(page: Page, regions: tuple[Element | None, ...]) -> str | None:
    ld = page.article_ld() or {}
    iso = first(
        (
            ld.get("datePublished"),
            page.meta.get("article:published_time"),
            page.meta.get("og:published_time"),
            page.meta.get("datepublished"),
            page.meta.get("pubdate"),
        ),
        dates.to_iso,
    )
    if iso:
        return iso
    times = [
        t for t in page.tree.iter("time")
        if t.get("datetime") and not wp.inside(t, regions) and not wp.in_chrome(t) and not _is_modified(t)
    ]  # fmt: skip
    times.sort(key=lambda t: not TIME_CLASS.search(t.get("class") or ""))
    return first((t.get("datetime") for t in times), dates.to_iso)


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
    match = wp.label_value(label, READ_COUNT)
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
    category = first(
        (
            text_of(a)
            for a in page.tree.iter("a")
            if "category" in (a.get("rel") or "").split() and not wp.in_chrome(a) and not wp.inside(a, regions)
        ),
        clean_text,
    )
    if category:
        return category
    crumb = _breadcrumb_section(page)
    if crumb:
        return crumb
    for text, element in page.iter_text():
        if EDITION.match(clean_text(text)) and not wp.in_chrome(element) and not wp.inside(element, regions):
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


def extract_related(page: Page, blocks: list[Element], *, glued_badge: bool = False) -> list[Related]:
    """Stories in page order, each once (by URL identity); a headline from its best link, a summary
    from its excerpt. `glued_badge`: this page glues the badge "F" to titles as text."""
    return wp.related_stories(page, blocks, clean=clean_headline, badge=BADGE_TEXT, glued=glued_badge)


def extract_author(page: Page, box: Element | None) -> Author | None:
    if box is not None:
        label = find_label(page, WRITTEN_BY_LABEL, box)
        if label is not None:
            name = WRITTEN_BY.sub("", wp.words(label))
            if not name:
                nxt = label.getnext()
                name = wp.words(nxt) if nxt is not None else ""
            if len(name) > 80:  # the label element holds the blurb too: the name is its first child
                name = wp.words(label[0]) if len(label) else ""
            if name:
                return Author(name=name, blurb=wp.blurb_of(box, label, WRITTEN_BY_LABEL))
    ld = page.article_ld() or {}
    name = ld_name(ld.get("author")) or page.first_meta("author", "article:author") or ""
    if not name:
        rel_author = (text_of(a) for a in page.tree.iter("a") if "author" in (a.get("rel") or "").split())
        name = first(rel_author, clean_text) or ""
    if name and not name.startswith("http"):
        return Author(name=name)
    return None


# ---- the article ----------------------------------------------------------------------


def extract(page: Page) -> Article:
    """Every field by this site's rules; fields the page lacks are None (headline/body "")."""
    label, related_blocks = find_related_block(page)
    author_box = find_author_box(page)
    regions = (label, *related_blocks, author_box)
    content = find_content(page, regions)
    container = label.getparent() if related_blocks and label is not None else None
    page.parts = (content, label, *related_blocks, container, author_box)  # the article's end last
    known = extract_meta_headline(page)
    heading = find_headline_element(page, known)
    drop_hidden(heading, content, *related_blocks, author_box)  # what readers never see enters no text
    headline, glued_badge = extract_headline(page, known, heading)
    return Article(
        headline=headline or "",
        body=wp.extract_body(content, regions, NOT_ARTICLE_LINES),
        published=extract_published(page, regions),
        section=extract_section(page, regions),
        read_count=extract_read_count(page, regions),
        author=extract_author(page, author_box),
        related=tuple(extract_related(page, related_blocks, glued_badge=glued_badge)),
        rules=NAME,
    )
