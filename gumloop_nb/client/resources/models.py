"""``client.models``: the model catalogue and the router."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from ... import types as t
from .. import _params
from .._endpoint import M, Resource, endpoint
from .._op import Op
from ._util import get, merged, send


class Models(Resource[M]):
    @endpoint
    def list(self, /, **kwargs: Any) -> Op[t.ModelListResponse]:
        """Model groups (``{"groupLabel", "options": [{"value", "label", "status"}]}``)."""
        return get("/models", t.ModelListResponse, kwargs)

    @endpoint
    def route(
        self,
        /,
        request: t.ModelRouteRequest | Mapping[str, Any] | None = None,
        **kwargs: Unpack[_params.ModelRouteParams],
    ) -> Op[t.ModelRouteResponse]:
        """Ask the router which model should run a task (a decision only: nothing runs)."""
        body = merged(t.ModelRouteRequest, request, kwargs)
        if not body.get("input") and not body.get("message"):
            raise ValueError("models.route() requires input=... (or message=...)")
        return send("POST", "/models/route", t.ModelRouteResponse, body, idempotent=True)
