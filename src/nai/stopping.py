"""Ctrl-C and SIGTERM: the moments they are held back.

A terminal sends Ctrl-C (SIGINT) to every process of the command, and a service manager sends
SIGTERM the same way; nai.cli turns either into a stop of the command. A commit and the count of
what it committed are one step, so that the line saying how much was stored is exact: the signal
comes before or after, never between.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})

#: The stop signal the command took, and how it stops (nai.cli sets both). The stop is an exception
#: raised wherever the main thread is when the signal comes, and code of another project may swallow
#: it: lxml's module set-up did, when Ctrl-C came while an import ran it, and the command went on with
#: the signals ignored. So a stop taken is raised again at the end of each held() block, the points
#: every long command passes (a commit, a page stored, an article rebuilt).
taken: int | None = None
stop: Callable[[int], NoReturn] | None = None


def stop_if_taken() -> None:
    """Raise the stop again if one was taken and the command still runs."""
    if taken is not None and stop is not None:
        stop(taken)


@contextmanager
def held() -> Iterator[None]:
    """Ctrl-C and SIGTERM held back for the block, then taken (one that came meanwhile too).
    Only in the main thread, where Python takes signals; elsewhere the block runs as it is."""
    try:
        before = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    except (AttributeError, OSError):  # no pthread_sigmask on this platform
        yield
        stop_if_taken()
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
    stop_if_taken()  # the block ended as it should: a stop swallowed before it is raised here
