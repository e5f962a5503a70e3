"""Small helpers shared by the resource modules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from .._op import ModelT, Op, drop_none, model_parser


def seg(value: object) -> str:
    """Percent-encode one path segment (ids may contain '/', ':' or spaces)."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a non-empty id string, got {value!r}")
    return quote(value, safe="")


def get(
    path: str, model: type[ModelT], params: Mapping[str, Any] | None = None, **kw: Any
) -> Op[ModelT]:
    return Op("GET", path, params=params, parse=model_parser(model), **kw)


def send(method: str, path: str, model: type[ModelT], body: Any = None, **kw: Any) -> Op[ModelT]:
    return Op(method, path, json=body if body is not None else {}, parse=model_parser(model), **kw)


def merged(model: Any, request: Any, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The request-merging convention (§10.4) via the model's ``build``."""
    return dict(model.build(request, **kwargs))


__all__ = ["drop_none", "get", "merged", "seg", "send"]


def access_get(kind: str, item_id: str) -> Op[Any]:
    """``GET /{kind}/{id}/access`` (sessions, skills and artifacts share the sharing API)."""
    from ...types import ItemAccessResponse

    return get(f"/{kind}/{seg(item_id)}/access", ItemAccessResponse)


def access_put(kind: str, item_id: str, share: Any, remove: Any, link: Any) -> Op[Any]:
    from ...types import ItemAccessChangeResponse

    body = drop_none({"share": share, "remove": remove, "link": link})
    return send("PUT", f"/{kind}/{seg(item_id)}/access", ItemAccessChangeResponse, body)
