"""The notebooks as committed: real-API instructions, executed outputs, no secrets, fallbacks."""

from __future__ import annotations

import itertools
import os
import re
from typing import Any

import pytest

from ._helpers import (
    NOTEBOOKS,
    NOTEBOOKS_DIR,
    code_cells,
    find_secrets,
    load_notebook,
    source,
    tags,
)

IDS = [p.name for p in NOTEBOOKS]


@pytest.fixture(params=NOTEBOOKS, ids=IDS)
def notebook(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load_notebook(request.param)


def test_the_notebooks_of_the_series_exist_numbered_in_reading_order() -> None:
    numbers = [int(re.match(r"(\d+)_", p.name).group(1)) for p in NOTEBOOKS]  # type: ignore[union-attr]
    assert numbers == list(range(1, 9))


def test_the_first_cell_says_how_to_point_the_notebook_at_the_real_api(
    notebook: dict[str, Any],
) -> None:
    first = notebook["cells"][0]
    text = source(first)
    assert first["cell_type"] == "markdown"
    assert text.startswith("# ")
    assert "GUMLOOP_ACCESS_TOKEN" in text
    assert "%gumloop login" in text
    assert "emulator" in text


def test_the_extension_is_loaded_before_any_gumloop_magic(notebook: dict[str, Any]) -> None:
    sources = [source(c) for c in code_cells(notebook)]
    loads = [i for i, s in enumerate(sources) if s.strip() == "%load_ext gumloop_nb"]
    uses = [i for i, s in enumerate(sources) if re.search(r"^%%?gumloop\b", s, re.M)]
    assert loads, "the notebook never runs %load_ext gumloop_nb"
    assert not uses or loads[0] < uses[0]


def test_every_code_cell_was_executed_top_to_bottom_in_one_run(notebook: dict[str, Any]) -> None:
    counts = [c.get("execution_count") for c in code_cells(notebook)]
    assert counts == list(range(1, len(counts) + 1)), (
        "outputs are stale or partial: run python scripts/execute_notebooks.py"
    )


def test_the_notebook_has_committed_outputs_worth_comparing(notebook: dict[str, Any]) -> None:
    checked = [
        c for c in code_cells(notebook) if c["outputs"] and "nbval-ignore-output" not in tags(c)
    ]
    assert len(checked) >= 3


def test_only_cells_tagged_raises_exception_fail(notebook: dict[str, Any]) -> None:
    for cell in code_cells(notebook):
        failed = any(
            o["output_type"] == "error"
            or (o["output_type"] == "stream" and "UsageError" in "".join(o.get("text", "")))
            for o in cell["outputs"]
        )
        assert failed == ("raises-exception" in tags(cell)), source(cell)[:80]


def test_rich_outputs_keep_a_plain_text_or_image_fallback(notebook: dict[str, Any]) -> None:
    for cell in code_cells(notebook):
        for output in cell["outputs"]:
            if output["output_type"] not in ("display_data", "execute_result"):
                continue
            data = output["data"]
            assert "text/plain" in data or any(k.startswith("image/") for k in data), source(cell)
            if "application/vnd.jupyter.widget-view+json" in data:
                # Widget state only exists in a live kernel: nbval must not compare it.
                assert "nbval-ignore-output" in tags(cell), source(cell)[:80]


def test_no_output_contains_a_secret_or_token(notebook: dict[str, Any]) -> None:
    env_secrets = tuple(
        v
        for k, v in os.environ.items()
        if k in ("GUMLOOP_ACCESS_TOKEN", "GUMLOOP_API_KEY") and len(v) >= 8
    )
    assert find_secrets(notebook, env_secrets) == []


@pytest.mark.parametrize(
    "leak",
    [
        "sk-proj-abcdefghijklmnopqrstuvwx",
        "Authorization: Bearer abc123def456ghi",
        # assembled at run time so the repository itself holds no credential-shaped literal
        "api_key=" + "'live_" + "0123456789abcdef'",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3IifQ.c2lnbmF0dXJlMTIz",
        "token gumloop-nb-emulator",
    ],
)
def test_the_secret_scan_catches_a_token_planted_in_an_output(leak: str) -> None:
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "outputs": [{"output_type": "stream", "name": "stdout", "text": [f"x {leak}\n"]}],
            }
        ]
    }
    assert find_secrets(nb)


def test_the_secret_scan_ignores_ids_images_and_ordinary_prose() -> None:
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "outputs": [
                    {
                        "output_type": "display_data",
                        "data": {
                            "text/plain": "session ses_f3aff8189ed846908a60ab99; use an API key.",
                            "image/png": "iVBORw0KGgoAAAANSUhEUgAAAQAAAAEACAIAAADTED8xAAAA" * 20,
                        },
                        "metadata": {},
                    }
                ],
            }
        ]
    }
    assert find_secrets(nb) == []


def test_an_environment_token_is_found_wherever_it_appears() -> None:
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "outputs": [{"output_type": "stream", "name": "stdout", "text": "k=Zq81xYw0\n"}],
            }
        ]
    }
    assert find_secrets(nb, ("Zq81xYw0",))


def test_the_notebooks_run_on_the_python3_kernel(notebook: dict[str, Any]) -> None:
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    assert notebook["nbformat"] == 4


def test_notebooks_link_to_the_next_one_in_the_series() -> None:
    for current, following in itertools.pairwise(NOTEBOOKS):
        text = "".join(source(c) for c in load_notebook(current)["cells"])
        assert f"({following.name})" in text, f"{current.name} does not link to {following.name}"


def test_the_notebooks_folder_holds_only_lessons_and_their_data() -> None:
    # A student browsing notebooks/ in JupyterLab sees the lessons (and the data they read);
    # test configuration lives in the root conftest.py and tests/notebooks_run/. Saved files go
    # to temporary folders: executing the notebooks leaves the repository clean.
    stray = {p.name for p in NOTEBOOKS_DIR.iterdir()} - {
        *(p.name for p in NOTEBOOKS),
        "data",
        "__pycache__",
        ".ipynb_checkpoints",
    }
    assert stray == set(), f"unexpected files in notebooks/: {sorted(stray)}"


def test_no_widget_state_is_saved_in_the_notebook(notebook: dict[str, Any]) -> None:
    # Widget models only exist in the kernel that made them; saved state is noise that changes
    # on every run (scripts/execute_notebooks.py strips it).
    assert "widgets" not in notebook["metadata"]
