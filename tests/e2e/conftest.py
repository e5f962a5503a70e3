"""Fixtures for the end-to-end suite: one Chromium, one Jupyter server per frontend.

Run with ``pytest -m e2e tests/e2e`` (the main ``pytest`` run deselects the ``e2e`` marker);
``-n 2 --dist loadgroup`` (pytest-xdist) runs the two frontends side by side.
Each frontend (JupyterLab, then Notebook 7) gets its own server over its own scratch copy of
``notebooks/``; screenshots and server logs go to the git-ignored ``e2e-artifacts/`` folder
(``GUMLOOP_E2E_ARTIFACTS`` moves it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from . import _harness as h


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """One xdist group per frontend: with ``-n 2 --dist loadgroup`` (as .ci/run runs it) each
    worker starts one server and runs one frontend's tests, the two side by side."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "server" in callspec.params:
            item.add_marker(pytest.mark.xdist_group(callspec.params["server"]))


@pytest.fixture(scope="session")
def artifacts() -> Path:
    h.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return h.ARTIFACTS


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = h.launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session", params=h.FRONTENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, artifacts: Path
) -> Iterator[h.JupyterServer]:
    app: str = request.param
    base = tmp_path_factory.mktemp(f"e2e-{app}")
    root = h.copy_notebooks(base / "notebooks")
    with h.JupyterServer(app, root, base / "state", artifacts / app / "server.log") as started:
        yield started


@pytest.fixture
def page(browser: Any, server: h.JupyterServer) -> Iterator[Any]:
    with h.browser_page(browser, server) as opened:
        yield opened
    server.shutdown_kernels()
