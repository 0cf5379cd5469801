"""The defaults of nai's options, in one light module: `nai --help` shows them without importing
the code that uses them (parser, network, workers), and that code takes its defaults from here."""

from __future__ import annotations

from . import __version__

#: The largest page, and the largest a .html.gz may inflate to; real pages are ~110 KB.
MAX_PAGE_BYTES = 8 * 1024 * 1024
#: The longest a page may take to parse; real pages take milliseconds.
PAGE_SECONDS = 20.0
#: `nai ingest --jobs auto`: one worker a core, at most this many (past that the one writer is the limit) ...
MAX_AUTO_JOBS = 4
#: ... for this many inputs or more (for fewer, starting workers costs more than it saves).
AUTO_JOBS_MIN_INPUTS = 64
#: `nai scrape`: the site, how to ask it, and how long recent articles are re-visited for their read counts.
SITE = "https://north-africa.com"
USER_AGENT = f"nai/{__version__} (+https://north-africa.com news archive; polite nightly crawler)"
TIMEOUT = 20.0
RETRIES = 3
REFRESH_DAYS = 14
#: `nai search`: hits shown.
SEARCH_LIMIT = 20
