"""The notebook layer: ``%%gumloop`` magics and widgets (ChatStream, ChatBox, ImageView, CompareGrid).

Loading is cheap on purpose: ``%load_ext gumloop_nb`` imports only the magics; widgets, pandas,
the client and the emulator load on first use (the emulator starts on a background thread).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..client import Gumloop
    from .widgets import ChatBox, ChatStream, CompareGrid, ImageView

__all__ = [
    "ChatBox",
    "ChatStream",
    "CompareGrid",
    "ImageView",
    "get_client",
    "get_flows_client",
    "load_ipython_extension",
    "unload_ipython_extension",
]

_WIDGETS = {"ChatBox", "ChatStream", "CompareGrid", "ImageView"}
_loaded: dict[int, Any] = {}


def __getattr__(name: str) -> Any:
    if name in _WIDGETS:
        from .._optional import require

        require("The notebook widgets", "ipywidgets", "IPython")
        from . import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_fallback: list[Any] = []


def _connection() -> Any:
    from ._display import get_ipython_or_none

    magics = _loaded.get(id(get_ipython_or_none()))
    if magics is not None:
        connection = magics.get_connection()
    else:
        if not _fallback:
            from .connect import resolve_connection

            _fallback.append(resolve_connection())
        connection = _fallback[0]
    connection.wait_ready()
    return connection


def get_client() -> Gumloop:
    """The ``Gumloop`` client of the notebook's connection (the one ``%gumloop`` uses).

    After ``%load_ext gumloop_nb`` this is the same server the magics talk to (the embedded
    emulator, or the real API with credentials); without the extension, a connection is
    resolved the same way. Example::

        client = get_client()
        client.mcp.execute("datasets", "query", {"sql": "select count(*) from planets"})
    """
    client: Gumloop = _connection().client()
    return client


def get_flows_client() -> Any:
    """The legacy flows client (``GumloopClient``) of the notebook's connection."""
    return _connection().flows()


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%gumloop`` and resolve the connection (env credentials, else the emulator)."""
    from .._optional import MissingExtraError, require

    try:
        require("The notebook layer", "IPython", "ipywidgets", "pandas", "markdown_it")
    except MissingExtraError as exc:
        from IPython.core.error import UsageError  # shown as one line, without a traceback

        raise UsageError(str(exc)) from None
    from .magics import GumloopMagics, _document

    if id(ipython) in _loaded:
        return
    _document()
    from .. import batch  # registers df.gumloop (once pandas loads); operators use get_client()

    batch.set_default_client(get_client)
    magics = GumloopMagics(shell=ipython)
    ipython.register_magics(magics)
    _loaded[id(ipython)] = magics
    magics.get_connection()  # prints the one-line banner; the emulator starts in the background


def unload_ipython_extension(ipython: Any) -> None:
    """Remove ``%gumloop`` and stop an embedded emulator."""
    magics = _loaded.pop(id(ipython), None)
    if magics is None:
        return
    registry = ipython.magics_manager.magics
    for kind in ("line", "cell"):
        registry[kind].pop("gumloop", None)
    if magics in getattr(ipython, "configurables", []):
        ipython.configurables.remove(magics)
    magics.set_connection(None)
