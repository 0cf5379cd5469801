"""Inflating gzip data within a limit: a small file or response that inflates to gigabytes stops there."""

from __future__ import annotations

import gzip
import io
import zlib

MAGIC = b"\x1f\x8b"


class InflateError(ValueError):
    """Corrupt gzip data, or more than the limit once inflated; the message says which."""


def inflate(data: bytes, *, limit: int) -> bytes:
    """The inflated bytes, reading at most `limit` + 1 of them."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
            out = f.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InflateError(f"corrupt gzip data: {exc}") from None
    if len(out) > limit:
        raise InflateError(f"inflates past the {limit / 1024 / 1024:.1f} MB limit (a decompression bomb?)")
    return out
