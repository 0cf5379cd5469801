"""Site rules, one module per site, each offering NAME, matches(page) and extract(page)."""

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
