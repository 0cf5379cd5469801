"""The element holding a WordPress article's paragraphs (find_content): the theme's content class,
or the element whose own paragraphs hold the most text. wordpress.py reads the body from it."""

from __future__ import annotations

from ..page import Element, Page, text_of
from .wordpress import BLOCK_TAGS, CONTAINED_TAGS, in_chrome, inside

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


def find_content(page: Page, regions: tuple[Element | None, ...]) -> Element | None:
    """The element holding the article's paragraphs: the one whose own paragraphs (and loose text)
    hold the most text, a container (div, article, section, main, td) with a theme's content
    class counting four times (on another tag, a content class is a theme's odd choice and gets
    no bonus); not in chrome or `regions`.

    Most pages settle it at once. An element's own paragraphs are disjoint from those of any
    element inside or outside it (unless C sits in a paragraph), so the best content container C
    wins outright when its score beats both the length of C's text (what an element inside it
    can score) and the length of the page's text outside C (what any other element can, a content
    container aside, whose score is known). Else, when C holds its paragraphs one element down
    (tagDiv's Newspaper: C's own score is 0), the elements inside C are scored, and the best of
    them wins when it beats the others, the other content containers and what an element outside
    C can score (_most_outside): find_content takes 0.50 ms a page of that theme, against 0.65 ms
    scoring every element, which is what is left otherwise.

    Called before the tree changes (drop_hidden): the page's text is that of Page.text_nodes, which
    the label search listed already, rather than a text_of of the whole page."""
    candidates = sorted(
        (
            (_score(element) * 4 + len((element.text or "").strip()), element)
            for element in page.tree.iter(*CONTENT_CONTAINERS)
            if _is_content_class(element) and not inside(element, regions) and not in_chrome(element)
        ),
        key=lambda item: -item[0],
    )
    if candidates and (len(candidates) == 1 or candidates[0][0] > candidates[1][0]):  # a tie: score all
        score, element = candidates[0]
        text_inside, everything = len(text_of(element)), sum(map(len, page.text_nodes().texts))
        # a paragraph around C: the element around that paragraph counts C's text too
        in_paragraph = any(a.tag in CONTAINED_TAGS for a in element.iterancestors())
        text_outside = everything if in_paragraph else everything - text_inside
        if score > max(text_inside, text_outside):
            return element
        ranked = sorted(_scores(element).items(), key=lambda item: -item[1])
        if ranked and not in_paragraph:
            best, top = ranked[0]
            others = max(ranked[1][1] if len(ranked) > 1 else 0, candidates[1][0] if len(candidates) > 1 else 0)
            if top > others and top > _most_outside(element, top) and not inside(best, regions) and not in_chrome(best):
                return best
    return best_scored(page, regions)


def _most_outside(element: Element, limit: int) -> int:
    """The most an element outside `element` (not in a paragraph) can score, a content container
    aside, or a number past `limit` once it is past it: an ancestor scores its own paragraphs, any
    other element at most the text of the ancestor's child it is in."""
    most = 0
    node = element
    for parent in element.iterancestors():
        own = 0
        for child in parent:
            if child is node or not isinstance(child.tag, str):
                continue
            text = len(text_of(child))
            most = max(most, text)
            if child.tag in CONTAINED_TAGS:
                own += text
            elif child.tag == "br" and parent.tag not in BLOCK_TAGS:
                own += len((child.tail or "").strip())
        most = max(most, own)
        if most >= limit:
            break
        node = parent
    return most


def best_scored(page: Page, regions: tuple[Element | None, ...]) -> Element | None:
    """find_content the long way: every element scored."""
    for element, _ in sorted(_scores(page.tree).items(), key=lambda item: -item[1]):
        if not inside(element, regions) and not in_chrome(element):
            return element
    return None


def _scores(root: Element) -> dict[Element, int]:
    """The score of each element under root (root too) that holds a paragraph-like child or a <br>."""
    scores: dict[Element, int] = {}
    for block in root.iter(*CONTAINED_TAGS):
        parent = block.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(text_of(block))
    for br in root.iter("br"):  # text separated by <br> rather than wrapped in <p>
        parent = br.getparent()
        if parent is not None and parent.tag not in BLOCK_TAGS:
            scores[parent] = scores.get(parent, 0) + len((br.tail or "").strip())
    for element in list(scores):
        if element.tag in CONTENT_CONTAINERS and _is_content_class(element):
            scores[element] *= 4
            scores[element] += len((element.text or "").strip())
    return scores


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
