"""What nai asks of the terminal: its width. Without click or shutil, so that any command, and
nai.quick's, can ask it at no cost of start-up."""

from __future__ import annotations

import os
import sys


def terminal_width(default: int) -> int:
    """The terminal's columns ($COLUMNS first), or `default` off a terminal (as shutil's, without importing it)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or default  # type: ignore[union-attr]
    except (OSError, ValueError, AttributeError):
        return default
