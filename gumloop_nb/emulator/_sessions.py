"""Sessions: runs as asyncio tasks, stored messages and stream events, SSE with resume cursors.

Every event of a session gets a cursor ``"<session_id>:<n>"`` (n counts from 1 across all the
session's runs) and is stored, so ``GET /sessions/{id}?stream=true&last_cursor=<c>`` replays
exactly the events after ``c`` and then follows the live run, if any. A cursor that does not
belong to the session (or points past its last event) gets a ``finish`` event with
``finishReason: "not_resumable"``.

Because the emulator serves the API and stream hosts from one origin, ``stream: true`` is
accepted on session create/send here (the real API host answers 400 and names the stream host).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from ._agents import get_agent, public_agent
from ._artifacts import create_artifact, rows_to_csv
from ._chat import sse_headers
from ._demo import DEMO_USER, creator
from ._http import (
    ApiError,
    field,
    iso_now,
    json_body,
    new_id,
    not_found,
    ok,
    paginate,
    sort_by_created,
)

__all__ = ["ROUTES", "SessionHub"]

log = logging.getLogger("gumloop_nb.emulator")

TERMINAL = ("idle", "completed", "failed")
_ARTIFACT_WORDS = re.compile(
    r"\b(files?|tables?|csv|json|reports?|data|dataset|spreadsheet|export)\b", re.I
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9']+")


def _text_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, str):
                parts.append(item)
            elif isinstance(item, dict) and isinstance(item.get("text"), str):
                parts.append(item["text"])
        return "\n".join(parts)
    return ""


def public_session(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


class SessionHub:
    """Owns session runs (asyncio tasks) and their event logs, with live followers."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self._events: dict[str, list[dict[str, Any]]] = {}
        self._signals: dict[str, asyncio.Event] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._recover()

    def _recover(self) -> None:
        """Runs cannot survive a restart: mark interrupted sessions failed."""
        for doc in self.ctx.store.list("sessions"):
            if doc["state"] in ("processing", "queued"):
                doc["state"] = "failed"
                self.ctx.store.put("sessions", doc["id"], doc)
                self.emit(
                    doc["id"],
                    {
                        "type": "finish",
                        "finishReason": "error",
                        "final": True,
                        "errorMessage": "The emulator restarted during this run.",
                    },
                )

    # -- events -----------------------------------------------------------------------------
    def events(self, sid: str) -> list[dict[str, Any]]:
        if sid not in self._events:
            stored = self.ctx.store.get("session_events", sid)
            self._events[sid] = stored["events"] if stored else []
        return self._events[sid]

    def emit(self, sid: str, payload: dict[str, Any]) -> dict[str, Any]:
        events = self.events(sid)
        event = {**payload, "interaction_id": sid, "stream_cursor": f"{sid}:{len(events) + 1}"}
        events.append(event)
        # Writing the whole log on every delta would be quadratic: save at the end of a run
        # and every 50 events (a crash loses at most the unsaved tail; restart fails the run).
        if event.get("final") or len(events) % 50 == 0:
            self.ctx.store.put("session_events", sid, {"events": events})
        self._wake(sid)
        return event

    def running(self, sid: str) -> bool:
        task = self._tasks.get(sid)
        return task is not None and not task.done()

    async def follow(self, sid: str, after: int) -> AsyncIterator[dict[str, Any]]:
        """Events with index > `after`, then live ones until the session's run is over."""
        index = after
        while True:
            events = self.events(sid)
            while index < len(events):
                yield events[index]
                index += 1
            if not self.running(sid):
                return
            signal = self._signals.setdefault(sid, asyncio.Event())
            if index < len(self.events(sid)):
                continue
            await signal.wait()

    # -- runs -------------------------------------------------------------------------------
    def start(self, sid: str, text: str) -> None:
        task = asyncio.get_running_loop().create_task(self._run(sid, text))
        self._tasks[sid] = task
        task.add_done_callback(lambda _t: self._wake(sid))

    def _wake(self, sid: str) -> None:
        signal = self._signals.pop(sid, None)
        if signal is not None:
            signal.set()

    async def cancel(self, sid: str) -> bool:
        task = self._tasks.get(sid)
        if task is None or task.done():
            return False
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        return True

    async def shutdown(self) -> None:
        """Cancel the runs still going (the server is stopping)."""
        for sid in list(self._tasks):
            await self.cancel(sid)

    async def _pause(self, seconds: float) -> None:
        wait = self.ctx.config.delay(seconds)
        if wait > 0:
            await asyncio.sleep(wait)

    async def _run(self, sid: str, text: str) -> None:
        store = self.ctx.store
        message_id = new_id("msg")
        self.emit(sid, {"type": "start", "messageId": message_id})
        self.emit(sid, {"type": "start-step"})
        try:
            session = store.get("sessions", sid)
            agent = store.get("agents", session["agent_id"]) if session else None
            if session is None or agent is None:
                raise RuntimeError("The session or its agent was deleted during the run.")
            reply, parts, usage, rows = await self._generate(sid, agent, session, text)
            artifacts = []
            if _ARTIFACT_WORDS.search(text):
                artifacts = self._write_artifacts(sid, agent, text, rows)
                for art in artifacts:
                    self.emit(sid, {"type": "data-artifact", "data": art})
                    parts.append(
                        {"type": "artifact", "artifact_id": art["id"], "filename": art["filename"]}
                    )
            session = store.get("sessions", sid) or session
            session["messages"].append(
                {
                    "id": message_id,
                    "role": "assistant",
                    "content": reply,
                    "created_at": iso_now(),
                    "creator_id": None,
                    "parts": parts,
                }
            )
            total = session["usage"]
            total["input_tokens"] += usage.get("prompt_tokens", 0)
            total["output_tokens"] += usage.get("completion_tokens", 0)
            total["credit_cost"] = round(total["credit_cost"] + float(usage.get("cost") or 0), 6)
            total["tool_credit_cost"] = round(
                total["tool_credit_cost"] + 0.1 * sum(p["type"] == "tool" for p in parts), 6
            )
            session["state"] = "completed"
            store.put("sessions", sid, session)
            self.emit(sid, {"type": "finish-step"})
            self.emit(
                sid,
                {"type": "finish", "finishReason": "stop", "final": True, "messageId": message_id},
            )
        except asyncio.CancelledError:
            self._finish_cancelled(sid)
            raise
        except Exception as exc:
            code = getattr(exc, "code", None) or "run_failed"
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            if not isinstance(exc, RuntimeError) and not hasattr(exc, "envelope"):
                log.exception("session run %s crashed", sid)
            session = store.get("sessions", sid)
            if session is not None:
                session["state"] = "failed"
                session["messages"].append(
                    {
                        "id": message_id,
                        "role": "assistant",
                        "content": None,
                        "created_at": iso_now(),
                        "creator_id": None,
                        "parts": [{"type": "error", "code": code, "message": message}],
                    }
                )
                store.put("sessions", sid, session)
            self.emit(sid, {"type": "error", "error": message, "errorMessage": message})
            self.emit(
                sid,
                {"type": "finish", "finishReason": "error", "final": True, "errorMessage": message},
            )
        finally:
            self._after_run(sid)

    def _finish_cancelled(self, sid: str) -> None:
        session = self.ctx.store.get("sessions", sid)
        if session is not None:
            session["state"] = "failed"
            self.ctx.store.put("sessions", sid, session)
        self.emit(
            sid,
            {
                "type": "finish",
                "finishReason": "cancelled",
                "final": True,
                "errorMessage": "The run was cancelled.",
            },
        )

    def _after_run(self, sid: str) -> None:
        """Start the next queued message, if any (delivery: queued)."""
        session = self.ctx.store.get("sessions", sid)
        if not session or session["state"] != "completed" or not session.get("_queue"):
            return
        nxt = session["_queue"].pop(0)
        _add_user_message(session, nxt)
        session["state"] = "processing"
        self.ctx.store.put("sessions", sid, session)
        self.start(sid, nxt)

    async def _generate(
        self, sid: str, agent: dict[str, Any], session: dict[str, Any], text: str
    ) -> tuple[str, list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
        """Run the agent's model over the conversation (+ MCP tools when the prompt needs them)."""
        from .llm import MODELS, plan_completion

        model = agent.get("model_name")
        if model not in MODELS or MODELS[model].kind != "text":
            model = self.ctx.config.default_model
        messages: list[dict[str, Any]] = []
        if agent.get("system_prompt"):
            messages.append({"role": "system", "content": agent["system_prompt"]})
        for m in session["messages"]:
            if m["role"] in ("user", "assistant") and m.get("content"):
                messages.append({"role": m["role"], "content": m["content"]})
        parts: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        usage: dict[str, Any] = {"prompt_tokens": 0, "completion_tokens": 0, "cost": 0.0}
        tools = _relevant_tools(agent, text)
        turn = 0
        if tools:
            body = {"model": model, "messages": messages, "tools": tools}
            plan = plan_completion(body, seed_salt=f"{sid}:{turn}")
            calls = plan.unary()["choices"][0]["message"].get("tool_calls") or []
            if calls:
                messages.append({"role": "assistant", "content": None, "tool_calls": calls})
            for call in calls:
                rows += await self._call_tool(sid, call, messages, parts)
            turn += 1
        body = {"model": model, "messages": messages}
        if tools:
            body["tools"] = tools
        plan = plan_completion(body, seed_salt=f"{sid}:{turn}")
        text_id = new_id("txt")
        self.emit(sid, {"type": "text-start", "id": text_id})
        pieces: list[str] = []
        for delay, chunk in plan.stream_chunks():
            await self._pause(delay)
            for choice in chunk.get("choices") or []:
                delta = (choice.get("delta") or {}).get("content")
                if delta:
                    pieces.append(delta)
                    self.emit(sid, {"type": "text-delta", "id": text_id, "delta": delta})
            if chunk.get("usage"):
                for key in usage:
                    usage[key] += chunk["usage"].get(key) or 0
        self.emit(sid, {"type": "text-end", "id": text_id})
        reply = "".join(pieces) if pieces else (plan.text or "")
        parts.append({"type": "text", "text": reply})
        return reply, parts, usage, rows

    async def _call_tool(
        self,
        sid: str,
        call: dict[str, Any],
        messages: list[dict[str, Any]],
        parts: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        from . import mcp_demo

        name = call["function"]["name"]
        server_id, _, tool_name = name.partition("__")
        try:
            arguments = json.loads(call["function"].get("arguments") or "{}")
        except ValueError:
            arguments = {}
        self.emit(
            sid,
            {
                "type": "tool-input-available",
                "toolCallId": call["id"],
                "toolName": tool_name,
                "serverId": server_id,
                "input": arguments,
            },
        )
        await self._pause(0.3)
        result = await asyncio.to_thread(mcp_demo.call_tool, server_id, tool_name, arguments)
        self.emit(
            sid, {"type": "tool-output-available", "toolCallId": call["id"], "output": result}
        )
        content = result.get("content") or []
        text = "\n".join(c.get("text", "") if isinstance(c, dict) else str(c) for c in content)
        if result.get("status") != "success":
            text = json.dumps(result.get("error") or {"status": result.get("status")})
        messages.append({"role": "tool", "tool_call_id": call["id"], "content": text})
        parts.append(
            {
                "type": "tool",
                "tool_name": tool_name,
                "server_id": server_id,
                "input": arguments,
                "output": result,
            }
        )
        return _rows_from(text)

    def _write_artifacts(
        self, sid: str, agent: dict[str, Any], text: str, rows: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        stem = "results"
        if not rows:
            rows, stem = _dataset_rows(text)
        if not rows:
            rows, stem = _word_table(text), "prompt_words"
        team = agent.get("team_id")
        common = {"agent_id": agent["id"], "session_id": sid, "team_id": team}
        csv_doc = create_artifact(
            self.ctx.store,
            filename=f"{stem}.csv",
            media_type="text/csv",
            data=rows_to_csv(rows),
            **common,
        )
        json_doc = create_artifact(
            self.ctx.store,
            filename=f"{stem}.json",
            media_type="application/json",
            data=json.dumps({"rows": rows, "row_count": len(rows)}, indent=2).encode(),
            **common,
        )
        return [csv_doc, json_doc]


def _rows_from(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    if isinstance(data, dict):
        data = data.get("rows") or data.get("records") or data.get("results")
    if isinstance(data, list) and all(isinstance(r, dict) for r in data):
        return data
    return []


def _dataset_rows(text: str) -> tuple[list[dict[str, Any]], str]:
    """Rows of a bundled demo table the prompt names (e.g. "planets"), if any."""
    from . import mcp_demo

    lower = text.lower()
    for table in ("planets", "elements"):
        if table in lower or table.rstrip("s") in lower:
            result = mcp_demo.call_tool("datasets", "get_rows", {"table": table, "limit": 200})
            if result.get("status") == "success":
                content = result.get("content") or []
                texts = [c.get("text", "") for c in content if isinstance(c, dict)]
                rows = _rows_from("".join(texts))
                if rows:
                    return rows, table
    return [], ""


def _word_table(text: str) -> list[dict[str, Any]]:
    """A small table derived from the prompt: each distinct word, its count and length."""
    counts: dict[str, int] = {}
    for word in _WORD.findall(text.lower()):
        counts[word] = counts.get(word, 0) + 1
    return [{"word": w, "count": c, "length": len(w)} for w, c in counts.items()]


def _relevant_tools(agent: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """Function tools for the agent's MCP servers whose tool names the prompt calls for."""
    from . import mcp_demo

    words = {w.lower() for w in _WORD.findall(text) if len(w) > 3}
    words |= {w[:-1] for w in words if w.endswith("s")}
    out = []
    for entry in agent.get("tools") or []:
        server_id = entry.get("server_id")
        if not server_id or entry.get("is_disabled"):
            continue
        server = mcp_demo.get_server(server_id) or {}
        server_words = {w.lower() for w in _WORD.findall(server.get("name") or "")}
        for tool in mcp_demo.list_tools(server_id):
            tokens = {t for t in tool["name"].lower().split("_") if len(t) > 3}
            if not (tokens & words or (server_words & words and len(server_words & words) > 0)):
                continue
            out.append(
                {
                    "type": "function",
                    "function": {
                        "name": f"{server_id}__{tool['name']}",
                        "description": tool.get("description") or tool["name"],
                        "parameters": tool.get("input_schema")
                        or {"type": "object", "properties": {}},
                    },
                }
            )
    return out


def _add_user_message(session: dict[str, Any], content: Any) -> None:
    session["messages"].append(
        {
            "id": new_id("msg"),
            "role": "user",
            "content": _text_of(content),
            "created_at": iso_now(),
            "creator_id": DEMO_USER["id"],
            "parts": content if isinstance(content, list) else None,
        }
    )


def _input_of(body: dict[str, Any]) -> Any:
    value = body.get("input", body.get("message"))
    if value is None:
        return None
    if not isinstance(value, (str, list)):
        raise ApiError(
            400,
            "invalid_request",
            "The field 'input' must be a string or a list of content parts.",
            param="input",
        )
    if not _text_of(value).strip():
        raise ApiError(
            400, "invalid_request", "The field 'input' must not be empty.", param="input"
        )
    return value


def _get(request: Request, sid: str) -> dict[str, Any]:
    doc = request.app.state.ctx.store.get("sessions", sid)
    if doc is None:
        raise not_found("session", sid)
    return doc


def _hub(request: Request) -> SessionHub:
    hub: SessionHub = request.app.state.ctx.hub
    return hub


def _stream(request: Request, sid: str, after: int, *, status: int = 200) -> Response:
    hub = _hub(request)

    async def body() -> AsyncIterator[bytes]:
        async for event in hub.follow(sid, after):
            yield f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()

    return StreamingResponse(
        body(), status_code=status, media_type="text/event-stream", headers=sse_headers()
    )


async def create_session(request: Request) -> Response:
    ctx = request.app.state.ctx
    agent = public_agent(get_agent(request, request.path_params["agent_id"]))
    body = await json_body(request, required=False)
    content = _input_of(body)
    sid = field(body, "session_id", str) or new_id("ses")
    metadata = field(body, "metadata", dict)
    stream = bool(field(body, "stream", bool))
    if stream and content is None:
        raise ApiError(
            400, "invalid_request", "A streamed session needs an 'input' to run.", param="input"
        )
    session: dict[str, Any] = {
        "id": sid,
        "agent_id": agent["id"],
        "name": field(body, "name", str),
        "type": "api",
        "state": "idle",
        "messages": [],
        "created_at": iso_now(),
        "agent_name": agent["name"],
        "agent_team_id": agent.get("team_id"),
        "agent_creator_user_id": agent["creator"]["id"],
        "agent_icon_url": (agent.get("metadata") or {}).get("icon_url"),
        "agent_tools": agent.get("tools") or [],
        "participants": {
            DEMO_USER["id"]: {k: DEMO_USER[k] for k in ("first_name", "last_name", "email")}
        },
        "creator": creator(),
        "usage": {
            "credit_cost": 0.0,
            "tool_credit_cost": 0.0,
            "flow_credit_cost": 0.0,
            "input_tokens": 0,
            "output_tokens": 0,
        },
        "provenance": None,
        "incognito": bool(body.get("incognito", False)),
        "pending_approvals": [],
        "metadata": {"client": metadata} if metadata else {},
        "_queue": [],
    }
    if content is not None:
        _add_user_message(session, content)
        session["state"] = "processing"
    if not ctx.store.insert("sessions", sid, session):
        raise ApiError(
            409,
            "session_already_exists",
            f"A session with id '{sid}' already exists; pick another session_id or "
            "send a message to it.",
            param="session_id",
            type="conflict_error",
        )
    if content is None:
        return ok({"session": public_session(session), "queue_position": None}, 201)
    after = len(ctx.hub.events(sid))
    ctx.hub.start(sid, _text_of(content))
    if stream:
        return _stream(request, sid, after)
    return ok({"session": public_session(session), "queue_position": None}, 202)


async def send_message(request: Request) -> Response:
    ctx = request.app.state.ctx
    sid = request.path_params["session_id"]
    session = _get(request, sid)
    body = await json_body(request)
    content = _input_of(body)
    if content is None:
        raise ApiError(
            400, "invalid_request", "Send 'input' (or 'message') with the text.", param="input"
        )
    if body.get("delivery") == "queued":
        if field(body, "stream", bool):
            raise ApiError(400, "invalid_request", "Queued delivery cannot stream.", param="stream")
        receipt = {"message_id": new_id("qmsg"), "status": "accepted"}
        if session["state"] in TERMINAL:
            _add_user_message(session, content)
            session["state"] = "processing"
            ctx.store.put("sessions", sid, session)
            ctx.hub.start(sid, _text_of(content))
        else:
            session["_queue"].append(_text_of(content))
            ctx.store.put("sessions", sid, session)
        return ok(receipt, 202)
    if session["state"] not in TERMINAL or ctx.hub.running(sid):
        raise ApiError(
            409,
            "interaction_not_in_terminal_state",
            f"Session '{sid}' is still {session['state']}; wait until it is completed "
            "(or cancel it) before sending another message.",
            type="conflict_error",
        )
    _add_user_message(session, content)
    session["state"] = "processing"
    ctx.store.put("sessions", sid, session)
    after = len(ctx.hub.events(sid))
    ctx.hub.start(sid, _text_of(content))
    if field(body, "stream", bool):
        return _stream(request, sid, after)
    return ok({"session": public_session(session), "queue_position": None})


def _parse_cursor(sid: str, cursor: str | None, count: int) -> int | None:
    if cursor is None or cursor == "":
        return 0
    owner, _, number = cursor.rpartition(":")
    if owner != sid or not number.isdigit() or int(number) > count:
        return None
    return int(number)


async def retrieve_session(request: Request) -> Response:
    sid = request.path_params["session_id"]
    session = _get(request, sid)
    if request.query_params.get("stream", "").lower() != "true":
        return ok({"session": public_session(session), "queue_position": None})
    hub = _hub(request)
    after = _parse_cursor(sid, request.query_params.get("last_cursor"), len(hub.events(sid)))
    if after is None:

        async def gone() -> AsyncIterator[bytes]:
            event = {
                "type": "finish",
                "finishReason": "not_resumable",
                "final": True,
                "interaction_id": sid,
                "stream_cursor": None,
                "errorMessage": "This cursor cannot be resumed; retrieve the session.",
            }
            yield f"event: finish\ndata: {json.dumps(event)}\n\n".encode()

        return StreamingResponse(gone(), media_type="text/event-stream", headers=sse_headers())
    return _stream(request, sid, after)


async def list_sessions(request: Request) -> Response:
    agent_id = request.path_params["agent_id"]
    get_agent(request, agent_id)
    q = request.query_params
    items = [s for s in request.app.state.ctx.store.list("sessions") if s["agent_id"] == agent_id]
    if q.get("state"):
        states = set(q["state"].split(","))
        items = [s for s in items if s["state"] in states]
    if q.get("type"):
        items = [s for s in items if s["type"] == q["type"]]
    if q.get("creator_user_id"):
        items = [s for s in items if s["creator"]["id"] == q["creator_user_id"]]
    if q.get("trigger_id"):
        items = [s for s in items if s.get("trigger_id") == q["trigger_id"]]
    search = (q.get("search") or q.get("search_query") or "").lower()
    if search:
        items = [
            s
            for s in items
            if search in (s.get("name") or "").lower()
            or any(search in (m.get("content") or "").lower() for m in s["messages"])
        ]
    items = sort_by_created(items, q.get("sort_order"))
    page, nxt = paginate(request, items)
    return ok({"sessions": [public_session(s) for s in page], "next_cursor": nxt})


async def cancel_session(request: Request) -> Response:
    sid = request.path_params["session_id"]
    session = _get(request, sid)
    hub = _hub(request)
    if not await hub.cancel(sid) and session["state"] in ("processing", "queued"):
        hub._finish_cancelled(sid)
    session = _get(request, sid)
    return ok({"session": {"id": sid, "agent_id": session["agent_id"], "state": session["state"]}})


async def rename_session(request: Request) -> Response:
    sid = request.path_params["session_id"]
    session = _get(request, sid)
    body = await json_body(request)
    if "name" not in body:
        raise ApiError(400, "invalid_request", "The field 'name' is required.", param="name")
    session["name"] = field(body, "name", str)
    request.app.state.ctx.store.put("sessions", sid, session)
    return ok({"session": public_session(session)})


async def upload_file(request: Request) -> Response:
    """Store a base64 file on the session (name it in a later send's ``attachments``)."""
    sid = request.path_params["session_id"]
    session = _get(request, sid)
    body = await json_body(request)
    name = field(body, "file_name", str, required=True)
    encoded = field(body, "file_content", str, required=True)
    media_type = field(body, "media_type", str)
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(
            400, "invalid_request", "file_content must be base64-encoded.", param="file_content"
        ) from None
    request.app.state.ctx.store.put_blob(f"session_file/{sid}/{name}", data)
    files = session.setdefault("_files", {})
    files[name] = {"media_type": media_type, "size": len(data)}
    request.app.state.ctx.store.put("sessions", sid, session)
    return ok({"file_name": name, "media_type": media_type, "size": len(data)})


_S = "/api/v1/sessions/{session_id}"
ROUTES = [
    Route("/api/v1/agents/{agent_id}/sessions", list_sessions, methods=["GET"]),
    Route("/api/v1/agents/{agent_id}/sessions", create_session, methods=["POST"]),
    Route(_S, retrieve_session, methods=["GET"]),
    Route(_S, rename_session, methods=["PATCH"]),
    Route(_S + "/messages", send_message, methods=["POST"]),
    Route(_S + "/cancel", cancel_session, methods=["POST"]),
    Route(_S + "/files", upload_file, methods=["POST"]),
]
