"""pytest settings for running the notebooks under nbval (``pytest`` runs them with ``--nbval``).

Kept at the repository root so ``notebooks/`` holds only the lessons and their data.

* The notebooks run against the embedded emulator: when nbval is on, credentials are removed from
  the environment before nbval starts a kernel, so a developer's real token is never used (nor can
  it appear in an output). The emulator runs without simulated latency.
* Outputs are compared strictly on every Python, after the substitutions in
  ``tests/notebooks_run/nbval_sanitize.cfg`` (ports, ids, timestamps, durations, addresses).
* nbval keeps the first version of an output that is later updated in place through a display id
  (streamed answers in a kernel without widgets); here the updates are applied the way Jupyter
  frontends and nbclient apply them, so the comparison sees what a reader sees.
* After each notebook's last cell one more item checks that the run compared at least one
  output, so a run that silently compared nothing (``--nbval-lax``, every cell ignored) fails.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent
SANITIZE = ROOT / "tests" / "notebooks_run" / "nbval_sanitize.cfg"
CREDENTIALS = (
    "GUMLOOP_ACCESS_TOKEN",
    "GUMLOOP_API_KEY",
    "GUMLOOP_USER_ID",
    "GUMLOOP_TEAM_ID",
    "GUMLOOP_BASE_URL",
    "GUMLOOP_STREAM_BASE_URL",
)


def _nbval_on(config: Any) -> bool:
    option = config.option
    return bool(getattr(option, "nbval", False) or getattr(option, "nbval_lax", False))


def pytest_configure(config: pytest.Config) -> None:
    if not _nbval_on(config):
        return
    option = config.option
    # nbval kernels inherit this process's environment.
    for name in CREDENTIALS:
        os.environ.pop(name, None)
    os.environ.pop("GUMLOOP_NB_WIDGETS", None)  # headless kernels: no widget frontend
    os.environ.setdefault("GUMLOOP_EMULATOR_SPEED", "0")
    if getattr(option, "nbval_sanitize_with", "unset") is None:
        option.nbval_sanitize_with = str(SANITIZE)
    _apply_display_updates()
    _count_compared_outputs()


# -- display updates -------------------------------------------------------------------------
def _display_id(msg: dict[str, Any]) -> str | None:
    return (msg["content"].get("transient") or {}).get("display_id")


class _DisplayUpdates:
    """Hold a cell's iopub messages from its first output with a display id until the cell is
    idle, applying ``update_display_data`` to the held outputs; then hand them out in order."""

    def __init__(self) -> None:
        self.held: list[dict[str, Any]] = []
        self.ready: list[dict[str, Any]] = []

    def next(self, receive: Any) -> dict[str, Any]:
        while not self.ready:
            msg = receive()
            kind = msg["msg_type"]
            if kind == "update_display_data":
                display_id = _display_id(msg)
                for held in self.held:
                    if held["msg_type"] == "display_data" and _display_id(held) == display_id:
                        held["content"]["data"] = msg["content"]["data"]
                        held["content"]["metadata"] = msg["content"]["metadata"]
                continue  # an update of an earlier cell's output: nothing to compare
            if (kind == "display_data" and _display_id(msg) is not None) or self.held:
                self.held.append(msg)
                if kind == "status" and msg["content"]["execution_state"] == "idle":
                    self.ready, self.held = self.held, []
                continue
            self.ready.append(msg)
        return self.ready.pop(0)


def _apply_display_updates() -> None:
    from nbval.kernel import RunningKernel

    if getattr(RunningKernel, "_gumloop_display_updates", False):
        return
    original = RunningKernel.get_message

    def get_message(self: Any, stream: str, timeout: float | None = None) -> Any:
        if stream != "iopub":
            return original(self, stream, timeout=timeout)
        state = self.__dict__.setdefault("_gumloop_updates", _DisplayUpdates())
        return state.next(lambda: original(self, stream, timeout=timeout))

    RunningKernel.get_message = get_message  # type: ignore[method-assign]
    RunningKernel._gumloop_display_updates = True  # type: ignore[attr-defined]


# -- zero comparisons fail -------------------------------------------------------------------
def _count_compared_outputs() -> None:
    from nbval.plugin import IPyNbCell

    if getattr(IPyNbCell, "_gumloop_counted", False):
        return
    original = IPyNbCell.compare_outputs

    def compare_outputs(self: Any, test: Any, ref: Any, skip_compare: Any = None) -> Any:
        file = self.parent
        file._gumloop_compared = getattr(file, "_gumloop_compared", 0) + len(ref)
        return original(self, test, ref, skip_compare)

    IPyNbCell.compare_outputs = compare_outputs  # type: ignore[method-assign]
    IPyNbCell._gumloop_counted = True  # type: ignore[attr-defined]


class ComparedOutputs(pytest.Item):
    """Fails when the notebook's run compared no output at all."""

    def runtest(self) -> None:
        compared = getattr(self.parent, "_gumloop_compared", 0)
        if compared == 0:
            raise AssertionError(
                f"{self.parent.name}: no output was compared with the committed notebook "
                "(lax mode, or every cell ignored); the run proves nothing. Run the notebooks "
                "strictly (pytest without --nbval-lax)."
            )

    def reportinfo(self) -> tuple[Any, int, str]:
        return self.path, 0, f"{self.parent.name}: outputs compared"


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if not _nbval_on(config):
        return
    from nbval.plugin import IPyNbCell

    result: list[pytest.Item] = []
    for index, item in enumerate(items):
        result.append(item)
        is_last_cell = isinstance(item, IPyNbCell) and (
            index + 1 == len(items) or items[index + 1].parent is not item.parent
        )
        if is_last_cell and _whole_notebook(item.parent, items):
            result.append(ComparedOutputs.from_parent(item.parent, name="outputs-compared"))
    items[:] = result


def _whole_notebook(parent: Any, items: list[pytest.Item]) -> bool:
    """Whether every cell of the notebook was selected (not just a few, e.g. with -k)."""
    selected = sum(1 for item in items if item.parent is parent)
    return selected == sum(1 for _cell in parent.collect())
