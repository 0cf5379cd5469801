"""Real-size pages of the five markup families the site has used, interleaved: story n is of family n % 5.

The families are those of the fixtures (fixtures/README.md): the classic theme (bench/realpages.py), the
"Newspaper" theme of tagDiv with Elementor header and footer (naj-libya-builder.html), the block editor's
theme (naj-quote-list-arabic.html), AMP (naj-libya-amp.html) and a copy saved by a browser in windows-1252
(naj-saved-copy-cp1252.html). Each page has its story's own headline, date, read count, body (archive_bench's
Corpus), related stories and lists of the stories before it, and the chrome of its own theme: its
stylesheets and inline CSS, scripts, a mega-menu, sidebar widgets and footer, about 110 KB a page in all,
as realpages.py does for the classic theme. The themes share WordPress's vocabulary (block classes, CSS
properties) but not their rules, menus or scripts, as different themes do.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

import realpages
from realpages import CATEGORIES, MONTHS, _css, _script, _slug

from mocksite import FIXTURES, TEMPLATE_HEADLINE, TEMPLATE_RELATED, TEMPLATE_URL

FAMILIES = ("classic", "newspaper", "blocks", "amp", "saved-cp1252")


def family(n: int) -> str:
    return FAMILIES[n % len(FAMILIES)]


@dataclass(frozen=True)
class Theme:
    name: str
    seed: int
    item: str  # a menu item's classes
    widget: str  # a sidebar widget's classes
    teaser: str  # a "more stories" teaser's classes


THEMES = {
    "newspaper": Theme(
        "newspaper",
        20,
        "menu-item menu-item-type-taxonomy menu-item-object-category tdb-menu-item-button tdb-normal-menu",
        "td_block_wrap td_flex_block_1 tdi_91 td-pb-border-top td_block_template_1 td_flex_block",
        "td_module_flex td_module_flex_1 td_module_wrap td-animation-stack td-cpt-post",
    ),
    "blocks": Theme(
        "blocks",
        30,
        "wp-block-navigation-item has-child open-on-hover-click wp-block-navigation-submenu",
        "wp-block-group naj-widget has-global-padding is-layout-constrained wp-block-group-is-layout-constrained",
        "wp-block-post post type-post status-publish format-standard has-post-thumbnail hentry",
    ),
    "amp": Theme("amp", 40, "naj-amp-menu-item", "naj-amp-widget amp-wp-widget", "naj-amp-teaser amp-wp-teaser"),
    "saved-cp1252": Theme(
        "newsmag",
        50,
        "menu-item menu-item-type-taxonomy menu-item-object-category newsmag-menu-item",
        "widget newsmag-widget clearfix",
        "newsmag-teaser recent-item clearfix",
    ),
}


# ---- a theme's chrome -------------------------------------------------------------------------------------


def _styles(theme: Theme) -> str:
    return f"{_css(theme.seed, 80)}\n{_css(theme.seed + 1, 45)}"


def _head(theme: Theme, assets: str) -> str:
    """Stylesheets, inline CSS and scripts: `assets` is where the page loads its files from."""
    links = "\n".join(
        f"<link rel='stylesheet' id='{theme.name}-{part}-css' href='{assets}{theme.name}-{part}.min.css?ver=4.{i}' "
        "type='text/css' media='all'>"
        for i, part in enumerate(("style", "blocks", "fonts", "icons", "menu", "widgets", "print", "single"))
    )
    return (
        f"{links}\n<style id='{theme.name}-global-inline-css'>\n{_css(theme.seed, 80)}\n</style>\n"
        f"<style id='{theme.name}-theme-inline-css'>\n{_css(theme.seed + 1, 45)}\n</style>\n"
        f"<script id='{theme.name}-config-js-extra'>\n{_script(theme.seed + 2, 30)}\n</script>\n"
        f"<script src='{assets}jquery.min.js' id='jquery-core-js'></script>"
    )


def _menu_items(theme: Theme) -> str:
    return "".join(
        f'<li id="menu-item-{200 + i}" class="{theme.item} menu-item-{200 + i}"><a href="https://north-africa.com/'
        f'category/{_slug(cat)}/"><span class="{theme.name}-menu-label">{escape(cat)}</span></a>'
        f'<ul class="sub-menu {theme.name}-sub-menu">'
        + "".join(
            f'<li id="menu-item-{2000 + i * 10 + j}" class="{theme.item} menu-item-{2000 + i * 10 + j}"><a href="'
            f'https://north-africa.com/tag/{_slug(cat)}-{_slug(topic)}/">{escape(cat)}: {topic}</a></li>'
            for j, topic in enumerate(("Politics", "Economy", "Security", "Energy", "Society", "Analysis"))
        )
        + "</ul></li>"
        for i, cat in enumerate(CATEGORIES[:12])
    )


def _sidebar(theme: Theme, corpus: object, n: int, published: date) -> str:
    """The stories just before n (they change page to page, as on the site), categories and archives."""
    recent = "".join(
        f'<li class="{theme.name}-recent"><a href="{corpus.headline(m)[1]}">{escape(corpus.headline(m)[0])}</a>'  # type: ignore[attr-defined]
        f'<span class="{theme.name}-date">{(published - timedelta(days=n - m)).isoformat()}</span></li>'
        for m in range(n - 1, n - 11, -1)
    )
    categories = "".join(
        f'<li class="cat-item cat-item-{40 + i}"><a href="https://north-africa.com/category/{_slug(c)}/">'
        f"{escape(c)}</a> <span>({(i * 53) % 900 + 25})</span></li>"
        for i, c in enumerate(CATEGORIES)
    )
    archives = "".join(
        f"<li><a href='https://north-africa.com/{year}/{m + 1:02d}/'>{MONTHS[m]} {year}</a></li>"
        for year in range(2026, 2021, -1)
        for m in range(11, -1, -1)
    )
    return "".join(
        f'<div class="{theme.widget} {theme.name}-{kind}"><h3 class="{theme.name}-widget-title">{title}</h3>'
        f"<ul>{items}</ul></div>"
        for kind, title, items in (
            ("recent", "Latest news", recent),
            ("categories", "Sections", categories),
            ("archives", "From the archive", archives),
        )
    )


def _more(theme: Theme, corpus: object, n: int, published: date) -> str:
    teasers = "".join(
        f'<div class="{theme.teaser}"><div class="{theme.name}-thumb"><a href="{corpus.headline(m)[1]}">'  # type: ignore[attr-defined]
        f'<img width="300" height="169" src="https://north-africa.com/wp-content/uploads/{published.year}/'
        f'story-{m}-300x169.jpg" alt="" loading="lazy"></a></div><div class="{theme.name}-teaser-body">'
        f'<span class="{theme.name}-cat">{escape(CATEGORIES[m % 25])}</span><h4 class="{theme.name}-teaser-title">'
        f'<a href="{corpus.headline(m)[1]}">{escape(corpus.headline(m)[0])}</a></h4>'  # type: ignore[attr-defined]
        f'<span class="{theme.name}-date">{(published - timedelta(days=n - m)).isoformat()}</span></div></div>'
        for m in range(n - 11, n - 23, -1)
    )
    grid = f'<div class="{theme.name}-grid">{teasers}</div>'
    return f'<section class="{theme.name}-more"><h3>More stories</h3>{grid}</section>'


def _foot(theme: Theme) -> str:
    return (
        f'<div id="{theme.name}-consent" class="{theme.name}-consent-hidden" role="dialog"><p>We use cookies to give '
        "you the best experience on our website. If you continue to use this site we will assume that you are happy "
        f'with it.</p><a href="#" class="{theme.name}-consent-accept">Ok</a></div>\n'
        f"<script id='{theme.name}-footer-js-extra'>\n{_script(theme.seed + 3, 40)}\n</script>\n"
        f"<style id='{theme.name}-block-supports-inline-css'>\n{_css(theme.seed + 4, 30)}\n</style>"
    )


def _insert(html: str, anchor: str, text: str, *, after: bool = False) -> str:
    assert anchor in html, f"the fixture changed: adapt bench/families.py ({anchor!r})"
    return html.replace(anchor, anchor + text if after else text + anchor, 1)


def _sub(pattern: str, replacement: str, html: str) -> str:
    html, count = re.subn(pattern, lambda _: replacement, html, count=1, flags=re.S)
    assert count == 1, f"the fixture changed: adapt bench/families.py ({pattern!r})"
    return html


def _paragraphs(article: object, indent: str = "") -> list[str]:
    return [f"{indent}<p>{escape(p, quote=False)}</p>" for p in article.body.split("\n\n")]  # type: ignore[attr-defined]


# ---- the families -----------------------------------------------------------------------------------------

LIBYA_BODY = r"<p>\s*Three Libyan soldiers.*?all converge\.(?:\s|&nbsp;)*</p>"
BUILDER = (FIXTURES / "naj-libya-builder.html").read_text(encoding="utf-8")
AMP = (FIXTURES / "naj-libya-amp.html").read_text(encoding="utf-8")
BLOCKS = (FIXTURES / "naj-quote-list-arabic.html").read_text(encoding="utf-8")
SAVED = (FIXTURES / "naj-saved-copy-cp1252.html").read_bytes().decode("cp1252")
BLOCKS_URL = "https://north-africa.com/tunisias-ugtt-defies-kais-saied-with-nationwide-strike-call-as-algiers-watches/"
BLOCKS_RELATED = (
    "https://north-africa.com/tunisias-parliament-passes-2026-finance-bill-amid-union-protests/",
    "https://north-africa.com/algeria-and-tunisia-sign-border-development-accord-in-tebessa/",
)
SAVED_HEADLINE = "Morocco Bets on Nador LNG Terminal as Algeria Keeps the Maghreb–Europe Pipeline Shut"


def _libya(html: str, corpus: object, n: int, published: date, read_count: int, related: tuple[int, ...]) -> str:
    """What the three Libya fixtures share: the story's URL, headline, date, related links and body."""
    headline, url = corpus.headline(n)  # type: ignore[attr-defined]
    html = html.replace(TEMPLATE_URL, url).replace(TEMPLATE_HEADLINE, escape(headline, quote=False))
    html = html.replace("2026-02-04T00:41:00+01:00", f"{published.isoformat()}T09:00:00+01:00")
    html = html.replace("2026-02-03T23:41:00Z", f"{published.isoformat()}T08:00:00Z")
    html = html.replace("4 February 2026", f"{published.day} {published.strftime('%B %Y')}")
    for old, target in zip(TEMPLATE_RELATED, related, strict=False):
        html = html.replace(old, corpus.headline(target)[1])  # type: ignore[attr-defined]
    return _sub(LIBYA_BODY, "\n".join(_paragraphs(corpus.article(n))), html)  # type: ignore[attr-defined]


def newspaper(corpus: object, n: int, *, published: date, read_count: int, related: tuple[int, ...]) -> bytes:
    theme = THEMES["newspaper"]
    html = _libya(BUILDER, corpus, n, published, read_count, related)
    html = _sub(r"read : <span>86</span>", f"read : <span>{read_count:,}</span>", html)
    html = _insert(html, "</head>", _head(theme, "https://north-africa.com/wp-content/themes/Newspaper/"))
    html = _insert(
        html,
        "</header>",
        f'<div class="tdb-main-menu"><ul class="sf-menu tdb-block-menu">{_menu_items(theme)}</ul></div>',
    )
    chrome = f'<div class="td-pb-span4 td-main-sidebar">{_sidebar(theme, corpus, n, published)}</div>'
    html = _insert(html, '<footer itemtype="https://schema.org/WPFooter"', _more(theme, corpus, n, published) + chrome)
    return _insert(html, "</body>", _foot(theme) + "\n").encode("utf-8")


def amp(corpus: object, n: int, *, published: date, read_count: int, related: tuple[int, ...]) -> bytes:
    """AMP: the CSS in <style amp-custom>, no scripts but the AMP runtime's and amp-analytics' JSON."""
    theme = THEMES["amp"]
    html = _libya(AMP, corpus, n, published, read_count, related)
    html = _sub(r"read : 86</div>", f"read : {read_count:,}</div>", html)
    html = _insert(html, "<style amp-custom>\n", _styles(theme) + "\n", after=True)
    html = _insert(
        html, '<nav class="naj-sidebar-nav">', f'<ul class="naj-amp-menu">{_menu_items(theme)}</ul>', after=True
    )
    chrome = f'<aside class="naj-amp-sidebar">{_sidebar(theme, corpus, n, published)}</aside>'
    html = _insert(html, '<footer class="amp-wp-footer">', _more(theme, corpus, n, published) + chrome)
    config = json.dumps({"vars": {"gtag_id": "G-NAJ0000001"}, "extra": _script(theme.seed + 3, 40)})
    analytics = (
        f'<amp-analytics type="gtag" id="naj-extra"><script type="application/json">{config}</script></amp-analytics>\n'
    )
    return _insert(html, "</body>", analytics).encode("utf-8")


def blocks(corpus: object, n: int, *, published: date, read_count: int, related: tuple[int, ...]) -> bytes:
    """The block editor's theme (core blocks, template parts)."""
    theme = THEMES["blocks"]
    headline, url = corpus.headline(n)  # type: ignore[attr-defined]
    html = BLOCKS.replace(BLOCKS_URL, url)
    title = escape(headline, quote=False)
    html = _sub(r"<title>.*?</title>", f"<title>{title} | The North Africa Journal</title>", html)
    html = _sub(r'(?<=og:title" content=")[^"]*', f"{escape(headline)} | The North Africa Journal", html)
    html = _sub(r'(?<="headline": )"[^"]*"', json.dumps(headline), html)
    html = _sub(r'(?<=<h1 class="wp-block-post-title">).*?(?=<span)', title, html)
    html = html.replace("2025-11-18T09:15:00+01:00", f"{published.isoformat()}T09:00:00+01:00")
    html = html.replace("18 November 2025", f"{published.day} {published.strftime('%B %Y')}")
    html = _sub(r'post-views-count">1,204<', f'post-views-count">{read_count:,}<', html)
    for old, target in zip(BLOCKS_RELATED, related, strict=False):
        html = html.replace(old, corpus.headline(target)[1])  # type: ignore[attr-defined]
    body = "\n\n".join(_paragraphs(corpus.article(n))) + "\n\n"  # type: ignore[attr-defined]
    html = _sub(r"<p>Tunisia&rsquo;s powerful.*?(?=<p><a href=\"https://chat\.whatsapp)", body, html)
    html = _insert(html, "</head>", _head(theme, "https://north-africa.com/wp-content/themes/naj-blocks/"))
    html = _insert(
        html, '<ul class="wp-block-navigation__container wp-block-navigation">', _menu_items(theme), after=True
    )
    html = _insert(
        html,
        '<div class="wp-block-column naj-sidebar" style="flex-basis:32%">',
        _sidebar(theme, corpus, n, published),
        after=True,
    )
    html = _insert(html, '<footer class="wp-block-template-part">', _more(theme, corpus, n, published))
    return _insert(html, "</body>", _foot(theme) + "\n").encode("utf-8")


def saved(corpus: object, n: int, *, published: date, read_count: int, related: tuple[int, ...]) -> bytes:
    """A browser's "Save page as": windows-1252 bytes, the page's files in "./TITLE_files/", no URL."""
    theme = THEMES["saved-cp1252"]
    headline = corpus.headline(n)[0]  # type: ignore[attr-defined]
    html = SAVED.replace(SAVED_HEADLINE, escape(headline, quote=False))
    html = html.replace("12 March 2025", f"{published.day} {published.strftime('%B %Y')}")
    paragraphs = _paragraphs(corpus.article(n))  # type: ignore[attr-defined]
    read_also = re.search(r"<p><strong>Read also:</strong>.*?</p>", html).group()  # type: ignore[union-attr]
    body = "\n".join([*paragraphs[:2], read_also, *paragraphs[2:]])
    html = _sub(r"<p>Morocco is pressing ahead.*?longer-term bet\.</p>", body, html)
    files = f"./{escape(headline)} _ The North Africa Journal_files/"
    html = _insert(html, "</head>", _head(theme, files))
    html = _insert(html, '<ul id="menu-main" class="menu">', _menu_items(theme), after=True)
    html = _insert(html, '<aside class="side-col">', _sidebar(theme, corpus, n, published), after=True)
    html = _insert(html, '<div class="footer">', _more(theme, corpus, n, published))
    html = _insert(html, "</body>", _foot(theme) + "\n")
    return html.encode("cp1252", errors="xmlcharrefreplace")  # what cp1252 lacks (Arabic) as &#...;


def classic(corpus: object, n: int, *, published: date, read_count: int, related: tuple[int, ...]) -> bytes:
    return realpages.page(corpus, n, published=published, read_count=read_count, related=related)


MAKERS = {"classic": classic, "newspaper": newspaper, "blocks": blocks, "amp": amp, "saved-cp1252": saved}


def page(corpus: object, n: int, *, published: date, read_count: int, related: tuple[int, ...]) -> bytes:
    """Story n in its family's markup (family(n)), at real size."""
    return MAKERS[family(n)](corpus, n, published=published, read_count=read_count, related=related)


def text(data: bytes, n: int) -> str:
    """Page n as text (what trafilatura is given): the saved copy is windows-1252."""
    return data.decode("cp1252" if family(n) == "saved-cp1252" else "utf-8")


expected = realpages.expected  # the headline and body a correct parse of page n gives, whatever its family
