"""Run a function right after a module is first imported (a post-import hook).

Lets ``import gumloop_nb.batch`` register ``df.gumloop`` without importing pandas: the
registration runs the moment pandas finishes loading. A failing callback never breaks the import.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

__all__ = ["call_after_import"]

_lock = threading.Lock()
_pending: dict[str, list[Callable[[], None]]] = {}


def _run(name: str) -> None:
    with _lock:
        callbacks = _pending.pop(name, [])
    for callback in callbacks:
        try:
            callback()
        except Exception as exc:  # never break the user's import
            warnings.warn(
                f"gumloop_nb: after importing {name}: {exc}", RuntimeWarning, stacklevel=2
            )


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _pending:
            return None
        spec = None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader: Any = spec.loader
        original = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original(module)
            _run(fullname)

        loader.exec_module = exec_module
        return spec


_finder = _Finder()


def call_after_import(name: str, callback: Callable[[], None]) -> None:
    """Call ``callback`` once ``name`` is imported (now, if it already is)."""
    if name in sys.modules:
        callback()
        return
    with _lock:
        _pending.setdefault(name, []).append(callback)
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)
