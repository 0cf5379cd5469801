"""nai scrape against a real HTTP server on 127.0.0.1 (tests/mocksite.py); never the internet.

Assertions read the server's own request log: what was fetched, how often, in what order,
with which conditional headers.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import time
from datetime import date
from pathlib import Path

import pytest

from conftest import Nai, scrape, sql
from mocksite import MockSite, Route, SiteSpec, article_page, build_site
from nai.lock import exclusive


def paths(site: MockSite) -> list[str]:
    return [r.path for r in site.requests()]


def story_fetches(site: MockSite) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in site.article_requests():
        counts[r.path] = counts.get(r.path, 0) + 1
    return counts


def test_first_run_discovers_and_fetches_every_story_once(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=12, related_only=(4,)))
    code, stderr = scrape(nai, site)
    assert code == 0
    assert stderr == ""  # silent on success when stderr is not a terminal
    order = paths(site)
    assert order[:2] == ["/robots.txt", "/wp-sitemap.xml"]  # robots.txt first, then its Sitemap: line
    assert "/wp-sitemap-taxonomies-category-1.xml" not in order  # not articles
    assert "/story-private/" not in order  # robots.txt Disallow
    assert story_fetches(site) == {f"/story-{n}/": 1 for n in range(1, 13)}  # story 4: via related only
    assert sql(nai.db, "SELECT count(*) FROM articles") == [(12,)]
    [run] = nai.json("stats", "--format", "json")["last_runs"]
    assert (run["new"], run["failed"], run["requests"]) == (12, 0, len(order))
    # newest first: the sitemaps' <lastmod> orders the backfill
    stories = [p for p in order if p.startswith("/story-")]
    assert stories[:3] == ["/story-12/", "/story-11/", "/story-10/"]


def test_second_run_is_conditional_and_fetches_no_article(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=12))
    scrape(nai, site)
    site.clear_log()
    code, stderr = scrape(nai, site, "-v")
    assert code == 0
    assert site.article_requests() == []
    assert all(r.status == 304 and "If-None-Match" in r.headers for r in site.requests()), paths(site)
    assert stderr.startswith("scrape: 0 new, 0 updated, 0 unchanged, 0 refreshed, 0 removed, 0 failed;")


def test_a_newer_lastmod_is_fetched_again_and_nothing_else(nai: Nai, site: MockSite) -> None:
    published = build_site(site, SiteSpec(n=12, recent=0))
    scrape(nai, site)
    site.clear_log()
    # story 7 is edited: new text, a newer <lastmod> in its sitemap
    page = site.routes["/story-7/"]
    page.body = page.body.replace(b"three Libyan soldiers", b"four Libyan soldiers")
    sitemap = site.routes["/wp-sitemap-posts-post-2.xml"]
    old = f"<loc>{site.url}/story-7/</loc><lastmod>{published[7].isoformat()}T10:00:00+00:00</lastmod>"
    assert old.encode() in sitemap.body
    sitemap.body = sitemap.body.replace(old.encode(), old.replace("T10:00", "T23:00").encode())
    index = site.routes["/wp-sitemap.xml"]  # the index gives the child sitemap a newer <lastmod> too
    index.body = re.sub(
        rb"(wp-sitemap-posts-post-2.xml</loc><lastmod>)[^<]+", rb"\g<1>2099-01-01T00:00:00+00:00", index.body
    )
    code, stderr = scrape(nai, site, "-v")
    assert code == 0
    assert story_fetches(site) == {"/story-7/": 1}
    [request] = site.article_requests()
    assert "If-None-Match" in request.headers  # a re-visit is conditional too
    assert "1 updated" in stderr
    assert sql(nai.db, "SELECT count(*) FROM versions v JOIN articles a ON a.id = v.article_id "
                       "WHERE a.url LIKE '%/story-7/'") == [(1,)]  # the earlier state  # fmt: skip


def test_recent_articles_are_refreshed_for_their_read_counts(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=12, recent=3))
    scrape(nai, site)
    site.clear_log()
    # a night later: the three recent stories are due again; one of them was read more
    sql(nai.db, "UPDATE urls SET last_fetched = '2000-01-01T00:00:00+00:00' WHERE kind = 'article'")
    page = site.routes["/story-12/"]
    page.body = page.body.replace(b'post-views-count">120<', b'post-views-count">1,500<')
    code, stderr = scrape(nai, site, "-v", "--refresh-days", "14")
    assert code == 0
    assert story_fetches(site) == {"/story-12/": 1, "/story-11/": 1, "/story-10/": 1}  # the old ones are not
    assert all("If-None-Match" in r.headers for r in site.article_requests())
    assert "3 refreshed" in stderr
    series = sql(
        nai.db,
        "SELECT r.read_count FROM read_counts r JOIN articles a ON a.id = r.article_id "
        "WHERE a.url LIKE '%/story-12/' ORDER BY observed_at",
    )
    assert series == [(120,), (1500,)]


def test_faults_retry_give_up_and_go_on(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=6, recent=0))
    site.routes["/story-2/"].faults = [(500, {})]  # 500 then 200
    # then 200, two seconds later: the first backoff is 1 s, so a Retry-After that were ignored shows
    site.routes["/story-3/"].faults = [(429, {"Retry-After": "2"})]
    site.routes["/story-4/"].delay = 3.0  # past the timeout, twice
    del site.routes["/story-5/"]  # listed, but 404
    code, stderr = scrape(nai, site, "--timeout", "0.5")
    assert code == 1  # one URL failed for good
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"nai: {site.url}/story-4/:") and "timed out" in lines[0]
    fetches = story_fetches(site)
    assert fetches["/story-2/"] == 2 and fetches["/story-3/"] == 2 and fetches["/story-4/"] == 2
    first, second = site.requests("/story-3/")
    assert second.at - first.at >= 1.95  # Retry-After honoured, not the 1 s backoff
    assert sql(nai.db, "SELECT count(*) FROM articles") == [(4,)]  # 1, 2, 3, 6
    assert sql(nai.db, "SELECT kind, status FROM urls WHERE url LIKE '%/story-5/'") == [("gone", 404)]
    [(error,)] = sql(nai.db, "SELECT error FROM urls WHERE url LIKE '%/story-4/'")
    assert "timed out" in str(error)
    [run] = nai.json("stats", "--format", "json")["last_runs"]
    assert run["failed"] == 1 and "story-4" in json.loads(run["errors"])[0]
    # the next run tries the failed URL again, and only it
    site.routes["/story-4/"].delay = 0
    site.clear_log()
    assert scrape(nai, site)[0] == 0
    assert story_fetches(site) == {"/story-4/": 1}


def test_redirect_to_the_canonical_url_is_one_article(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=3, recent=0))
    site.routes["/old-story-2/"] = Route(b"", status=301, headers={"Location": f"{site.url}/story-2/"})
    site.routes["/wp-sitemap-posts-post-1.xml"].body = site.routes["/wp-sitemap-posts-post-1.xml"].body.replace(
        b"/story-2/", b"/old-story-2/"
    )
    assert scrape(nai, site)[0] == 0
    assert sql(nai.db, "SELECT url FROM articles ORDER BY url") == [(f"{site.url}/story-{n}/",) for n in (1, 2, 3)]
    keys = {k for (k,) in sql(nai.db, "SELECT key FROM urls WHERE article_id IS NOT NULL")}
    assert any("old-story-2" in k for k in keys) and any(k.endswith("/story-2") for k in keys)


def test_an_article_that_disappears_is_marked_removed_never_deleted(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=5, recent=2))
    scrape(nai, site)
    del site.routes["/story-5/"]
    site.routes["/story-4/"] = Route(b"gone", status=410)
    sql(nai.db, "UPDATE urls SET last_fetched = '2000-01-01T00:00:00+00:00' WHERE kind = 'article'")
    code, stderr = scrape(nai, site, "-v")
    assert code == 0
    assert "2 removed" in stderr
    rows = sql(nai.db, "SELECT url, removed_status FROM articles WHERE removed_at IS NOT NULL ORDER BY url")
    assert rows == [(f"{site.url}/story-4/", 410), (f"{site.url}/story-5/", 404)]
    assert sql(nai.db, "SELECT count(*) FROM articles") == [(5,)]
    assert "Removed" in nai("show", f"{site.url}/story-5/").stdout


def only_the_sitemap_index(site: MockSite, rules: str) -> None:
    """A robots.txt under which a scrape makes two requests (robots.txt, the sitemap index): the
    waits between requests are measured in a second or two. `rules` ends the last group."""
    build_site(site, SiteSpec(n=3, recent=0))
    site.routes["/robots.txt"] = Route(
        f"{rules}Allow: /wp-sitemap.xml\nDisallow: /\n\nSitemap: {site.url}/wp-sitemap.xml\n".encode(),
        content_type="text/plain",
    )


def gaps(site: MockSite) -> list[float]:
    return [b.at - a.at for a, b in itertools.pairwise(site.requests())]


def test_the_default_delay_is_one_second_when_robots_asks_for_less(nai: Nai, site: MockSite) -> None:
    only_the_sitemap_index(site, "User-agent: *\nCrawl-delay: 0.2\n")
    result = nai("scrape", "--site", site.url)  # no --delay: max(1 s, Crawl-delay)
    assert result.exit_code == 0, result.stderr
    assert paths(site) == ["/robots.txt", "/wp-sitemap.xml"]
    assert min(gaps(site)) >= 0.95  # not 0.2


def test_a_crawl_delay_longer_than_the_default_is_honoured(nai: Nai, site: MockSite) -> None:
    """Our user agent's group's Crawl-delay (1.5 s, a fraction, and longer than the default 1 s), not
    the "*" group's."""
    only_the_sitemap_index(site, "User-agent: *\nCrawl-delay: 0\n\nUser-agent: nai\nCrawl-delay: 1.5\n")
    result = nai("scrape", "--site", site.url)
    assert result.exit_code == 0, result.stderr
    assert paths(site) == ["/robots.txt", "/wp-sitemap.xml"]
    assert min(gaps(site)) >= 1.45  # not the default 1 s


def test_no_sitemap_falls_back_to_feed_pages_and_listings(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=12, sitemap=False, per_page=4, feed_pages=2, related=False))
    code, _ = scrape(nai, site)
    assert code == 0
    assert "/feed/?paged=2" in paths(site) and "/category/maghreb-edition/page/3/" in paths(site)
    assert "/feed/?paged=3" in paths(site)  # asked for, and a 404 ends the feed's pages
    assert sql(nai.db, "SELECT count(*) FROM articles") == [(12,)]
    site.clear_log()
    scrape(nai, site)
    assert site.article_requests() == []
    assert "/feed/?paged=2" not in paths(site)  # page one had nothing new: stop there


def test_gzipped_sitemaps(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=6, gzip_sitemap=True))
    assert scrape(nai, site)[0] == 0
    assert "/wp-sitemap-posts-post-1.xml.gz" in paths(site)
    assert sql(nai.db, "SELECT count(*) FROM articles") == [(6,)]


def test_max_pages_and_since_bound_the_backfill(nai: Nai, site: MockSite) -> None:
    # stories 10, 11 and 12 ran on 13, 14 and 15 March 2026, stories 1 to 9 in January 2025
    published = build_site(site, SiteSpec(n=12, recent=3, today=date(2026, 3, 15)))
    assert published[10] == date(2026, 3, 13) and published[9] < date(2026, 1, 1)
    assert scrape(nai, site, "--max-pages", "2")[0] == 0
    assert story_fetches(site) == {"/story-12/": 1, "/story-11/": 1}  # newest first
    site.clear_log()
    assert scrape(nai, site, "--since", "2026-03-13")[0] == 0
    assert story_fetches(site) == {"/story-10/": 1}  # none of the older stories
    stored = sorted(str(p)[:10] for (p,) in sql(nai.db, "SELECT published FROM articles"))
    assert stored == ["2026-03-13", "2026-03-14", "2026-03-15"]


def test_another_scrape_running_exits_75_at_once(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=2))
    with exclusive(nai.db):
        result = nai("scrape", "--site", site.url, "--delay", "0")
    assert result.exit_code == 75
    assert result.stderr == f"nai: another scrape is running on {nai.db}; skipped\n"
    assert site.requests() == []


def test_network_down_is_one_line_and_leaves_the_archive_alone(nai: Nai) -> None:
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = ("scrape", "--site", f"http://127.0.0.1:{port}", "--delay", "0", "--retries", "0")
    result = nai(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"nai: cannot reach http://127.0.0.1:{port}/:")
    assert result.stderr.count("\n") == 1
    assert not nai.db.exists()  # no empty archive left behind
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "naj-libya-classic.html"
    assert nai("ingest", str(fixture)).exit_code == 0
    before = (nai.jsonl("export"), sql(nai.db, "SELECT count(*) FROM runs"), sql(nai.db, "SELECT count(*) FROM urls"))
    assert nai(*args).exit_code == 1
    assert (
        nai.jsonl("export"),
        sql(nai.db, "SELECT count(*) FROM runs"),
        sql(nai.db, "SELECT count(*) FROM urls"),
    ) == before


def test_non_article_pages_met_on_the_way_are_skipped(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=3, recent=0))
    listing = Path(__file__).resolve().parent.parent / "fixtures" / "not-articles" / "not-article-home.html"
    site.routes["/story-2/"] = Route(listing.read_bytes())
    assert scrape(nai, site)[0] == 0
    assert sql(nai.db, "SELECT count(*) FROM articles") == [(2,)]
    assert sql(nai.db, "SELECT kind FROM urls WHERE url LIKE '%/story-2/'") == [("skipped",)]
    site.clear_log()
    scrape(nai, site)
    assert site.article_requests() == []  # not fetched again


def test_article_page_helper_makes_distinct_stories(site: MockSite) -> None:
    one = article_page("http://x", 1, published=date(2026, 1, 2), read_count=5)
    two = article_page("http://x", 2, published=date(2026, 1, 3), read_count=5)
    assert one != two and b"http://x/story-1/" in one and b"2 January 2026" in one


def test_stats_shows_the_last_runs(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=3))
    scrape(nai, site)
    scrape(nai, site)
    text = nai("stats").stdout
    section = text[text.index("last scrapes") :].splitlines()
    assert len(section) == 3
    assert "3 new" in section[2] and "nothing new" in section[1]  # newest first


def test_another_site_gets_generic_extraction(nai: Nai, site: MockSite) -> None:
    other = (Path(__file__).resolve().parent.parent / "fixtures" / "other-site-generic.html").read_bytes()
    other = other.replace(b"https://www.sahara-observer.example/2025/06/mali-gold-mine/", f"{site.url}/mali/".encode())
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow:\n", content_type="text/plain")
    site.routes["/feed/"] = Route(
        f"<rss><channel><item><link>{site.url}/mali/</link></item></channel></rss>".encode(),
        content_type="application/rss+xml",
    )
    site.routes["/mali/"] = Route(other)
    assert scrape(nai, site)[0] == 0
    [record] = nai.jsonl("export")
    assert record["url"] == f"{site.url}/mali/"
    assert record["headline"].startswith("Mali Grants New Gold Mining Permit")
    assert record["read_count"] is None and record["related"] == []


def test_the_lock_is_released_when_its_process_dies(nai: Nai, site: MockSite) -> None:
    import signal
    import subprocess
    import sys
    import time

    build_site(site, SiteSpec(n=1))
    holder = subprocess.Popen(
        [sys.executable, "-c", f"from nai.lock import exclusive\nfrom pathlib import Path\nimport time\n"
         f"with exclusive(Path({str(nai.db)!r})):\n    print('held', flush=True)\n    time.sleep(60)"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert scrape(nai, site)[0] == 75
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        time.sleep(0.1)
        assert scrape(nai, site)[0] == 0
    finally:
        holder.kill()


# ---- faults across runs, politeness, and what is not ours --------------------------------------


def test_a_failed_sitemap_is_read_again_although_its_index_answers_304(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=12, recent=0, feed_pages=1, related=False))
    site.routes["/wp-sitemap-posts-post-1.xml"].faults = [(500, {}), (500, {})]  # fails the whole first run
    code, _ = scrape(nai, site)
    assert code == 1
    assert sql(nai.db, "SELECT count(*) FROM articles") == [(7,)]  # stories 1-5 are only in that sitemap
    site.clear_log()
    assert scrape(nai, site)[0] == 0
    assert "/wp-sitemap-posts-post-1.xml" in paths(site)
    assert sql(nai.db, "SELECT count(*) FROM articles") == [(12,)]


def test_a_body_sent_a_byte_at_a_time_is_bounded_by_the_timeout(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=2, recent=0))
    site.routes["/story-2/"].dribble = 0.05  # 40 KB would take half an hour
    started = time.monotonic()
    code, stderr = scrape(nai, site, "--timeout", "1", "--retries", "0")
    assert time.monotonic() - started < 15
    assert code == 1 and "timed out after 1 s" in stderr


def test_a_url_that_failed_comes_back_with_a_newer_lastmod(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=3, recent=0))
    story = site.routes.pop("/story-2/")
    scrape(nai, site)
    assert sql(nai.db, "SELECT kind FROM urls WHERE url LIKE '%/story-2/'") == [("gone",)]
    site.routes["/story-2/"] = story
    sitemap = site.routes["/wp-sitemap-posts-post-1.xml"]
    sitemap.body = re.sub(rb"(story-2/</loc><lastmod>)[^<]+", rb"\g<1>2099-01-01T00:00:00+00:00", sitemap.body)
    site.routes["/wp-sitemap.xml"].body = re.sub(
        rb"(post-1.xml</loc><lastmod>)[^<]+", rb"\g<1>2099-01-01T00:00:00+00:00", site.routes["/wp-sitemap.xml"].body
    )
    site.clear_log()
    assert scrape(nai, site)[0] == 0
    assert story_fetches(site) == {"/story-2/": 1}
    assert sql(nai.db, "SELECT count(*) FROM articles") == [(3,)]


def test_redirects_to_another_site_are_not_followed(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=2, recent=0))
    with MockSite() as other:
        other.routes["/elsewhere/"] = Route(site.routes["/story-1/"].body)
        site.routes["/story-2/"] = Route(b"", status=301, headers={"Location": f"{other.url}/elsewhere/"})
        code, _ = scrape(nai, site)
        assert other.requests() == []
    assert code == 0
    assert sql(nai.db, "SELECT count(*) FROM articles") == [(1,)]
    [(kind, error)] = sql(nai.db, "SELECT kind, error FROM urls WHERE url LIKE '%/story-2/'")
    assert kind == "skipped" and "another site" in str(error)


def test_a_redirected_article_is_refreshed_once_a_night(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=3, recent=3))
    site.routes["/old-story-3/"] = Route(b"", status=301, headers={"Location": f"{site.url}/story-3/"})
    sitemap = site.routes["/wp-sitemap-posts-post-1.xml"]
    sitemap.body = sitemap.body.replace(b"/story-3/", b"/old-story-3/")
    scrape(nai, site)
    assert story_fetches(site)["/story-3/"] == 1  # also in story 4's related block? there is none; once
    sql(nai.db, "UPDATE urls SET last_fetched = '2000-01-01T00:00:00+00:00' WHERE kind = 'article'")
    site.clear_log()
    code, stderr = scrape(nai, site, "-v")
    assert code == 0 and "3 refreshed" in stderr
    assert story_fetches(site) == {"/story-1/": 1, "/story-2/": 1, "/story-3/": 1}
    assert "/old-story-3/" not in paths(site)


def test_a_site_without_404s_still_gets_its_listings_read(nai: Nai, site: MockSite) -> None:
    build_site(site, SiteSpec(n=8, sitemap=False, per_page=3, feed_pages=1, related=False))
    site.fallback = Route(b"<html><body><p>Anything you ask for</p></body></html>")
    site.routes["/"].body = site.routes["/"].body.replace(
        b"<nav>", b"<nav><a href='/about-us/'>About us</a><a href='/contact/'>Contact</a>"
    )
    assert scrape(nai, site)[0] == 0
    assert sql(nai.db, "SELECT count(*) FROM articles") == [(8,)]
    assert "/about-us/" not in paths(site) and "/contact/" not in paths(site)


def test_robots_rules_for_our_user_agent(nai: Nai, site: MockSite) -> None:
    """Our user agent's group's rules, not the "*" group's (its Crawl-delay: the test above)."""
    build_site(site, SiteSpec(n=3, recent=0))
    site.routes["/robots.txt"] = Route(
        f"User-agent: *\nDisallow: /story-1/\n\nUser-agent: nai\nDisallow: /story-2/\nDisallow: /story-private/\n"
        f"Sitemap: {site.url}/wp-sitemap.xml\n".encode(),
        content_type="text/plain",
    )
    code, _ = scrape(nai, site)
    assert code == 0
    assert story_fetches(site) == {"/story-1/": 1, "/story-3/": 1}


def test_static_pages_are_not_articles() -> None:
    from nai.errors import ParseError
    from nai.parse import parse_article

    page = (Path(__file__).resolve().parent.parent / "fixtures" / "naj-libya-classic.html").read_bytes()
    page = re.sub(rb'<body class="[^"]*"', b'<body class="page-template-default page page-id-2"', page)
    with pytest.raises(ParseError, match="static page"):
        parse_article(page)


def test_helpers_for_dates_in_headers_and_sitemaps() -> None:
    from nai.discover import crawl_delay, utc_lastmod
    from nai.fetch import retry_after_seconds

    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon") == 0
    assert retry_after_seconds("²") == 0  # str.isdigit takes it for a digit; float() does not
    assert utc_lastmod("2026-02-04T00:41:00+01:00") == "2026-02-03T23:41:00+00:00"
    assert utc_lastmod("2026-02-04") == "2026-02-04T00:00:00+00:00"
    assert utc_lastmod("2026-02-03T23:00:00Z") < utc_lastmod("2026-02-04T00:41:00+01:00")  # type: ignore[operator]
    robots = "User-agent: Googlebot\nCrawl-delay: 9\n\nUser-agent: *\nCrawl-delay: 0.5\n"
    assert crawl_delay(robots, "nai/0.1 (+https://x)") == 0.5
    assert crawl_delay(robots + "User-agent: nai\nCrawl-delay: 2\n", "nai/0.1") == 2.0
