"""pytest settings for the notebooks (run with ``pytest --nbval``).

The notebooks must run against the embedded emulator: when nbval is on, credentials are removed
from the environment before nbval starts a kernel, so a developer's real token is never used
(nor can it appear in an output). The emulator runs without simulated latency to keep the suite
fast, and nbval sanitizes outputs with ``nbval_sanitize.cfg`` unless another file is given.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
_CREDENTIALS = (
    "GUMLOOP_ACCESS_TOKEN",
    "GUMLOOP_API_KEY",
    "GUMLOOP_USER_ID",
    "GUMLOOP_TEAM_ID",
    "GUMLOOP_BASE_URL",
    "GUMLOOP_STREAM_BASE_URL",
)


def pytest_configure(config: pytest.Config) -> None:
    option = config.option
    if not (getattr(option, "nbval", False) or getattr(option, "nbval_lax", False)):
        return
    # nbval kernels inherit this process's environment.
    for name in _CREDENTIALS:
        os.environ.pop(name, None)
    os.environ.pop("GUMLOOP_NB_WIDGETS", None)  # headless kernels get ordinary rich output
    os.environ.setdefault("GUMLOOP_EMULATOR_SPEED", "0")
    if getattr(option, "nbval_sanitize_with", "unset") is None:
        option.nbval_sanitize_with = str(HERE / "nbval_sanitize.cfg")
    if _pandas_major() < RECORDED_WITH_PANDAS:
        # The committed outputs were recorded with pandas 3 (Python 3.11+); older pandas
        # wraps wide frames and shows missing values differently. The notebooks still run
        # top to bottom and any error fails the test; only the output comparison is relaxed.
        option.nbval_lax = True


RECORDED_WITH_PANDAS = 3


def _pandas_major() -> int:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return int(version("pandas").split(".")[0])
    except (PackageNotFoundError, ValueError):
        return RECORDED_WITH_PANDAS
