"""Site rules, one module per site, each offering NAME, matches(page) and extract(page).

wordpress.py holds what any WordPress theme shares (vocabularies and algorithms: labels, chrome,
noise, body, related block, author box, story links) and knows no site; content.py finds the
element holding an article's paragraphs; titles.py reads a title without the badge glyph a theme
puts beside it. A new site goes in a module of its own here: its NAME, its matches(page), its
labels (a wordpress.LabelSet) and markers, and an extract(page) built from wordpress.py's and
content.py's algorithms (northafrica.py is the model); then it is added to SITES below.
"""

from __future__ import annotations

from typing import Protocol

from ..model import Article
from ..page import Page
from . import northafrica


class SiteRules(Protocol):
    NAME: str

    def matches(self, page: Page) -> bool: ...

    def extract(self, page: Page) -> Article: ...


#: Tried in order; the first whose matches(page) is true extracts the article.
SITES: tuple[SiteRules, ...] = (northafrica,)


def rules_for(page: Page) -> SiteRules | None:
    for site in SITES:
        if site.matches(page):
            return site
    return None
