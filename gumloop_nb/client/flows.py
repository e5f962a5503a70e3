"""``GumloopClient``: the legacy flows client (start a saved flow, poll until it ends).

Drop-in for the official ``gumloop.GumloopClient`` (same constructor, attributes, methods,
warning and exceptions), and better where it matters in a notebook: it also takes ``base_url``
(and honours ``GUMLOOP_BASE_URL``) so flows run against the emulator; polling backs off from
0.25 s up to ``poll_interval``; ``on_progress`` sees every status; failures raise
``FlowFailedError`` / ``FlowTerminatedError`` (both ``RuntimeError``, as before); retries cover
dropped connections and 429/5xx on polls; and ``arun_flow`` is the async twin (the same plan,
run with ``await``).
"""

from __future__ import annotations

import asyncio
import os
import time
import warnings
from collections.abc import Callable, Generator, Mapping
from typing import Any, cast

import httpx

from ..errors import APIStatusError, FlowFailedError, FlowTerminatedError
from ..types._base import as_dict
from ._config import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    ClientConfig,
    TimeoutTypes,
    check_timeout,
)
from ._endpoint import run_async, run_sync
from ._op import Op, Sleep
from ._transport import AsyncTransport, SyncTransport

FIRST_POLL_DELAY = 0.25
POLL_GROWTH = 1.5
Progress = Callable[[dict[str, Any]], Any]


class FlowHTTPStatusError(APIStatusError, httpx.HTTPStatusError):  # type: ignore[misc]
    """A non-2xx answer from the flows API.

    Both an :class:`~gumloop_nb.errors.APIStatusError` and the ``httpx.HTTPStatusError`` the
    official flows client raises, so existing ``except`` clauses keep working.
    """

    def __init__(self, error: APIStatusError) -> None:
        APIStatusError.__init__(
            self,
            error.message,
            status_code=error.status_code,
            body=error.body,
            response=error.response,
            request=error.request,
        )
        self.args = error.args


def _log_text(status: Mapping[str, Any]) -> str:
    log = status.get("log")
    if isinstance(log, list):
        lines = cast("list[object]", log)
        return "\n".join(str(line) for line in lines)
    return str(log) if log is not None else ""


class GumloopClient:
    """Run saved Gumloop flows (the legacy ``start_pipeline`` / ``get_pl_run`` API).

    Example::

        flows = GumloopClient(api_key="...", user_id="...")
        outputs = flows.run_flow("summarize", {"text": "..."}, timeout=120)
    """

    def __init__(
        self,
        api_key: str,
        user_id: str,
        project_id: str | None = None,
        *,
        base_url: str | None = None,
        timeout: TimeoutTypes = 30.0,
        max_retries: int = DEFAULT_MAX_RETRIES,
    ) -> None:
        warnings.warn(
            "GumloopClient is the legacy flows client (saved flows via start_pipeline); for "
            "agents, sessions, chat and MCP use gumloop_nb.Gumloop.",
            DeprecationWarning,
            stacklevel=2,
        )
        self.api_key = api_key
        self.user_id = user_id
        self.project_id = project_id
        self._base_url = (
            base_url or os.environ.get("GUMLOOP_BASE_URL") or DEFAULT_BASE_URL
        ).rstrip("/")
        check_timeout(timeout)  # per request: a number or an httpx.Timeout (connect <= 10 s)
        self._timeout = timeout
        self._max_retries = max_retries
        self._sync: SyncTransport | None = None
        self._async: AsyncTransport | None = None
        # Async transports dropped while no event loop ran here: closed by aclose().
        self._retired: list[AsyncTransport] = []
        self._closing: set[asyncio.Task[None]] = set()

    # -- attributes of the official client ---------------------------------------------------
    @property
    def base_url(self) -> str:
        return self._base_url

    @base_url.setter
    def base_url(self, value: str) -> None:  # the official docs suggest overriding it
        self._base_url = value.rstrip("/")
        sync, self._sync = self._sync, None
        if sync is not None:
            sync.close()
        dropped, self._async = self._async, None
        if dropped is not None:
            self._close_later(dropped)

    def _close_later(self, transport: AsyncTransport) -> None:
        """Close a dropped async transport: now on the running loop, else in ``aclose()``."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._retired.append(transport)
            return
        task = loop.create_task(transport.close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}

    def __repr__(self) -> str:
        return (
            f"<GumloopClient base_url={self.base_url!r} user_id={self.user_id!r} "
            f"project_id={self.project_id!r}>"
        )

    def _config(self) -> ClientConfig:
        # No x-auth-key and no team scoping: the user and project travel in the body/query.
        return ClientConfig(
            token=self.api_key,
            base_url=self.base_url,
            stream_base_url=self.base_url,
            timeout=self._timeout,
            max_retries=self._max_retries,
        )

    def _sync_transport(self) -> SyncTransport:
        if self._sync is None:
            self._sync = SyncTransport(self._config())
        return self._sync

    def _async_transport(self) -> AsyncTransport:
        if self._async is None:
            self._async = AsyncTransport(self._config())
        return self._async

    # -- the plans (one description, run by either driver) ------------------------------------
    def _start_op(self, flow_id: str, inputs: Mapping[str, Any] | None) -> Op[Any]:
        body: dict[str, Any] = {
            "user_id": self.user_id,
            "saved_item_id": flow_id,
            "pipeline_inputs": [{"input_name": k, "value": v} for k, v in (inputs or {}).items()],
        }
        if self.project_id:
            body["project_id"] = self.project_id
        return Op("POST", "/start_pipeline", json=body, scoped=False, trace=False)

    def _status_op(self, run_id: str) -> Op[Any]:
        params = {"run_id": run_id, "user_id": self.user_id, "project_id": self.project_id}
        return Op("GET", "/get_pl_run", params=params, scoped=False, trace=False)

    def _guard(self, plan: Generator[Any, Any, Any]) -> Generator[Any, Any, Any]:
        try:
            return (yield from plan)
        except FlowHTTPStatusError:
            raise
        except APIStatusError as exc:
            raise FlowHTTPStatusError(exc) from None

    def _run_plan(
        self,
        flow_id: str,
        inputs: Mapping[str, Any] | None,
        poll_interval: float,
        timeout: float | None,
        on_progress: Progress | None,
    ) -> Generator[Any, Any, dict[str, Any]]:
        started = yield self._start_op(flow_id, inputs)
        started_obj = as_dict(started)
        run_id: Any = started_obj.get("run_id") if started_obj is not None else None
        if not run_id:
            raise APIStatusError(
                f"start_pipeline for flow {flow_id!r} answered without a run_id; check the flow id",
                status_code=200,
                body=started,
            )
        began = time.monotonic()
        delay = min(FIRST_POLL_DELAY, poll_interval)
        while True:
            if timeout is not None and time.monotonic() - began >= timeout:
                raise TimeoutError(
                    f"Flow run {run_id} did not finish within {timeout} s; it may still be "
                    f"running: check it with get_run_status({run_id!r}) or raise timeout=."
                )
            polled = as_dict((yield self._status_op(run_id)))
            status = polled if polled is not None else {}
            status.setdefault("run_id", run_id)
            if on_progress is not None:
                on_progress(status)
            state = status.get("state")
            if state == "DONE":
                outputs = as_dict(status.get("outputs"))
                return outputs if outputs is not None else {}
            if state == "FAILED":
                raise FlowFailedError(
                    f"Flow execution failed: {_log_text(status)}",
                    run_id=run_id,
                    log=status.get("log"),
                )
            if state in ("TERMINATING", "TERMINATED"):
                raise FlowTerminatedError(
                    f"Flow execution was terminated: {_log_text(status)}",
                    run_id=run_id,
                    log=status.get("log"),
                )
            yield Sleep(delay)
            delay = min(delay * POLL_GROWTH, poll_interval)

    # -- public methods ------------------------------------------------------------------------
    def run_flow(
        self,
        flow_id: str,
        inputs: Mapping[str, Any] | None = None,
        poll_interval: float = 1.0,
        timeout: float | None = None,
        *,
        on_progress: Progress | None = None,
    ) -> dict[str, Any]:
        """Start a saved flow and wait for its outputs.

        Raises ``TimeoutError`` after ``timeout`` seconds, ``FlowFailedError`` when the run
        fails and ``FlowTerminatedError`` when it is terminated (both ``RuntimeError``).
        Interrupting (Ctrl-C / the kernel's stop button) stops waiting; the run goes on
        server-side unless you call ``terminate_run``.
        """
        plan = self._guard(self._run_plan(flow_id, inputs, poll_interval, timeout, on_progress))
        result: dict[str, Any] = run_sync(self._sync_transport(), plan)
        return result

    async def arun_flow(
        self,
        flow_id: str,
        inputs: Mapping[str, Any] | None = None,
        poll_interval: float = 1.0,
        timeout: float | None = None,
        *,
        on_progress: Progress | None = None,
    ) -> dict[str, Any]:
        """Async twin of :meth:`run_flow` (cancel the task to stop waiting)."""
        plan = self._guard(self._run_plan(flow_id, inputs, poll_interval, timeout, on_progress))
        result: dict[str, Any] = await run_async(self._async_transport(), plan)
        return result

    def start_run(self, flow_id: str, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Start a run without waiting: ``{"run_id", "saved_item_id", "workbook_id", "url"}``."""
        return dict(
            run_sync(
                self._sync_transport(), self._guard(self._one(self._start_op(flow_id, inputs)))
            )
        )

    def get_run_status(self, run_id: str) -> dict[str, Any]:
        """The raw status of a run (``state``, ``outputs``, ``log``, timestamps)."""
        return dict(
            run_sync(self._sync_transport(), self._guard(self._one(self._status_op(run_id))))
        )

    async def aget_run_status(self, run_id: str) -> dict[str, Any]:
        return dict(
            await run_async(
                self._async_transport(), self._guard(self._one(self._status_op(run_id)))
            )
        )

    def terminate_run(self, run_id: str) -> dict[str, Any]:
        """Ask the server to stop a run (``POST /terminate_pipeline``; inferred endpoint,
        served by the emulator)."""
        op: Op[Any] = Op(
            "POST",
            "/terminate_pipeline",
            json={"run_id": run_id, "user_id": self.user_id},
            scoped=False,
            trace=False,
        )
        return dict(run_sync(self._sync_transport(), self._guard(self._one(op))) or {})

    @staticmethod
    def _one(op: Op[Any]) -> Generator[Any, Any, Any]:
        return (yield op)

    def close(self) -> None:
        """Close the connections (the async ones too when an event loop is running here;
        otherwise ``await aclose()`` closes those)."""
        sync, self._sync = self._sync, None
        if sync is not None:
            sync.close()
        dropped, self._async = self._async, None
        if dropped is not None:
            self._close_later(dropped)

    async def aclose(self) -> None:
        """Close every connection, sync and async."""
        sync, self._sync = self._sync, None
        if sync is not None:
            sync.close()
        transports = [*self._retired, *([self._async] if self._async is not None else [])]
        self._retired, self._async = [], None
        for transport in transports:
            await transport.close()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    def __enter__(self) -> GumloopClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
