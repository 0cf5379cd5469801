"""The generic pieces site rules are built from: first(...), story paths and links, label sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES
from nai.discover import is_article_url
from nai.page import TextNodes, clean_text, document_position, first, load_page, text_of
from nai.sites.wordpress import Label, LabelSet, find_label, is_story_href, is_story_path, label_candidates

# ---- first ---------------------------------------------------------------------------------


def test_first_gives_the_first_non_empty_converted_value() -> None:
    assert first([None, 3, ["x"], "  ", " Tripoli  ", "Benghazi"], clean_text) == "Tripoli"


def test_first_gives_none_when_no_candidate_converts() -> None:
    assert first([None, "", " \u200b ", {"name": "x"}], clean_text) is None
    assert first([], clean_text) is None


def test_first_converts_nothing_after_the_first_usable_candidate() -> None:
    seen: list[str] = []

    def convert(text: str) -> str | None:
        seen.append(text)
        return text.upper() if text != "skip" else None

    assert first(["skip", "a", "b"], convert) == "A"
    assert seen == ["skip", "a"]


# ---- story paths and links -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/category/maghreb-edition/", "/tag/libya", "/author/naj/", "/page/2/", "/feed/",
        "/story/feed", "/comments/feed/", "/search/oil/", "/wp-admin/", "/wp-content/uploads/a.png",
        "/wp-includes/js/x", "/wp-json/wp/v2/posts", "/CATEGORY/x/",
        # what the related block skipped too: plural and singular forms, the login page
        "/tags/x/", "/authors/", "/pages/2", "/feeds/", "/comment/", "/wp-login.php",
    ],
)  # fmt: skip
def test_paths_that_are_not_stories(path: str) -> None:
    assert not is_story_path(path)


@pytest.mark.parametrize(
    "path",
    [
        "/southern-libya-boils-over-three-haftar-soldiers-killed/", "/2026/02/04/story/", "/story-12/",
        "/category-of-risk-in-the-sahel/", "/tagline/", "/pages-of-history/", "/ampere/", "/a.jpg/x",
        "/story.html", "/", "/story/amp/",  # the home page and AMP copies are the crawl's to skip
    ],
)  # fmt: skip
def test_paths_of_stories(path: str) -> None:
    assert is_story_path(path)


@pytest.mark.parametrize(
    ("href", "story"),
    [
        ("https://north-africa.com/southern-libya-boils-over/", True),
        ("/southern-libya-boils-over/?utm_source=x", True),
        ("southern-libya-boils-over/", True),
        ("https://web.archive.org/web/20260205101010/https://north-africa.com/story/", True),
        ("https://web.archive.org/web/20260205101010/https://north-africa.com/category/x/", False),
        ("https://north-africa.com/story/#respond", True),  # the story's comments: the story
        ("https://north-africa.com/story/#comments", True),
        ("#comments", False),
        ("", False),
        (None, False),
        ("https://north-africa.com/tag/libya/", False),
        ("https://north-africa.com/wp-login.php?redirect_to=x", False),
        ("https://north-africa.com/?p=123", True),  # a plain permalink
        ("https://north-africa.com/story/amp/", True),  # an AMP page's related links
    ],
)
def test_story_links(href: str | None, story: bool) -> None:
    assert is_story_href(href) is story


# ---- labels ----------------------------------------------------------------------------------

POSTED = Label("Posted On")
READ = Label("Number of times this article was read")
PAGE = (
    b"<html><body><p>Posted <b>On</b> 4 February 2026</p><p>Number of times this article was read: 86</p></body></html>"
)


def test_each_label_set_keeps_its_own_index_on_a_page() -> None:
    page = load_page(PAGE)
    posted_only, both = LabelSet((POSTED,)), LabelSet((POSTED, READ))
    assert find_label(page, posted_only, POSTED) is not None
    assert find_label(page, both, READ) is not None  # not the index of posted_only, which lacks "number"
    assert len(page.cache) == 2


def test_a_label_outside_the_set_is_refused() -> None:
    with pytest.raises(ValueError, match="not one of the site's labels"):
        label_candidates(load_page(PAGE), LabelSet((POSTED,)), READ)


def test_label_candidates_are_in_document_order_whatever_order_the_texts_are_listed_in() -> None:
    # listed element by element, a tail comes before the texts inside its element: 3, 1, 2, 4
    page = load_page(
        b"<html><body><div><span><b>Posted On 1</b>Posted On 2</span>Posted On 3</div><p>Posted On 4</p></body></html>"
    )
    found = label_candidates(page, LabelSet((POSTED,)), POSTED)
    assert [(text, element.tag) for text, element in found] == [
        ("Posted On 1", "b"), ("Posted On 2", "span"), ("Posted On 3", "div"), ("Posted On 4", "p"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        (b"<p><b>Posted On</b>Posted On</p>", [("Posted On", "b"), ("Posted On", "p")]),  # a text, a tail alike
        (b"<p>x<br>Posted On</p>", [("\nPosted On", "p")]),  # a tail only (the <br> gains a line break)
        (b"<p><i></i>Posted On<i>Posted On</i></p>", [("Posted On", "p"), ("Posted On", "i")]),
    ],
)
def test_label_candidates_tell_a_tail_from_a_text(markup: bytes, expected: list[tuple[str, str]]) -> None:
    page = load_page(b"<html><body>" + markup + b"</body></html>")
    found = label_candidates(page, LabelSet((POSTED,)), POSTED)
    assert [(text, element.tag) for text, element in found] == expected


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("**/*.html")), ids=lambda p: p.name)
def test_text_nodes_sorted_by_document_position_are_the_page_text(path: Path) -> None:
    page = load_page(path.read_bytes())
    nodes = page.text_nodes()
    assert isinstance(nodes, TextNodes)
    order = sorted(range(len(nodes.texts)), key=lambda i: document_position(nodes.owners[i], tail=nodes.is_tail(i)))
    assert "".join(nodes.texts[i] for i in order) == text_of(page.tree)


# ---- what discovery fetches as an article ----------------------------------------------------


@pytest.mark.parametrize(
    ("url", "article"),
    [
        ("https://north-africa.com/southern-libya-boils-over/", True),
        ("https://north-africa.com/2026/02/04/story/", True),
        ("https://north-africa.com/", False),
        ("https://north-africa.com", False),
        ("https://north-africa.com/category/maghreb-edition/", False),
        ("https://north-africa.com/tags/libya/", False),
        ("https://north-africa.com/wp-content/uploads/a.jpg", False),
        ("https://north-africa.com/b.PDF", False),
        ("https://north-africa.com/sitemap.xml", False),
        ("https://north-africa.com/story/amp/", False),
        ("https://north-africa.com/?s=oil", False),
        ("https://other.example/story/", False),
        ("ftp://north-africa.com/story/", False),
    ],
)
def test_article_urls_for_the_crawl(url: str, article: bool) -> None:
    assert is_article_url(url, "north-africa.com") is article
