"""Titles as a reader sees them, without the glyph a theme puts beside them (a "featured" badge).

The glyph is told from the title's own letters by evidence, never by the letters themselves (a real
title may end in the badge's letter: "Drawn in Group F"): by the markup (an element holding only the
glyph, at an end of the title), by the page's metadata (the same title without it), or by the story's
URL, whose slug WordPress makes from the title ("…-from-the-imf" for "…From the IMFF").
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urlsplit

from lxml import etree

from ..page import Element, clean_text, text_of

TEXT_NODES = etree.XPath("descendant::text()")
WORD = re.compile(r"[a-z0-9]+")
FILE_SUFFIX = re.compile(r"\.[a-z]{2,5}$")  # "story.html", "story.php"


def heading_text(element: Element, badge: str) -> str:
    """A heading's text without its badge: an element at the start or the end of the title that
    holds only the badge glyph (the site's "F"), at any depth ("<a><span>Title<span>F</span></span></a>")."""
    full = text_of(element)
    if not badge or not (full.rstrip().endswith(badge) or full.lstrip().startswith(badge)) or not len(element):
        return clean_text(full)
    texts = [t for t in TEXT_NODES(element) if t.strip()]
    badges = [  # the element around the first or the last text, when it holds the glyph alone
        owner
        for t in (texts[0], texts[-1])
        if t.is_text and (owner := t.getparent()) is not element and clean_text(text_of(owner)) == badge
    ]
    return clean_text(text_without(element, badges) if badges else full)


def text_without(element: Element, skip: list[Element]) -> str:
    """An element's text without that of the elements in `skip` (their tails kept)."""
    parts = [element.text or ""]
    for child in element:
        if not any(child is s for s in skip) and isinstance(child.tag, str):
            parts.append(text_without(child, skip))
        parts.append(child.tail or "")
    return "".join(parts)


def without_glued_badge(title: str, badge: str, *, url: str | None, glued: bool) -> str:
    """A title without a badge glyph glued to its end as text ("…Near NigerF"): when the story's URL
    shows it is no part of the title, or, when the URL cannot tell, when the page is known to glue
    the badge to its titles (`glued`: its own headline shows it against its metadata)."""
    if not badge or not title.endswith(badge) or len(title) <= len(badge):
        return title
    bare = title[: -len(badge)].rstrip()
    evidence = slug_evidence(title, bare, url)
    return bare if (glued if evidence is None else evidence) else title


def slug_evidence(title: str, bare: str, url: str | None) -> bool | None:
    """Whether the slug of the story's URL ends like `bare` (the glyph is no part of the title: True)
    or like `title` (it is: False); None when the URL cannot tell (no slug, an edited one)."""
    if not url:
        return None
    segments = [s for s in urlsplit(url).path.split("/") if s and s.lower() != "amp"]
    if not segments:
        return None
    slug = WORD.findall(_fold(FILE_SUFFIX.sub("", unquote(segments[-1]).lower())))
    words, bare_words = WORD.findall(_fold(title)), WORD.findall(_fold(bare))
    if slug and slug[-1].isdigit() and words and not words[-1].isdigit():
        slug.pop()  # "…-the-imf-2": WordPress numbers a second post of the same title
    if not slug or not words:
        return None
    if slug[-1] == words[-1]:
        return False
    if bare_words and slug[-1] == bare_words[-1]:
        return True
    return None


def _fold(text: str) -> str:
    """Lowercase without accents, as WordPress's slugs are: "Saïed" -> "saied"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
