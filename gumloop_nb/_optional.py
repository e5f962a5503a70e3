"""Optional dependencies: which extra brings each one, and the one-line error when one is absent.

``pip install gumloop_nb`` installs the client only (httpx, pydantic). The other parts need an
extra; using a part without it raises :class:`MissingExtraError` (an ``ImportError``) whose
message is one line naming the extra, e.g.::

    The emulator needs uvicorn, which is not installed: pip install "gumloop_nb[emulator]"

Presence is checked with ``importlib.util.find_spec`` (nothing is imported), so the checks
cost microseconds and keep every import lazy.
"""

from __future__ import annotations

import importlib.util

__all__ = ["EXTRAS", "MissingExtraError", "require"]

# module -> (pip distribution, extra that installs it)
EXTRAS: dict[str, tuple[str, str]] = {
    "starlette": ("starlette", "emulator"),
    "uvicorn": ("uvicorn", "emulator"),
    "python_multipart": ("python-multipart", "emulator"),
    "IPython": ("ipython", "notebook"),
    "ipywidgets": ("ipywidgets", "notebook"),
    "pandas": ("pandas", "notebook"),
    "markdown_it": ("markdown-it-py", "notebook"),
    "pyarrow": ("pyarrow", "formats"),
    "openpyxl": ("openpyxl", "formats"),
}
# Older python-multipart releases install the module as ``multipart``.
_ALIASES = {"python_multipart": ("python_multipart", "multipart")}


class MissingExtraError(ImportError):
    """An optional part of gumloop_nb was used without the extra that installs it."""


def _installed(module: str) -> bool:
    for name in _ALIASES.get(module, (module,)):
        try:
            if importlib.util.find_spec(name) is not None:
                return True
        except (ImportError, ValueError):  # a broken or half-removed install counts as absent
            continue
    return False


def require(feature: str, *modules: str) -> None:
    """Raise :class:`MissingExtraError` for the first of `modules` that is not installed.

    Example: ``require("The emulator", "starlette", "uvicorn")``.
    """
    for module in modules:
        if not _installed(module):
            package, extra = EXTRAS[module]
            raise MissingExtraError(
                f"{feature} needs {package}, which is not installed: "
                f'pip install "gumloop_nb[{extra}]"',
                name=module,
            )
