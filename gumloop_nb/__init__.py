"""gumloop_nb: a Jupyter-first toolkit for Gumloop.

A drop-in client (``Gumloop``, ``AsyncGumloop``, ``GumloopClient``, ``OAuth``), an embedded
emulator (``gumloop_nb.emulator``), and a notebook layer (``%load_ext gumloop_nb``, widgets,
DataFrames). ``import gumloop_nb`` loads nothing heavy: the client (httpx) loads on first
use of one of its names; pandas, IPython and ipywidgets when a notebook name is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._lazy import load_lazy
from ._version import __version__

if TYPE_CHECKING:
    from .client import AsyncGumloop, Gumloop, GumloopClient, OAuth
    from .errors import APIStatusError, AuthenticationError, GumloopError
    from .frames import (
        aread_artifact,
        parse_artifact,
        read_artifact,
        records_to_dataframe,
        records_to_long,
        to_dataframe,
    )
    from .notebook import ChatBox, ChatStream, CompareGrid, ImageView, get_client

__all__ = [
    "APIStatusError",
    "AsyncGumloop",
    "AuthenticationError",
    "ChatBox",
    "ChatStream",
    "CompareGrid",
    "Gumloop",
    "GumloopClient",
    "GumloopError",
    "ImageView",
    "OAuth",
    "__version__",
    "aread_artifact",
    "get_client",
    "load_ipython_extension",
    "parse_artifact",
    "read_artifact",
    "records_to_dataframe",
    "records_to_long",
    "to_dataframe",
    "unload_ipython_extension",
]

# Everything loads on first use, so ``%load_ext gumloop_nb`` and ``import gumloop_nb`` stay
# cheap; ``from gumloop_nb import Gumloop`` loads the client (httpx) and nothing else.
_LAZY = {
    "Gumloop": "gumloop_nb.client",
    "AsyncGumloop": "gumloop_nb.client",
    "GumloopClient": "gumloop_nb.client",
    "OAuth": "gumloop_nb.client",
    "GumloopError": "gumloop_nb.errors",
    "APIStatusError": "gumloop_nb.errors",
    "AuthenticationError": "gumloop_nb.errors",
    "get_client": "gumloop_nb.notebook",
    "ChatStream": "gumloop_nb.notebook",
    "ChatBox": "gumloop_nb.notebook",
    "ImageView": "gumloop_nb.notebook",
    "CompareGrid": "gumloop_nb.notebook",
    "to_dataframe": "gumloop_nb.frames",
    "read_artifact": "gumloop_nb.frames",
    "aread_artifact": "gumloop_nb.frames",
    "records_to_dataframe": "gumloop_nb.frames",
    "records_to_long": "gumloop_nb.frames",
    "parse_artifact": "gumloop_nb.frames",
}


def __getattr__(name: str) -> Any:
    return load_lazy(__name__, _LAZY, globals(), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext gumloop_nb``: register the ``%gumloop`` magics and connect."""
    from .notebook import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from .notebook import unload_ipython_extension as unload

    unload(ipython)
