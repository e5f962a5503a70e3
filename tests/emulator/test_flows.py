"""Legacy flows: start_pipeline / get_pl_run / terminate_pipeline with flat errors."""

from __future__ import annotations

import httpx

from gumloop_nb.emulator import serve

from .conftest import AUTH, wait_for


def _start(http, flow: str, **inputs) -> str:
    body = {
        "user_id": "usr_demo",
        "saved_item_id": flow,
        "pipeline_inputs": [{"input_name": k, "value": v} for k, v in inputs.items()],
    }
    r = http.post("/start_pipeline", json=body)
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"run_id", "saved_item_id", "workbook_id", "url"}
    return r.json()["run_id"]


def _poll(http, run_id: str) -> dict:
    r = http.get("/get_pl_run", params={"run_id": run_id, "user_id": "usr_demo"})
    assert r.status_code == 200
    return r.json()


def test_at_speed_zero_summarize_is_done_on_the_first_poll_with_a_summary(http):
    text = "The quarterly report is out. Sales grew by ten percent. Costs were flat."
    run = _poll(http, _start(http, "summarize", text=text))
    assert run["state"] == "DONE"
    assert run["outputs"]["summary"].startswith("The quarterly report is out.")
    assert run["created_ts"] and run["finished_ts"] and run["log"][-1] == "Flow finished"


def test_the_table_flow_returns_records_and_writes_a_csv_artifact(http):
    run = _poll(http, _start(http, "table", count=3))
    records = run["outputs"]["records"]
    assert [r["name"] for r in records] == ["Mercury", "Venus", "Earth"]
    assert records[2]["moons"] == 1
    link = http.get(f"/artifacts/{run['outputs']['artifact_id']}/download").json()
    csv_lines = httpx.get(link["download_url"]).text.splitlines()
    assert csv_lines[0].startswith("name,order_from_sun") and len(csv_lines) == 4


def test_the_fail_flow_ends_failed_with_a_log_and_no_outputs(http):
    run = _poll(http, _start(http, "fail"))
    assert run["state"] == "FAILED" and run["outputs"] == {}
    assert any("failed" in line for line in run["log"])


def test_flow_errors_are_flat(http):
    r = http.post("/start_pipeline", json={"user_id": "u", "saved_item_id": "nope"})
    assert r.status_code == 404 and isinstance(r.json()["error"], str)
    r = http.get("/get_pl_run", params={"user_id": "u"})
    assert r.status_code == 400 and r.json() == {"error": "Bad request (missing run_id)"}
    r = http.get("/get_pl_run", params={"run_id": "run_nope", "user_id": "u"})
    assert r.status_code == 404 and isinstance(r.json()["error"], str)
    assert httpx.post(http.base_url.join("start_pipeline"), json={}).json()["error"]


def test_runs_pass_through_running_and_can_be_terminated():
    # speed 0.5: summarize runs ~1 s, long enough to observe RUNNING and terminate it
    with serve(speed=0.5) as em, httpx.Client(base_url=em.base_url, headers=AUTH) as http:
        run_id = _start(http, "summarize", text="Hello there.")
        assert _poll(http, run_id)["state"] == "RUNNING"
        r = http.post("/terminate_pipeline", json={"run_id": run_id})
        assert r.json()["state"] == "TERMINATING"
        final = wait_for(lambda: (s := _poll(http, run_id))["state"] == "TERMINATED" and s)
        assert final["outputs"] == {} and final["log"][-1] == "Flow terminated"
        other = _start(http, "summarize", text="A. B.")
        wait_for(lambda: _poll(http, other)["state"] == "DONE", timeout=10)
