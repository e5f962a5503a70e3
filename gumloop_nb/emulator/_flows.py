"""Legacy flows API (contract §8.2): demo saved flows `summarize`, `table` and `fail`.

A run's state is computed from the clock when it is polled: RUNNING for the flow's duration
(scaled by the emulator's speed; at speed 0 a run is finished on the first poll), then DONE
with outputs or FAILED with a log. ``POST /terminate_pipeline {"run_id"}`` moves a running run
to TERMINATING, and the next poll (after a short grace time) to TERMINATED.
Errors use the flat legacy shape ``{"error": "..."}``.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._artifacts import create_artifact, rows_to_csv
from ._http import FlatError, loads_strict, new_id, ok, read_body

__all__ = ["FLOWS", "ROUTES"]

# seconds at speed 1.0
FLOWS: dict[str, dict[str, Any]] = {
    "summarize": {"name": "Summarize text", "duration": 2.0, "inputs": ["text"]},
    "table": {"name": "Planets table", "duration": 2.5, "inputs": ["count"]},
    "fail": {"name": "Always fails", "duration": 1.5, "inputs": []},
}

PLANETS = [
    ("Mercury", 1, 0.39, 4879, 0.055, 0, 88.0),
    ("Venus", 2, 0.72, 12104, 0.815, 0, 224.7),
    ("Earth", 3, 1.00, 12756, 1.0, 1, 365.2),
    ("Mars", 4, 1.52, 6792, 0.107, 2, 687.0),
    ("Jupiter", 5, 5.20, 142984, 317.8, 95, 4331.0),
    ("Saturn", 6, 9.58, 120536, 95.2, 146, 10747.0),
    ("Uranus", 7, 19.22, 51118, 14.5, 28, 30589.0),
    ("Neptune", 8, 30.05, 49528, 17.1, 16, 59800.0),
]
_PLANET_KEYS = (
    "name",
    "order_from_sun",
    "distance_au",
    "diameter_km",
    "mass_earths",
    "moons",
    "orbital_period_days",
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def summarize(text: str) -> str:
    """An extractive summary: the first sentences, at most ~200 characters, plus a count."""
    text = " ".join(str(text).split())
    if not text:
        return "There was no text to summarize."
    sentences = _SENTENCE.split(text)
    summary = sentences[0]
    for sentence in sentences[1:]:
        if len(summary) + len(sentence) > 200:
            break
        summary += " " + sentence
    if len(summary) > 200:
        summary = summary[:197].rstrip() + "..."
    return f"{summary} ({len(text.split())} words in total.)"


def _inputs(body: dict[str, Any]) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    reserved = {
        "api_key",
        "saved_item_id",
        "user_id",
        "project_id",
        "openai_token",
        "action_id",
        "reuse_action",
        "trigger_id",
        "pipeline_inputs",
    }
    for key, value in body.items():
        if key not in reserved:
            inputs[key] = value
    for item in body.get("pipeline_inputs") or []:
        if isinstance(item, dict) and isinstance(item.get("input_name"), str):
            inputs[item["input_name"]] = item.get("value")
    return inputs


async def _flat_json(request: Request) -> dict[str, Any]:
    raw = await read_body(request, request.app.state.ctx.config.max_body_bytes)
    try:
        body = loads_strict(raw or b"{}")
    except ValueError as exc:
        raise FlatError(400, f"Bad request (body is not valid JSON: {exc})") from None
    if not isinstance(body, dict):
        raise FlatError(400, "Bad request (body must be a JSON object)")
    return body


async def start_pipeline(request: Request) -> Response:
    ctx = request.app.state.ctx
    body = await _flat_json(request)
    flow_id = body.get("saved_item_id")
    if not isinstance(flow_id, str) or not flow_id:
        raise FlatError(400, "Bad request (missing saved_item_id)")
    if flow_id not in FLOWS:
        raise FlatError(404, f"Flow '{flow_id}' not found (demo flows: {', '.join(FLOWS)})")
    if not body.get("user_id") and not body.get("project_id"):
        raise FlatError(400, "Bad request (missing user_id or project_id)")
    run_id = new_id("run")
    now = time.time()
    run = {
        "run_id": run_id,
        "saved_item_id": flow_id,
        "user_id": body.get("user_id"),
        "project_id": body.get("project_id"),
        "inputs": _inputs(body),
        "created": now,
        "duration": ctx.config.delay(FLOWS[flow_id]["duration"]),
        "state": "RUNNING",
        "terminate_at": None,
        "finished": None,
        "outputs": {},
        "log": [f"Flow '{FLOWS[flow_id]['name']}' started"],
    }
    ctx.store.put("flow_runs", run_id, run)
    origin = f"{request.url.scheme}://{request.url.netloc}"
    return ok(
        {
            "run_id": run_id,
            "saved_item_id": flow_id,
            "workbook_id": f"wb_{flow_id}",
            "url": f"{origin}/flows/{flow_id}/runs/{run_id}",
        }
    )


def _finish(ctx: Any, run: dict[str, Any]) -> None:
    flow = run["saved_item_id"]
    inputs = run["inputs"]
    run["finished"] = run["created"] + run["duration"]
    if flow == "fail":
        run["state"] = "FAILED"
        run["log"] += [
            "Node 'Validate input' started",
            "Error: node 'Validate input' failed: the demo flow 'fail' always fails",
            "Flow failed",
        ]
        return
    if flow == "summarize":
        text = inputs.get("text", "")
        run["outputs"] = {"summary": summarize(text if isinstance(text, str) else str(text))}
        run["log"] += ["Node 'Input: text' finished", "Node 'Summarize' finished"]
    else:
        count = inputs.get("count", len(PLANETS))
        try:
            count = max(0, min(len(PLANETS), int(count)))
        except (TypeError, ValueError):
            count = len(PLANETS)
        records = [dict(zip(_PLANET_KEYS, row, strict=True)) for row in PLANETS[:count]]
        art = create_artifact(
            ctx.store,
            agent_id=None,
            session_id=None,
            filename="planets.csv",
            media_type="text/csv",
            data=rows_to_csv(records),
            team_id=run.get("project_id"),
        )
        run["outputs"] = {"records": records, "artifact_id": art["id"]}
        run["log"] += [
            f"Node 'Read table' returned {len(records)} rows",
            "Node 'Write CSV' saved planets.csv",
        ]
    run["state"] = "DONE"
    run["log"].append("Flow finished")


def _advance(ctx: Any, run: dict[str, Any]) -> None:
    now = time.time()
    if run["state"] == "TERMINATING" and now >= run["terminate_at"]:
        run["state"] = "TERMINATED"
        run["finished"] = now
        run["log"].append("Flow terminated")
    elif run["state"] == "RUNNING" and now >= run["created"] + run["duration"]:
        _finish(ctx, run)


async def get_run(request: Request) -> Response:
    ctx = request.app.state.ctx
    q = request.query_params
    run_id = q.get("run_id")
    if not run_id:
        raise FlatError(400, "Bad request (missing run_id)")
    if not q.get("user_id") and not q.get("project_id"):
        raise FlatError(400, "Bad request (missing user_id or project_id)")
    run = ctx.store.get("flow_runs", run_id)
    if run is None:
        raise FlatError(404, f"Run '{run_id}' not found")
    _advance(ctx, run)
    ctx.store.put("flow_runs", run_id, run)
    return ok(
        {
            "run_id": run_id,
            "user_id": run["user_id"],
            "saved_item_id": run["saved_item_id"],
            "state": run["state"],
            "outputs": run["outputs"] if run["state"] == "DONE" else {},
            "created_ts": _iso(run["created"]),
            "finished_ts": _iso(run["finished"]) if run["finished"] else None,
            "log": run["log"],
        }
    )


async def terminate(request: Request) -> Response:
    ctx = request.app.state.ctx
    body = await _flat_json(request)
    run_id = body.get("run_id") or request.query_params.get("run_id")
    if not run_id:
        raise FlatError(400, "Bad request (missing run_id)")
    run = ctx.store.get("flow_runs", run_id)
    if run is None:
        raise FlatError(404, f"Run '{run_id}' not found")
    _advance(ctx, run)
    if run["state"] == "RUNNING":
        run["state"] = "TERMINATING"
        run["terminate_at"] = time.time() + ctx.config.delay(0.5)
        run["log"].append("Termination requested")
        ctx.store.put("flow_runs", run_id, run)
    return ok({"run_id": run_id, "state": run["state"]})


ROUTES = [
    Route("/api/v1/start_pipeline", start_pipeline, methods=["POST"]),
    Route("/api/v1/get_pl_run", get_run, methods=["GET"]),
    Route("/api/v1/terminate_pipeline", terminate, methods=["POST"]),
]
