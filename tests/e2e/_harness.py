"""Drive the notebooks the way a person does: a Jupyter server, a real Chromium, Run All.

Used by the end-to-end tests (``pytest -m e2e tests/e2e``) and by ``scripts/capture_media.py``.
Nothing here sleeps for a fixed time: every wait polls an observable state (a server endpoint,
the page's DOM, the saved file) until it holds or a deadline passes.

* :class:`JupyterServer` starts ``jupyter lab`` or ``jupyter notebook`` (Notebook 7) on
  127.0.0.1 with an OS-chosen port, a random token and an isolated config/runtime directory,
  serving a temporary copy of the notebooks, with no Gumloop credentials in its environment.
* :func:`launch_chromium` starts the system Chromium (``/usr/bin/chromium``, Debian's package)
  through Playwright; no browser is ever downloaded.
* :class:`NotebookPage` opens one notebook in either frontend and runs, saves, interrupts it
  through the same menus and buttons a person uses.
* :func:`compare_with_reference` compares a saved notebook with the committed one using nbval's
  own comparison (its tags, comment markers, stream coalescing and the sanitizer file that the
  nbval run uses).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import types
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # playwright is only needed when the e2e stage actually runs
    from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
CHROMIUM = os.environ.get("GUMLOOP_E2E_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("GUMLOOP_E2E_ARTIFACTS", ROOT / "e2e-artifacts"))

# Headless, sandbox-free (CI runs as root), and nothing that phones home: the machine's network
# is closed, and background fetches would only add noise and console errors.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# What a server must not inherit: anything that would make the notebooks reach the real API,
# or change how the notebook layer picks its output path or its emulator's pace.
SCRUBBED_ENV = (
    "GUMLOOP_ACCESS_TOKEN",
    "GUMLOOP_API_KEY",
    "GUMLOOP_USER_ID",
    "GUMLOOP_TEAM_ID",
    "GUMLOOP_BASE_URL",
    "GUMLOOP_STREAM_BASE_URL",
    "GUMLOOP_NB_WIDGETS",
    "GUMLOOP_EMULATOR_SPEED",
)

FRONTENDS = ("lab", "notebook")

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """An observable state did not arrive in time."""


def wait_for(
    predicate: Callable[[], T],
    *,
    timeout: float,
    what: str,
    interval: float = 0.05,
) -> T:
    """Poll ``predicate`` until it returns something truthy; raise after ``timeout`` seconds.

    The interval is only the polling period of a condition, never a guess at how long
    something takes.
    """
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            value = predicate()
        except (OSError, ValueError, KeyError) as exc:  # server not up yet, file half written
            value, last_error = None, exc  # type: ignore[assignment]
        if value:
            return value
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise WaitTimeout(f"timed out after {timeout:.0f} s waiting for {what}{detail}")
        time.sleep(interval)


# --------------------------------------------------------------------------- the server


@dataclass
class JupyterServer:
    """``jupyter lab`` / ``jupyter notebook`` serving ``root_dir`` on 127.0.0.1 (a context manager)."""

    app: str  # "lab" or "notebook"
    root_dir: Path
    state_dir: Path
    log_path: Path
    startup_timeout: float = 90.0
    token: str = field(default_factory=lambda: secrets.token_hex(24))
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
        # Isolated Jupyter state: no user config, workspaces or settings leak in or out.
        for name in ("config", "runtime"):
            (self.state_dir / name).mkdir(parents=True, exist_ok=True)
        env["JUPYTER_CONFIG_DIR"] = str(self.state_dir / "config")
        env["JUPYTER_RUNTIME_DIR"] = str(self.state_dir / "runtime")
        env["JUPYTERLAB_SETTINGS_DIR"] = str(self.state_dir / "settings")
        env["JUPYTERLAB_WORKSPACES_DIR"] = str(self.state_dir / "workspaces")
        _write_lab_settings(self.state_dir / "settings")
        # The kernels import this checkout's gumloop_nb, whatever is installed.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
        env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        return env

    def start(self) -> JupyterServer:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        app_class = "LabApp" if self.app == "lab" else "JupyterNotebookApp"
        cmd = [
            sys.executable,
            "-m",
            "jupyter",
            self.app,
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.port=0",
            "--ServerApp.port_retries=0",
            "--ServerApp.open_browser=False",
            "--allow-root",
            f"--ServerApp.root_dir={self.root_dir}",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.disable_check_xsrf=False",
            # Nothing fetched from the internet (news, update checks).
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
            f"--{app_class}.expose_app_in_browser=True",
        ]
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            cmd,
            env=self.environment(),
            cwd=self.root_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        runtime = self.state_dir / "runtime"

        def server_info() -> dict[str, Any] | None:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"jupyter {self.app} exited with {self.process.returncode}; "
                    f"log:\n{self.log_path.read_text(errors='replace')[-3000:]}"
                )
            for info_file in runtime.glob("jpserver-*.json"):
                info = json.loads(info_file.read_text())
                if info.get("pid") == self.process.pid if self.process else False:
                    return info
            return None

        info = wait_for(server_info, timeout=self.startup_timeout, what=f"jupyter {self.app}")
        self.port = int(info["port"])
        wait_for(
            lambda: self.api("GET", "/api/status") is not None,
            timeout=self.startup_timeout,
            what="the server's /api/status",
        )
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(OSError, WaitTimeout):
            self.api("POST", "/api/shutdown")
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait(timeout=10)

    def __enter__(self) -> JupyterServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """Call the server's REST API with the token; returns the decoded JSON (or None)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
        return json.loads(raw) if raw else {}

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def login_url(self) -> str:
        """A URL that logs the browser in (sets the auth cookie) and shows the file browser."""
        home = "/lab" if self.app == "lab" else "/tree"
        return f"{self.base_url}{home}?token={self.token}"

    def notebook_url(self, name: str, workspace: str) -> str:
        quoted = urllib.parse.quote(name)
        if self.app == "lab":
            # A workspace of its own per notebook: nothing restored from an earlier page.
            return f"{self.base_url}/lab/workspaces/{workspace}/tree/{quoted}"
        return f"{self.base_url}/notebooks/{quoted}"

    def session_for(self, name: str) -> dict[str, Any] | None:
        for session in self.api("GET", "/api/sessions"):
            if session.get("path") == name and session.get("kernel"):
                return session
        return None

    def kernel_state(self, name: str) -> str | None:
        session = self.session_for(name)
        if session is None:
            return None
        kernel = self.api("GET", f"/api/kernels/{session['kernel']['id']}")
        return str(kernel.get("execution_state"))

    def shutdown_kernels(self) -> None:
        for session in self.api("GET", "/api/sessions"):
            with contextlib.suppress(urllib.error.HTTPError):
                self.api("DELETE", f"/api/sessions/{session['id']}")

    def saved_mtime(self, name: str) -> str:
        quoted = urllib.parse.quote(name)
        return str(self.api("GET", f"/api/contents/{quoted}?content=0")["last_modified"])


def _write_lab_settings(settings_dir: Path) -> None:
    """User settings for both frontends: every cell stays in the DOM (outputs included)."""
    files = {
        # Off-screen cells are otherwise virtualised away, and their outputs with them.
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        # No "get notified about Jupyter news?" toast over the notebook (nor any news fetch).
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
    }
    for relative, content in files.items():
        path = settings_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))


def copy_notebooks(destination: Path, source: Path = NOTEBOOKS) -> Path:
    """A scratch copy of the notebooks folder (the tests save into it, never into the repo)."""
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return destination


# --------------------------------------------------------------------------- the browser


def launch_chromium(playwright: Playwright, **kwargs: Any) -> Browser:
    """The system Chromium, headless; fails clearly when it is not installed."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) "
            "or set GUMLOOP_E2E_CHROMIUM to a Chromium binary"
        )
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, **kwargs
    )


# Errors the frontends themselves log while booting, with no notebook code involved (seen on
# an empty notebook too). Matched narrowly so that anything else still fails the test.
KNOWN_FRONTEND_ERRORS = (
    # Notebook 7.6: its settings loader reads a plugin schema that is not there (app bundle).
    re.compile(r"^pageerror: Cannot read properties of undefined \(reading 'schema'\)$"),
)


@dataclass
class ConsoleLog:
    """Console errors and uncaught page errors seen by one page."""

    all_errors: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        """The errors, less the frontends' own known boot-time ones."""
        return [e for e in self.all_errors if not any(k.match(e) for k in KNOWN_FRONTEND_ERRORS)]

    def attach(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.all_errors.append(f"pageerror: {exc}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            # Without the query: Jupyter adds its _xsrf value to resource URLs.
            url = ((message.location or {}).get("url") or "").split("?")[0]
            where = f" [{url}]" if url and url not in message.text else ""
            self.all_errors.append(f"console.error: {message.text}{where}")


# A page-level canary: an XSS payload that runs sets window.__pwned (or calls alert/fetch).
CANARY_INIT_SCRIPT = """
(() => {
  window.__pwned = undefined;
  const trip = (why) => { window.__pwned = window.__pwned || String(why); };
  window.__gumloopTrip = trip;
  window.alert = (m) => trip('alert:' + m);
  window.confirm = (m) => { trip('confirm:' + m); return false; };
  window.prompt = (m) => { trip('prompt:' + m); return null; };
})();
"""


# --------------------------------------------------------------------------- one notebook

# Cells, prompts and outputs carry the same classes in JupyterLab 4 and Notebook 7.
CELL = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"
CODE_PROMPTS_JS = f"""
() => Array.from(document.querySelectorAll('{CELL}')).map(cell => {{
  if (!cell.classList.contains('jp-CodeCell')) return null;
  const prompt = cell.querySelector('.jp-InputArea-prompt');
  return prompt ? prompt.textContent.trim() : '';
}})
"""


# The run state of the notebook shown, from the frontend's own models (both frontends expose
# the app with ``expose_app_in_browser``): kernel status, and per code cell its prompt, its
# execution count, whether it holds an error output and whether it is tagged to raise.
RUN_STATE_JS = """
() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext) return null;
  const cells = [];
  for (const widget of panel.content.widgets) {
    const model = widget.model;
    if (model.type !== 'code') continue;
    const prompt = widget.node.querySelector('.jp-InputArea-prompt');
    const tags = (model.getMetadata && model.getMetadata('tags')) || [];
    cells.push({
      prompt: prompt ? prompt.textContent : '',
      count: model.executionCount,
      error: model.outputs.toJSON().some(o => o.output_type === 'error'),
      raises: tags.includes('raises-exception'),
    });
  }
  return {status: panel.sessionContext.kernelDisplayStatus, cells};
}
"""


# Script elements, inline event handlers and javascript: URLs inside outputs. Scanned on every
# DOM change of the notebook, so markup that shows for a moment while streaming counts too.
WATCH_UNSAFE_JS = f"""
() => {{
  window.__e2eUnsafe = [];
  const seen = new Set();
  const note = (what) => {{ if (!seen.has(what)) {{ seen.add(what); window.__e2eUnsafe.push(what); }} }};
  const scan = () => {{
    for (const area of document.querySelectorAll('{CELL} .jp-OutputArea')) {{
      for (const el of area.querySelectorAll('*')) {{
        const tag = el.tagName.toLowerCase();
        // A sandboxed frame without allow-scripts runs nothing (the HTML answer format).
        const inert = tag === 'iframe' && el.hasAttribute('sandbox')
          && !/allow-scripts/.test(el.getAttribute('sandbox'));
        if (!inert && ['script', 'iframe', 'object', 'embed', 'frame'].includes(tag)) {{
          note(tag + ': ' + el.outerHTML.slice(0, 160));
        }}
        for (const attr of el.attributes) {{
          const name = attr.name.toLowerCase();
          const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
          if (name.startsWith('on')) note('handler ' + name + ' on <' + tag + '>: ' + attr.value.slice(0, 120));
          if (value.startsWith('javascript:') || value.startsWith('data:text/html')
              || value.startsWith('vbscript:')) {{
            note('url ' + name + ' on <' + tag + '>: ' + attr.value.slice(0, 120));
          }}
        }}
      }}
    }}
  }};
  window.__e2eScanUnsafe = scan;
  const root = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  if (window.__e2eUnsafeWatcher) window.__e2eUnsafeWatcher.disconnect();
  window.__e2eUnsafeWatcher = new MutationObserver(scan);
  window.__e2eUnsafeWatcher.observe(root, {{subtree: true, childList: true, attributes: true, characterData: true}});
  scan();
}}
"""


STOP_TIMER_JS = """
(cell) => {
  const timer = window.__e2eStop = {clicked: null, done: null};
  document.addEventListener('click', () => {
    if (timer.clicked === null) timer.clicked = performance.now();
  }, {capture: true, once: true});
  const check = () => {
    if (timer.clicked === null || timer.done !== null) return;
    const prompt = cell.querySelector('.jp-InputArea-prompt');
    const output = cell.querySelector('.jp-Cell-outputWrapper');
    if (prompt && !prompt.textContent.includes('*') && output
        && output.innerText.includes('stopped')) {
      timer.done = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(cell, {subtree: true, childList: true, characterData: true, attributes: true});
}
"""


class NotebookPage:
    """One notebook open in JupyterLab or Notebook 7, driven through menus and buttons."""

    def __init__(self, page: Page, server: JupyterServer, name: str) -> None:
        self.page = page
        self.server = server
        self.name = name
        self.console = ConsoleLog()
        self.console.attach(page)

    # ----- opening
    def open(self, timeout: float = 60.0) -> NotebookPage:
        workspace = re.sub(r"[^A-Za-z0-9]+", "-", self.name).strip("-") + "-" + secrets.token_hex(3)
        self.page.goto(self.server.notebook_url(self.name, workspace))
        self.page.locator(f"{CELL}").first.wait_for(state="visible", timeout=timeout * 1000)
        self.wait_kernel_idle(timeout)
        return self

    def wait_kernel_idle(self, timeout: float = 60.0) -> None:
        """The kernel is up and idle, as the server sees it and as the page shows it."""
        wait_for(
            lambda: self.server.kernel_state(self.name) == "idle",
            timeout=timeout,
            what=f"an idle kernel for {self.name}",
        )
        # The page has connected its kernel too (status shown in the toolbar/title).
        self.page.wait_for_function(
            "() => { const app = window.jupyterapp; if (!app) return false;"
            " const w = app.shell.currentWidget; const s = w && w.sessionContext;"
            " return !!(s && s.session && s.session.kernel && s.kernelDisplayStatus === 'idle'); }",
            timeout=timeout * 1000,
        )

    # ----- the cells as shown
    def prompts(self) -> list[str | None]:
        """Each cell's input prompt text ('[3]:', '[*]:', '[ ]:'); None for Markdown cells."""
        return list(self.page.evaluate(CODE_PROMPTS_JS))

    def cell(self, index: int) -> Any:
        return self.page.locator(CELL).nth(index)

    # ----- menus (same command ids in both frontends)
    def command(self, menu: str, command_id: str) -> None:
        """Open a top menu by its label and click the entry for ``command_id``."""
        self.page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{menu}$")).first.click()
        entry = self.page.locator(f'.lm-Menu-item[data-command="{command_id}"]').first
        entry.wait_for(state="visible", timeout=10_000)
        entry.click()
        self.page.locator(".lm-Menu").first.wait_for(state="hidden", timeout=10_000)

    def run_all(self, timeout: float = 240.0, on_poll: Callable[[], None] | None = None) -> None:
        """Edit > Clear Outputs of All Cells, Run > Run All Cells, then wait until it is over.

        Clearing first makes "over" observable without guessing. Both frontends queue every
        cell at once (each shows "[*]") and clear the prompt of any cell the kernel aborts
        after an error, so Run All is over when some cell shows a fresh execution count, none
        is queued or running, and the kernel is idle, as the page shows it and as the server
        sees it.
        """
        self.command("Edit", "editmenu:clear-all")
        self.page.wait_for_function(
            f"() => Array.from(document.querySelectorAll('{CELL}.jp-CodeCell .jp-InputArea-prompt'))"
            ".every(p => !/[0-9]/.test(p.textContent))",
            timeout=10_000,
        )
        self.command("Run", "runmenu:run-all")

        def done() -> bool:
            if on_poll is not None:
                on_poll()
            state = self.page.evaluate(RUN_STATE_JS)
            if not state or state["status"] != "idle":
                return False
            cells = state["cells"]
            if any("*" in c["prompt"] for c in cells):
                return False
            if all(c["count"] is None for c in cells):
                return False
            return self.server.kernel_state(self.name) == "idle"

        wait_for(done, timeout=timeout, what=f"Run All of {self.name} to finish", interval=0.2)

    def save(self, timeout: float = 30.0) -> dict[str, Any]:
        """File > Save; wait until the file on the server changed; return it parsed."""
        before = self.server.saved_mtime(self.name)
        self.command("File", "docmanager:save")
        wait_for(
            lambda: self.server.saved_mtime(self.name) != before,
            timeout=timeout,
            what=f"{self.name} to be saved",
        )
        path = self.server.root_dir / self.name
        return wait_for(lambda: read_notebook(path), timeout=timeout, what="the saved notebook")

    def execution_counts(self) -> list[int | None]:
        state = self.page.evaluate(RUN_STATE_JS)
        return [c["count"] for c in state["cells"]] if state else []

    def _code_index(self, index: int) -> int:
        """The position of cell ``index`` among the code cells."""
        kinds = self.prompts()
        if kinds[index] is None:
            raise ValueError(f"cell {index} is not a code cell")
        return sum(1 for k in kinds[:index] if k is not None)

    def run_cell(self, index: int, *, wait: bool = True, timeout: float = 60.0) -> None:
        """Click into cell ``index`` and press Shift+Enter, as a person runs one cell."""
        self._before = max((c or 0) for c in self.execution_counts() or [0])
        self.cell(index).locator(".jp-InputArea-editor").first.click()
        self.page.keyboard.press("Shift+Enter")
        if wait:
            self.wait_cell_done(index, timeout=timeout)

    def wait_cell_done(self, index: int, *, timeout: float = 60.0) -> None:
        """The cell last run with :meth:`run_cell` has a new execution count and is not running."""
        position = self._code_index(index)
        before = getattr(self, "_before", 0)

        def done() -> bool:
            state = self.page.evaluate(RUN_STATE_JS)
            cell = state["cells"][position]
            return (cell["count"] or 0) > before and "*" not in cell["prompt"]

        wait_for(
            done, timeout=timeout, what=f"cell {index} of {self.name} to finish", interval=0.02
        )

    def wait_text(self, index: int, text: str, *, count: int = 1, timeout: float = 30.0) -> None:
        """Cell ``index``'s output shows ``text`` (at least ``count`` times)."""
        wait_for(
            lambda: self.cell_text(index).count(text) >= count,
            timeout=timeout,
            what=f"cell {index} to show {text!r}" + (f" {count} times" if count > 1 else ""),
            interval=0.02,
        )

    def arm_stop_timer(self, index: int) -> None:
        """Time, inside the page, from the next click to cell ``index`` being stopped.

        The clock starts in a capturing click listener (the moment the person's click lands)
        and stops in a MutationObserver when the cell's prompt no longer shows "[*]" and its
        output says "stopped" — so the driver's own round trips are not counted.
        """
        self.cell(index).evaluate(STOP_TIMER_JS)

    def stop_latency(self) -> float | None:
        """Seconds from the click to the stopped cell, once both have happened."""
        value = self.page.evaluate(
            "() => { const t = window.__e2eStop; return t && t.clicked !== null && t.done !== null"
            " ? (t.done - t.clicked) / 1000 : null; }"
        )
        return None if value is None else float(value)

    def chatbox_idle(self, index: int) -> bool:
        """The ChatBox in cell ``index`` is not answering."""
        return "answering" not in self.cell_text(index)

    def interrupt(self) -> None:
        """The toolbar's ■ (interrupt the kernel) button."""
        self.page.locator(
            '.jp-NotebookPanel-toolbar [data-command="notebook:interrupt-kernel"]'
        ).first.click()

    def screenshot(self, path: Path, max_height: int = 12_000, *, only_cells: bool = False) -> None:
        """The whole notebook: the viewport grows to the notebook's height for the picture.

        Both frontends scroll inside the page (not the page itself), so a full-page screenshot
        would show one screenful only. ``only_cells`` leaves out the menus and side bars.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        size = self.page.viewport_size or {"width": 1400, "height": 1000}
        extra = self.page.evaluate(
            f"""() => {{
              const panel = document.querySelector('{CELL}').closest('.jp-WindowedPanel-outer')
                || document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
              return panel.scrollHeight - panel.clientHeight;
            }}"""
        )
        height = min(max_height, size["height"] + max(0, int(extra)))
        self.page.set_viewport_size({"width": size["width"], "height": height})
        try:
            self.page.wait_for_function(
                f"""() => {{
                  const panel = document.querySelector('{CELL}').closest('.jp-WindowedPanel-outer')
                    || document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
                  return panel.scrollHeight - panel.clientHeight <= 2 || window.innerHeight >= {height};
                }}""",
                timeout=10_000,
            )
            if only_cells:
                self.page.locator(f"{CELL}").first.locator("xpath=..").screenshot(path=str(path))
            else:
                self.page.screenshot(path=str(path))
        finally:
            self.page.set_viewport_size(size)

    # ----- what the page shows
    def images(self) -> list[dict[str, Any]]:
        return list(
            self.page.evaluate(
                f"""() => Array.from(document.querySelectorAll('{CELL} .jp-OutputArea img'))
                .map(img => ({{src: img.src.slice(0, 60), complete: img.complete,
                               w: img.naturalWidth, h: img.naturalHeight}}))"""
            )
        )

    def error_outputs(self) -> list[dict[str, Any]]:
        """Rendered stderr/traceback outputs, with the index of the cell they belong to."""
        return list(
            self.page.evaluate(
                f"""() => Array.from(document.querySelectorAll('{CELL}')).flatMap((cell, i) =>
                  Array.from(cell.querySelectorAll(
                    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
                  .map(out => ({{cell: i, text: out.innerText.slice(0, 400)}})))"""
            )
        )

    def body_text(self) -> str:
        return str(self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first.inner_text())

    def cell_text(self, index: int) -> str:
        return str(self.cell(index).locator(".jp-Cell-outputWrapper").inner_text())

    def canary(self) -> Any:
        """What tripped the page-level XSS canary (None while nothing ran)."""
        return self.page.evaluate("() => window.__pwned")

    def watch_unsafe_dom(self) -> None:
        """From now on, note any live markup that appears in an output, even for a moment."""
        self.page.evaluate(WATCH_UNSAFE_JS)

    def unsafe_dom(self) -> list[str]:
        """Live markup seen in outputs since :meth:`watch_unsafe_dom`, plus what is there now."""
        return list(
            self.page.evaluate("() => { window.__e2eScanUnsafe(); return window.__e2eUnsafe; }")
        )


@contextlib.contextmanager
def browser_page(browser: Browser, server: JupyterServer, **context_kwargs: Any) -> Iterator[Page]:
    """A fresh browser context, logged in to ``server``, with the XSS canary installed."""
    context_kwargs.setdefault("viewport", {"width": 1400, "height": 1000})
    context = browser.new_context(**context_kwargs)
    context.add_init_script(CANARY_INIT_SCRIPT)
    try:
        page = context.new_page()
        page.goto(server.login_url())
        yield page
    finally:
        context.close()


# --------------------------------------------------------------------------- comparison


def sanitize_config() -> Path:
    """The sanitizer file the nbval run uses (wherever the repository keeps it)."""
    found = [
        p
        for p in ROOT.glob("**/nbval_sanitize.cfg")
        if not any(part in {".git", "build", "node_modules", ".venv"} for part in p.parts)
    ]
    if len(found) != 1:
        raise FileNotFoundError(f"expected one nbval_sanitize.cfg under {ROOT}, found {found}")
    return found[0]


@dataclass
class CellDiff:
    index: int  # index among all cells
    source: str
    detail: str


def compare_with_reference(saved: dict[str, Any], reference: dict[str, Any]) -> list[CellDiff]:
    """Differences between a saved run and the committed notebook, as nbval would judge them.

    Uses nbval's own pieces: tags and comment markers (``nbval-ignore-output``,
    ``nbval-skip``, ``raises-exception``...), stream coalescing, the sanitizer patterns, and
    ``IPyNbCell.compare_outputs`` itself, so the browser run and the nbval run agree on what
    "the same output" means. Also reports an error output in a cell not tagged to raise.
    """
    import nbformat
    from nbval import plugin

    patterns = plugin.get_sanitize_patterns(sanitize_config().read_text())
    skip_compare = (
        "metadata",
        "traceback",
        "prompt_number",
        "output_type",
        "name",
        "execution_count",
        "application/vnd.jupyter.widget-view+json",
        "image/png",
        "image/jpeg",
    )
    saved_nb = nbformat.reads(json.dumps(saved), as_version=4)
    reference_nb = nbformat.reads(json.dumps(reference), as_version=4)
    diffs: list[CellDiff] = []
    ref_cells = reference_nb.cells
    new_cells = saved_nb.cells
    if [c.source for c in ref_cells] != [c.source for c in new_cells]:
        return [CellDiff(-1, "", "the saved notebook's cells differ from the committed ones")]
    for index, (ref, new) in enumerate(zip(ref_cells, new_cells, strict=True)):
        if ref.cell_type != "code":
            continue
        options: dict[str, Any] = dict(plugin.find_metadata_tags(ref.metadata))
        options.update(dict(plugin.find_comment_markers(ref.source)))
        if options.get("skip"):
            continue
        errors = [o for o in new.outputs if o.output_type == "error"]
        if errors and not options.get("check_exception"):
            error = errors[0]
            diffs.append(
                CellDiff(index, ref.source, f"raised {error.ename}: {error.evalue}"[:2000])
            )
            continue
        if new.execution_count is None:
            diffs.append(CellDiff(index, ref.source, "did not run"))
            continue
        if not options.get("check", True) or ref.execution_count is None:
            continue
        shim = _nbval_cell_shim(patterns, skip_compare)
        test = plugin.coalesce_streams(list(new.outputs))
        expected = plugin.coalesce_streams(list(ref.outputs))
        if not shim.compare_outputs(test, expected, skip_compare):
            diffs.append(CellDiff(index, ref.source, "\n".join(shim.comparison_traceback)))
    return diffs


def _nbval_cell_shim(patterns: list[tuple[str, str]], skip_compare: tuple[str, ...]) -> Any:
    """Just enough of an nbval cell item to call its comparison methods unchanged."""
    from nbval import plugin

    shim = types.SimpleNamespace()
    shim.parent = types.SimpleNamespace(sanitize_patterns=dict(patterns), skip_compare=skip_compare)
    shim.colors = plugin.nocolors
    # No pytest assertion rewriting here: nbval then prints both outputs in full.
    shim.config = None
    shim.ihook = types.SimpleNamespace(pytest_assertrepr_compare=lambda **_: [])
    shim.comparison_traceback = []
    for method in ("compare_outputs", "format_output_compare", "sanitize"):
        setattr(shim, method, types.MethodType(getattr(plugin.IPyNbCell, method), shim))
    return shim


def read_notebook(path: Path) -> Any:
    """A notebook as nbformat reads it (multi-line strings joined), a dict subclass."""
    import nbformat

    return nbformat.reads(path.read_text(), as_version=4)


def record_measure(what: str, seconds: float) -> None:
    """Append a measured latency to ``e2e-artifacts/measures.txt`` (for the notes/README)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (ARTIFACTS / "measures.txt").open("a") as out:
        out.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')}  {what}: {seconds:.3f} s\n")


def notebook_names() -> list[str]:
    return sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


# --------------------------------------------------------------------------- page checks


def _code_cells(nb: dict[str, Any]) -> list[tuple[int, dict[str, Any], str]]:
    cells = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            source = cell["source"]
            cells.append((index, cell, "".join(source) if isinstance(source, list) else source))
    return cells


def _checked(cell: dict[str, Any], source: str) -> bool:
    """Whether nbval compares this cell's outputs (no ignore-output/skip tag or marker)."""
    from nbval import plugin

    options: dict[str, Any] = dict(plugin.find_metadata_tags(cell.get("metadata", {})))
    options.update(dict(plugin.find_comment_markers(source)))
    return bool(options.get("check", True)) and not options.get("skip")


def cells_with_error_output(nb: dict[str, Any]) -> set[int]:
    """Indices of the cells whose committed outputs include a traceback or stderr text."""
    return {
        index
        for index, cell, _ in _code_cells(nb)
        if any(
            o["output_type"] == "error"
            or (o["output_type"] == "stream" and o.get("name") == "stderr")
            for o in cell.get("outputs", [])
        )
    }


def html_text(markup: str) -> str:
    """The visible text of an HTML fragment (scripts and styles dropped)."""
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.hidden = 0

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag in ("script", "style"):
                self.hidden += 1

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style") and self.hidden:
                self.hidden -= 1

        def handle_data(self, data: str) -> None:
            if not self.hidden:
                self.parts.append(data)

    parser = _Text()
    parser.feed(markup)
    parser.close()
    return " ".join(parser.parts)


def _tokens(text: str) -> list[str]:
    from nbval import plugin

    for regex, replace in plugin.get_sanitize_patterns(sanitize_config().read_text()):
        text = re.sub(regex, replace, text)
    return re.findall(r"\w+", text)


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


TAIL_WORDS = 12


def missing_answers(
    notebook: NotebookPage, reference: dict[str, Any], skip: Iterable[int] = ()
) -> list[str]:
    """Committed rich outputs whose last words the page does not show (cut-off answers).

    For every compared cell, the last words of each committed HTML output (the end of an
    answer, of a comparison, of a table) must appear, in order, in that cell's rendered output.
    Both sides go through the nbval sanitizer first, so ids and timings do not count.
    """
    problems = []
    skipped = set(skip)
    for index, cell, source in _code_cells(reference):
        if index in skipped or not _checked(cell, source) or cell.get("execution_count") is None:
            continue
        wanted = [
            _tokens(html_text(o["data"]["text/html"]))[-TAIL_WORDS:]
            for o in cell.get("outputs", [])
            if o["output_type"] in ("display_data", "execute_result")
            and "text/html" in o.get("data", {})
        ]
        wanted = [w for w in wanted if w]
        if not wanted:
            continue
        shown = _tokens(notebook.cell_text(index))
        for tail in wanted:
            if not _contains_run(shown, tail):
                problems.append(
                    f"cell {index} ({source.splitlines()[0][:60]!r}) does not show the end of "
                    f"its committed output: …{' '.join(tail)!r}"
                )
    return problems


_COMPARE_MODELS = re.compile(r"%%?gumloop\s+compare\b.*?(?:-m|--models)[ =](\S+)")

COMPARE_COLUMNS_JS = """
(cell) => {
  const table = cell.querySelector('table.gumloop-compare');
  if (table) return Array.from(table.querySelectorAll('thead th')).map(th => th.textContent.trim());
  // Still the live grid: one VBox per model, its label in bold.
  for (const row of cell.querySelectorAll('.widget-hbox')) {
    const labels = Array.from(row.children)
      .filter(child => child.classList.contains('widget-vbox'))
      .map(child => { const b = child.querySelector('b'); return b ? b.textContent.trim() : null; });
    if (labels.length && labels.every(l => l)) return labels;
  }
  return null;
}
"""


def compare_columns(notebook: NotebookPage, index: int) -> list[str] | None:
    """The model labels of the comparison shown in cell ``index`` (final table or live grid)."""
    result = notebook.cell(index).evaluate(COMPARE_COLUMNS_JS)
    return None if result is None else list(result)


def compare_column_problems(notebook: NotebookPage, reference: dict[str, Any]) -> list[str]:
    """Each %%gumloop compare cell shows exactly one column per requested model."""
    problems = []
    for index, _cell, source in _code_cells(reference):
        match = _COMPARE_MODELS.search(source.splitlines()[0]) if source.strip() else None
        if not source.lstrip().startswith(("%%gumloop compare", "%gumloop compare")):
            continue
        columns = compare_columns(notebook, index)
        if columns is None:
            problems.append(f"cell {index}: no comparison columns shown")
            continue
        if match:
            models = match.group(1).split(",")
            if sorted(columns) != sorted(models):
                problems.append(f"cell {index}: columns {columns} for models {models}")
        elif not columns or len(set(columns)) != len(columns):
            problems.append(f"cell {index}: columns {columns} (want one per model)")
    return problems
