"""Run All of every notebook the way JupyterLab does it, compared with the committed outputs.

nbval runs the notebooks without a widget frontend (no ``cellId``), one cell at a time. Here a
kernel gets every execute request at once, each with a ``cellId`` (so the magics see a widget
frontend and create their widgets, and the next requests wait in the kernel's queue while a cell
streams), and each cell's outputs, as a frontend shows them at the end, must give the same facts
as the committed ones: the keys nbval compares (text/plain, text/html, stream text, errors), after
the same sanitizing; widget views and images are skipped as nbval skips them.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "notebook"))

from kernel_frontend import Frontend, kernel_env  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SKIPPED_KEYS = {
    "metadata",
    "traceback",
    "output_type",
    "name",
    "execution_count",
    "transient",
    "application/vnd.jupyter.widget-view+json",
    "image/png",
    "image/jpeg",
}


def _patterns() -> list[tuple[str, str]]:
    from nbval.plugin import get_sanitize_patterns

    return get_sanitize_patterns((Path(__file__).parent / "nbval_sanitize.cfg").read_text())


def _sanitize(value: Any, patterns: list[tuple[str, str]]) -> Any:
    if isinstance(value, list):
        value = "".join(value)
    if not isinstance(value, str):
        return value
    for regex, replace in patterns:
        value = re.sub(regex, replace, value)
    return value


def _flatten(outputs: list[dict[str, Any]], patterns: list[tuple[str, str]]) -> dict[str, list]:
    """nbval's view of a cell's outputs: each compared key with its values, in order."""
    flat: dict[str, list[Any]] = defaultdict(list)
    for output in outputs:
        if output.get("output_type") == "stream":
            flat[f"stream:{output['name']}"].append(_sanitize(output["text"], patterns))
            continue
        for key, value in output.items():
            if key in SKIPPED_KEYS:
                continue
            if key == "data":
                for mime, payload in value.items():
                    if mime not in SKIPPED_KEYS:
                        flat[mime].append(_sanitize(payload, patterns))
            else:
                flat[key].append(_sanitize(value, patterns))
    return dict(flat)


def _merge_streams(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged: list[dict[str, Any]] = []
    for output in outputs:
        text = output.get("text")
        if isinstance(text, list):
            output = {**output, "text": "".join(text)}
        last = merged[-1] if merged else None
        if (
            last is not None
            and output.get("output_type") == "stream"
            and last.get("output_type") == "stream"
            and last["name"] == output["name"]
        ):
            last["text"] += output["text"]
        else:
            merged.append(dict(output))
    return merged


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_run_all_with_widgets_gives_the_committed_facts(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    patterns = _patterns()
    with Frontend(kernel_env(speed="0"), cwd=str(path.parent)) as fe:
        ids = [
            fe.submit(
                cell.source,
                cell_id=cell.get("id"),
                stop_on_error="raises-exception" not in cell.metadata.get("tags", []),
            )
            for cell in cells
        ]
        runs = [fe.wait(msg_id, timeout=300) for msg_id in ids]
    compared = 0
    for number, (cell, run) in enumerate(zip(cells, runs, strict=True), 1):
        tags = cell.metadata.get("tags", [])
        expect_error = "raises-exception" in tags
        assert (run.status == "error") == expect_error, (
            f"{path.name} cell {number}: {run.status}\n{run.text()[-2000:]}"
        )
        if "nbval-ignore-output" in tags or "nbval-skip" in tags:
            continue
        committed = _flatten(_merge_streams(cell.outputs), patterns)
        fresh = _flatten(_merge_streams(run.outputs), patterns)
        assert fresh == committed, f"{path.name} cell {number} differs:\n{cell.source[:200]}"
        compared += len(committed)
    assert compared > 0
