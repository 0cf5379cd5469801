"""Parsing rules beyond the golden pages: encodings, site recognition, titles, dates, bodies."""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, LIBYA_URL, Nai, expected
from nai.errors import ParseError
from nai.parse import parse_article
from nai.sites.northafrica import clean_headline

CLASSIC = FIXTURES / "naj-libya-classic.html"
SAVED = FIXTURES / "naj-saved-copy-cp1252.html"


def page(body: str, head: str = "", body_class: str = "single single-post") -> str:
    return (
        "<!DOCTYPE html><html><head><meta property='og:site_name' content='The North Africa Journal'>"
        f"{head}</head><body class='{body_class}'>{body}"
        "<div class='author-box'><h4>Written by <a>The North Africa Journal</a></h4></div></body></html>"
    )


STORY = (
    "<h1 class='entry-title'>Algeria’s “New” Gas Deal – Explained<span class='badge'>F</span></h1>"
    "<div>Posted On 4 February 2026</div>"
    "<div class='entry-content'><p>Sonatrach’s deal — the “largest” in years — was signed in Algiers.</p>"
    "<p>Second paragraph about Hassi R’Mel.</p></div>"
)


# ---- encodings ---------------------------------------------------------------------------


def test_windows_1252_page_declared() -> None:
    record = parse_article(SAVED.read_bytes()).to_record()
    assert record == expected(SAVED)
    assert "’" in record["body"] and "â€" not in record["body"]


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda s: codecs.BOM_UTF8 + s.encode("utf-8"), id="utf-8 BOM"),
        pytest.param(lambda s: s.encode("utf-16"), id="utf-16 BOM"),
        pytest.param(lambda s: codecs.BOM_UTF16_BE + s.encode("utf-16-be"), id="utf-16 BE BOM"),
        pytest.param(lambda s: codecs.BOM_UTF32_LE + s.encode("utf-32-le"), id="utf-32 LE BOM"),
        pytest.param(lambda s: codecs.BOM_UTF32_BE + s.encode("utf-32-be"), id="utf-32 BE BOM"),
        pytest.param(
            lambda s: s.replace("<head>", "<head><meta charset='windows-1252'>").encode("utf-8"),
            id="utf-8 declared cp1252",
        ),
        pytest.param(lambda s: s.encode("utf-8"), id="utf-8 undeclared"),
        pytest.param(lambda s: s.encode("cp1252"), id="cp1252 undeclared"),
        pytest.param(
            lambda s: s.replace("<head>", "<head><meta charset='utf-8'>").encode("cp1252"),
            id="cp1252 declared utf-8",
        ),
        pytest.param(
            lambda s: s.replace("<head>", "<head><meta charset='iso-8859-1'>").encode("cp1252"),
            id="cp1252 declared latin-1",
        ),
    ],
)
def test_encodings_give_correct_quotes_and_dashes(encode: object) -> None:
    data = encode(page(STORY))  # type: ignore[operator]
    article = parse_article(data)
    assert article.headline == "Algeria’s “New” Gas Deal – Explained"
    assert article.paragraphs[0] == "Sonatrach’s deal — the “largest” in years — was signed in Algiers."


# ---- recognising the site ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        None,  # a saved copy
        "http://127.0.0.1:8765/story.html",  # a test server
        "https://naj-mirror.example.org/story/",  # a mirror
        "https://web.archive.org/web/20260205000000/https://north-africa.com/story/",  # a capture
    ],
)
def test_site_rules_apply_by_the_pages_own_markers(url: str | None) -> None:
    data = CLASSIC.read_bytes()
    data = data.replace(b'rel="canonical"', b'rel="x"').replace(b'property="og:url"', b'property="x"')
    article = parse_article(data, url=url)
    assert article.rules == "north-africa.com"
    assert article.read_count == 86
    assert len(article.related) == 2


def test_archive_org_capture_url_is_unwrapped() -> None:
    capture = "https://web.archive.org/web/20260205000000/" + LIBYA_URL
    data = CLASSIC.read_bytes().replace(LIBYA_URL.encode(), capture.encode())
    article = parse_article(data)
    assert article.url == LIBYA_URL
    assert article.site == "north-africa.com"


def test_other_site_gets_generic_extraction_and_null_site_fields() -> None:
    generic = FIXTURES / "other-site-generic.html"
    article = parse_article(generic.read_bytes())
    assert article.rules == "generic"
    assert article.to_record() == expected(generic)


# ---- titles --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "known", "clean"),
    [
        ("Cyclone Harry - The North Africa Journal", None, "Cyclone Harry"),
        ("Cyclone Harry | The North Africa Journal", None, "Cyclone Harry"),
        ("  Tunisia’s   UGTT\n Strikes ", None, "Tunisia’s UGTT Strikes"),
        # the metadata's title shows a glued badge glyph for what it is
        (
            "Southern Libya Boils Over Near NigerF",
            "Southern Libya Boils Over Near Niger",
            "Southern Libya Boils Over Near Niger",
        ),
        ("Egypt Signs With the IMFF", "Egypt Signs With the IMF", "Egypt Signs With the IMF"),
        # without evidence no letter goes: a title may end in F (titles.py reads the URL for more)
        ("Egypt Signs With the IMF", None, "Egypt Signs With the IMF"),
        ("Algeria Drawn in Group F", None, "Algeria Drawn in Group F"),
        ("Algeria Drawn in Group F", "Algeria Drawn in Group F", "Algeria Drawn in Group F"),
        ("Southern Libya Boils Over Near NigerF", None, "Southern Libya Boils Over Near NigerF"),
    ],
)
def test_clean_headline(text: str, known: str | None, clean: str) -> None:
    assert clean_headline(text, known=known) == clean


# ---- dates ---------------------------------------------------------------------------------


def test_structured_date_keeps_the_sites_offset() -> None:
    head = "<meta property='article:published_time' content='2026-02-04T00:41:00+01:00'>"
    assert parse_article(page(STORY, head)).published == "2026-02-04T00:41:00+01:00"


def test_utc_time_of_another_day_yields_to_the_printed_date() -> None:
    story = STORY.replace(
        "<div>Posted On 4 February 2026</div>",
        "<div>Posted On <time datetime='2026-02-03T23:41:00Z'>4 February 2026</time></div>",
    )
    assert parse_article(page(story)).published == "2026-02-04"


def test_dates_of_related_stories_and_urls_are_never_the_articles() -> None:
    story = STORY.replace("<div>Posted On 4 February 2026</div>", "")
    related = (
        "<section><h3>Most Recent Stories from the Region</h3>"
        "<div><a href='https://north-africa.com/2025/01/02/x/'>Other story</a>"
        "<time datetime='2025-01-02T10:00:00+01:00'>2 January 2025</time>"
        "<p>Posted On 2 January 2025</p></div></section>"
    )
    head = "<link rel='canonical' href='https://north-africa.com/2024/05/06/story/'>"
    assert parse_article(page(story + related, head)).published is None


# ---- bodies --------------------------------------------------------------------------------


def test_body_drops_promos_embeds_captions_and_keeps_quotes_and_lists() -> None:
    content = (
        "<div class='entry-content'>"
        "<p>First paragraph.</p>"
        "<p><strong>Read also:</strong> <a href='/x/'>Another story</a></p>"
        "<figure class='wp-caption'><img src='a.jpg'><figcaption>A caption</figcaption></figure>"
        "<blockquote><p>A real quote from a minister,</p><p>in two paragraphs.</p></blockquote>"
        "<aside class='pullquote'>First paragraph.</aside>"
        "<ul><li>One item</li><li>Two item</li></ul>"
        "<blockquote class='twitter-tweet'><p>A tweet</p></blockquote>"
        "<div class='ad-slot'>Advertisement</div>"
        "<div class='sharedaddy'><h3>Share this:</h3><a>Facebook</a></div>"
        "<p>Join <a href='https://chat.whatsapp.com/x'>The North Africa Journal's WhatsApp Group</a></p>"
        "<p>.</p>"
        "</div>"
    )
    article = parse_article(page("<h1>A Story</h1>" + content))
    assert article.paragraphs == [
        "First paragraph.",
        "A real quote from a minister, in two paragraphs.",
        "One item",
        "Two item",
    ]


def test_pull_quote_without_a_class_is_dropped_when_it_repeats_the_text() -> None:
    content = (
        "<div class='entry-content'><p>The minister said the deal was “a turning point for Algeria”.</p>"
        "<blockquote>a turning point for Algeria</blockquote><p>More text.</p></div>"
    )
    assert parse_article(page("<h1>A Story</h1>" + content)).paragraphs == [
        "The minister said the deal was “a turning point for Algeria”.",
        "More text.",
    ]


def test_br_separated_text_without_paragraph_tags() -> None:
    content = "<div class='entry-content'>Line one of the story.<br><br>Line two of the story.</div>"
    assert parse_article(page("<h1>A Story</h1>" + content)).paragraphs == [
        "Line one of the story.",
        "Line two of the story.",
    ]


# ---- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty page"),
        (b"%PDF-1.4 ...", "PDF"),
        (b"<html><body><p>half a pa", "truncated"),
        (b"<html><body class='home blog'><h1>x</h1><p>text</p></body></html>", "listing"),
        (b"<html><body><div>nothing here</div></body></html>", "no headline"),
    ],
)
def test_refusals_are_parse_errors_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_article(data)


def test_utf8_page_with_a_stray_byte_stays_utf8_and_the_byte_is_windows_1252() -> None:
    arabic = FIXTURES / "naj-quote-list-arabic.html"
    data = arabic.read_bytes().replace(b"general strike", b"general caf\xe9 strike")
    assert b"caf\xe9" in data
    article = parse_article(data)
    assert "الاتحاد العام التونسي للشغل" in article.body
    assert "general café strike" in article.body  # not "caf\ufffd": E9 is é in windows-1252


# ---- markup the site may change to ------------------------------------------------------------

BUILDER = FIXTURES / "naj-libya-builder.html"
HOME = FIXTURES / "not-articles" / "not-article-home.html"
GENERIC = FIXTURES / "other-site-generic.html"


def test_labels_split_across_elements() -> None:
    story = STORY.replace(
        "<div>Posted On 4 February 2026</div>",
        "<div><span>Posted</span> <span>On</span> 4 February 2026</div>"
        "<div><span>Number of times</span> <span>this article was read</span>: <strong>1,086</strong></div>",
    )
    article = parse_article(page(story))
    assert article.published == "2026-02-04"
    assert article.read_count == 1086


def test_author_blurb_in_a_div_with_a_link() -> None:
    data = BUILDER.read_bytes().replace(
        b"www.MEA-Risk.com.", b'<a href="http://www.MEA-Risk.com">www.MEA-Risk.com</a>.'
    )
    assert data != BUILDER.read_bytes()
    assert parse_article(data).author == parse_article(BUILDER.read_bytes()).author


def test_related_excerpt_with_a_read_more_link_and_url_variants() -> None:
    related = (
        "<section><h3>Most Recent Stories from the Region</h3>"
        "<div><a href='https://north-africa.com/a/'><img alt=''></a>"
        "<h4><a href='https://www.north-africa.com/a?utm_source=x'>Story A</a></h4>"
        "<p>The excerpt of story A, long enough to be a summary. "
        "<a class='more-link' href='/a/'>Read more »</a></p>"
        "</div></section>"
    )
    [story] = parse_article(page(STORY + related)).related
    assert story.headline == "Story A"
    assert story.summary == "The excerpt of story A, long enough to be a summary."


def test_a_modified_time_is_not_the_publication_date() -> None:
    story = STORY.replace(
        "<div>Posted On 4 February 2026</div>",
        "<div>Posted On <time class='entry-date published'>4 February 2026</time>"
        "<time class='updated' datetime='2026-02-09T09:12:37+01:00'>9 February 2026</time></div>",
    )
    assert parse_article(page(story)).published == "2026-02-04"


def test_a_listing_without_body_classes_is_refused() -> None:
    data = HOME.read_bytes()
    data = data.replace(b'class="home blog', b'class="x').replace(b"<article", b"<div").replace(b"</article", b"</div")
    with pytest.raises(ParseError, match="not an article page"):
        parse_article(data)


def test_promos_ads_credits_and_embeds_by_their_class_words() -> None:
    content = (
        "<div class='entry-content'><p>First paragraph of the story.</p>"
        "<p><strong>READ ALSO</strong> <a href='/x/'>Algeria’s gas deal</a></p>"
        "<div class='read-also'><a href='/y/'>Another</a></div>"
        "<div class='naj-ads-in-content'>Sponsored by a bank</div>"
        "<div class='jetpack_subscription_widget'><p>Subscribe to our newsletter to get the news</p></div>"
        "<figure><img src='x.jpg'><span>Photo: AFP</span></figure>"
        "<figure class='wp-block-embed-twitter'><p>A tweet quoted</p></figure>"
        "<p>Follow The North Africa Journal on WhatsApp: join our channel for breaking news from the "
        "Maghreb, the Sahel and Egypt, with analysis from our editors every day of the week, and alerts "
        "on the "
        "stories that matter to you.</p>"
        "<p>The minister called it “a turning point”.</p><blockquote>“A Turning Point”</blockquote>"
        "<p>Line one.<br><br>Line two.</p></div>"
    )
    assert parse_article(page("<h1>A Story</h1>" + content)).paragraphs == [
        "First paragraph of the story.",
        "The minister called it “a turning point”.",
        "Line one.",
        "Line two.",
    ]


def test_another_site_naming_the_journal_in_its_title_gets_generic_rules() -> None:
    data = GENERIC.read_bytes().replace(b"<title>", b"<title>As The North Africa Journal reported: ")
    assert parse_article(data).rules == "generic"


def test_a_glued_badge_is_stripped_from_related_acronyms_too() -> None:
    amp = FIXTURES / "naj-libya-amp.html"
    data = amp.read_bytes().replace(b"Lost at SeaF", b"Talks With the IMFF")
    assert b"Talks With the IMFF" in data
    assert parse_article(data).related[1].headline.endswith("Talks With the IMF")


def test_many_quotations_are_handled() -> None:
    quotes = "".join(f"<p>Paragraph {i} of the story.</p><blockquote>Quote {i}</blockquote>" for i in range(3000))
    article = parse_article(page(f"<h1>A Story</h1><div class='entry-content'>{quotes}</div>"))
    assert len(article.paragraphs) == 6000


def _content_pages() -> list[tuple[str, bytes]]:
    from datetime import date

    from mocksite import article_page

    pages = [(p.name, p.read_bytes()) for p in sorted(FIXTURES.glob("*.html"))]
    story = article_page("https://north-africa.com", 3, published=date(2020, 1, 3), read_count=3)
    short = re.sub(rb"(<p>Three Libyan.*?</p>).*?(<div class=\"code-block)", rb"\1\2", story, flags=re.S)
    pages += [("mock story", story), ("short story", short)]
    inside_li = story.replace(b'<div class="entry-content">', b'<ul><li><div class="entry-content">', 1)
    inside_li = inside_li.replace(b"</div><!-- .entry-content -->", b"</div></li></ul><!-- .entry-content -->", 1)
    words = "Haftar's forces moved south toward the border with Niger and Chad. "
    decoy = page(  # a builder theme: the content class holds an intro, the text sits beside it
        "<div class='entry-content'><p>A short intro.</p></div>"
        f"<div class='text'>{('<p>' + words * 8 + '</p>') * 6}</div>"
    )
    in_item = page(  # the list around the content counts the item's loose text too, and wins
        f"<ul><li><div class='entry-content'><p>{words * 15}</p></div>{words * 52}</li></ul>"
    )
    tie = page(  # two content classes, one inside the other, scoring the same: the longer way decides
        f"<div class='entry-content'><div class='post-content'><p>{'c' * 100}</p><p>{'d' * 100}</p></div>"
        f"<p>{'a' * 100}</p><p>{'b' * 100}</p></div>"
    )
    in_cell = page(  # a table layout: the content class on a cell still counts four times
        f"<table><tr><td class='entry-content'>{('<p>' + words + '</p>') * 3}</td></tr></table>"
        f"<div class='reader-notes'>{('<p>' + words + '</p>') * 4}</div>"
    )
    wrapped = page(  # tagDiv's Newspaper: the content class on a wrapper of the paragraphs' own div
        f"<div class='td-post-content'><div class='inner'>{('<p>' + words * 3 + '</p>') * 6}</div></div>"
        f"<aside><ul>{('<li>' + words + '</li>') * 4}</ul></aside>"
    )
    wrapped_beside_more = page(  # the same, beside a longer block of paragraphs: every element is scored
        f"<div class='td-post-content'><div class='inner'>{('<p>' + words + '</p>') * 2}</div></div>"
        f"<div class='notes'>{('<p>' + words + '</p>') * 5}</div>"
    )
    wrapped_beside_content = page(  # a content class inside the wrapper's container counts four times
        f"<div class='td-post-content'><div class='inner'>{('<p>' + words + '</p>') * 5}</div>"
        f"<div class='post-content'><p>{words * 2}</p></div></div>"
    )
    wrapped_in_chrome = page(  # the best element inside the content class sits in a widget: not it
        f"<div class='td-post-content'><div class='widget'>{('<p>' + words + '</p>') * 5}</div>"
        f"<div>{('<p>' + words + '</p>') * 2}</div></div>"
    )
    return [
        *pages,
        ("wrapped", wrapped.encode()),
        ("wrapped beside more", wrapped_beside_more.encode()),
        ("wrapped beside content", wrapped_beside_content.encode()),
        ("wrapped in chrome", wrapped_in_chrome.encode()),
        ("content inside a list item", inside_li),
        ("decoy", decoy.encode()),
        ("in item", in_item.encode()),
        ("tie", tie.encode()),
        ("in a table cell", in_cell.encode()),
    ]


@pytest.mark.parametrize(("name", "data"), _content_pages(), ids=[n for n, _ in _content_pages()])
def test_finding_the_content_at_once_agrees_with_scoring_every_element(name: str, data: bytes) -> None:
    from nai.page import load_page
    from nai.sites import content, northafrica

    page = load_page(data)
    label, blocks = northafrica.find_related_block(page)
    regions = (label, *blocks, northafrica.find_author_box(page))
    assert content.find_content(page, regions) is content.best_scored(page, regions)


# ---- what the fast paths must not change (found in review) -----------------------------------


def test_a_cp1252_page_libxml2_stops_reporting_errors_on_is_still_decoded_as_cp1252() -> None:
    page = FIXTURES / "naj-saved-copy-cp1252.html"
    data = page.read_bytes().replace(b"<head>", b"<head>" + b"</x>" * 150, 1)  # past libxml2's 100 errors
    assert {k: v for k, v in parse_article(data).to_record().items() if k != "url"} == {
        k: v for k, v in expected(page).items() if k != "url"
    }


def test_a_generic_page_in_cp1252_with_many_errors_parses() -> None:
    data = (FIXTURES / "other-site-generic.html").read_text(encoding="utf-8")
    data = data.replace("<head>", "<head>" + "</x>" * 150, 1)  # past libxml2's 100 errors, before any é
    article = parse_article(data.encode("cp1252"))
    assert article.rules == "generic" and "Kéniéba" in article.body and "’" in article.body
    assert "\ufffd" not in article.body


@pytest.mark.parametrize(
    "declaration",
    [b'<?xml version="1.0" encoding="windows-1252"?>\n', b'<?xml version="1.0" encoding="iso-8859-1"?>\n'],
    ids=["xml windows-1252", "xml latin-1"],
)
def test_a_decoded_page_goes_to_libxml2_as_utf8_whatever_it_declares(declaration: bytes) -> None:
    """A page that is not UTF-8 is decoded, then parsed as UTF-8 bytes: what it declares (an XML
    declaration, a meta charset) must not make libxml2 read those bytes as another encoding."""
    page = FIXTURES / "naj-saved-copy-cp1252.html"
    record = parse_article(declaration + page.read_bytes()).to_record()
    assert {k: v for k, v in record.items() if k != "url"} == {k: v for k, v in expected(page).items() if k != "url"}


def test_a_label_with_a_script_inside_is_still_one_label() -> None:
    data = CLASSIC.read_bytes().replace(
        b"Most Recent Stories from the Region", b"Most Recent Stories<script>var x = 1;</script> from the Region"
    )
    assert parse_article(data).to_record()["related"] == expected(CLASSIC)["related"]


def test_a_page_ending_in_a_long_comment_of_wide_characters_is_not_truncated() -> None:
    data = CLASSIC.read_bytes() + ("<!-- " + "ع" * 4500 + " -->").encode()
    assert parse_article(data).to_record() == expected(CLASSIC)


def test_an_articles_equality_is_its_record() -> None:
    """Two parses of one story are equal whatever rules, notes or capture time came with them (not
    part of the record), and differ when a field of the record does; `_replace` derives another."""
    import operator

    from nai.model import Article, Author, Related

    article = Article(
        "Headline", "Body.", "https://x/", "x", "2026-02-04", "Libya", 86, Author("A", None), (Related("R", "u"),)
    )
    same = article._replace(rules="generic", notes=("a malformed link",), captured_at="2026-02-05T00:00:00+00:00")
    assert article == same and operator.ne(article, same) is False and hash(article) == hash(same)
    for field in ("headline", "body", "url", "site", "published", "section", "read_count", "author", "related"):
        assert article != article._replace(**{field: None}), field
    assert article.to_record() == same.to_record()


# ---- the related block: edited copies of the classic page, through the CLI -------------------------

RELATED_START = b'<section id="naj_related_stories-2" class="widget related-stories">'
RELATED_TITLE = b'<h3 class="widget-title">Most Recent Stories from the Region</h3>'


def related_block_emptied(data: bytes) -> bytes:
    """The classic page whose related block holds its title and nothing else."""
    start = data.index(RELATED_START)
    end = data.index(b"</section>", start)
    return data[:start] + RELATED_START + RELATED_TITLE + data[end:]


@pytest.mark.parametrize(
    "edit",
    [
        related_block_emptied,
        # the title in a title bar of its own, the block empty
        lambda d: related_block_emptied(d).replace(RELATED_TITLE, b"<div class='rs-head'>" + RELATED_TITLE + b"</div>"),
        # the title over a line that describes the block, the block empty
        lambda d: related_block_emptied(d).replace(
            RELATED_TITLE,
            b"<div class='rs-head'>" + RELATED_TITLE + b"<p>The stories our editors picked from the region this "
            b"week, newest first, for readers who follow the Maghreb and the Sahel closely.</p></div>",
        ),
        # every story's link leads to its comments
        lambda d: re.sub(rb'(href="https://north-africa\.com/[a-z0-9-]+/)"', rb'\1#comments"', d),
    ],
    ids=["emptied", "emptied-title-bar", "emptied-described", "fragments"],
)
def test_a_related_block_without_plain_story_links_keeps_the_article(tmp_path: Path, edit: Any) -> None:
    """An empty related block, or one whose links all carry a fragment, is not looked for in the
    sidebar: the climb from its title stops at the title's own wrappers, and the article is stored
    with its whole body (a climb past them once took the article column for the block)."""
    data = CLASSIC.read_bytes()
    edited = edit(data)
    assert edited != data
    page_file = tmp_path / "libya.html"
    page_file.write_bytes(edited)
    nai = Nai(tmp_path / "archive.db")
    assert nai("ingest", str(page_file)).exit_code == 0
    record = json.loads(nai("show", "1", "--format", "json").stdout)
    want = expected(CLASSIC)
    assert record["body"] == want["body"] and record["headline"] == want["headline"]
    fragments = b"#comments" in edited
    assert [r["url"] for r in record["related"]] == ([r["url"] for r in want["related"]] if fragments else [])
    assert [r["headline"] for r in record["related"]] == ([r["headline"] for r in want["related"]] if fragments else [])


def test_a_related_block_whose_title_has_a_description_keeps_its_stories(tmp_path: Path) -> None:
    described = (
        b"<div class='rs-head'>" + RELATED_TITLE + b"<p>The stories our editors picked from the region this week, "
        b"newest first, for readers who follow the Maghreb and the Sahel closely.</p></div>"
    )
    data = CLASSIC.read_bytes().replace(RELATED_TITLE, described)
    assert described in data
    assert [r.url for r in parse_article(data).related] == [r["url"] for r in expected(CLASSIC)["related"]]


def test_a_comments_link_beside_a_related_story_is_not_its_headline() -> None:
    related = (
        "<section><h3>Most Recent Stories from the Region</h3>"
        "<div><a href='https://north-africa.com/a/#comments'>3 Comments</a>"
        "<h4><a href='https://north-africa.com/a/'>Story A</a></h4>"
        "<a href='https://north-africa.com/b/#respond'>Leave a comment</a>"
        "<h4><a href='https://north-africa.com/b/#top'>Story B</a></h4></div></section>"
    )
    stories = parse_article(page(STORY + related)).related
    assert [(s.headline, s.url) for s in stories] == [
        ("Story A", "https://north-africa.com/a/"),
        ("Story B", "https://north-africa.com/b/"),
    ]


@pytest.mark.parametrize(
    ("href", "head", "resolved"),
    [
        ("/a/", "", "https://north-africa.com/a/"),  # against rel=canonical: a saved copy has no other URL
        ("//north-africa.com/a/", "", "https://north-africa.com/a/"),
        ("a/", "", "https://north-africa.com/the-story/a/"),
        ("a/", "<base href='https://north-africa.com/base/'>", "https://north-africa.com/base/a/"),
        ("a/", "<base href='/elsewhere/'>", "https://north-africa.com/elsewhere/a/"),
    ],
)
def test_relative_related_links_resolve_as_on_the_site(href: str, head: str, resolved: str) -> None:
    related = f"<section><h3>Most Recent Stories from the Region</h3><h4><a href='{href}'>Story A</a></h4></section>"
    canonical = "<link rel='canonical' href='https://north-africa.com/the-story/'>"
    [story] = parse_article(page(STORY + related, head=canonical + head)).related
    assert story.url == resolved
