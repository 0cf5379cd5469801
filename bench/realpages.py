"""North Africa Journal pages at the size of the real site's: about 110 KB, of which most is chrome.

The classic fixture (38 KB) carries the site's markers but little of a WordPress page's weight.
A real article page of a WordPress news site also carries, the same on every page: the block
library's and the theme's inline CSS (global-styles-inline-css alone is 10-30 KB), inline
scripts (emoji settings, consent, analytics, ads), a mega-menu, sidebar widgets (recent posts,
categories, monthly archives, a tag cloud) and footer scripts. This module adds those to the
fixture, with each story's own headline, date, read count, body (Zipf text, from archive_bench's
Corpus), related stories and a sidebar of the stories just before it (which change page to page
as on the real site). The issue's baseline figures are for a "typical 110 KB news page".
"""

from __future__ import annotations

import random
import re
import sys
from datetime import date, timedelta
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from mocksite import TEMPLATE, TEMPLATE_HEADLINE, TEMPLATE_RELATED, TEMPLATE_URL

BLOCKS = (
    "paragraph", "heading", "image", "gallery", "list", "quote", "audio", "cover", "file", "video", "code",
    "columns", "column", "group", "row", "stack", "buttons", "button", "separator", "spacer", "table",
    "embed", "pullquote", "verse", "media-text", "latest-posts", "latest-comments", "archives", "calendar",
    "categories", "tag-cloud", "search", "social-links", "social-link", "navigation", "site-logo",
    "site-title", "post-title", "post-date", "post-excerpt", "post-featured-image", "query", "query-loop",
)  # fmt: skip
PROPS = (
    "margin-top:0", "margin-bottom:1.5em", "padding:calc(.667em + 2px) calc(1.333em + 2px)", "font-size:1.125em",
    "line-height:1.6", "border-radius:9999px", "box-sizing:border-box", "display:flex", "flex-wrap:wrap",
    "align-items:center", "gap:0.5em", "color:var(--wp--preset--color--contrast)", "text-decoration:none",
    "background-color:var(--wp--preset--color--base)", "max-width:100%", "height:auto", "overflow:hidden",
    "position:relative", "word-break:break-word", "font-weight:600", "letter-spacing:-0.01em",
)  # fmt: skip
COLOURS = ("black", "white", "cyan-bluish-gray", "pale-pink", "vivid-red", "luminous-vivid-orange",
           "luminous-vivid-amber", "light-green-cyan", "vivid-green-cyan", "pale-cyan-blue",
           "vivid-cyan-blue", "vivid-purple", "naj-red", "naj-sand", "naj-ink", "naj-olive")  # fmt: skip
CATEGORIES = ("Maghreb Edition", "Sahel Edition", "Egypt Edition", "Algeria", "Morocco", "Tunisia", "Libya",
              "Mauritania", "Mali", "Niger", "Chad", "Sudan", "Oil, Gas & Energy", "Mining", "Security & Defense",
              "Economy & Finance", "Migration", "Agriculture", "Water", "Telecoms", "Infrastructure",
              "Elections", "Diplomacy", "Risk Reports", "Opinion")  # fmt: skip
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _css(seed: int, rules: int) -> str:
    rng = random.Random(seed)
    lines = [":root{" + "".join(f"--wp--preset--color--{c}:#{rng.randrange(16**6):06x};" for c in COLOURS)]
    lines[0] += "".join(f"--wp--preset--font-size--{s}:{rng.randint(12, 42)}px;" for s in ("small", "medium",
                        "large", "x-large", "xx-large")) + "}"  # fmt: skip
    for i in range(rules):
        block = BLOCKS[i % len(BLOCKS)]
        element = ("", " a", " p", ":hover", ".is-style-outline", ".has-background", ">*")[rng.randrange(7)]
        props = ";".join(rng.sample(PROPS, rng.randint(2, 5)))
        lines.append(f".wp-block-{block}{element}{{{props}}}")
    for c in COLOURS:
        lines.append(f".has-{c}-color{{color:var(--wp--preset--color--{c}) !important;}}")
        lines.append(f".has-{c}-background-color{{background-color:var(--wp--preset--color--{c}) !important;}}")
    return "\n".join(lines)


def _script(seed: int, statements: int) -> str:
    rng = random.Random(seed)
    parts = []
    for i in range(statements):
        name = (
            f"{rng.choice(('naj', 'wp', 'jetpack', 'gtag', 'consent', 'ads'))}_{rng.choice(BLOCKS).replace('-', '_')}"
        )
        parts.append(
            f'var {name}{i}={{"ajaxurl":"https:\\/\\/north-africa.com\\/wp-admin\\/admin-ajax.php",'
            f'"nonce":"{rng.randrange(16**10):010x}","i18n":{{"close":"Close","more":"Read more"}},'
            f'"delay":{rng.randint(0, 5000)}}};'
        )
    return "\n".join(parts)


HEAD = "\n".join(
    [
        *(
            f"<link rel='stylesheet' id='{name}-css' href='https://north-africa.com/wp-content/{path}?ver=6.8.{i}' "
            "media='all'>"
            for i, (name, path) in enumerate(
                [(f"plugin-{b}", f"plugins/{b}/assets/style.min.css") for b in BLOCKS[:14]]
                + [("naj-theme", "themes/naj/style.css"), ("dashicons", "wp-includes/css/dashicons.min.css")]
            )
        ),
        "<link rel='dns-prefetch' href='//pagead2.googlesyndication.com'>",
        "<link rel='preconnect' href='https://fonts.gstatic.com' crossorigin>",
        f"<style id='global-styles-inline-css'>\n{_css(1, 80)}\n</style>",
        f"<style id='wp-block-library-inline-css'>\n{_css(2, 45)}\n</style>",
        f"<script id='naj-config-js-extra'>\n{_script(3, 30)}\n</script>",
        "<script src='https://north-africa.com/wp-includes/js/jquery/jquery.min.js?ver=3.7.1' id='jquery-core-js'>"
        "</script>",
    ]
)
FOOT = "\n".join(
    [
        '<div id="cookie-notice" role="dialog" class="cookie-notice-hidden"><div class="cookie-notice-container">'
        '<span id="cn-notice-text" class="cn-text-container">We use cookies to ensure that we give you the best '
        "experience on our website. If you continue to use this site we will assume that you are happy with it."
        '</span><span id="cn-notice-buttons" class="cn-buttons-container"><a href="#" id="cn-accept-cookie" '
        'class="cn-set-cookie cn-button" aria-label="Ok">Ok</a></span></div></div>',
        f"<script id='naj-footer-js-extra'>\n{_script(4, 40)}\n</script>",
        f"<style id='core-block-supports-inline-css'>\n{_css(5, 30)}\n</style>",
    ]
)
MENU = "".join(
    f'<li id="menu-item-{100 + i}" class="menu-item menu-item-type-taxonomy menu-item-object-category '
    f'menu-item-has-children menu-item-{100 + i}"><a href="https://north-africa.com/category/{_slug(cat)}/">'
    f'{escape(cat)}</a><ul class="sub-menu">'
    + "".join(
        f'<li id="menu-item-{1000 + i * 10 + j}" class="menu-item menu-item-type-taxonomy menu-item-object-post_tag '
        f'menu-item-{1000 + i * 10 + j}"><a href="https://north-africa.com/tag/{_slug(cat)}-{_slug(topic)}/">'
        f"{escape(cat)}: {topic}</a></li>"
        for j, topic in enumerate(("Politics", "Economy", "Security", "Energy", "Society", "Analysis"))
    )
    + "</ul></li>"
    for i, cat in enumerate(CATEGORIES[:12])
)
SIDEBAR_FIXED = (
    '<section id="categories-2" class="widget widget_categories"><h3 class="widget-title">Categories</h3><ul>'
    + "".join(
        f'<li class="cat-item cat-item-{20 + i}"><a href="https://north-africa.com/category/{_slug(c)}/">'
        f"{escape(c)}</a> ({(i * 37) % 900 + 40})</li>"
        for i, c in enumerate(CATEGORIES)
    )
    + '</ul></section><section id="archives-2" class="widget widget_archive"><h3 class="widget-title">Archives</h3><ul>'
    + "".join(
        f"<li><a href='https://north-africa.com/{year}/{m + 1:02d}/'>{MONTHS[m]} {year}</a></li>"
        for year in range(2026, 2021, -1)
        for m in range(11, -1, -1)
    )
    + "</ul></section>"
)


def page(corpus: object, n: int, *, published: date, read_count: int, related: tuple[int, ...]) -> bytes:
    """Story n as the real site would serve it: the fixture's markers, the corpus's text, real-size chrome.

    `corpus` is archive_bench.Corpus: its headline(i) and article(i) give the stories' text."""
    article = corpus.article(n)  # type: ignore[attr-defined]
    headline, url = corpus.headline(n)  # type: ignore[attr-defined]
    html = TEMPLATE.replace(TEMPLATE_URL, url).replace(TEMPLATE_HEADLINE, escape(headline, quote=False))
    html = html.replace("2026-02-04T00:41:00+01:00", f"{published.isoformat()}T09:00:00+01:00")
    html = html.replace("4 February 2026", f"{published.day} {published.strftime('%B %Y')}")
    html = html.replace('post-views-count">86<', f'post-views-count">{read_count:,}<')
    for old, target in zip(TEMPLATE_RELATED, related, strict=False):
        html = html.replace(old, corpus.headline(target)[1])  # type: ignore[attr-defined]
    body = "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in article.body.split("\n\n"))
    html = re.sub(
        r"(</div>)<p>Three Libyan soldiers.*?all converge\.</p>", lambda m: m.group(1) + body, html, count=1, flags=re.S
    )
    html = html.replace("</head>", HEAD + "\n</head>", 1)
    html = html.replace('<ul id="primary-menu" class="menu">', '<ul id="primary-menu" class="menu">' + MENU, 1)
    recent = "".join(
        f'<li><a href="{corpus.headline(m)[1]}">{escape(corpus.headline(m)[0])}</a>'  # type: ignore[attr-defined]
        f'<span class="post-date">{(published - timedelta(days=n - m)).isoformat()}</span></li>'
        for m in range(n - 1, n - 11, -1)
    )
    sidebar = (
        '<section id="recent-posts-2" class="widget widget_recent_entries"><h3 class="widget-title">Recent Posts</h3>'
        f"<ul>{recent}</ul></section>"
    )
    more = "".join(
        f'<div class="more-item"><div class="more-thumb"><a href="{corpus.headline(m)[1]}"><img width="300" '  # type: ignore[attr-defined]
        f'height="169" src="https://north-africa.com/wp-content/uploads/{published.year}/story-{m}-300x169.jpg" '
        f'alt="" loading="lazy"></a></div><div class="more-body"><span class="more-cat">{CATEGORIES[m % 25]}</span>'
        f'<h4 class="more-title"><a href="{corpus.headline(m)[1]}">{escape(corpus.headline(m)[0])}</a></h4>'  # type: ignore[attr-defined]
        f'<span class="more-date">{(published - timedelta(days=n - m)).isoformat()}</span></div></div>'
        for m in range(n - 11, n - 23, -1)
    )
    html = html.replace(
        '<footer id="colophon" class="site-footer">',
        f'<section class="more-stories"><h3>More stories</h3><div class="more-grid">{more}</div></section>'
        '<footer id="colophon" class="site-footer">',
        1,
    )
    html = html.replace("</aside><!-- #secondary -->", sidebar + SIDEBAR_FIXED + "</aside><!-- #secondary -->", 1)
    html = html.replace("</body>", FOOT + "\n</body>", 1)
    return html.encode("utf-8")


def expected(corpus: object, n: int) -> tuple[str, str]:
    """The headline and body a correct parse of page n gives."""
    article = corpus.article(n)  # type: ignore[attr-defined]
    return corpus.headline(n)[0], article.body  # type: ignore[attr-defined]
