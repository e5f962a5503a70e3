"""gumloop_nb: a Jupyter-first toolkit for Gumloop (client, emulator, notebook layer)."""

from __future__ import annotations

from ._version import __version__

__all__ = ["__version__"]
