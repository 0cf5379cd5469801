"""nai scrape: the nightly job."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import defaults
from ..errors import SiteUnreachable
from .common import EXIT_FAILURE, EXIT_LAYOUT, DateBound, Settings, WebUrl, verbosity

if TYPE_CHECKING:
    from ..scrape import Report


@click.command(name="scrape")
@verbosity
@click.option("--site", type=WebUrl(), default=defaults.SITE, show_default=True, help="The WordPress site's base URL.")
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    help="Seconds between requests [default: 1, or robots.txt's Crawl-delay if larger].",
)
@click.option("--max-pages", type=click.IntRange(min=0), help="Fetch at most this many article pages.")
@click.option("--since", type=DateBound(end=False), help="Backfill only articles published since this date.")
@click.option(
    "--refresh-days",
    type=click.IntRange(min=0),
    default=defaults.REFRESH_DAYS,
    show_default=True,
    help="Re-visit articles published this recently, to follow their read counts.",
)
@click.option("--user-agent", default=defaults.USER_AGENT, show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=defaults.TIMEOUT, show_default=True)
@click.option("--retries", type=click.IntRange(min=0), default=defaults.RETRIES, show_default=True)
@click.pass_obj
def scrape_command(
    settings: Settings,
    site: str,
    delay: float | None,
    max_pages: int | None,
    since: str | None,
    refresh_days: int,
    user_agent: str,
    timeout: float,
    retries: int,
) -> None:
    """Fetch what the site published or changed since the last run; refresh recent read counts.

    Made for cron: silent when all is well (-v prints one summary line), errors on
    stderr, exit 1 if any URL failed for good, 75 if another scrape holds the archive.

    Exit 3, with a line per field, when a field (published, read_count, section, related,
    author, a body of 3+ paragraphs) filled on 90% or more of the site's articles stored in
    the 90 days before is found on fewer than half of 5 or more pages fetched tonight: the
    site's layout may have changed. The pages are stored as usual, raw pages included, so
    `nai reparse` rebuilds them after an upgrade of nai. 3 wins over 1: failed URLs are
    tried again next run on their own.

    \b
    Example:
        nai scrape -v
        nai scrape --since 2025-01 --max-pages 500      # a first, bounded backfill
        # crontab: 17 3 * * *  NAI_DB=/srv/nai/archive.db /usr/local/bin/nai scrape
    """
    from .. import output
    from ..fetch import Fetcher
    from ..lock import exclusive
    from ..scrape import Scraper

    settings.logs()
    existed = os.path.exists(settings.db)
    with exclusive(Path(settings.db)), settings.archive(create=True) as archive:
        fetcher = Fetcher(user_agent=user_agent, timeout=timeout, retries=retries)
        scraper = Scraper(
            archive,
            fetcher,
            site=site,
            delay=delay,
            max_pages=max_pages,
            since=since,
            refresh_days=refresh_days,
        )
        counts = scraper.report.counts
        settings.done = lambda: (
            f"{counts['new'] + counts['updated'] + counts['unchanged'] + counts['refreshed']} pages stored;"
            " the next run goes on"
        )
        try:
            report = scraper.run()
        except SiteUnreachable:
            if not existed:  # the site was never reached: leave no empty archive behind
                archive.close()
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{settings.db}{suffix}").unlink(missing_ok=True)
            raise
    if settings.chatty:
        click.echo(_scrape_summary(report), err=True)
    alarms = report.layout_alarms
    for alarm in alarms:  # even with -q: cron must mail them
        click.echo(output.layout_alarm(alarm.to_record()), err=True)
    if alarms:
        sys.exit(EXIT_LAYOUT)
    if report.counts["failed"]:
        sys.exit(EXIT_FAILURE)


def _scrape_summary(report: Report) -> str:
    counts = ", ".join(
        f"{report.counts[k]} {k}" for k in ("new", "updated", "unchanged", "refreshed", "removed", "failed")
    )
    return f"scrape: {counts}; {report.requests} requests, {report.bytes / 1024:,.0f} KB, {report.seconds:.1f} s"
