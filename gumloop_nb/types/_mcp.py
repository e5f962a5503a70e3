"""MCP models (§7.1): servers, tools, resources, prompts, accounts and tool calls.

A tool call result's ``content`` is a list of MCP content objects (``{"type": "text", ...}``)
or, from the sandbox transport, of strings. Three views help::

    result.content          # as sent
    result.decoded_content  # strings JSON-decoded when possible (the official behaviour)
    result.data             # also decodes text content objects; one item -> the item itself
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field

from ._base import GumloopModel, as_dict

__all__ = [
    "McpExecuteResponse",
    "McpPrompt",
    "McpPromptArgument",
    "McpPromptMessage",
    "McpPromptResponse",
    "McpPromptsResponse",
    "McpResource",
    "McpResourceContent",
    "McpResourceReadResponse",
    "McpResourcesResponse",
    "McpServer",
    "McpServerAccount",
    "McpServerAccountsResponse",
    "McpServerResponse",
    "McpServersResponse",
    "McpTool",
    "McpToolCallRequest",
    "McpToolCallResult",
    "McpToolsResponse",
]


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


class McpServer(GumloopModel):
    """An MCP server the caller can use; ``gumloop_auth_url`` finishes connecting it."""

    server_id: str
    name: str | None = None
    type: str
    status: str
    icon_url: str | None = None
    description: str | None = None
    gumloop_auth_url: str
    mcp_url: str | None = None
    tool_count: int | None = None
    allowed_tool_call_ids: list[str] | None = None


class McpServersResponse(GumloopModel):
    """``{"servers": [McpServer]}``."""

    servers: list[McpServer] = Field(default_factory=list[McpServer])


class McpServerResponse(GumloopModel):
    """``{"server": McpServer}``."""

    server: McpServer


class McpTool(GumloopModel):
    """A tool of a server; call it by ``name`` (``tool_call_id`` is ``<server>__<name>``)."""

    tool_call_id: str
    server_id: str | None = None
    server_type: str | None = None
    name: str
    description: str | None = None
    input_schema: dict[str, Any] = Field(default_factory=dict[str, Any])
    server: dict[str, Any] = Field(default_factory=dict[str, Any])


class McpToolsResponse(GumloopModel):
    """Tools of a server; empty with a ``gumloop_auth_url`` when it is not connected."""

    tools: list[McpTool] = Field(default_factory=list[McpTool])
    server_id: str | None = None
    status: str | None = None
    gumloop_auth_url: str | None = None


class McpResource(GumloopModel):
    """A resource a server exposes."""

    uri: str
    name: str | None = None
    title: str | None = None
    description: str | None = None
    mime_type: str | None = None
    size: int | None = None
    server_id: str | None = None


class McpResourcesResponse(GumloopModel):
    """One page of a server's resources."""

    resources: list[McpResource] = Field(default_factory=list[McpResource])
    server_id: str | None = None
    status: str | None = None
    gumloop_auth_url: str | None = None
    next_cursor: str | None = None

    def page_items(self) -> list[McpResource]:
        """The items of this page (what ``client.paginate`` yields)."""
        return self.resources


class McpResourceContent(GumloopModel):
    """One content block of a read resource: ``text`` or base64 ``blob``."""

    uri: str | None = None
    mime_type: str | None = None
    text: str | None = None
    blob: str | None = None


class McpResourceReadResponse(GumloopModel):
    """``{"server_id", "uri", "contents"}``; :attr:`text` joins the text blocks."""

    server_id: str | None = None
    uri: str | None = None
    contents: list[McpResourceContent] = Field(default_factory=list[McpResourceContent])

    @property
    def text(self) -> str | None:
        """All non-empty ``contents[].text`` joined with newlines; ``None`` when there is none."""
        parts = [c.text for c in self.contents if c.text]
        return "\n".join(parts) if parts else None


class McpPromptArgument(GumloopModel):
    """An argument a prompt template takes."""

    name: str
    description: str | None = None
    required: bool | None = None


class McpPrompt(GumloopModel):
    """A prompt template a server offers."""

    name: str
    description: str | None = None
    arguments: list[McpPromptArgument] = Field(default_factory=list[McpPromptArgument])
    server_id: str | None = None


class McpPromptsResponse(GumloopModel):
    """Prompts of a server."""

    prompts: list[McpPrompt] = Field(default_factory=list[McpPrompt])
    server_id: str | None = None
    status: str | None = None
    gumloop_auth_url: str | None = None


class McpPromptMessage(GumloopModel):
    """One rendered prompt message: ``{"role", "content": {"type", "text", ...}}``."""

    role: str | None = None
    content: dict[str, Any] = Field(default_factory=dict[str, Any])


class McpPromptResponse(GumloopModel):
    """A rendered prompt."""

    server_id: str | None = None
    name: str | None = None
    description: str | None = None
    messages: list[McpPromptMessage] = Field(default_factory=list[McpPromptMessage])


class McpToolCallRequest(GumloopModel):
    """One call of ``POST /mcp/tools/call``; ``ref`` is echoed back, ``account`` pins a login."""

    account: str | None = None
    ref: str | None = None
    server_id: str
    tool_name: str
    arguments: dict[str, Any] = Field(default_factory=dict[str, Any])


class McpToolCallResult(GumloopModel):
    """Outcome of one tool call; check :attr:`ok` (``status == "success"``) and ``error``."""

    ref: str
    server_id: str | None = None
    tool_name: str | None = None
    status: str
    content: list[Any] | None = None
    error: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        """True when the call succeeded."""
        return self.status == "success"

    @property
    def decoded_content(self) -> list[Any] | None:
        """``content`` with string items JSON-decoded when possible (others unchanged)."""
        if self.content is None:
            return None
        return [_json_or_text(item) if isinstance(item, str) else item for item in self.content]

    @property
    def data(self) -> Any:
        """The payload, decoded for notebook use.

        Like :attr:`decoded_content`, but a text content object's ``text`` is JSON-decoded too
        (else its text is returned); exactly one item gives that item, otherwise the list.
        ``None`` when there is no content.

        Example: ``[{"type": "text", "text": '{"n": 3}'}]`` -> ``{"n": 3}``.
        """
        if self.content is None:
            return None
        decoded: list[Any] = []
        for item in self.content:
            if isinstance(item, str):
                decoded.append(_json_or_text(item))
            elif (
                (part := as_dict(item)) is not None
                and part.get("type") == "text"
                and isinstance(part.get("text"), str)
            ):
                decoded.append(_json_or_text(part["text"]))
            else:
                decoded.append(item)
        return decoded[0] if len(decoded) == 1 else decoded


class McpExecuteResponse(GumloopModel):
    """``{"results": [McpToolCallResult]}`` in call order (HTTP 200 or 207 alike)."""

    results: list[McpToolCallResult] = Field(default_factory=list[McpToolCallResult])

    def model_dump_decoded_content(self) -> dict[str, Any]:
        """The JSON-ready dump with each result's ``content`` replaced by its decoded form."""
        dumped = self.model_dump(mode="json")
        for result, item in zip(self.results, dumped.get("results", []), strict=False):
            item["content"] = result.decoded_content
        return dumped


class McpServerAccount(GumloopModel):
    """A connected account of a server (pass its ``id`` as ``account``)."""

    id: str
    label: str | None = None
    is_default: bool = False
    in_use: bool = False


class McpServerAccountsResponse(GumloopModel):
    """``{"server_id", "accounts"}``."""

    server_id: str
    accounts: list[McpServerAccount] = Field(default_factory=list[McpServerAccount])
