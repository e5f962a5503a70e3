"""``client.sessions``: conversations with an agent, unary or streamed, with resumable streams."""

from __future__ import annotations

import uuid
from collections.abc import Generator, Iterable, Mapping
from typing import Any, cast

from typing_extensions import Unpack

from ... import types as t
from ...errors import ConflictError
from .. import _params
from .._cursors import TURN_CURSORS
from .._endpoint import M, Pages, Resource, endpoint, lazy_stream, pager
from .._op import UNSET, Op, RequestOptions, drop_none, model_parser
from ._util import access_get, access_put, get, merged, seg, send


def _new_session_id() -> str:
    return f"ses_{uuid.uuid4().hex[:24]}"


def _stream_op(
    method: str,
    path: str,
    body: Any,
    session_id: str | None,
    last_cursor: str | None = None,
    params: Any = None,
    headers: Any = None,
    *,
    turn: str,
) -> Op[Any]:
    """A session stream's first Op. ``turn`` tells a resume which events are this stream's:
    ``"new"`` (a new session), ``"next"`` (a message to an existing one) or ``"replay"``."""
    return Op(
        method,
        path,
        host="stream",
        json=body if method != "GET" else UNSET,
        params=params,
        headers=headers,
        stream="session",
        scoped=False,
        idempotent=method == "GET",
        extra={"session_id": session_id, "last_cursor": last_cursor, "turn": turn},
    )


def _require_input(body: dict[str, Any], *, allow_approvals: bool = False) -> None:
    if body.get("input") is None and body.get("message") is None:
        if allow_approvals and body.get("approval_responses"):
            return
        raise ValueError("input=... (or message=...) is required: the text to send to the agent")


class Sessions(Resource[M]):
    @endpoint
    def list(
        self,
        /,
        agent_id: str,
        *,
        search: str | None = None,
        state: str | None = None,
        type: str | None = None,
        creator_user_id: str | None = None,
        trigger_id: str | None = None,
        sort_order: str | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
        **kwargs: Any,
    ) -> Op[t.SessionListResponse]:
        params = {
            "search": search,
            "state": state,
            "type": type,
            "creator_user_id": creator_user_id,
            "trigger_id": trigger_id,
            "sort_order": sort_order,
            "page_size": page_size,
            "cursor": cursor,
            **kwargs,
        }
        return get(f"/agents/{seg(agent_id)}/sessions", t.SessionListResponse, params)

    @pager
    def iter_all(self, /, agent_id: str, **filters: Any) -> Pages[t.Session]:
        """Every session of an agent across pages (``max_items=N`` stops early)."""
        path = f"/agents/{seg(agent_id)}/sessions"
        return Pages(
            lambda cursor: get(path, t.SessionListResponse, {**filters, "cursor": cursor}),
            "sessions",
            t.Session,
        )

    @endpoint
    def create(
        self,
        /,
        agent_id: str,
        request: t.SessionCreateRequest | Mapping[str, Any] | None = None,
        **kwargs: Unpack[_params.SessionCreateParams],
    ) -> Any:
        """Start a session; with ``input`` the agent starts working (``stream=True`` to watch).

        Unlike the official SDK, a new session gets a client-generated ``session_id`` when
        retries are on, so a retried create can never start two sessions: a retry that meets
        409 ``session_already_exists`` fetches the session the first attempt created.
        """
        body = merged(t.SessionCreateRequest, request, kwargs)
        generated = False
        if "session_id" not in body and self._client.max_retries > 0:
            body["session_id"] = _new_session_id()
            generated = True
        path = f"/agents/{seg(agent_id)}/sessions"
        if body.get("stream"):
            return _stream_op("POST", path, body, body.get("session_id"), turn="new")
        return self._create(path, body, generated)

    def _create(
        self, path: str, body: dict[str, Any], generated: bool
    ) -> Generator[Op[Any], Any, t.SessionResponse]:
        op = Op(
            "POST",
            path,
            json=body,
            parse=model_parser(t.SessionResponse),
            idempotent=generated,
        )
        try:
            created: t.SessionResponse = yield op
            return created
        except ConflictError as exc:
            if not (generated and exc.code == "session_already_exists"):
                raise
        existing: t.SessionResponse = yield get(
            f"/sessions/{seg(body['session_id'])}", t.SessionResponse
        )
        return existing

    @lazy_stream
    def stream(
        self,
        /,
        agent_id: str,
        request: t.SessionCreateRequest | Mapping[str, Any] | None = None,
        **kwargs: Unpack[_params.SessionCreateParams],
    ) -> Op[Any]:
        """Start a session and stream its events (``StreamEvent``); resumes if the connection drops."""
        body = merged(t.SessionCreateRequest, request, {**kwargs, "stream": True})
        body.setdefault("session_id", _new_session_id())
        path = f"/agents/{seg(agent_id)}/sessions"
        return _stream_op("POST", path, body, body["session_id"], turn="new")

    @endpoint
    def retrieve(
        self, /, session_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.SessionResponse]:
        return get(f"/sessions/{seg(session_id)}", t.SessionResponse)

    @endpoint
    def send(
        self,
        /,
        session_id: str,
        request: t.SessionContinueRequest | Mapping[str, Any] | None = None,
        **kwargs: Unpack[_params.SessionContinueParams],
    ) -> Any:
        """Send a message. Returns ``SessionResponse``; a stream with ``stream=True``; a
        ``SessionMessageReceipt`` with ``delivery="queued"``."""
        body = merged(t.SessionContinueRequest, request, kwargs)
        path = f"/sessions/{seg(session_id)}/messages"
        if body.get("stream"):
            _require_input(body, allow_approvals=True)
            return _stream_op("POST", path, body, session_id, turn="next")
        _require_input(body)
        TURN_CURSORS.forget(session_id)  # this send starts a run no stream of ours follows
        if body.get("delivery") == "queued":
            if body.get("attachments") or body.get("approval_responses"):
                raise ValueError("queued delivery accepts text only (no attachments or approvals)")
            key = body.pop("idempotency_key", None) or str(uuid.uuid4())
            text = body.get("input", body.get("message"))
            if isinstance(text, list):
                parts = cast("Iterable[Any]", text)
                text = "\n".join(
                    str(cast("dict[str, Any]", p).get("text", ""))
                    if isinstance(p, dict)
                    else str(p)
                    for p in parts
                )
                body["input"] = text
            return Op(
                "POST",
                path,
                json=body,
                headers={"Idempotency-Key": key},
                parse=model_parser(t.SessionMessageReceipt),
                idempotent=True,
            )
        return send("POST", path, t.SessionResponse, body)

    @lazy_stream
    def stream_message(
        self,
        /,
        session_id: str,
        request: t.SessionContinueRequest | Mapping[str, Any] | None = None,
        **kwargs: Unpack[_params.SessionContinueParams],
    ) -> Op[Any]:
        """Send a message and stream the run's events; resumes if the connection drops."""
        body = merged(t.SessionContinueRequest, request, {**kwargs, "stream": True})
        _require_input(body, allow_approvals=True)
        return _stream_op(
            "POST", f"/sessions/{seg(session_id)}/messages", body, session_id, turn="next"
        )

    @lazy_stream
    def resume_stream(self, /, session_id: str, last_cursor: str | None, **kwargs: Any) -> Op[Any]:
        """Replay the events after ``last_cursor`` (and follow the run if it is still going)."""
        params = {"stream": True, "last_cursor": last_cursor, **kwargs}
        return _stream_op(
            "GET",
            f"/sessions/{seg(session_id)}",
            None,
            session_id,
            last_cursor=last_cursor,
            params=params,
            turn="replay",
        )

    @endpoint
    def cancel(
        self, /, session_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.SessionResponse]:
        return send(
            "POST", f"/sessions/{seg(session_id)}/cancel", t.SessionResponse, {}, idempotent=True
        )

    @endpoint
    def update(
        self,
        /,
        session_id: str,
        request: t.SessionUpdateRequest | Mapping[str, Any] | None = None,
        **kwargs: Unpack[_params.SessionUpdateParams],
    ) -> Op[t.SessionResponse]:
        body = merged(t.SessionUpdateRequest, request, kwargs)
        return send("PATCH", f"/sessions/{seg(session_id)}", t.SessionResponse, body)

    @endpoint
    def upload_file(
        self,
        /,
        session_id: str,
        file_name: str,
        file_content: bytes | str,
        *,
        media_type: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.SessionFileResponse]:
        import base64

        raw = file_content.encode() if isinstance(file_content, str) else file_content
        body = drop_none(
            {
                "file_name": file_name,
                "file_content": base64.b64encode(raw).decode(),
                "media_type": media_type,
            }
        )
        return send("POST", f"/sessions/{seg(session_id)}/files", t.SessionFileResponse, body)

    @endpoint
    def resolve_approvals(
        self,
        /,
        session_id: str,
        request: t.SessionApprovalsRequest | Mapping[str, Any] | None = None,
        **kwargs: Unpack[_params.SessionApprovalsParams],
    ) -> Op[t.SessionApprovalsResponse]:
        body = merged(t.SessionApprovalsRequest, request, kwargs)
        responses: list[Any] = body.get("approval_responses") or []
        if not 1 <= len(responses) <= 20:
            from ...errors import GumloopError

            raise GumloopError("invalid approvals request: approval_responses needs 1 to 20 items")
        path = f"/sessions/{seg(session_id)}/approvals"
        TURN_CURSORS.forget(session_id)  # accepted approvals continue the run
        return send("POST", path, t.SessionApprovalsResponse, body)

    # -- queue -----------------------------------------------------------------------------
    @endpoint
    def list_queue(
        self, /, session_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.SessionQueueResponse]:
        return get(f"/sessions/{seg(session_id)}/queue", t.SessionQueueResponse)

    @endpoint
    def queue_message(
        self, /, session_id: str, input: str, **options: Unpack[RequestOptions]
    ) -> Op[t.SessionQueuedMessageResponse]:
        path = f"/sessions/{seg(session_id)}/queue"
        TURN_CURSORS.forget(session_id)  # it runs after the current turn, unfollowed
        return send("POST", path, t.SessionQueuedMessageResponse, {"input": input})

    @endpoint
    def edit_queued_message(
        self,
        /,
        session_id: str,
        queued_message_id: str,
        input: str,
        **options: Unpack[RequestOptions],
    ) -> Op[t.SessionQueuedMessageResponse]:
        path = f"/sessions/{seg(session_id)}/queue/{seg(queued_message_id)}"
        return send("PATCH", path, t.SessionQueuedMessageResponse, {"input": input})

    @endpoint
    def delete_queued_message(
        self, /, session_id: str, queued_message_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.SessionQueueResponse]:
        path = f"/sessions/{seg(session_id)}/queue/{seg(queued_message_id)}"
        return Op("DELETE", path, parse=model_parser(t.SessionQueueResponse))

    @endpoint
    def send_queued_message(
        self, /, session_id: str, queued_message_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.SessionResponse]:
        path = f"/sessions/{seg(session_id)}/queue/{seg(queued_message_id)}/send"
        TURN_CURSORS.forget(session_id)
        return send("POST", path, t.SessionResponse, {})

    # -- sharing ---------------------------------------------------------------------------
    @endpoint
    def get_access(
        self, /, session_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.ItemAccessResponse]:
        return access_get("sessions", session_id)

    @endpoint
    def update_access(
        self,
        /,
        session_id: str,
        *,
        share: Any = None,
        remove: Any = None,
        link: Any = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.ItemAccessChangeResponse]:
        return access_put("sessions", session_id, share, remove, link)
