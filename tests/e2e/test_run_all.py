"""Run All, every notebook, in JupyterLab and Notebook 7: the saved outputs and the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from . import _harness as h

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("name", h.notebook_names())
def test_run_all(name: str, page: Any, server: h.JupyterServer, artifacts: Path) -> None:
    reference = h.read_notebook(h.NOTEBOOKS / name)
    notebook = h.NotebookPage(page, server, name).open()
    notebook.run_all()
    saved = notebook.save()
    notebook.screenshot(artifacts / server.app / f"{Path(name).stem}.png")

    problems: list[str] = []

    # 1. The saved notebook holds the facts nbval compares (same tags, sanitizer, comparison).
    diffs = h.compare_with_reference(saved, reference)
    for diff in diffs:
        problems.append(f"cell {diff.index} ({diff.source.splitlines()[0][:70]!r}):\n{diff.detail}")

    # 2. The page: no broken widget, no stray error output, images decoded, answers complete.
    text = notebook.body_text()
    if "Error displaying widget" in text:
        problems.append('the page shows "Error displaying widget"')
    expected_errors = h.cells_with_error_output(reference)
    for shown in notebook.error_outputs():
        if shown["cell"] not in expected_errors:
            problems.append(f"cell {shown['cell']} shows an error output: {shown['text']!r}")
    for image in notebook.images():
        if not image["complete"] or image["w"] == 0 or image["h"] == 0:
            problems.append(f"an image did not render (natural size 0): {image['src']!r}")
    problems.extend(h.missing_answers(notebook, reference, skip={d.index for d in diffs}))
    problems.extend(h.compare_column_problems(notebook, reference))

    # 3. Nothing went wrong in the browser itself, and nothing ran that should not.
    problems.extend(notebook.console.errors)
    if notebook.canary() is not None:
        problems.append(f"page canary tripped: {notebook.canary()!r}")

    assert not problems, f"{server.app} · {name}: Run All differs\n\n" + "\n\n".join(problems)
