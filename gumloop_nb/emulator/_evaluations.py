"""Evaluations: an agent's own evaluation (config, results, options, metrics, run) and
organization evaluations (rubric, targets, runs, results, metrics).

Grading is deterministic and offline (see :func:`grade_session`): a finished session that got
an answer passes; one without an answer needs review; a failed run gives a ``failed`` result with
no grade. Criteria, tags and data points from the rubric are applied word-for-word to the
conversation, so changing the rubric changes the results in a way a notebook can observe.

- The agent's own evaluation grades every finished session of the agent (results appear as
  sessions finish); ``POST /agents/{id}/evaluations/run`` re-grades the named sessions now with
  the current config and stores fresh results that replace the automatic ones.
- An organization evaluation grades only when run (``POST /evaluations/{id}/run``) over sessions
  of the agents its targets cover; each session is graded once per evaluation (a second run skips
  it with ``already_evaluated``). Grading happens inside the request, so the returned results are
  already ``completed`` (or ``failed``) rather than queued.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._agents import get_agent
from ._demo import ORGANIZATIONS, TEAMS, creator
from ._http import ApiError, field, iso_now, json_body, new_id, not_found, ok, paginate

__all__ = ["ROUTES", "grade_session"]

DEFAULT_MODEL = "claude-sonnet-4-5"
FREQUENCIES = ("hourly", "daily", "weekly")
SESSION_TYPES = ("api", "web", "slack", "email", "trigger")
CRITERION_TYPES = ("boolean", "score")
PRIORITIES = ("low", "medium", "high")
DATA_POINT_TYPES = ("string", "number", "boolean")
TARGET_TYPES = ("organization", "team", "user", "agent")
GRADES = ("pass", "needs_review")
SKIP_REASONS = (
    "session_not_found",
    "session_not_finished",
    "agent_not_covered",
    "already_evaluated",
)
LIMITS = {"criteria": 20, "tags": 20, "data_points": 20, "targets": 50, "session_ids": 100}
_CREDITS_PER_SESSION = 1

_POSITIVE = {"thanks", "thank", "great", "good", "perfect", "love", "helpful", "awesome", "nice"}
_NEGATIVE = {"bad", "wrong", "broken", "angry", "terrible", "useless", "hate", "error", "fail"}
_WORD = re.compile(r"[a-z0-9']+")


def _bad(message: str, param: str) -> ApiError:
    return ApiError(400, "invalid_request", message, param=param)


# -- grading ------------------------------------------------------------------------------------


def _first_sentence(text: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return sentence[:200]


def grade_session(session: dict[str, Any], rubric: dict[str, Any]) -> dict[str, Any]:
    """Grade one session against a rubric (criteria / tags / data points), deterministically."""
    messages = session.get("messages") or []
    answer = next((m for m in reversed(messages) if m["role"] == "assistant"), None)
    answered = bool(answer and (answer.get("content") or "").strip())
    if session["state"] == "failed":
        return {
            "status": "failed",
            "grade": None,
            "call_successful": None,
            "sentiment": None,
            "summary": "The run failed before an answer, so it could not be graded.",
            "criteria_results": [],
            "data_results": [],
            "applied_tags": [],
            "error_code": "session_failed",
        }
    user_words = set(
        _WORD.findall(
            " ".join(m.get("content") or "" for m in messages if m["role"] == "user").lower()
        )
    )
    all_words = set(_WORD.findall(" ".join(m.get("content") or "" for m in messages).lower()))
    criteria = []
    for crit in rubric.get("criteria") or []:
        if crit.get("type") == "score":
            criteria.append(
                {"name": crit.get("name"), "score": 4 if answered else 1, "max_score": 5}
            )
        else:
            criteria.append({"name": crit.get("name"), "passed": answered})
    tags = [
        {"name": tag["name"]}
        for tag in rubric.get("tags") or []
        if set(_WORD.findall(str(tag.get("name", "")).lower())) & all_words
    ]
    data = []
    for point in rubric.get("data_points") or []:
        kind = point.get("type", "string")
        value: Any
        if kind == "number":
            value = sum(1 for m in messages if m["role"] == "user")
        elif kind == "boolean":
            value = answered
        else:
            value = _first_sentence(answer["content"]) if answered and answer else None
        data.append({"name": point.get("name"), "value": value})
    pos, neg = len(user_words & _POSITIVE), len(user_words & _NEGATIVE)
    sentiment = "positive" if pos > neg else "negative" if neg > pos else "neutral"
    grade = "pass" if answered else "needs_review"
    return {
        "status": "completed",
        "grade": grade,
        "call_successful": "success" if answered else "failure",
        "sentiment": sentiment,
        "summary": "The agent answered the request."
        if answered
        else "The session ended without an answer from the agent.",
        "criteria_results": criteria,
        "data_results": data,
        "applied_tags": tags,
        "error_code": None,
    }


def _finished(session: dict[str, Any]) -> bool:
    return session["state"] in ("completed", "failed")


def _parse_ts(value: str, param: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _bad(f"{param} must be an ISO-8601 date-time.", param) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _filter_results(request: Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    q = request.query_params
    for key in ("agent_id", "grade", "status", "session_id"):
        if q.get(key):
            items = [r for r in items if r.get(key) == q[key]]
    for key, keep in (
        ("created_after", lambda a, b: a > b),
        ("created_before", lambda a, b: a < b),
    ):
        if q.get(key):
            bound = _parse_ts(q[key], key)
            items = [r for r in items if keep(_parse_ts(r["created_at"], key), bound)]
    return items


def _days(request: Request, default: int) -> int:
    raw = request.query_params.get("days")
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 365:
        raise _bad("days must be between 1 and 365.", "days")
    return int(raw)


def _grade_counts(results: list[dict[str, Any]], days: int) -> dict[str, int]:
    since = datetime.now(timezone.utc) - timedelta(days=days)
    grades: dict[str, int] = {}
    for r in results:
        if r.get("grade") and _parse_ts(r["created_at"], "created_at") >= since:
            grades[r["grade"]] = grades.get(r["grade"], 0) + 1
    return grades


def _session_ids(body: dict[str, Any]) -> list[str]:
    ids = field(body, "session_ids", list, required=True)
    if not ids or not all(isinstance(i, str) and i for i in ids):
        raise _bad("session_ids must be a non-empty list of session ids.", "session_ids")
    if len(ids) > LIMITS["session_ids"]:
        raise _bad(f"At most {LIMITS['session_ids']} sessions per run.", "session_ids")
    return list(dict.fromkeys(ids))


# -- rubric validation (shared by agent config and organization evaluations) ---------------------


def _check_items(value: Any, name: str, *, kinds: tuple[str, ...] | None, limit: int) -> None:
    if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
        raise _bad(f"{name} must be a list of objects.", name)
    if len(value) > limit:
        raise _bad(f"At most {limit} {name} are allowed.", name)
    for index, item in enumerate(value):
        if not isinstance(item.get("name"), str) or not item["name"].strip():
            raise _bad(f"{name}[{index}] needs a non-empty 'name'.", name)
        if kinds is not None and item.get("type") is not None and item["type"] not in kinds:
            raise _bad(f"{name}[{index}].type must be one of {', '.join(kinds)}.", name)
        if name == "criteria" and item.get("priority") not in (None, *PRIORITIES):
            raise _bad(f"criteria[{index}].priority must be one of {', '.join(PRIORITIES)}.", name)


def _check_rubric(body: dict[str, Any], *, types_key: str) -> None:
    for name in ("model_name", "frequency", "language"):
        field(body, name, str)
    field(body, "include_auto_tags", bool)
    field(body, "enabled", bool)
    for name in ("sentiment", "notifications"):
        field(body, name, dict)
    if body.get("frequency") is not None and body["frequency"] not in FREQUENCIES:
        raise _bad(f"frequency must be one of {', '.join(FREQUENCIES)}.", "frequency")
    if body.get("model_name") is not None:
        from .llm import MODELS

        if body["model_name"] not in MODELS:
            raise _bad(f"Unknown model '{body['model_name']}'.", "model_name")
    if body.get(types_key) is not None:
        types = body[types_key]
        if not isinstance(types, list) or not types or any(t not in SESSION_TYPES for t in types):
            raise _bad(
                f"{types_key} must be a non-empty list of: {', '.join(SESSION_TYPES)}.", types_key
            )
    if body.get("criteria") is not None:
        _check_items(body["criteria"], "criteria", kinds=CRITERION_TYPES, limit=LIMITS["criteria"])
    if body.get("tags") is not None:
        _check_items(body["tags"], "tags", kinds=None, limit=LIMITS["tags"])
    if body.get("data_points") is not None:
        _check_items(
            body["data_points"], "data_points", kinds=DATA_POINT_TYPES, limit=LIMITS["data_points"]
        )


# -- the agent's own evaluation -------------------------------------------------------------------

_CONFIG_KEYS = (
    "enabled",
    "model_name",
    "frequency",
    "language",
    "include_auto_tags",
    "interaction_types",
    "criteria",
    "tags",
    "data_points",
    "sentiment",
    "notifications",
)


def _eval_config(request: Request, agent_id: str) -> dict[str, Any]:
    stored = request.app.state.ctx.store.get("eval_configs", agent_id)
    if stored:
        return stored
    return {
        "agent_id": agent_id,
        "enabled": False,
        "is_active": False,
        "model_name": DEFAULT_MODEL,
        "frequency": "daily",
        "language": "en",
        "include_auto_tags": True,
        "interaction_types": ["api", "web"],
        "criteria": [
            {"name": "helpful", "description": "The answer helps the user.", "priority": "high"}
        ],
        "tags": [],
        "data_points": [],
        "sentiment": {"enabled": True},
        "notifications": None,
        "updated_ts": None,
        "updated_at": None,
        "organization_evaluations": [],
    }


async def get_eval_config(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    config = _eval_config(request, agent_id)
    config["organization_evaluations"] = [
        {"id": e["id"], "name": e["name"], "enabled": e["enabled"]}
        for e in _org_evaluations(request)
        if agent_id in _covered_agents(request, e["targets"])
    ]
    return ok({"config": config})


async def patch_eval_config(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    body = await json_body(request)
    _check_rubric(body, types_key="interaction_types")
    config = _eval_config(request, agent_id)
    config.update({k: body[k] for k in _CONFIG_KEYS if k in body and body[k] is not None})
    config["is_active"] = bool(config.get("enabled"))
    config["updated_at"] = config["updated_ts"] = iso_now()
    request.app.state.ctx.store.put("eval_configs", agent_id, config)
    return ok({"config": config})


def _agent_view(result: dict[str, Any]) -> dict[str, Any]:
    """A stored result as ``EvaluationResult`` (the agent-level listing's shape)."""
    out = {k: v for k, v in result.items() if k != "evaluation_id"}
    out["evaluation_id"] = result["id"]
    out["organization_evaluation_id"] = result.get("evaluation_id")
    out["created_ts"] = result["created_at"]
    return out


def _agent_results(request: Request, agent_id: str) -> list[dict[str, Any]]:
    """The agent's own results: stored re-grades, else an automatic one per finished session."""
    store = request.app.state.ctx.store
    stored = {
        r["session_id"]: r
        for r in store.list("evaluation_results")
        if r["agent_id"] == agent_id and r.get("evaluation_id") is None
    }
    rubric = _eval_config(request, agent_id)
    results = []
    for session in store.list("sessions"):
        if session["agent_id"] != agent_id or not _finished(session):
            continue
        if session["id"] in stored:
            results.append(stored[session["id"]])
            continue
        ev_id = "eval_" + session["id"].split("_", 1)[-1]
        results.append(
            {
                "id": ev_id,
                "evaluation_id": None,
                "session_id": session["id"],
                "agent_id": agent_id,
                "created_at": session["created_at"],
                "model_name": rubric.get("model_name") or DEFAULT_MODEL,
                **grade_session(session, rubric),
            }
        )
    return results


async def list_evaluations(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    org_eval = request.query_params.get("organization_evaluation_id")
    if org_eval:
        items = [
            r
            for r in request.app.state.ctx.store.list("evaluation_results")
            if r["agent_id"] == agent_id and r.get("evaluation_id") == org_eval
        ]
    else:
        items = _agent_results(request, agent_id)
    items = _filter_results(request, items)
    page, nxt = paginate(request, list(reversed(items)))
    return ok({"evaluations": [_agent_view(r) for r in page], "next_cursor": nxt})


async def get_evaluation(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    wanted = request.path_params["evaluation_id"]
    found = next((e for e in _agent_results(request, agent_id) if e["id"] == wanted), None)
    if found is None:
        stored = request.app.state.ctx.store.get("evaluation_results", wanted)
        found = stored if stored and stored["agent_id"] == agent_id else None
    if found is None:
        raise not_found("evaluation", wanted)
    return ok({"evaluation": _agent_view(found)})


async def agent_evaluation_options(request: Request) -> Response:
    return ok(
        {
            "interaction_types": list(SESSION_TYPES),
            "criterion_types": list(CRITERION_TYPES),
            "criterion_priorities": list(PRIORITIES),
            "data_point_types": list(DATA_POINT_TYPES),
            "frequencies": list(FREQUENCIES),
            "default_interaction_types": ["api", "web"],
            "limits": {
                "criteria": LIMITS["criteria"],
                "tags": LIMITS["tags"],
                "data_points": LIMITS["data_points"],
                "tag_name_max_len": 40,
                "tag_description_max_len": 200,
                "notification_recipients": 10,
            },
        }
    )


async def agent_evaluation_metrics(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    days = _days(request, 30)
    results = _agent_results(request, agent_id)
    tags: dict[str, int] = {}
    for r in results:
        for tag in r.get("applied_tags") or []:
            tags[tag["name"]] = tags.get(tag["name"], 0) + 1
    return ok({"days": days, "grades": _grade_counts(results, days), "tags": tags})


def _run(
    request: Request,
    session_ids: list[str],
    *,
    dry_run: bool,
    rubric: dict[str, Any],
    covered: set[str] | None,
    agent_id: str | None,
    evaluation_id: str | None,
) -> dict[str, Any]:
    """Grade `session_ids` (or only price them on a dry run); shared by both run endpoints."""
    store = request.app.state.ctx.store
    done = {
        r["session_id"]: r["id"]
        for r in store.list("evaluation_results")
        if evaluation_id is not None and r.get("evaluation_id") == evaluation_id
    }
    results, skipped = [], []
    for sid in session_ids:
        session = store.get("sessions", sid)
        if session is None or (agent_id is not None and session["agent_id"] != agent_id):
            skipped.append({"session_id": sid, "reason": "session_not_found"})
        elif covered is not None and session["agent_id"] not in covered:
            skipped.append({"session_id": sid, "reason": "agent_not_covered"})
        elif not _finished(session):
            skipped.append({"session_id": sid, "reason": "session_not_finished"})
        elif sid in done:
            skipped.append(
                {"session_id": sid, "reason": "already_evaluated", "result_id": done[sid]}
            )
        elif dry_run:
            results.append({"id": None, "session_id": sid, "status": "pending"})
        else:
            previous = [
                r["id"]
                for r in store.list("evaluation_results")
                if evaluation_id is None
                and r["session_id"] == sid
                and r.get("evaluation_id") is None
            ]
            for old in previous:  # a re-grade replaces the agent's earlier result
                store.delete("evaluation_results", old)
            record = {
                "id": new_id("evr"),
                "evaluation_id": evaluation_id,
                "session_id": sid,
                "agent_id": session["agent_id"],
                "created_at": iso_now(),
                "model_name": rubric.get("model_name") or DEFAULT_MODEL,
                **grade_session(session, rubric),
            }
            store.put("evaluation_results", record["id"], record)
            results.append({"id": record["id"], "session_id": sid, "status": record["status"]})
    return {
        "dry_run": dry_run,
        "credit_cost": _CREDITS_PER_SESSION * len(results),
        "results": results,
        "skipped": skipped,
    }


async def run_agent_evaluations(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    body = await json_body(request)
    ids = _session_ids(body)
    dry_run = bool(field(body, "dry_run", bool))
    rubric = _eval_config(request, agent_id)
    return ok(
        _run(
            request,
            ids,
            dry_run=dry_run,
            rubric=rubric,
            covered=None,
            agent_id=agent_id,
            evaluation_id=None,
        )
    )


# -- organization evaluations ----------------------------------------------------------------------

_RUBRIC_KEYS = (
    "model_name",
    "frequency",
    "language",
    "include_auto_tags",
    "session_types",
    "criteria",
    "tags",
    "data_points",
    "sentiment",
    "notifications",
)


def _org_evaluations(request: Request) -> list[dict[str, Any]]:
    return request.app.state.ctx.store.list("org_evaluations")


def _get_org_eval(request: Request) -> dict[str, Any]:
    ident = request.path_params["evaluation_id"]
    doc = request.app.state.ctx.store.get("org_evaluations", ident)
    if doc is None:
        raise not_found("evaluation", ident)
    return doc


def _covered_agents(request: Request, targets: list[dict[str, Any]]) -> set[str]:
    agents = request.app.state.ctx.store.list("agents")
    covered: set[str] = set()
    for target in targets:
        kind, ident = target["type"], target.get("id")
        for agent in agents:
            if (
                kind == "organization"
                or (kind == "team" and agent.get("team_id") == ident)
                or (kind == "user" and agent["creator"]["id"] == ident)
                or (kind == "agent" and agent["id"] == ident)
            ):
                covered.add(agent["id"])
    return covered


def _public_eval(request: Request, doc: dict[str, Any]) -> dict[str, Any]:
    results = [
        r for r in request.app.state.ctx.store.list("evaluation_results")
        if r.get("evaluation_id") == doc["id"]
    ]  # fmt: skip
    out = dict(doc)
    out["covered_agent_count"] = len(_covered_agents(request, doc["targets"]))
    out["run_summary"] = {
        "result_count": len(results),
        "completed": sum(1 for r in results if r["status"] == "completed"),
        "failed": sum(1 for r in results if r["status"] == "failed"),
        "last_run_at": max((r["created_at"] for r in results), default=None),
    }
    return out


def _rubric(config: dict[str, Any] | None, base: dict[str, Any] | None = None) -> dict[str, Any]:
    rubric = dict(base) if base else {
        "model_name": DEFAULT_MODEL, "frequency": "daily", "language": "en",
        "include_auto_tags": True, "session_types": ["api", "web"], "criteria": [], "tags": [],
        "data_points": [], "sentiment": {"enabled": True}, "notifications": None,
    }  # fmt: skip
    if config:
        if unknown := sorted(set(config) - set(_RUBRIC_KEYS)):
            raise _bad(
                f"Unknown config keys: {', '.join(unknown)}; use {', '.join(_RUBRIC_KEYS)}.",
                "config",
            )
        _check_rubric(config, types_key="session_types")
        rubric.update({k: v for k, v in config.items() if v is not None})
    return rubric


def _no_targets() -> ApiError:
    return ApiError(
        400,
        "evaluation_has_no_targets",
        "An evaluation can only be enabled once it has targets; set them with "
        "PUT /evaluations/{evaluation_id}/targets first.",
        param="enabled",
    )


async def org_evaluation_options(request: Request) -> Response:
    return ok(
        {
            "scopes": ["organization"],
            "target_types": list(TARGET_TYPES),
            "session_types": list(SESSION_TYPES),
            "default_session_types": ["api", "web"],
            "criterion_types": list(CRITERION_TYPES),
            "criterion_priorities": list(PRIORITIES),
            "data_point_types": list(DATA_POINT_TYPES),
            "frequencies": list(FREQUENCIES),
            "grades": list(GRADES),
            "statuses": ["completed", "failed"],
            "skip_reasons": list(SKIP_REASONS),
            "limits": dict(LIMITS),
        }
    )


def _check_org(org_id: str | None) -> str:
    if not org_id:
        raise _bad("organization_id is required.", "organization_id")
    if not any(o["id"] == org_id for o in ORGANIZATIONS):
        raise ApiError(
            404,
            "organization_not_found",
            f"No organization '{org_id}'; list yours with GET /organizations.",
            param="organization_id",
            type="not_found_error",
        )
    return org_id


async def list_org_evaluations(request: Request) -> Response:
    org_id = _check_org(request.query_params.get("organization_id"))
    items = [e for e in _org_evaluations(request) if e["organization_id"] == org_id]
    page, nxt = paginate(request, list(reversed(items)))
    return ok({"evaluations": [_public_eval(request, e) for e in page], "next_cursor": nxt})


async def create_org_evaluation(request: Request) -> Response:
    body = await json_body(request)
    org_id = _check_org(field(body, "organization_id", str, required=True))
    name = field(body, "name", str, required=True)
    if not name.strip():
        raise _bad("The field 'name' must not be empty.", "name")
    field(body, "description", str)
    if field(body, "enabled", bool):
        raise _no_targets()
    now = iso_now()
    doc = {
        "id": new_id("oev"),
        "scope": "organization",
        "agent_id": None,
        "organization_id": org_id,
        "name": name,
        "description": body.get("description"),
        "enabled": False,
        "targets": [],
        "config": _rubric(field(body, "config", dict)),
        "creator": creator(),
        "created_at": now,
        "updated_at": now,
    }
    request.app.state.ctx.store.put("org_evaluations", doc["id"], doc)
    return ok({"evaluation": _public_eval(request, doc)}, 201)


async def retrieve_org_evaluation(request: Request) -> Response:
    return ok({"evaluation": _public_eval(request, _get_org_eval(request))})


async def update_org_evaluation(request: Request) -> Response:
    doc = _get_org_eval(request)
    body = await json_body(request)
    if unknown := sorted(set(body) - {"name", "description", "enabled", "config"}):
        raise _bad(f"Unknown fields: {', '.join(unknown)}.", unknown[0])
    name = field(body, "name", str)
    if name is not None:
        if not name.strip():
            raise _bad("The field 'name' must not be empty.", "name")
        doc["name"] = name
    if field(body, "description", str) is not None:
        doc["description"] = body["description"] or None
    enabled = field(body, "enabled", bool)
    if enabled and not doc["targets"]:
        raise _no_targets()
    if enabled is not None:
        doc["enabled"] = enabled
    if body.get("config") is not None:
        doc["config"] = _rubric(field(body, "config", dict), doc["config"])
    doc["updated_at"] = iso_now()
    request.app.state.ctx.store.put("org_evaluations", doc["id"], doc)
    return ok({"evaluation": _public_eval(request, doc)})


async def delete_org_evaluation(request: Request) -> Response:
    doc = _get_org_eval(request)
    store = request.app.state.ctx.store
    store.delete("org_evaluations", doc["id"])
    for r in store.list("evaluation_results"):
        if r.get("evaluation_id") == doc["id"]:
            store.delete("evaluation_results", r["id"])
    return ok({"id": doc["id"], "deleted": True})


async def set_targets(request: Request) -> Response:
    doc = _get_org_eval(request)
    body = await json_body(request)
    raw = field(body, "targets", list, required=True)
    if len(raw) > LIMITS["targets"]:
        raise _bad(f"At most {LIMITS['targets']} targets are allowed.", "targets")
    targets: list[dict[str, Any]] = []
    store = request.app.state.ctx.store
    for index, target in enumerate(raw):
        kind = target.get("type") if isinstance(target, dict) else None
        if kind not in TARGET_TYPES:
            raise _bad(
                f"targets[{index}].type must be one of {', '.join(TARGET_TYPES)}.", "targets"
            )
        ident = target.get("id")
        if kind == "organization":
            entry = {"type": kind, "id": None}
        elif not isinstance(ident, str) or not ident:
            raise _bad(f"targets[{index}] of type {kind} needs an 'id'.", "targets")
        elif kind == "team" and not any(t["id"] == ident for t in TEAMS):
            raise _bad(f"targets[{index}]: no team '{ident}' (see GET /teams).", "targets")
        elif kind == "agent" and store.get("agents", ident) is None:
            raise _bad(f"targets[{index}]: no agent '{ident}'.", "targets")
        else:
            entry = {"type": kind, "id": ident}
        if entry not in targets:
            targets.append(entry)
    doc["targets"] = targets
    if not targets:
        doc["enabled"] = False  # removing the last target pauses the evaluation
    doc["updated_at"] = iso_now()
    store.put("org_evaluations", doc["id"], doc)
    return ok(
        {
            "targets": targets,
            "covered_agent_count": len(_covered_agents(request, targets)),
            "enabled": doc["enabled"],
        }
    )


async def run_org_evaluation(request: Request) -> Response:
    doc = _get_org_eval(request)
    body = await json_body(request)
    ids = _session_ids(body)
    dry_run = bool(field(body, "dry_run", bool))
    covered = _covered_agents(request, doc["targets"])
    return ok(
        _run(
            request,
            ids,
            dry_run=dry_run,
            rubric=doc["config"],
            covered=covered,
            agent_id=None,
            evaluation_id=doc["id"],
        )
    )


def _results_of(request: Request, evaluation_id: str) -> list[dict[str, Any]]:
    return [
        r for r in request.app.state.ctx.store.list("evaluation_results")
        if r.get("evaluation_id") == evaluation_id
    ]  # fmt: skip


async def list_org_results(request: Request) -> Response:
    doc = _get_org_eval(request)
    items = _filter_results(request, _results_of(request, doc["id"]))
    page, nxt = paginate(request, list(reversed(items)))
    return ok({"results": page, "next_cursor": nxt})


async def get_org_result(request: Request) -> Response:
    doc = _get_org_eval(request)
    wanted = request.path_params["result_id"]
    found = request.app.state.ctx.store.get("evaluation_results", wanted)
    if found is None or found.get("evaluation_id") != doc["id"]:
        raise not_found("evaluation_result", wanted)
    return ok({"result": found})


async def org_metrics(request: Request) -> Response:
    doc = _get_org_eval(request)
    days = _days(request, 30)
    return ok({"days": days, "grades": _grade_counts(_results_of(request, doc["id"]), days)})


_A = "/api/v1/agents/{agent_id}"
_E = "/api/v1/evaluations/{evaluation_id}"
ROUTES = [
    # Before /agents/{agent_id} (in the app's route order) so it is not read as an agent id.
    Route("/api/v1/agents/evaluation-options", agent_evaluation_options, methods=["GET"]),
    Route(_A + "/evaluation-config", get_eval_config, methods=["GET"]),
    Route(_A + "/evaluation-config", patch_eval_config, methods=["PATCH"]),
    Route(_A + "/evaluations", list_evaluations, methods=["GET"]),
    Route(_A + "/evaluations/metrics", agent_evaluation_metrics, methods=["GET"]),
    Route(_A + "/evaluations/run", run_agent_evaluations, methods=["POST"]),
    Route(_A + "/evaluations/{evaluation_id}", get_evaluation, methods=["GET"]),
    Route("/api/v1/evaluation-options", org_evaluation_options, methods=["GET"]),
    Route("/api/v1/evaluations", list_org_evaluations, methods=["GET"]),
    Route("/api/v1/evaluations", create_org_evaluation, methods=["POST"]),
    Route(_E, retrieve_org_evaluation, methods=["GET"]),
    Route(_E, update_org_evaluation, methods=["PATCH"]),
    Route(_E, delete_org_evaluation, methods=["DELETE"]),
    Route(_E + "/targets", set_targets, methods=["PUT"]),
    Route(_E + "/run", run_org_evaluation, methods=["POST"]),
    Route(_E + "/results", list_org_results, methods=["GET"]),
    Route(_E + "/results/{result_id}", get_org_result, methods=["GET"]),
    Route(_E + "/metrics", org_metrics, methods=["GET"]),
]
