"""The project's exceptions: everything a user may meet is a NaiError."""

from __future__ import annotations


def unexpected(exc: BaseException) -> str:
    """An error nai did not foresee (a bug, or input no rule knows), as the reason of one input's failure:
    "unexpected error: ValueError: …", on one line."""
    text = " ".join(str(exc).split())
    return f"unexpected error: {type(exc).__name__}" + (f": {text}" if text else "")


class NaiError(Exception):
    """An error with a message fit to show a user on one line."""


class InputError(NaiError):
    """An input could not be read: missing, unreadable, too large, not HTML."""


class ParseError(NaiError):
    """A page was read but holds no article this parser can extract."""


class TruncatedPage(ParseError):
    """A page that ends before its end: a transfer cut short, worth fetching again."""


class QueryError(NaiError):
    """A search query that the archive cannot run (bad --raw FTS5 syntax)."""


class ArchiveError(NaiError):
    """The archive file is missing, unreadable or not an nai archive."""


class FetchError(NaiError):
    """A URL could not be fetched at all (network error, timeout) after the retries."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry  # worth trying again (a timeout), or not (a response too large)


class SiteUnreachable(NaiError):
    """A scrape's site cannot be reached at all (its robots.txt): nothing was fetched or written."""


class Locked(NaiError):
    """Another scrape holds the archive's lock."""
