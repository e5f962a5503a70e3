"""nbval's sanitize file, the Binder files, and the scripts that maintain the notebooks/README."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from ._helpers import BINDER, ROOT, load_script

SANITIZE = ROOT / "tests" / "notebooks_run" / "nbval_sanitize.cfg"

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")


def _sanitize(text: str) -> str:
    from nbval.plugin import get_sanitize_patterns

    patterns = get_sanitize_patterns(SANITIZE.read_text())
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    return text


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("at http://127.0.0.1:34787/api/v1", "at http://127.0.0.1:40211/api/v1"),
        (
            "agt_7f27dd533f27 ses_f3aff8189ed846908a60ab99",
            "agt_0123456789ab ses_aaaabbbbccccddddeeeeffff",
        ),
        ("art_509e5c3dea02 artv_5c5d21470597", "art_95abdba64f73 artv_6a1381ee986b"),
        ("0 2026-11-25 22:28:22.308+00:00  x", "0 2027-01-02 03:04:05.678+00:00  x"),
        ("created 2026-11-25T22:13:40.051Z", "created 2026-11-26T01:02:03.999Z"),
        (
            "gpt-4.1 · 8 → 54 tokens · 1.76 s · 0.0834 credits",
            "gpt-4.1 · 8 → 54 tokens · 12.05 s · 0.0834 credits",
        ),
        ("<Foo object at 0x7f3a2b1c>", "<Foo object at 0x55d0e1f2a3b4>"),
    ],
)
def test_sanitizing_makes_run_specific_values_compare_equal(first: str, second: str) -> None:
    assert first != second
    assert _sanitize(first) == _sanitize(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("2 + 2 = 4.", "2 + 2 = 5."),
        ("gpt-4.1 · 8 → 54 tokens · 1.76 s", "gpt-4.1 · 8 → 55 tokens · 1.76 s"),
        ("cost (credits): 0.0834", "cost (credits): 0.0835"),
        ("slope = 1.500 (Kepler: 1.5)", "slope = 1.499 (Kepler: 1.5)"),
        ("planets.csv  text/csv  510", "planets.csv  text/csv  511"),
    ],
)
def test_sanitizing_keeps_real_differences_visible(first: str, second: str) -> None:
    assert _sanitize(first) != _sanitize(second)


def _extras() -> dict[str, list[str]]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    extras: dict[str, list[str]] = pyproject["project"]["optional-dependencies"]
    return extras


def _closure(extras: set[str], table: dict[str, list[str]], name: str) -> set[str]:
    """Distribution names an install of ``name[extras]`` pulls in (following self-references)."""
    names: set[str] = set()
    todo = list(extras)
    seen: set[str] = set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for requirement in table[extra]:
            dist = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower()  # type: ignore[union-attr]
            inner = re.search(r"\[([^\]]+)\]", requirement)
            if dist.replace("-", "_") == name and inner:
                todo += [e.strip() for e in inner.group(1).split(",")]
            else:
                names.add(dist)
    return names


def _binder_requirement() -> tuple[str, set[str]]:
    lines = [
        line.strip()
        for line in (BINDER / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    local = [line for line in lines if re.fullmatch(r"(-e\s+)?\.(\[[\w,\s-]+\])?", line)]
    assert len(local) == 1, f"binder/requirements.txt must install this repository once: {lines}"
    match = re.search(r"\[([^\]]+)\]", local[0])
    extras = {e.strip() for e in match.group(1).split(",")} if match else set()
    return local[0], extras


def test_binder_requirements_install_this_repository_with_everything_the_notebooks_import() -> None:
    _line, extras = _binder_requirement()
    table = _extras()
    assert extras <= set(table), f"unknown extras {extras - set(table)}"
    installed = _closure(extras, table, "gumloop_nb")
    # What the notebooks import or need at runtime, besides the package itself.
    needed = {"jupyterlab", "ipywidgets", "ipython", "pandas", "matplotlib", "starlette", "uvicorn"}
    assert needed <= installed, f"missing from Binder: {sorted(needed - installed)}"


def test_every_module_the_notebooks_import_is_installed_by_binder() -> None:
    from ._helpers import NOTEBOOKS, code_cells, load_notebook, source

    stdlib = set(sys.stdlib_module_names)
    imported: set[str] = set()
    for path in NOTEBOOKS:
        for cell in code_cells(load_notebook(path)):
            for match in re.finditer(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", source(cell), re.M):
                imported.add(match.group(1))
    third_party = imported - stdlib - {"gumloop_nb", "IPython"}
    # numpy comes with pandas and matplotlib; module names that differ from their distribution:
    provided = _closure(_binder_requirement()[1], _extras(), "gumloop_nb") | {"numpy"}
    assert third_party <= provided, (
        f"imported but not installed by Binder: {third_party - provided}"
    )


def test_binder_runtime_python_satisfies_the_package_requirement() -> None:
    runtime = (BINDER / "runtime.txt").read_text().strip()
    version = tuple(int(p) for p in re.fullmatch(r"python-(\d+)\.(\d+)", runtime).groups())  # type: ignore[union-attr]
    floor = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = tuple(int(p) for p in re.search(r">=\s*(\d+)\.(\d+)", floor).groups())  # type: ignore[union-attr]
    assert version >= minimum


def test_binder_post_build_is_an_executable_script_that_stops_on_errors() -> None:
    post_build = BINDER / "postBuild"
    text = post_build.read_text()
    assert os.access(post_build, os.X_OK)
    assert text.startswith("#!/bin/bash")
    assert "set -euo pipefail" in text


def test_the_magics_reference_documents_every_subcommand_with_its_options() -> None:
    script = load_script("magics_reference")
    body = script.generate()
    for name, sub in script.subcommands().items():
        assert f"### %gumloop {name}\n" in body
        for option in re.findall(r"--[a-z][a-z-]+", sub.usage()):
            assert option in body


def test_the_magics_reference_replaces_only_the_text_between_the_markers() -> None:
    script = load_script("magics_reference")
    document = f"intro\n{script.START}\nold text\n{script.END}\noutro\n"
    updated = script.replace_between_markers(document, "NEW")
    assert updated == f"intro\n{script.START}\nNEW\n{script.END}\noutro\n"
    assert script.replace_between_markers(updated, "NEW") == updated


def test_the_magics_reference_check_fails_on_a_stale_readme(tmp_path: Path) -> None:
    script = load_script("magics_reference")
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{script.START}\nstale\n{script.END}\n")
    assert script.main(["--check", "--readme", str(readme)]) == 1
    assert script.main(["--readme", str(readme)]) == 0
    assert script.main(["--check", "--readme", str(readme)]) == 0


def test_the_magics_reference_refuses_a_readme_without_markers(tmp_path: Path) -> None:
    script = load_script("magics_reference")
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    with pytest.raises(SystemExit, match="MAGICS-REFERENCE"):
        script.main(["--readme", str(readme)])


def test_the_execute_script_never_passes_credentials_to_the_kernel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = load_script("execute_notebooks")
    monkeypatch.setenv("GUMLOOP_ACCESS_TOKEN", "tok_should_not_leak")
    monkeypatch.setenv("GUMLOOP_BASE_URL", "https://api.gumloop.com/api/v1")
    env = script.clean_env(None)
    assert "GUMLOOP_ACCESS_TOKEN" not in env
    assert "GUMLOOP_BASE_URL" not in env
    assert script.clean_env("0")["GUMLOOP_EMULATOR_SPEED"] == "0"


def _notebooks_conftest() -> Any:
    spec = importlib.util.spec_from_file_location("_notebooks_conftest", ROOT / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_under_nbval_the_kernels_get_no_credentials_and_the_sanitize_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GUMLOOP_ACCESS_TOKEN", "tok_should_not_reach_a_kernel")
    monkeypatch.setenv("GUMLOOP_TEAM_ID", "team_x")
    # Set then delete, so monkeypatch restores whatever the conftest writes.
    monkeypatch.setenv("GUMLOOP_EMULATOR_SPEED", "1")
    monkeypatch.delenv("GUMLOOP_EMULATOR_SPEED")
    option = SimpleNamespace(nbval=True, nbval_lax=False, nbval_sanitize_with=None)
    _notebooks_conftest().pytest_configure(SimpleNamespace(option=option))
    assert "GUMLOOP_ACCESS_TOKEN" not in os.environ
    assert "GUMLOOP_TEAM_ID" not in os.environ
    assert os.environ["GUMLOOP_EMULATOR_SPEED"] == "0"
    assert option.nbval_sanitize_with == str(SANITIZE)


def test_without_nbval_the_notebooks_conftest_leaves_the_environment_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GUMLOOP_ACCESS_TOKEN", "tok_for_other_tests")
    option = SimpleNamespace(nbval=False, nbval_lax=False, nbval_sanitize_with=None)
    _notebooks_conftest().pytest_configure(SimpleNamespace(option=option))
    assert os.environ["GUMLOOP_ACCESS_TOKEN"] == "tok_for_other_tests"
    assert option.nbval_sanitize_with is None


def test_the_execute_script_strips_saved_widget_state_but_keeps_the_text_fallback(
    tmp_path: Path,
) -> None:
    import nbformat

    script = load_script("execute_notebooks")
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    cell = nbformat.v4.new_code_cell("box")
    cell.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            data={script.WIDGET_VIEW: {"model_id": "abc"}, "text/plain": "VBox(...)"},
            execution_count=1,
        )
    ]
    nb.cells = [cell]
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    script.strip_widget_state(path)
    saved = nbformat.read(path, as_version=4)
    assert "widgets" not in saved.metadata
    assert saved.cells[0].outputs[0]["data"] == {"text/plain": "VBox(...)"}


def _msg(kind: str, content: dict[str, Any]) -> dict[str, Any]:
    return {"msg_type": kind, "content": content}


def test_under_nbval_display_updates_replace_the_output_they_update() -> None:
    # What a frontend shows: the streamed answer's output ends as its last update.
    updates = _notebooks_conftest()._DisplayUpdates()
    incoming = iter(
        [
            _msg("status", {"execution_state": "busy"}),
            _msg(
                "display_data",
                {"data": {"text/plain": "Hel"}, "metadata": {}, "transient": {"display_id": "d1"}},
            ),
            _msg("stream", {"name": "stdout", "text": "between\n"}),
            _msg(
                "update_display_data",
                {
                    "data": {"text/plain": "Hello"},
                    "metadata": {"m": 1},
                    "transient": {"display_id": "d1"},
                },
            ),
            _msg(
                "update_display_data",
                {
                    "data": {"text/plain": "x"},
                    "metadata": {},
                    "transient": {"display_id": "elsewhere"},
                },
            ),
            _msg("status", {"execution_state": "idle"}),
        ]
    )
    out = [updates.next(lambda: next(incoming)) for _ in range(4)]
    assert [m["msg_type"] for m in out] == ["status", "display_data", "stream", "status"]
    assert out[1]["content"]["data"] == {"text/plain": "Hello"}
    assert out[1]["content"]["metadata"] == {"m": 1}
