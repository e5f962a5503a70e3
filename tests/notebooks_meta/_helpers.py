"""Shared helpers for the notebook meta tests: locating files and scanning outputs for secrets."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
BINDER = ROOT / "binder"

# Strings that look like credentials. The emulator's own bearer token is not a secret, but it is
# a token all the same and has no business in an output either.
SECRET_PATTERNS = [
    re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),
    re.compile(r"\bxox[abpr]-[A-Za-z0-9-]{10,}"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(
        r"(?i)\b(api[_-]?key|access[_-]?token|client[_-]?secret|password)\b['\"]?\s*[:=]\s*"
        r"['\"]?[A-Za-z0-9._~+/=-]{8,}"
    ),
    re.compile(r"gumloop-nb-emulator"),
]


def load_notebook(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def source(cell: dict[str, Any]) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else str(text)


def tags(cell: dict[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def code_cells(nb: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def output_texts(output: dict[str, Any]) -> Iterator[str]:
    """Every piece of text in an output (images are binary data, not text, and are skipped)."""
    for key in ("text", "evalue", "ename"):
        if key in output:
            value = output[key]
            yield "".join(value) if isinstance(value, list) else str(value)
    for line in output.get("traceback", []):
        yield str(line)
    for mime, value in output.get("data", {}).items():
        if mime.startswith("image/") and mime != "image/svg+xml":
            continue
        yield value if isinstance(value, str) else json.dumps(value)
    if output.get("metadata"):
        yield json.dumps(output["metadata"])


def find_secrets(nb: dict[str, Any], extra: tuple[str, ...] = ()) -> list[str]:
    """Return ``"cell N: <match>"`` for each secret-looking string in the notebook's outputs."""
    found = []
    for index, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []):
            for text in output_texts(output):
                for pattern in SECRET_PATTERNS:
                    found += [f"cell {index}: {m.group(0)[:12]}…" for m in pattern.finditer(text)]
                found += [f"cell {index}: <environment secret>" for s in extra if s and s in text]
    return found


def load_script(name: str) -> ModuleType:
    """Import ``scripts/<name>.py`` (the scripts folder is not a package)."""
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_scripts_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
