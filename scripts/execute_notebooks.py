"""Execute the notebooks in place so their committed outputs are real and current.

Runs ``jupyter nbconvert --to notebook --execute --inplace`` on each notebook against the
embedded emulator: credentials are removed from the environment first, so a developer's
``GUMLOOP_ACCESS_TOKEN`` never reaches the real API and no secret can end up in an output.
The emulator runs at its normal (demo) speed so the committed outputs show realistic timings.

Usage::

    python scripts/execute_notebooks.py                 # every notebooks/*.ipynb
    python scripts/execute_notebooks.py notebooks/03_images.ipynb
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
NOTEBOOKS = ROOT / "notebooks"
# Anything that would make %load_ext connect to the real API (or leak into outputs).
SCRUBBED = (
    "GUMLOOP_ACCESS_TOKEN",
    "GUMLOOP_API_KEY",
    "GUMLOOP_USER_ID",
    "GUMLOOP_TEAM_ID",
    "GUMLOOP_BASE_URL",
    "GUMLOOP_NB_WIDGETS",
)


def clean_env(speed: str | None) -> dict[str, str]:
    """The environment for executing notebooks: no credentials, the emulator's speed if given."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    if speed is not None:
        env["GUMLOOP_EMULATOR_SPEED"] = speed
    # Headless matplotlib, and no kernel warnings about frozen modules in the outputs.
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


def execute(path: Path, env: dict[str, str], timeout: int) -> float:
    """Execute one notebook in place; return the wall time in seconds."""
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--inplace",
            f"--ExecutePreprocessor.timeout={timeout}",
            "--ExecutePreprocessor.store_widget_state=False",
            "--ExecutePreprocessor.kernel_name=python3",
            str(path),
        ],
        check=True,
        env=env,
        cwd=path.parent,
    )
    strip_widget_state(path)
    return time.perf_counter() - start


def strip_widget_state(path: Path) -> None:
    """Drop saved widget models: they only mean something in the kernel that made them.

    Each ChatStream/ChatBox creates widgets even in a headless run; saving their state would add
    ~100 KB of noise per notebook and change on every run. A widget output keeps its text/plain
    (and the magics leave their final answer as an ordinary output anyway).
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument(
        "--speed", help="emulator speed multiplier (GUMLOOP_EMULATOR_SPEED; default: demo speed)"
    )
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    env = clean_env(args.speed)
    total = 0.0
    for path in paths:
        seconds = execute(path.resolve(), env, args.timeout)
        total += seconds
        print(f"{path.name:45} {seconds:6.1f} s", flush=True)
    print(f"{'total':45} {total:6.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
