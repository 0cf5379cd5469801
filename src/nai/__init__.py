"""nai: The North Africa Journal's articles in a searchable SQLite archive."""

from __future__ import annotations

#: The one place the version is written: pyproject.toml reads it from here (a constant, so that
#: `nai --version` costs no importlib.metadata).
__version__ = "0.1.0"

__all__ = ["__version__"]
