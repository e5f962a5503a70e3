"""Session models (§6.6): sessions, messages, create/send bodies, approvals and the queue."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ._base import GumloopModel
from ._common import CreatorPayload

__all__ = [
    "MessagePayload",
    "PendingApproval",
    "QueuedMessage",
    "Session",
    "SessionApprovalFormResponse",
    "SessionApprovalResponseItem",
    "SessionApprovalResult",
    "SessionApprovalsRequest",
    "SessionApprovalsResponse",
    "SessionAttachment",
    "SessionContinueRequest",
    "SessionCreateRequest",
    "SessionFileResponse",
    "SessionListResponse",
    "SessionMessageReceipt",
    "SessionProvenance",
    "SessionQueueResponse",
    "SessionQueuedMessageResponse",
    "SessionResponse",
    "SessionUpdateRequest",
    "SessionUsage",
]


class MessagePayload(GumloopModel):
    """One message of a session (``role`` is ``user``, ``assistant``, ...)."""

    id: str | None = None
    role: str | None = None
    content: str | None = None
    created_at: str | None = None
    creator_id: str | None = None
    parts: list[dict[str, Any]] | None = None


class SessionUsage(GumloopModel):
    """Credits and tokens a session used."""

    credit_cost: float | None = None
    tool_credit_cost: float | None = None
    flow_credit_cost: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None


class SessionProvenance(GumloopModel):
    """How the session was started (OAuth client, MCP resource, ...)."""

    connection: str
    oauth_client_id: str
    auth_subject: str
    token_jti: str
    mcp_resource: str
    oauth_client_name: str | None = None
    redirect_origin: str | None = None
    product: str | None = None


class PendingApproval(GumloopModel):
    """An action waiting for a human decision."""

    action_request_id: str | None = None
    type: str
    title: str | None = None
    reason: str | None = None
    recipient_user_id: str | None = None
    tool_name: str | None = None
    server_label: str | None = None
    display_fields: list[list[str]] | None = None
    questions: list[dict[str, Any]] | None = None


class Session(GumloopModel):
    """A conversation thread with one agent. ``state`` is an open string (``idle``, ``queued``,
    ``processing``, ``completed``, ``failed``, ...)."""

    id: str
    agent_id: str
    name: str | None = None
    type: str | None = None
    state: str | None = None
    messages: list[MessagePayload] = Field(default_factory=list[MessagePayload])
    created_at: str | None = None
    agent_name: str | None = None
    agent_team_id: str | None = None
    agent_creator_user_id: str | None = None
    agent_icon_url: str | None = None
    agent_tools: list[dict[str, Any]] = Field(default_factory=list[dict[str, Any]])
    participants: dict[str, dict[str, Any]] = Field(default_factory=dict[str, dict[str, Any]])
    creator: CreatorPayload | None = None
    usage: SessionUsage | None = None
    provenance: SessionProvenance | None = None
    incognito: bool = False
    pending_approvals: list[PendingApproval] | None = None


class SessionResponse(GumloopModel):
    """``{"session": Session, "queue_position"}``."""

    session: Session
    queue_position: int | None = None


class SessionListResponse(GumloopModel):
    """``{"sessions": [Session], "next_cursor"}``."""

    sessions: list[Session] = Field(default_factory=list[Session])
    next_cursor: str | None = None

    def page_items(self) -> list[Session]:
        """The items of this page (what ``client.paginate`` yields)."""
        return self.sessions


class SessionCreateRequest(GumloopModel):
    """Body of ``POST /agents/{id}/sessions``; only fields you set are sent.

    ``input`` (or the older ``message``) is the first user message: text or content parts.
    """

    input: str | list[Any] | None = None
    message: str | list[Any] | None = None
    session_id: str | None = None
    name: str | None = None
    metadata: dict[str, Any] | None = None
    stream: bool = False
    incognito: bool = False


class SessionAttachment(GumloopModel):
    """A file uploaded to the session, referenced from a send."""

    file_name: str
    media_type: str | None = None


class SessionApprovalFormResponse(GumloopModel):
    """Values filled into an approval form."""

    values: dict[str, Any] = Field(default_factory=dict[str, Any])


class SessionApprovalResponseItem(GumloopModel):
    """Accept or reject one pending action."""

    action_request_id: str
    action: Literal["accept", "reject"]
    reason: str | None = None
    response: SessionApprovalFormResponse | None = None


class SessionContinueRequest(GumloopModel):
    """Body of ``POST /sessions/{id}/messages``.

    ``delivery="queued"`` enqueues text behind a running turn; ``idempotency_key`` travels as the
    ``Idempotency-Key`` header, not in the body (the client moves it).
    """

    input: str | list[Any] | None = None
    message: str | list[Any] | None = None
    stream: bool = False
    attachments: list[SessionAttachment] | None = None
    approval_responses: list[SessionApprovalResponseItem] | None = None
    delivery: Literal["immediate", "queued"] = "immediate"
    idempotency_key: str | None = None


class SessionUpdateRequest(GumloopModel):
    """Body of ``PATCH /sessions/{id}`` (rename)."""

    name: str


class SessionFileResponse(GumloopModel):
    """``{"file_name", "media_type"?, "size"}`` after an upload."""

    file_name: str
    media_type: str | None = None
    size: int


class SessionApprovalsRequest(GumloopModel):
    """Body of ``POST /sessions/{id}/approvals``: 1 to 20 decisions."""

    approval_responses: list[SessionApprovalResponseItem] = Field(min_length=1, max_length=20)


class SessionApprovalResult(GumloopModel):
    """What happened to one approval decision."""

    action_request_id: str
    action: str
    outcome: str


class SessionApprovalsResponse(GumloopModel):
    """``{"session", "results", "stream_cursor"?}``."""

    session: Session
    results: list[SessionApprovalResult]
    stream_cursor: str | None = None


class SessionMessageReceipt(GumloopModel):
    """Receipt of a queued send: ``{"message_id", "status": "accepted"}``."""

    message_id: str
    status: Literal["accepted"]


class QueuedMessage(GumloopModel):
    """A message waiting in a session's queue."""

    id: str
    input: str | None = None
    state: str
    position: int
    created_at: str | None = None
    updated_at: str | None = None


class SessionQueueResponse(GumloopModel):
    """``{"queue": [QueuedMessage]}``."""

    queue: list[QueuedMessage]


class SessionQueuedMessageResponse(GumloopModel):
    """``{"queue", "queued_message"}`` after adding or editing a queued message."""

    queue: list[QueuedMessage]
    queued_message: QueuedMessage
