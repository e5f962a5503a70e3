"""Where output goes: a live widget frontend, or ordinary rich output that any viewer can show."""

from __future__ import annotations

import os
from typing import Any

__all__ = [
    "LiveOutput",
    "display_bundle",
    "get_ipython_or_none",
    "output_mode",
    "widget_frontend",
]

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


def output_mode() -> str:
    """How a live result is shown where the cell runs.

    * ``"widget"``: a widget frontend (JupyterLab, Notebook 7, or forced): live widgets with a
      Stop button, replaced by the final output when done.
    * ``"display"``: a Jupyter kernel without a widget frontend (nbclient, papermill, nbval,
      Colab, VS Code without ``cellId``): one output updated in place through a display id.
    * ``"stdout"``: terminal IPython or plain Python: text is printed as it arrives.
    * ``"final"``: another IPython shell (embedded, tests): the final output only.
    """
    if widget_frontend():
        return "widget"
    ip = get_ipython_or_none()
    if ip is None or type(ip).__name__ == "TerminalInteractiveShell":
        return "stdout"
    if getattr(ip, "kernel", None) is not None:
        return "display"
    return "final"


class LiveOutput:
    """One output that is shown, updated in place, and finally replaced by the result.

    Outside a kernel (``stdout``/``final`` modes) only the final bundle is displayed.
    """

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.handle: Any = None

    @property
    def shown(self) -> bool:
        return self.handle is not None

    def show(self, obj: Any, *, raw: bool = False, metadata: dict[str, Any] | None = None) -> None:
        """Display ``obj`` (a widget, or a mime bundle with ``raw=True``) with a display id."""
        if self.handle is not None or get_ipython_or_none() is None:
            return
        from IPython.display import display

        if raw:
            self.handle = display(obj, raw=True, metadata=metadata or {}, display_id=True)
        else:
            self.handle = display(obj, display_id=True)

    def update(self, bundle: dict[str, Any], metadata: dict[str, Any] | None = None) -> None:
        """Replace what is shown by ``bundle`` (shows it first if nothing is shown yet)."""
        if self.handle is None:
            self.show(bundle, raw=True, metadata=metadata)
        else:
            self.handle.update(bundle, raw=True, metadata=metadata or {})

    def final(self, bundle: dict[str, Any], metadata: dict[str, Any] | None = None) -> None:
        """Leave ``bundle`` as the one output of this result."""
        if self.handle is not None:
            self.handle.update(bundle, raw=True, metadata=metadata or {})
        elif self.mode != "stdout":
            display_bundle(bundle, metadata)
