"""Session runs: asyncio tasks that answer with the agent's model (and MCP tools), and the
per-session event log with cursors ``"<session_id>:<n>"`` that streams replay and follow.

Cursor numbers only grow and are never handed out twice, even across a crash: the log is
saved at the end of each run and every ``SAVE_EVERY`` events, so at most ``SAVE_EVERY - 1``
handed-out events can be lost by a ``kill -9``; numbering after a restart resumes past that
window (a gap in the numbers), and a cursor from the gap resumes with the events after it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

from ._artifacts import create_artifact, rows_to_csv
from ._demo import DEMO_USER
from ._http import iso_now, new_id, text_of

__all__ = ["TERMINAL", "SessionHub", "add_user_message", "public_session", "text_of"]

log = logging.getLogger("gumloop_nb.emulator")

TERMINAL = ("idle", "completed", "failed")
SAVE_EVERY = 50
_ARTIFACT_WORDS = re.compile(
    r"\b(files?|tables?|csv|json|reports?|data|dataset|spreadsheet|export)\b", re.I
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9']+")


def cursor_number(cursor: str) -> int:
    """The event number of a stream cursor ``"<session_id>:<n>"``."""
    return int(cursor.rpartition(":")[2])


def public_session(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


class SessionHub:
    """Owns session runs (asyncio tasks) and their event logs, with live followers."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self._events: dict[str, list[dict[str, Any]]] = {}
        # Number of the last cursor handed out per session (see the module doc).
        self._numbers: dict[str, int] = {}
        # Sessions whose log came from the store at start-up: numbering skips the window of
        # events that may have been handed out but not saved before the process died.
        self._unclean: set[str] = set()
        self._signals: dict[str, asyncio.Event] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # Tool calls waiting for POST /sessions/{id}/approvals: action id -> (session, decision).
        self._approvals: dict[str, tuple[str, asyncio.Future[dict[str, Any]]]] = {}
        self._recover()

    def _recover(self) -> None:
        """Runs cannot survive a restart: mark interrupted sessions failed."""
        for doc in self.ctx.store.list("sessions"):
            if doc["state"] in ("processing", "queued"):
                self._unclean.add(doc["id"])
                doc["state"] = "failed"
                doc["pending_approvals"] = []  # the run that asked is gone
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

    def last_number(self, sid: str) -> int:
        """The number of the last cursor handed out for `sid` (0 before any event)."""
        if sid not in self._numbers:
            events = self.events(sid)
            last = cursor_number(events[-1]["stream_cursor"]) if events else 0
            if sid in self._unclean:
                last += SAVE_EVERY - 1  # may have been handed out, then lost unsaved
            self._numbers[sid] = last
        return self._numbers[sid]

    def index_after(self, sid: str, number: int) -> int:
        """The log position just after cursor `number` (the events a resume replays start here)."""
        events = self.events(sid)
        index = len(events)
        while index > 0 and cursor_number(events[index - 1]["stream_cursor"]) > number:
            index -= 1
        return index

    def emit(self, sid: str, payload: dict[str, Any]) -> dict[str, Any]:
        events = self.events(sid)
        number = self.last_number(sid) + 1
        self._numbers[sid] = number
        event = {**payload, "interaction_id": sid, "stream_cursor": f"{sid}:{number}"}
        events.append(event)
        # Writing the whole log on every delta would be quadratic: save at the end of a run
        # and every SAVE_EVERY events (a crash loses at most the unsaved tail; restart fails
        # the run).
        if event.get("final") or len(events) % SAVE_EVERY == 0:
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

    # -- approvals --------------------------------------------------------------------------
    async def _await_approval(
        self,
        sid: str,
        call: dict[str, Any],
        server_id: str,
        tool_name: str,
        arguments: dict[str, Any],
        mode: str,
    ) -> dict[str, Any]:
        """Park the tool call as a pending approval until it is accepted or rejected."""
        from . import mcp_demo

        server = mcp_demo.get_server(server_id) or {}
        action_id = new_id("act")
        pending = {
            "action_request_id": action_id,
            "type": "tool_call",
            "title": f"Run {tool_name}?",
            "reason": f"Tools of this server need approval (approval mode '{mode}').",
            "tool_name": tool_name,
            "server_label": server.get("name") or server_id,
            "display_fields": [[str(k), json.dumps(v)[:200]] for k, v in arguments.items()],
        }
        session = self.ctx.store.get("sessions", sid)
        if session is not None:
            session.setdefault("pending_approvals", []).append(pending)
            self.ctx.store.put("sessions", sid, session)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._approvals[action_id] = (sid, future)
        self.emit(sid, {"type": "data-approval-request", "toolCallId": call["id"], "data": pending})
        try:
            decision = await future
        finally:
            self._approvals.pop(action_id, None)
            self._drop_pending(sid, {action_id})
        self.emit(
            sid,
            {
                "type": "data-approval-response",
                "toolCallId": call["id"],
                "data": {"action_request_id": action_id, "action": decision["action"]},
            },
        )
        return decision

    def _drop_pending(self, sid: str, action_ids: set[str]) -> dict[str, Any] | None:
        session = self.ctx.store.get("sessions", sid)
        if session is None:
            return None
        before = session.get("pending_approvals") or []
        kept = [p for p in before if p.get("action_request_id") not in action_ids]
        if len(kept) != len(before):
            session["pending_approvals"] = kept
            self.ctx.store.put("sessions", sid, session)
        return session

    def resolve_approvals(self, sid: str, responses: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Answer waiting tool calls; one result per response (``outcome`` says what happened).

        ``outcome`` is ``"accepted"``/``"rejected"`` when a waiting call took the answer, and
        ``"not_pending"`` when nothing of this session waits under that id (already answered,
        or the run ended).
        """
        results = []
        answered = set()
        for response in responses:
            action_id = response["action_request_id"]
            waiting = self._approvals.get(action_id)
            outcome = "not_pending"
            if waiting is not None and waiting[0] == sid and not waiting[1].done():
                waiting[1].set_result(response)
                answered.add(action_id)
                outcome = "accepted" if response["action"] == "accept" else "rejected"
            results.append(
                {"action_request_id": action_id, "action": response["action"], "outcome": outcome}
            )
        if answered:
            self._drop_pending(sid, answered)
        return results

    def _finish_cancelled(self, sid: str) -> None:
        session = self.ctx.store.get("sessions", sid)
        if session is not None:
            session["state"] = "failed"
            session["pending_approvals"] = []
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
        text = nxt["input"] if isinstance(nxt, dict) else nxt  # older stores kept bare text
        add_user_message(session, text)
        session["state"] = "processing"
        self.ctx.store.put("sessions", sid, session)
        self.start(sid, text)

    async def _generate(
        self, sid: str, agent: dict[str, Any], session: dict[str, Any], text: str
    ) -> tuple[str, list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
        """Run the agent's model over the conversation (+ MCP tools when the prompt needs them).

        Deterministic like the chat endpoint: the same agent (system prompt, model) and the
        same conversation give the same reply in any session.
        """
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
            plan = plan_completion(body, seed_salt=f"agent:{turn}")
            calls = plan.unary()["choices"][0]["message"].get("tool_calls") or []
            if calls:
                messages.append({"role": "assistant", "content": None, "tool_calls": calls})
            for call in calls:
                rows += await self._call_tool(sid, agent, call, messages, parts)
            turn += 1
        body = {"model": model, "messages": messages}
        if tools:
            body["tools"] = tools
        plan = plan_completion(body, seed_salt=f"agent:{turn}")
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
        agent: dict[str, Any],
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
        mode = approval_mode(agent, server_id, tool_name)
        decision = {"action": "accept"}
        if mode is not None:
            decision = await self._await_approval(sid, call, server_id, tool_name, arguments, mode)
        await self._pause(0.3)
        if decision["action"] == "accept":
            result = await asyncio.to_thread(mcp_demo.call_tool, server_id, tool_name, arguments)
        else:
            reason = decision.get("reason") or "no reason given"
            result = {
                "status": "rejected",
                "content": [],
                "error": {"code": "rejected_by_user", "message": f"Not run: {reason}."},
            }
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


_WRITE_WORDS = {
    "add", "create", "delete", "drop", "insert", "move", "patch", "post", "put", "remove",
    "rename", "send", "set", "update", "upload", "write",
}  # fmt: skip


def approval_mode(agent: dict[str, Any], server_id: str, tool_name: str) -> str | None:
    """The approval mode that makes this tool call wait for a person, or None to run it.

    The attached server's ``approval_mode`` decides (``inherit`` falls back to the agent's
    ``tool_approval.default_mode``, and then to ``off``): ``all`` asks for every tool,
    ``write`` for tools whose name says they change something (create_*, delete_*, send_*...),
    ``custom`` for tools listed in ``tool_approval_modes`` with a mode other than ``off``.
    """
    entry: dict[str, Any] = next(
        (t for t in agent.get("tools") or [] if t.get("server_id") == server_id), {}
    )
    mode = entry.get("approval_mode") or "inherit"
    if mode == "inherit":
        mode = (agent.get("tool_approval") or {}).get("default_mode") or "off"
    if mode == "all":
        return mode
    if mode == "write" and set(tool_name.lower().split("_")) & _WRITE_WORDS:
        return mode
    if mode == "custom":
        per_tool = (entry.get("tool_approval_modes") or {}).get(tool_name)
        if per_tool not in (None, "off", "inherit"):
            return mode
    return None


def add_user_message(session: dict[str, Any], content: Any) -> None:
    session["messages"].append(
        {
            "id": new_id("msg"),
            "role": "user",
            "content": text_of(content),
            "created_at": iso_now(),
            "creator_id": DEMO_USER["id"],
            "parts": content if isinstance(content, list) else None,
        }
    )
