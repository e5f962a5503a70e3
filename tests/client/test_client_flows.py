"""The legacy flows client ``GumloopClient`` (contract §2.4, §8.2): bodies, polling with
backoff, terminal states, timeouts and HTTP errors, sync ``run_flow`` and async ``arun_flow``."""

from __future__ import annotations

import ssl
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gumloop_nb import GumloopClient
from gumloop_nb.client import flows as flows_module
from gumloop_nb.errors import APIStatusError, FlowFailedError, FlowTerminatedError

from .conftest import API, Clock, body_of, run

_SSL = ssl.create_default_context()


@pytest.fixture(autouse=True)
def cheap_transports(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the flows client's transports a shared SSL context (httpx's default costs ~0.2 s)."""

    class Sync(flows_module.SyncTransport):
        def __init__(self, cfg: Any, http: Any = None) -> None:
            super().__init__(cfg, http or httpx.Client(verify=_SSL, follow_redirects=True))

    class Async(flows_module.AsyncTransport):
        def __init__(self, cfg: Any, http: Any = None) -> None:
            super().__init__(cfg, http or httpx.AsyncClient(verify=_SSL, follow_redirects=True))

    monkeypatch.setattr(flows_module, "SyncTransport", Sync)
    monkeypatch.setattr(flows_module, "AsyncTransport", Async)


@pytest.fixture
def make_flows() -> Iterator[Any]:
    made: list[GumloopClient] = []

    def make(**kwargs: Any) -> GumloopClient:
        kwargs.setdefault("api_key", "flow-key-SECRET")
        kwargs.setdefault("user_id", "usr_1")
        kwargs.setdefault("base_url", API)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            client = GumloopClient(**kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def run_flow(client: GumloopClient, mode: str, *args: Any, **kwargs: Any) -> Any:
    if mode == "async":
        return client.arun_flow(*args, **kwargs)
    return client.run_flow(*args, **kwargs)


def _status(state: str, **extra: Any) -> httpx.Response:
    return httpx.Response(200, json={"user_id": "usr_1", "state": state, **extra})


def _start(router: Any) -> Any:
    return router.post("/start_pipeline").respond(
        200, json={"run_id": "run_1", "saved_item_id": "flow_1", "workbook_id": "wb", "url": "u"}
    )


def _polls(router: Any, *responses: httpx.Response) -> Any:
    return router.get("/get_pl_run").mock(side_effect=list(responses))


def test_construction_warns_that_this_is_the_flows_client() -> None:
    with pytest.warns(DeprecationWarning, match="flows client") as record:
        GumloopClient("k", "usr_1")
    assert record[0].filename == __file__  # points at the caller


def test_attributes_of_the_official_client(
    make_flows: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_flows(project_id="team_1", base_url=None)
    assert (client.api_key, client.user_id, client.project_id) == (
        "flow-key-SECRET",
        "usr_1",
        "team_1",
    )
    assert client.base_url == "https://api.gumloop.com/api/v1"
    assert client.headers["Authorization"] == "Bearer flow-key-SECRET"
    assert "flow-key-SECRET" not in repr(client)
    monkeypatch.setenv("GUMLOOP_BASE_URL", "http://env.test/api/v1")
    assert make_flows(base_url=None).base_url == "http://env.test/api/v1"


async def test_start_pipeline_body_keeps_input_order_and_json_types(
    make_flows: Any, router: Any, mode: str
) -> None:
    start = _start(router)
    _polls(router, _status("DONE", outputs={"summary": "ok"}))
    inputs = {"topic": "weekly", "count": 3, "flag": True, "items": [1, 2], "cfg": {"a": None}}
    outputs = await run(run_flow(make_flows(), mode, "flow_1", inputs))
    assert outputs == {"summary": "ok"}
    request = start.calls.last.request
    assert body_of(request) == {
        "user_id": "usr_1",
        "saved_item_id": "flow_1",
        "pipeline_inputs": [
            {"input_name": "topic", "value": "weekly"},
            {"input_name": "count", "value": 3},
            {"input_name": "flag", "value": True},
            {"input_name": "items", "value": [1, 2]},
            {"input_name": "cfg", "value": {"a": None}},
        ],
    }
    assert request.headers["authorization"] == "Bearer flow-key-SECRET"
    assert request.headers["content-type"] == "application/json"
    assert "x-auth-key" not in request.headers
    assert "user-agent" in request.headers


async def test_project_id_is_sent_only_when_set(make_flows: Any, router: Any, mode: str) -> None:
    start = _start(router)
    poll = router.get("/get_pl_run").mock(return_value=_status("DONE", outputs={}))
    await run(run_flow(make_flows(project_id="team_1"), mode, "flow_1", {}))
    assert body_of(start.calls.last.request)["project_id"] == "team_1"
    assert dict(poll.calls.last.request.url.params) == {
        "run_id": "run_1",
        "user_id": "usr_1",
        "project_id": "team_1",
    }
    await run(run_flow(make_flows(), mode, "flow_1", {}))
    assert "project_id" not in body_of(start.calls.last.request)
    assert dict(poll.calls.last.request.url.params) == {"run_id": "run_1", "user_id": "usr_1"}
    assert "x-auth-key" not in poll.calls.last.request.headers


async def test_polling_backs_off_from_a_quarter_second_to_poll_interval(
    make_flows: Any, router: Any, mode: str, clock: Clock
) -> None:
    _start(router)
    poll = _polls(router, *[_status("RUNNING")] * 8, _status("DONE", outputs={"x": 1}))
    outputs = await run(run_flow(make_flows(), mode, "flow_1", {}, poll_interval=2.0))
    assert outputs == {"x": 1}
    assert poll.call_count == 9
    assert len(clock.sleeps) == 8
    assert clock.sleeps[0] == pytest.approx(0.25)
    assert clock.sleeps == sorted(clock.sleeps)
    assert max(clock.sleeps) == pytest.approx(2.0)
    assert clock.sleeps[1] < 2.0  # grows gradually, not straight to poll_interval


async def test_a_poll_interval_below_a_quarter_second_is_used_as_is(
    make_flows: Any, router: Any, mode: str, clock: Clock
) -> None:
    _start(router)
    _polls(router, _status("RUNNING"), _status("RUNNING"), _status("DONE", outputs={}))
    await run(run_flow(make_flows(), mode, "flow_1", {}, poll_interval=0.1))
    assert clock.sleeps == [pytest.approx(0.1), pytest.approx(0.1)]


async def test_on_progress_sees_every_poll(make_flows: Any, router: Any, mode: str) -> None:
    _start(router)
    _polls(router, _status("STARTED"), _status("RUNNING"), _status("DONE", outputs={"o": 1}))
    seen: list[dict[str, Any]] = []
    await run(run_flow(make_flows(), mode, "flow_1", {}, on_progress=seen.append))
    assert [s["state"] for s in seen] == ["STARTED", "RUNNING", "DONE"]
    assert all(s["run_id"] == "run_1" for s in seen)


async def test_a_failed_run_raises_flow_failed_error_with_the_log(
    make_flows: Any, router: Any, mode: str
) -> None:
    _start(router)
    _polls(router, _status("RUNNING"), _status("FAILED", log=["Flow started", "Node 2 crashed"]))
    with pytest.raises(FlowFailedError) as info:
        await run(run_flow(make_flows(), mode, "flow_1", {}))
    err = info.value
    assert isinstance(err, RuntimeError)
    assert not isinstance(err, FlowTerminatedError)
    assert str(err).startswith("Flow execution failed:")
    assert "Node 2 crashed" in str(err)
    assert err.log == ["Flow started", "Node 2 crashed"]


@pytest.mark.parametrize("state", ["TERMINATING", "TERMINATED"])
async def test_a_terminated_run_raises_flow_terminated_error(
    make_flows: Any, router: Any, mode: str, state: str
) -> None:
    _start(router)
    _polls(router, _status(state, log=["stopped by user"]))
    with pytest.raises(FlowTerminatedError) as info:
        await run(run_flow(make_flows(), mode, "flow_1", {}))
    assert isinstance(info.value, RuntimeError)
    assert str(info.value).startswith("Flow execution was terminated:")
    assert "stopped by user" in str(info.value)


async def test_a_run_that_outlives_the_timeout_raises_timeout_error(
    make_flows: Any, router: Any, mode: str, clock: Clock
) -> None:
    _start(router)
    # RUNNING for 100 polls, then FAILED: a client ignoring the timeout fails instead of hanging.
    poll = _polls(router, *[_status("RUNNING")] * 100, _status("FAILED"))
    with pytest.raises(TimeoutError, match="run_1"):
        await run(run_flow(make_flows(), mode, "flow_1", {}, poll_interval=1.0, timeout=5))
    assert sum(clock.sleeps[:-1]) <= 5 < sum(clock.sleeps)
    assert poll.call_count == len(clock.sleeps)


async def test_timeout_zero_fails_before_the_first_poll(
    make_flows: Any, router: Any, mode: str
) -> None:
    start = _start(router)
    poll = router.get("/get_pl_run").mock(return_value=_status("DONE", outputs={}))
    with pytest.raises(TimeoutError):
        await run(run_flow(make_flows(), mode, "flow_1", {}, timeout=0))
    assert start.call_count == 1
    assert poll.call_count == 0


async def test_http_errors_are_httpx_status_errors(make_flows: Any, router: Any, mode: str) -> None:
    router.post("/start_pipeline").respond(500, json={"error": "boom"})
    with pytest.raises(httpx.HTTPStatusError) as info:
        await run(run_flow(make_flows(), mode, "flow_1", {}))
    assert info.value.response.status_code == 500
    assert isinstance(info.value, APIStatusError)
    assert info.value.status_code == 500
    assert "flow-key-SECRET" not in str(info.value)


async def test_a_poll_error_is_an_httpx_status_error(
    make_flows: Any, router: Any, mode: str
) -> None:
    _start(router)
    router.get("/get_pl_run").respond(400, json={"error": "Bad request (missing run_id)"})
    with pytest.raises(httpx.HTTPStatusError) as info:
        await run(run_flow(make_flows(), mode, "flow_1", {}))
    assert info.value.response.status_code == 400
    assert "missing run_id" in str(info.value)


async def test_base_url_from_the_environment_is_honoured(
    make_flows: Any, router: Any, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUMLOOP_BASE_URL", "http://flows.test/api/v1")
    start = router.post("http://flows.test/api/v1/start_pipeline").respond(
        200, json={"run_id": "r"}
    )
    router.get("http://flows.test/api/v1/get_pl_run").respond(
        200, json={"state": "DONE", "outputs": {"k": "v"}}
    )
    assert await run(run_flow(make_flows(base_url=None), mode, "flow_1", {})) == {"k": "v"}
    assert start.call_count == 1


async def test_get_run_status_returns_the_raw_status(
    make_flows: Any, router: Any, mode: str
) -> None:
    payload = {"state": "DONE", "outputs": {"a": 1}, "log": ["x"], "created_ts": "t"}
    route = router.get("/get_pl_run").respond(200, json=payload)
    client = make_flows()
    status = await run(
        client.aget_run_status("run_7") if mode == "async" else client.get_run_status("run_7")
    )
    assert status == payload
    assert route.calls.last.request.url.params["run_id"] == "run_7"


async def test_a_poll_that_meets_a_transient_error_is_retried(
    make_flows: Any, router: Any, mode: str
) -> None:
    _start(router)
    poll = _polls(router, httpx.Response(503, json={}), _status("DONE", outputs={"ok": True}))
    assert await run(run_flow(make_flows(), mode, "flow_1", {})) == {"ok": True}
    assert poll.call_count == 2


async def test_start_pipeline_is_not_repeated_after_a_500(
    make_flows: Any, router: Any, mode: str
) -> None:
    start = router.post("/start_pipeline").respond(500, json={})
    with pytest.raises(httpx.HTTPStatusError):
        await run(run_flow(make_flows(), mode, "flow_1", {}))
    assert start.call_count == 1


async def test_legacy_requests_carry_no_trace_headers(
    make_flows: Any, router: Any, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACEPARENT", "00-trace-01")
    start = _start(router)
    poll = _polls(router, _status("DONE", outputs={}))
    await run(run_flow(make_flows(), mode, "flow_1", {}))
    assert "traceparent" not in start.calls.last.request.headers
    assert "traceparent" not in poll.calls.last.request.headers


async def test_cancelling_arun_flow_stops_polling(make_flows: Any, router: Any) -> None:
    import asyncio

    _start(router)
    poll = router.get("/get_pl_run").mock(side_effect=lambda request: _status("RUNNING"))
    task = asyncio.ensure_future(make_flows().arun_flow("flow_1", {}, poll_interval=0.5))
    for _ in range(1000):
        if poll.call_count >= 3:
            break
        await asyncio.sleep(0)
    assert poll.call_count >= 3
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    polls_at_cancel = poll.call_count
    for _ in range(20):
        await asyncio.sleep(0)
    assert poll.call_count == polls_at_cancel


async def test_the_sync_flows_client_works_inside_a_running_event_loop(
    make_flows: Any, router: Any
) -> None:
    import asyncio

    asyncio.get_running_loop()  # as in a Jupyter cell
    _start(router)
    _polls(router, _status("DONE", outputs={"ok": 1}))
    assert make_flows().run_flow("flow_1", {}) == {"ok": 1}


def test_start_run_and_terminate_run(make_flows: Any, router: Any) -> None:
    start = _start(router)
    stop = router.post("/terminate_pipeline").respond(200, json={"run_id": "run_1"})
    client = make_flows()
    assert client.start_run("flow_1", {"a": 1})["run_id"] == "run_1"
    assert body_of(start.calls.last.request)["pipeline_inputs"] == [{"input_name": "a", "value": 1}]
    client.terminate_run("run_1")
    assert body_of(stop.calls.last.request) == {"run_id": "run_1", "user_id": "usr_1"}
