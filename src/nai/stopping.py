"""Ctrl-C and SIGTERM: the moments they are held back.

A terminal sends Ctrl-C (SIGINT) to every process of the command, and a service manager sends
SIGTERM the same way; nai.cli turns either into a stop of the command. A commit and the count of
what it committed are one step, so that the line saying how much was stored is exact: the signal
comes before or after, never between.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


@contextmanager
def held() -> Iterator[None]:
    """Ctrl-C and SIGTERM held back for the block, then taken (one that came meanwhile too).
    Only in the main thread, where Python takes signals; elsewhere the block runs as it is."""
    try:
        before = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    except (AttributeError, OSError):  # no pthread_sigmask on this platform
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
