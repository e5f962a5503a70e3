"""Where output goes: a live widget frontend, or ordinary rich output that any viewer can show."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["display_bundle", "get_ipython_or_none", "widget_frontend"]

_FORCE: bool | None = None


def set_widget_mode(mode: str) -> None:
    """Force widget mode on/off, or ``auto`` to detect it (used by ``GumloopMagics.widgets``)."""
    global _FORCE
    _FORCE = {"on": True, "off": False}.get(mode)


def get_ipython_or_none() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the notebook extra
        return None
    return get_ipython()


def widget_frontend() -> bool:
    """Whether a widget-capable frontend is attached to the cell being run.

    JupyterLab and Notebook 7 send a ``cellId`` with every execute request; nbclient (nbconvert,
    nbval, papermill) and terminal IPython do not, so those get ordinary rich output only.
    ``GUMLOOP_NB_WIDGETS=1|0`` or ``%config GumloopMagics.widgets`` override the guess.
    """
    env = os.environ.get("GUMLOOP_NB_WIDGETS", "").strip().lower()
    if env in ("1", "on", "true", "yes"):
        return True
    if env in ("0", "off", "false", "no"):
        return False
    if _FORCE is not None:
        return _FORCE
    ip = get_ipython_or_none()
    if ip is None or getattr(ip, "kernel", None) is None:
        return False
    parent = getattr(ip, "parent_header", None) or {}
    metadata = parent.get("metadata") or {}
    return bool(metadata.get("cellId"))


def display_bundle(bundle: dict[str, Any], metadata: dict[str, Any] | None = None) -> None:
    """Publish a mime bundle as an ordinary output (a no-op outside IPython)."""
    if get_ipython_or_none() is None:
        return
    from IPython.display import display

    display(bundle, raw=True, metadata=metadata or {})
