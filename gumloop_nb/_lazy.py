"""Names a package exports but loads on first use (module-level ``__getattr__``, PEP 562).

Keeps ``import gumloop_nb`` and ``from gumloop_nb import Gumloop`` cheap: a package lists
``{name: module}`` and its ``__getattr__`` delegates here; the loaded value is cached in the
package's namespace, so the lookup runs once per name.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

__all__ = ["load_lazy"]


def load_lazy(package: str, lazy: Mapping[str, str], namespace: dict[str, Any], name: str) -> Any:
    """The value of ``name`` from its module in ``lazy`` (absolute, or relative to ``package``)."""
    module = lazy.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, package), name)
    namespace[name] = value
    return value
