"""Generic extraction: pages of sites without site rules (trafilatura, then nai's own choices).

The pages in fixtures/generic/ are hand-written in the shape of real news pages; each holds what a
body must keep and what it must leave out. bench/generic_bench.py measures the same choices on
real pages.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from conftest import FIXTURES
from nai.errors import ParseError
from nai.parse import MAX_TRAILING_PARAGRAPHS, generic_body, parse_article

GENERIC = FIXTURES / "generic"


def paragraphs(body: str) -> list[str]:
    return body.split("\n\n")


def test_related_links_newsletter_and_navigation_after_a_story_are_not_its_body() -> None:
    article = parse_article((GENERIC / "desert-courier-related.html").read_bytes())
    assert article.rules == "generic"
    assert article.headline == "Niger Reopens Agadez Road to Lithium Trucks After Six-Month Closure"
    body = paragraphs(article.body)
    assert body[0].startswith("Niger's transport ministry reopened the main road north of Agadez")
    for words in ("only paved link", "steel deck rated for forty tonnes", "the price of diesel is another"):
        assert sum(words in p for p in body) == 1, words
    assert body[4].endswith("near the village of Tchirozérine, would start after the rainy season.")
    # the "Read more" links after the story (balanced trafilatura keeps them), the newsletter box
    for boilerplate in ("Arlit still waits", "Fuel queues", "lithium clay of the Aïr is worth", "never started"):
        assert boilerplate not in article.body
    assert "Sahel briefing" not in article.body and "Unsubscribe" not in article.body
    assert not {"News", "Business", "Opinion", "Sport", "Terms", "Privacy"} & set(body)


def test_tables_and_an_interviews_short_questions_are_body() -> None:
    article = parse_article((GENERIC / "oasis-review-interview.html").read_bytes())
    assert article.headline == "« Le désert n’est pas vide » : entretien avec une hydrogéologue du Tassili"
    assert article.published == "2025-11-20T07:00:00+01:00"
    assert article.author is not None and article.author.name == "Nadia Benali"
    body = paragraphs(article.body)
    assert body[0].startswith("Depuis vingt ans, Samia Kherbouche")  # not the headline again
    for question in ("Comment est née l’idée de cet atlas ?", "Qu’avez-vous mesuré ?", "Et demain ?"):
        assert question in body
    # a table's rows are paragraphs, their cells separated by " | ", without markdown's rules
    rows = ["Vallée | Puits suivis | Profondeur moyenne", "Iherir | 14 | 11 mètres", "Djanet | 23 | 17 mètres"]
    assert body[body.index(rows[0]) : body.index(rows[0]) + 3] == rows
    assert "Essendilène | 9 | 8 mètres" in body
    assert not re.search(r"^\||\|$|---", article.body, re.M)
    assert body[-1].endswith("ne prend jamais plus que ce que la terre redonne.")


def test_a_page_in_decomposed_unicode_gives_composed_text() -> None:
    data = (GENERIC / "hebdo-hoggar-decomposed.html").read_bytes()
    assert "é".encode() not in data and "e\u0301".encode() in data
    article = parse_article(data)
    assert unicodedata.is_normalized("NFC", article.body)
    assert unicodedata.is_normalized("NFC", article.headline)
    assert article.headline == "Tamanrasset : la foire de l’Assihar rouvre ses portes après trois ans d’absence"
    assert paragraphs(article.body)[0].startswith("La foire de l’Assihar, qui réunit chaque hiver à Tamanrasset")
    assert "Les éleveurs ont été les premiers" in article.body


OTHER_SITE = (FIXTURES / "other-site-generic.html").read_text(encoding="utf-8")
SIDEBAR = "<aside>{}</aside></body>"


def _og_website(page: str, *, ld: bool = True) -> str:
    """The generic fixture as a site that is not WordPress ("single" body class) and says og:type
    website of its articles."""
    page = page.replace('content="article"', 'content="website"').replace(
        '<body class="post-template-default single single-post postid-2291 single-format-standard">', "<body>"
    )
    if not ld:
        page = re.sub(r'<script type="application/ld\+json">.*?</script>', "", page, flags=re.S)
    return page


def test_an_article_that_says_og_type_website_with_article_json_ld_is_not_a_listing() -> None:
    teasers = "".join(f"<article><h3><a href='/s{i}/'>Story {i}</a></h3></article>" for i in range(5))
    page = _og_website(OTHER_SITE).replace("</body>", SIDEBAR.format(teasers))
    article = parse_article(page.encode())
    assert paragraphs(article.body)[0].startswith("Mali’s transitional government has granted")


def test_a_long_article_that_says_og_type_website_with_a_few_linked_headings_is_not_a_listing() -> None:
    sections = "".join(f"<h2><a href='/section-{i}/'>Section {i}</a></h2>" for i in range(4))
    paragraph = re.search(r"<p>Under the new code.*?</p>", OTHER_SITE, re.S)
    assert paragraph is not None
    more = "".join(paragraph.group(0).replace("Under", f"In part {i}, under") for i in range(20))
    page = _og_website(OTHER_SITE, ld=False).replace("</div>\n  </article>", more + "</div></article>")
    page = page.replace("</body>", SIDEBAR.format(sections))
    article = parse_article(page.encode())
    assert "In part 19, under the new code" in article.body


def test_a_page_of_teasers_that_says_og_type_website_is_still_a_listing() -> None:
    teasers = "".join(
        f"<div class='teaser'><h3><a href='/story-{i}/'>Story number {i} of the day</a></h3>"
        f"<p>A short excerpt of story {i}, as a listing shows it under its headline.</p></div>"
        for i in range(12)
    )
    page = (
        "<html><head><title>Latest news</title><meta property='og:type' content='website'></head>"
        f"<body><h1>Latest news</h1>{teasers}</body></html>"
    )
    with pytest.raises(ParseError, match="a listing of 12 stories"):
        parse_article(page.encode())


ARTICLE = ["The lede.", "The second paragraph.", "The third paragraph.", "The end of the story."]


def test_a_long_run_after_the_article_that_precision_mode_drops_is_cut() -> None:
    after = ["Read more:", "Another story", "A third story", "Sign up for our newsletter"]
    assert len(after) > MAX_TRAILING_PARAGRAPHS
    assert generic_body(ARTICLE + after, ARTICLE) == ARTICLE
    # precision mode also dropped short paragraphs within the article: they stay
    assert generic_body(ARTICLE + after, [ARTICLE[0], ARTICLE[3]]) == ARTICLE


def test_a_short_run_after_the_article_stays() -> None:
    credits = ["Additional reporting by A. Writer; editing by B. Editor"]
    assert generic_body(ARTICLE + credits, ARTICLE) == ARTICLE + credits


def test_when_the_two_extractions_disagree_the_balanced_one_stands() -> None:
    balanced = [*ARTICLE, "One", "Two", "Three"]
    assert generic_body(balanced, ["Something else entirely, and long enough to weigh.", ARTICLE[0]]) == balanced
    assert generic_body(balanced, []) == balanced
