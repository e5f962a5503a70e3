"""Agent triggers: schedule / webhook / integration triggers, their runs, stats and operators.

A trigger *fires* by starting a new session of its agent (``type: "trigger"``, carrying the
trigger's ``trigger_id``) with the trigger's prompt; each firing is recorded as a run whose state
follows that session (``running`` -> ``completed`` / ``failed``). Offline there is no clock
service and no integration polling, so the emulator fires triggers in two ways:

- **Webhook triggers**: ``POST`` anything to the trigger's ``webhook_url`` (no bearer token; the
  URL embeds the trigger's secret, as in the real service). With ``pass_raw_data`` the request
  body is appended to the prompt. Answers ``202 {"run_id", "session_id"}``.
- **Any trigger, now** (emulator extension, bearer auth):
  ``POST /api/v1/agents/{agent_id}/triggers/{trigger_id}/fire`` with an optional JSON body
  ``{"payload": ...}`` (used like a webhook body). This is the documented way to run a scheduled
  trigger without waiting for its cron time. Disabled triggers refuse with ``409``.

Schedules are validated as the API does (five-field cron *or* an ISO-8601 ``run_at``, an IANA
``timezone``), but nothing fires on its own.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._agents import get_agent, public_agent
from ._http import (
    ApiError,
    field,
    iso_now,
    json_body,
    new_id,
    not_found,
    ok,
    origin,
    paginate,
    read_body,
)
from ._sessions import open_session

__all__ = ["ROUTES", "WEBHOOK_PREFIX"]

TYPES = ("schedule", "webhook", "integration")
_SCHEDULE_FIELDS = ("cron_expression", "run_at", "timezone")
_MAX_WEBHOOK_BODY = 1024 * 1024

#: The integration operators a trigger can watch (the catalog of ``GET .../trigger-operators``).
OPERATORS: list[dict[str, Any]] = [
    {
        "name": "gmail_new_email",
        "display_name": "Gmail: new email",
        "version": "1.0.0",
        "description": "Fires for every new email that matches the search query.",
        "category": "Email",
        "credential_types": ["gmail"],
        "parameters": [
            {"name": "query", "data_type": "string", "required": False,
             "description": "Gmail search query, e.g. 'from:boss@example.com'.",
             "default_value": "", "is_dynamic": False, "is_hidden": False},
            {"name": "label", "data_type": "string", "required": False,
             "description": "Only emails with this label.", "default_value": "INBOX",
             "is_dynamic": True, "is_hidden": False},
        ],
    },
    {
        "name": "slack_new_message",
        "display_name": "Slack: new message in channel",
        "version": "1.2.0",
        "description": "Fires for every new message posted in a channel.",
        "category": "Communication",
        "credential_types": ["slack"],
        "parameters": [
            {"name": "channel_id", "data_type": "string", "required": True,
             "description": "The channel to watch.", "default_value": None,
             "is_dynamic": True, "is_hidden": False},
        ],
    },
    {
        "name": "github_new_issue",
        "display_name": "GitHub: new issue",
        "version": "1.0.0",
        "description": "Fires when an issue is opened in a repository.",
        "category": "Developer tools",
        "credential_types": ["github"],
        "parameters": [
            {"name": "repository", "data_type": "string", "required": True,
             "description": "owner/name of the repository.", "default_value": None,
             "is_dynamic": False, "is_hidden": False},
            {"name": "labels", "data_type": "array", "required": False,
             "description": "Only issues with all of these labels.", "default_value": [],
             "is_dynamic": False, "is_hidden": False},
        ],
    },
]  # fmt: skip


def _bad(message: str, param: str) -> ApiError:
    return ApiError(400, "invalid_request", message, param=param)


# -- validation ---------------------------------------------------------------------------------

_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_CRON_NAMES: tuple[dict[str, int], ...] = (
    {},
    {},
    {},
    {m: i + 1 for i, m in enumerate(_MONTHS)},
    {d: i for i, d in enumerate(_DAYS)},
)
_CRON_ALIASES = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")


def _cron_value(text: str, index: int) -> int:
    lo, hi = _CRON_RANGES[index]
    value = _CRON_NAMES[index].get(text.lower()) if not text.isdigit() else int(text)
    if value is None or not lo <= value <= hi:
        raise ValueError(text)
    return value


def check_cron(expr: str) -> None:
    """Accept a standard five-field cron expression (or an @alias); 400 naming the field."""
    if expr.strip().lower() in _CRON_ALIASES:
        return
    parts = expr.split()
    names = ("minute", "hour", "day of month", "month", "day of week")
    if len(parts) != 5:
        raise _bad(
            f"cron_expression '{expr}' must have 5 fields (minute hour day-of-month month "
            "day-of-week), e.g. '0 9 * * 1-5'.",
            "cron_expression",
        )
    for index, part in enumerate(parts):
        try:
            for item in part.split(","):
                base, _, step = item.partition("/")
                if step and (not step.isdigit() or int(step) == 0):
                    raise ValueError(step)
                if base == "*":
                    continue
                lo, _, hi = base.partition("-")
                first = _cron_value(lo, index)
                if hi and _cron_value(hi, index) < first:
                    raise ValueError(base)
        except ValueError:
            low, high = _CRON_RANGES[index]
            raise _bad(
                f"cron_expression '{expr}': the {names[index]} field '{part}' is not valid "
                f"(values {low}-{high}, '*', ranges a-b, lists a,b and steps */n).",
                "cron_expression",
            ) from None


def _check_run_at(value: str) -> None:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _bad(
            f"run_at '{value}' is not an ISO-8601 date-time (e.g. 2026-03-01T09:00:00Z).", "run_at"
        ) from None


def _check_timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _bad(
            f"timezone '{value}' is not an IANA time zone name (e.g. 'Europe/Paris', 'UTC').",
            "timezone",
        ) from None


def _integration(body: dict[str, Any]) -> dict[str, Any]:
    config = field(body, "integration", dict, required=True)
    allowed = {"operator_name", "parameters", "credentials_to_use"}
    if extra := sorted(set(config) - allowed):
        raise _bad(f"Unknown integration keys: {', '.join(extra)}.", "integration")
    name = field(config, "operator_name", str, required=True)
    operator = next((o for o in OPERATORS if o["name"] == name), None)
    if operator is None:
        raise ApiError(
            404,
            "trigger_operator_not_found",
            f"No trigger operator '{name}'; list them with GET "
            "/agents/{agent_id}/trigger-operators.",
            param="integration.operator_name",
            type="not_found_error",
        )
    params = field(config, "parameters", dict) or {}
    known = {p["name"]: p for p in operator["parameters"]}
    if unknown := sorted(set(params) - set(known)):
        raise _bad(
            f"Operator '{name}' has no parameter {', '.join(unknown)}; it takes "
            f"{', '.join(known) or 'none'}.",
            "integration.parameters",
        )
    missing = [p for p, spec in known.items() if spec["required"] and params.get(p) in (None, "")]
    if missing:
        raise _bad(
            f"Operator '{name}' needs the parameter(s) {', '.join(missing)}.",
            "integration.parameters",
        )
    creds = field(config, "credentials_to_use", dict) or {}
    for key, selector in creds.items():
        if (
            not isinstance(selector, dict)
            or not isinstance(selector.get("secret_id"), str)
            or not selector["secret_id"]
            or set(selector) - {"secret_id", "is_personal_credential"}
            or not isinstance(selector.get("is_personal_credential", True), bool)
        ):
            raise _bad(
                f"credentials_to_use['{key}'] must be {{secret_id, is_personal_credential}}.",
                "integration.credentials_to_use",
            )
    defaults = {p: spec["default_value"] for p, spec in known.items() if p not in params}
    return {
        "operator_name": name,
        "operator_version": operator["version"],
        "parameters": {**{k: v for k, v in defaults.items() if v is not None}, **params},
        "_credentials": creds,
    }


def _check_common(body: dict[str, Any]) -> None:
    for name in ("prompt", "name", *_SCHEDULE_FIELDS):
        field(body, name, str)
    for name in ("pass_raw_data", "enabled"):
        field(body, name, bool)
    failures = field(body, "max_failures", int)
    if failures is not None and not 1 <= failures <= 100:
        raise _bad("max_failures must be between 1 and 100.", "max_failures")
    if "prompt" in body and body["prompt"] is not None and not body["prompt"].strip():
        raise _bad("The field 'prompt' must not be empty.", "prompt")


def _check_schedule(trigger: dict[str, Any]) -> None:
    cron, run_at = trigger.get("cron_expression"), trigger.get("run_at")
    if bool(cron) == bool(run_at):
        raise _bad(
            "A schedule trigger takes exactly one of cron_expression or run_at.",
            "cron_expression" if cron else "run_at",
        )
    if cron:
        check_cron(cron)
    if run_at:
        _check_run_at(run_at)
    if trigger.get("timezone"):
        _check_timezone(trigger["timezone"])


# -- storage ------------------------------------------------------------------------------------


def _public(trigger: dict[str, Any], *, with_url: str | None = None) -> dict[str, Any]:
    out = {k: v for k, v in trigger.items() if not k.startswith("_")}
    if out.get("integration"):
        out["integration"] = {k: v for k, v in out["integration"].items() if not k.startswith("_")}
    out["status"] = _status(trigger)
    out["webhook_url"] = with_url
    return out


def _status(trigger: dict[str, Any]) -> str:
    if trigger.get("_paused_after_failures"):
        return "paused"
    return "active" if trigger["enabled"] else "disabled"


def _webhook_url(request: Request, trigger: dict[str, Any]) -> str | None:
    if trigger["type"] != "webhook":
        return None
    return f"{origin(request)}/hooks/triggers/{trigger['id']}/{trigger['_secret']}"


def _get_trigger(request: Request, agent_id: str, trigger_id: str) -> dict[str, Any]:
    trigger = request.app.state.ctx.store.get("triggers", trigger_id)
    if trigger is None or trigger["agent_id"] != agent_id:
        raise not_found("trigger", trigger_id)
    return trigger


def _sync_agent(request: Request, agent_id: str) -> None:
    """Keep the agent's ``triggers`` list and ``active_trigger_count`` in step."""
    store = request.app.state.ctx.store
    agent = store.get("agents", agent_id)
    if agent is None:
        return
    mine = [t for t in store.list("triggers") if t["agent_id"] == agent_id]
    agent["triggers"] = [_public(t) for t in mine]
    agent["active_trigger_count"] = sum(1 for t in mine if _status(t) == "active")
    store.put("agents", agent_id, agent)


# -- endpoints ----------------------------------------------------------------------------------


async def list_operators(request: Request) -> Response:
    get_agent(request, request.path_params["agent_id"])
    return ok({"operators": OPERATORS})


async def list_triggers(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    items = [t for t in request.app.state.ctx.store.list("triggers") if t["agent_id"] == agent_id]
    page, nxt = paginate(request, list(reversed(items)))
    return ok({"agent_id": agent_id, "triggers": [_public(t) for t in page], "next_cursor": nxt})


async def create_trigger(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    body = await json_body(request)
    kind = field(body, "type", str, required=True)
    if kind not in TYPES:
        raise _bad(f"type must be one of {', '.join(TYPES)}; got '{kind}'.", "type")
    field(body, "prompt", str, required=True)
    _check_common(body)
    trigger: dict[str, Any] = {
        "id": new_id("trg"),
        "agent_id": agent_id,
        "type": kind,
        "name": body.get("name"),
        "prompt": body["prompt"],
        "cron_expression": None,
        "run_at": None,
        "timezone": None,
        "pass_raw_data": bool(body.get("pass_raw_data", False)),
        "enabled": body.get("enabled", kind != "integration"),
        "max_failures": body.get("max_failures"),
        "created_at": iso_now(),
        "last_run_at": None,
        "integration": None,
        "_secret": secrets.token_urlsafe(18),
    }
    if kind == "schedule":
        trigger.update({k: body.get(k) for k in _SCHEDULE_FIELDS})
        _check_schedule(trigger)
    else:
        if given := [k for k in _SCHEDULE_FIELDS if body.get(k) is not None]:
            raise _bad(f"A {kind} trigger takes no schedule fields ({', '.join(given)}).", given[0])
    if kind == "integration":
        trigger["integration"] = _integration(body)
    elif body.get("integration") is not None:
        raise _bad("integration is only for integration triggers.", "integration")
    request.app.state.ctx.store.put("triggers", trigger["id"], trigger)
    _sync_agent(request, agent_id)
    return ok({"trigger": _public(trigger, with_url=_webhook_url(request, trigger))}, 201)


async def get_trigger(request: Request) -> Response:
    p = request.path_params
    get_agent(request, p["agent_id"])
    return ok({"trigger": _public(_get_trigger(request, p["agent_id"], p["trigger_id"]))})


async def update_trigger(request: Request) -> Response:
    p = request.path_params
    get_agent(request, p["agent_id"])
    trigger = _get_trigger(request, p["agent_id"], p["trigger_id"])
    body = await json_body(request)
    _check_common(body)
    changes = {k: v for k, v in body.items() if v is not None}
    if unknown := sorted(
        set(changes)
        - {"prompt", "name", "pass_raw_data", "enabled", "max_failures", "integration"}
        - set(_SCHEDULE_FIELDS)
    ):
        raise _bad(f"Unknown trigger fields: {', '.join(unknown)}.", unknown[0])
    if trigger["type"] != "schedule" and (given := [k for k in _SCHEDULE_FIELDS if k in changes]):
        raise _bad(f"Only schedule triggers take {', '.join(given)}.", given[0])
    if "integration" in changes:
        if trigger["type"] != "integration":
            raise _bad("integration is only for integration triggers.", "integration")
        if trigger["enabled"] and "enabled" not in changes:
            raise ApiError(
                409,
                "trigger_enabled_choice_required",
                "Replacing the configuration of an active integration trigger needs an explicit "
                "'enabled' (true to keep it running with the new configuration, false to pause).",
                param="enabled",
                type="conflict_error",
            )
        trigger["integration"] = _integration(changes)
    if trigger["type"] == "schedule" and {"cron_expression", "run_at"} & set(changes):
        # The two schedule kinds exclude each other: setting one clears the other.
        trigger["cron_expression"] = trigger["run_at"] = None
    for key in ("prompt", "name", "pass_raw_data", "enabled", "max_failures", *_SCHEDULE_FIELDS):
        if key in changes:
            trigger[key] = changes[key]
    if trigger["type"] == "schedule":
        _check_schedule(trigger)
    if changes.get("enabled"):
        trigger["_paused_after_failures"] = False
    request.app.state.ctx.store.put("triggers", trigger["id"], trigger)
    _sync_agent(request, p["agent_id"])
    return ok({"trigger": _public(trigger)})


async def delete_trigger(request: Request) -> Response:
    p = request.path_params
    get_agent(request, p["agent_id"])
    store = request.app.state.ctx.store
    existing = store.get("triggers", p["trigger_id"])
    deleted = existing is not None and existing["agent_id"] == p["agent_id"]
    if deleted:
        store.delete("triggers", p["trigger_id"])
        _sync_agent(request, p["agent_id"])
    return ok({"agent_id": p["agent_id"], "trigger_id": p["trigger_id"], "deleted": deleted})


async def webhook_url(request: Request) -> Response:
    p = request.path_params
    get_agent(request, p["agent_id"])
    trigger = _get_trigger(request, p["agent_id"], p["trigger_id"])
    return ok(
        {
            "agent_id": p["agent_id"],
            "trigger_id": trigger["id"],
            "webhook_url": _webhook_url(request, trigger),
        }
    )


# -- runs ---------------------------------------------------------------------------------------

_RUN_STATE = {"processing": "running", "queued": "running", "completed": "completed"}


def _run_view(request: Request, run: dict[str, Any]) -> dict[str, Any]:
    """The run as listed: its state, timing and cost follow the session it started."""
    session = request.app.state.ctx.store.get("sessions", run["interaction_id"])
    out = dict(run)
    if session is None:
        out["state"] = "failed"
        return out
    out["state"] = _RUN_STATE.get(session["state"], "failed")
    if out["state"] != "running":
        finished = session["messages"][-1]["created_at"] if session["messages"] else None
        out["finished_ts"] = finished
        if finished:
            start = datetime.fromisoformat(run["created_ts"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(finished.replace("Z", "+00:00"))
            out["duration_ms"] = max(0, int((end - start).total_seconds() * 1000))
        out["credit_cost"] = float(session["usage"].get("credit_cost") or 0.0)
        answer = next((m for m in reversed(session["messages"]) if m["role"] == "assistant"), None)
        out["message_id"] = answer["id"] if answer else None
    return out


def _fire(request: Request, trigger: dict[str, Any], payload: Any) -> dict[str, Any]:
    ctx = request.app.state.ctx
    agent = public_agent(get_agent(request, trigger["agent_id"]))
    prompt = trigger["prompt"]
    if trigger.get("pass_raw_data") and payload not in (None, b"", ""):
        raw = payload if isinstance(payload, str) else json.dumps(payload)
        prompt = f"{prompt}\n\nTrigger data:\n{raw}"
    name = trigger.get("name") or f"{trigger['type'].capitalize()} trigger"
    session = open_session(
        ctx,
        agent,
        prompt,
        name=name,
        session_type="trigger",
        trigger_id=trigger["id"],
        metadata={"trigger": {"id": trigger["id"], "type": trigger["type"]}},
    )
    assert session is not None  # fresh random id
    now = iso_now()
    run = {
        "gummie_trigger_run_id": new_id("trun"),
        "trigger_id": trigger["id"],
        "interaction_id": session["id"],
        "state": "running",
        "name": name,
        "message_id": None,
        "continuation_mode": "new_session",
        "created_ts": now,
        "finished_ts": None,
        "duration_ms": None,
        "credit_cost": None,
        "delivery_refusal": None,
        "background_task": None,
    }
    ctx.store.put("trigger_runs", run["gummie_trigger_run_id"], run)
    trigger["last_run_at"] = now
    ctx.store.put("triggers", trigger["id"], trigger)
    _sync_agent(request, trigger["agent_id"])
    return run


def _refuse_disabled(request: Request, trigger: dict[str, Any]) -> None:
    """409 unless the trigger is active; `max_failures` failed runs in a row pause it."""
    limit = trigger.get("max_failures")
    if limit and _status(trigger) == "active":
        runs = _runs_of(request, trigger["id"])[-limit:]
        if len(runs) == limit and all(r["state"] == "failed" for r in runs):
            trigger["_paused_after_failures"] = True
            request.app.state.ctx.store.put("triggers", trigger["id"], trigger)
            _sync_agent(request, trigger["agent_id"])
    if _status(trigger) != "active":
        raise ApiError(
            409,
            "trigger_disabled",
            f"Trigger '{trigger['id']}' is {_status(trigger)}; enable it "
            "(PATCH .../triggers/{trigger_id} with enabled=true) before firing it.",
            type="conflict_error",
        )


async def fire_trigger(request: Request) -> Response:
    """Emulator extension: fire any trigger now (see the module docstring)."""
    p = request.path_params
    get_agent(request, p["agent_id"])
    trigger = _get_trigger(request, p["agent_id"], p["trigger_id"])
    body = await json_body(request, required=False)
    _refuse_disabled(request, trigger)
    run = _fire(request, trigger, body.get("payload"))
    return ok({"run_id": run["gummie_trigger_run_id"], "session_id": run["interaction_id"]}, 202)


async def receive_webhook(request: Request) -> Response:
    """The public webhook URL: no bearer token, the path's secret identifies the trigger."""
    trigger = request.app.state.ctx.store.get("triggers", request.path_params["trigger_id"])
    secret = request.path_params["secret"]
    store = request.app.state.ctx.store
    if (
        trigger is None
        or trigger["type"] != "webhook"
        or not secrets.compare_digest(secret, trigger["_secret"])
        or store.get("agents", trigger["agent_id"]) is None  # its agent was deleted
    ):
        raise ApiError(
            404,
            "webhook_not_found",
            "No webhook at this URL; fetch the current URL with GET "
            "/agents/{agent_id}/triggers/{trigger_id}/webhook-url.",
            type="not_found_error",
        )
    _refuse_disabled(request, trigger)
    raw = await read_body(request, _MAX_WEBHOOK_BODY)
    payload: Any = raw.decode("utf-8", errors="replace")
    if raw.strip():
        try:
            payload = json.loads(raw)
        except ValueError:
            pass
    run = _fire(request, trigger, payload if raw.strip() else None)
    return ok({"run_id": run["gummie_trigger_run_id"], "session_id": run["interaction_id"]}, 202)


def _runs_of(request: Request, trigger_id: str) -> list[dict[str, Any]]:
    runs = request.app.state.ctx.store.list("trigger_runs")
    return [_run_view(request, r) for r in runs if r["trigger_id"] == trigger_id]


async def list_runs(request: Request) -> Response:
    p = request.path_params
    get_agent(request, p["agent_id"])
    trigger = _get_trigger(request, p["agent_id"], p["trigger_id"])
    items = list(reversed(_runs_of(request, trigger["id"])))
    if states := request.query_params.get("state"):
        wanted = {s.strip() for s in states.split(",") if s.strip()}
        items = [r for r in items if r["state"] in wanted]
    page, nxt = paginate(request, items)
    return ok({"items": [{k: v for k, v in r.items() if k != "trigger_id"} for r in page],
               "next_cursor": nxt})  # fmt: skip


async def trigger_stats(request: Request) -> Response:
    p = request.path_params
    get_agent(request, p["agent_id"])
    trigger = _get_trigger(request, p["agent_id"], p["trigger_id"])
    runs = _runs_of(request, trigger["id"])
    run_credits = round(sum(r.get("credit_cost") or 0.0 for r in runs), 6)
    # Integration polling costs nothing offline: there is no poller.
    return ok(
        {
            "run_count": len(runs),
            "last_run_ts": runs[-1]["created_ts"] if runs else None,
            "run_credits": run_credits,
            "poll_credits": 0.0,
            "total_credits": run_credits,
        }
    )


_T = "/api/v1/agents/{agent_id}/triggers"
ROUTES = [
    Route("/api/v1/agents/{agent_id}/trigger-operators", list_operators, methods=["GET"]),
    Route(_T, list_triggers, methods=["GET"]),
    Route(_T, create_trigger, methods=["POST"]),
    Route(_T + "/{trigger_id}", get_trigger, methods=["GET"]),
    Route(_T + "/{trigger_id}", update_trigger, methods=["PATCH"]),
    Route(_T + "/{trigger_id}", delete_trigger, methods=["DELETE"]),
    Route(_T + "/{trigger_id}/webhook-url", webhook_url, methods=["GET"]),
    Route(_T + "/{trigger_id}/runs", list_runs, methods=["GET"]),
    Route(_T + "/{trigger_id}/stats", trigger_stats, methods=["GET"]),
    Route(_T + "/{trigger_id}/fire", fire_trigger, methods=["POST"]),
    # Public (no bearer): the URL's secret is the credential.
    Route("/hooks/triggers/{trigger_id}/{secret}", receive_webhook, methods=["POST"]),
]
WEBHOOK_PREFIX = "/hooks/"
