"""A kernel driven the way JupyterLab drives it, for tests and benchmarks.

``Frontend`` starts a real IPython kernel with ``jupyter_client`` and sends execute requests that
carry ``cellId`` metadata (so the notebook layer sees a widget frontend), keeps every widget model
the kernel opens (comm_open / comm_msg updates), can click a widget button by sending the same
``comm_msg`` a browser sends, and records each cell's outputs the way a frontend shows them
(``update_display_data`` replaces the output with the same display id, ``clear_output`` clears).
"""

from __future__ import annotations

import os
import queue
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from jupyter_client.manager import KernelManager

CREDENTIALS = (
    "GUMLOOP_ACCESS_TOKEN",
    "GUMLOOP_API_KEY",
    "GUMLOOP_USER_ID",
    "GUMLOOP_TEAM_ID",
    "GUMLOOP_BASE_URL",
    "GUMLOOP_STREAM_BASE_URL",
    "GUMLOOP_NB_WIDGETS",
)


def kernel_env(speed: str = "0", **extra: str) -> dict[str, str]:
    """The kernel's environment: no credentials (the embedded emulator), the emulator speed."""
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIALS}
    env["GUMLOOP_EMULATOR_SPEED"] = speed
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env.update(extra)
    return env


@dataclass
class CellRun:
    """What one execute request produced, as a frontend would show it."""

    msg_id: str
    outputs: list[dict[str, Any]] = field(default_factory=list)
    reply: dict[str, Any] | None = None
    reply_at: float | None = None  # monotonic time the execute_reply arrived
    reply_date: Any = None  # the kernel's timestamp of the execute_reply
    last_output_date: Any = None  # the kernel's timestamp of the last output (or update)
    updates: int = 0  # update_display_data messages for this cell's outputs
    idle: bool = False
    display_index: dict[str, list[int]] = field(default_factory=dict)

    @property
    def status(self) -> str | None:
        return None if self.reply is None else self.reply["content"]["status"]

    def text(self) -> str:
        """All text/plain and stream text, in order."""
        parts = []
        for out in self.outputs:
            if out["output_type"] == "stream":
                parts.append(out["text"])
            elif "data" in out:
                parts.append(out["data"].get("text/plain", ""))
            elif out["output_type"] == "error":
                parts.append(f"{out['ename']}: {out['evalue']}")
        return "".join(parts)

    def stdout(self) -> str:
        return "".join(
            o["text"]
            for o in self.outputs
            if o["output_type"] == "stream" and o.get("name") == "stdout"
        )


class Frontend:
    """One kernel, one client; execute cells like JupyterLab (with ``cellId`` metadata)."""

    def __init__(self, env: dict[str, str] | None = None, *, cwd: str | None = None) -> None:
        for attempt in range(3):
            # A kernel can die at start when another process takes one of the ports it was
            # given in the meantime (several test runs on one machine); start a fresh one.
            self.km = KernelManager(kernel_name="python3")
            self.km.start_kernel(env=env or kernel_env(), cwd=cwd)
            self.kc = self.km.client()
            self.kc.start_channels()
            try:
                self.kc.wait_for_ready(timeout=60)
                break
            except RuntimeError:
                self.kc.stop_channels()
                self.km.shutdown_kernel(now=True)
                if attempt == 2:
                    raise
        self.widgets: dict[str, dict[str, Any]] = {}  # comm_id -> model state
        self.widget_cell: dict[str, str] = {}  # comm_id -> msg id of the cell that opened it
        self.runs: dict[str, CellRun] = {}
        self._order: list[str] = []

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    def __enter__(self) -> Frontend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- executing -------------------------------------------------------------------------------
    def submit(
        self,
        code: str,
        *,
        cell_id: str | None = None,
        widgets: bool = True,
        stop_on_error: bool = True,
    ) -> str:
        """Send an execute request (``cellId`` metadata when ``widgets``); return its msg id.

        JupyterLab sends ``stop_on_error: false`` for cells tagged ``raises-exception``, so Run
        All goes on past them; every other failing cell aborts the requests queued after it.
        """
        content = {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": stop_on_error,
        }
        msg = self.kc.session.msg("execute_request", content)
        if widgets:
            msg["metadata"]["cellId"] = cell_id or str(uuid.uuid4())
        self.kc.shell_channel.send(msg)
        msg_id = msg["header"]["msg_id"]
        self.runs[msg_id] = CellRun(msg_id)
        self._order.append(msg_id)
        return msg_id

    def run(self, code: str, *, timeout: float = 60, widgets: bool = True) -> CellRun:
        """Execute one cell and wait until it is idle and replied."""
        return self.wait(self.submit(code, widgets=widgets), timeout=timeout)

    def wait(self, msg_id: str, timeout: float = 60) -> CellRun:
        run = self.runs[msg_id]
        self.pump_until(lambda: run.idle and run.reply is not None, timeout)
        return run

    def pump_until(self, condition: Any, timeout: float) -> None:
        """Process kernel messages until ``condition()`` holds (AssertionError on timeout)."""
        deadline = time.monotonic() + timeout
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("the kernel did not get there in time")
            self.pump(min(left, 0.05))

    def pump(self, timeout: float = 0.05) -> None:
        """Handle the messages that arrive within ``timeout`` seconds."""
        got = False
        for channel, handle in (
            (self.kc.iopub_channel, self._iopub),
            (self.kc.shell_channel, self._shell),
        ):
            while True:
                try:
                    msg = channel.get_msg(timeout=0 if got else timeout / 2)
                except queue.Empty:
                    break
                got = True
                handle(msg)

    def _shell(self, msg: dict[str, Any]) -> None:
        run = self.runs.get(msg["parent_header"].get("msg_id", ""))
        if run is not None and msg["msg_type"] == "execute_reply":
            run.reply = msg
            run.reply_at = time.monotonic()
            run.reply_date = msg["header"]["date"]

    def _iopub(self, msg: dict[str, Any]) -> None:
        kind = msg["msg_type"]
        content = msg["content"]
        if kind == "comm_open":
            self.widgets[content["comm_id"]] = dict(content.get("data", {}).get("state", {}))
            self.widget_cell[content["comm_id"]] = msg["parent_header"].get("msg_id", "")
        elif kind == "comm_msg":
            data = content.get("data", {})
            if data.get("method") in ("update", "echo_update"):
                self.widgets.setdefault(content["comm_id"], {}).update(data.get("state", {}))
        elif kind == "comm_close":
            self.widgets.pop(content["comm_id"], None)
        run = self.runs.get(msg["parent_header"].get("msg_id", ""))
        if run is None:
            if kind == "update_display_data":
                self._update_display(content)
            return
        if kind == "status" and content["execution_state"] == "idle":
            run.idle = True
        elif kind in ("display_data", "execute_result", "stream", "error"):
            run.last_output_date = msg["header"]["date"]
            out = {"output_type": kind, **content}
            out.pop("transient", None)
            if kind == "stream" and run.outputs and run.outputs[-1]["output_type"] == "stream":
                last = run.outputs[-1]
                if last["name"] == content["name"]:
                    last["text"] += content["text"]
                    return
            run.outputs.append(out)
            display_id = (content.get("transient") or {}).get("display_id")
            if display_id:
                run.display_index.setdefault(display_id, []).append(len(run.outputs) - 1)
        elif kind == "update_display_data":
            run.last_output_date = msg["header"]["date"]
            run.updates += 1
            self._update_display(content)
        elif kind == "clear_output":
            run.outputs.clear()
            run.display_index.clear()

    def _update_display(self, content: dict[str, Any]) -> None:
        display_id = (content.get("transient") or {}).get("display_id")
        for run in self.runs.values():
            for index in run.display_index.get(display_id, []):
                run.outputs[index]["data"] = content["data"]
                run.outputs[index]["metadata"] = content.get("metadata", {})

    # -- widgets -----------------------------------------------------------------------------
    def find_widget(self, cell: str | None = None, **state: Any) -> str | None:
        """The comm id of a widget (opened by ``cell``, a msg id, if given) whose state has all
        of ``state`` (None if there is none)."""
        for comm_id, model in self.widgets.items():
            if cell is not None and self.widget_cell.get(comm_id) != cell:
                continue
            if all(model.get(k) == v for k, v in state.items()):
                return comm_id
        return None

    def widget_text(self, cell: str) -> str:
        """The values of the HTML widgets ``cell`` opened (what its live view shows)."""
        return "".join(
            str(model.get("value", ""))
            for comm_id, model in self.widgets.items()
            if self.widget_cell.get(comm_id) == cell and model.get("_model_name") == "HTMLModel"
        )

    def click(self, comm_id: str) -> None:
        """Send the comm message a browser sends when a Button is clicked."""
        content = {"comm_id": comm_id, "data": {"method": "custom", "content": {"event": "click"}}}
        self.kc.shell_channel.send(self.kc.session.msg("comm_msg", content))

    def interrupt(self) -> None:
        """The ■ button: interrupt the kernel."""
        self.km.interrupt_kernel()
