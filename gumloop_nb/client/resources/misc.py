"""Small resources: teams, organizations, wiki, decisions, voice, browser profiles, skill sync."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from ... import types as t
from ...errors import GumloopError
from .. import _params
from .._endpoint import M, Resource, endpoint
from .._op import Op, RequestOptions, drop_none, model_parser
from ._util import get, merged, seg, send


class Teams(Resource[M]):
    @endpoint
    def list(self, /, **kwargs: Any) -> Op[t.TeamsResponse]:
        return get("/teams", t.TeamsResponse, kwargs)


class Organizations(Resource[M]):
    @endpoint
    def list(self, /, **options: Unpack[RequestOptions]) -> Op[t.OrganizationsResponse]:
        return get("/organizations", t.OrganizationsResponse)


class Wiki(Resource[M]):
    @endpoint
    def query(
        self,
        /,
        request: t.WikiQueryRequest | Mapping[str, Any] | None = None,
        **kwargs: Unpack[_params.WikiQueryParams],
    ) -> Op[t.WikiQueryResponse]:
        body = merged(t.WikiQueryRequest, request, kwargs)
        return send("POST", "/wiki/query", t.WikiQueryResponse, body, idempotent=True)


class Decisions(Resource[M]):
    @endpoint
    def create(
        self,
        /,
        request: t.DecisionsRequest | Mapping[str, Any] | None = None,
        *,
        team_id: str | None = None,
        model: str | None = None,
        state: Any = None,
        questions: Any = None,
        **kwargs: Unpack[_params.DecisionsParams],
    ) -> Op[t.DecisionsResponse]:
        """Structured yes/no, choice and score judgements from a model."""
        from pydantic import ValidationError

        try:
            body = t.DecisionsRequest.build(
                request, model=model, state=state, questions=questions, **kwargs
            )
        except ValidationError as exc:
            raise GumloopError(f"invalid decisions request: {exc.errors()[0]['msg']}") from None
        return send(
            "POST",
            "/decisions",
            t.DecisionsResponse,
            body,
            params={"team_id": team_id},
            idempotent=True,
        )


class Voice(Resource[M]):
    @endpoint
    def start(
        self,
        /,
        agent_id: str,
        *,
        session_id: str,
        offer_sdp: str,
        incognito: bool = False,
        **options: Unpack[RequestOptions],
    ) -> Op[t.VoiceSessionStarted]:
        body = t.VoiceSessionCreateRequest(
            session_id=session_id, offer_sdp=offer_sdp, incognito=incognito
        ).model_dump(by_alias=True, mode="json")
        path = f"/gummies/{seg(agent_id)}/voice/sessions"
        return Op(
            "POST",
            path,
            host="origin",
            json=body,
            scoped=False,
            parse=model_parser(t.VoiceSessionStarted),
        )

    @endpoint
    def end(
        self, /, agent_id: str, voice_session_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.VoiceSessionEndResponse]:
        path = f"/gummies/{seg(agent_id)}/voice/sessions/{seg(voice_session_id)}/end"
        return Op(
            "POST", path, host="origin", scoped=False, parse=model_parser(t.VoiceSessionEndResponse)
        )


class BrowserProfiles(Resource[M]):
    @endpoint
    def list(
        self, /, *, team_id: str | None = None, **options: Unpack[RequestOptions]
    ) -> Op[t.BrowserProfilesResponse]:
        return get("/browser-profiles", t.BrowserProfilesResponse, {"team_id": team_id})

    @endpoint
    def create(self, /, name: str, **options: Unpack[RequestOptions]) -> Op[Any]:
        return Op(
            "POST",
            "/browser-profiles",
            json={"name": name},
            scoped=False,
            parse=model_parser(t.BrowserProfile),
        )

    @endpoint
    def get(self, /, profile_id: str, **options: Unpack[RequestOptions]) -> Op[Any]:
        return Op(
            "GET",
            f"/browser-profiles/{seg(profile_id)}",
            scoped=False,
            parse=model_parser(t.BrowserProfile),
        )

    @endpoint
    def update(
        self,
        /,
        profile_id: str,
        *,
        name: str | None = None,
        is_default: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> Op[Any]:
        body = drop_none({"name": name, "is_default": is_default})
        return Op(
            "PATCH",
            f"/browser-profiles/{seg(profile_id)}",
            json=body,
            scoped=False,
            parse=model_parser(t.BrowserProfile),
        )

    @endpoint
    def delete(
        self, /, profile_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.BrowserProfileDeleteResponse]:
        return Op(
            "DELETE",
            f"/browser-profiles/{seg(profile_id)}",
            scoped=False,
            parse=model_parser(t.BrowserProfileDeleteResponse),
        )

    @endpoint
    def import_cookies(
        self,
        /,
        profile_id: str,
        *,
        url: str | None = None,
        cookies: builtins.list[Any],
        team_id: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.BrowserProfileImportResponse]:
        body = drop_none({"url": url, "cookies": cookies, "team_id": team_id})
        path = f"/browser-profiles/{seg(profile_id)}/cookies"
        return send("POST", path, t.BrowserProfileImportResponse, body)


class SkillSync(Resource[M]):
    """CLI-oriented skill sync (sync client only in the official SDK)."""

    @endpoint
    def plan(
        self, /, *, organization_id: str | None = None, **options: Unpack[RequestOptions]
    ) -> Op[t.CliSyncPlanResponse]:
        return send(
            "POST",
            "/skills/sync/plan",
            t.CliSyncPlanResponse,
            drop_none({"organization_id": organization_id}),
            headers={"X-Gumloop-CLI-Version": "gumloop-nb"},
            idempotent=True,
        )

    @endpoint
    def download(
        self, /, *, organization_id: str | None = None, **options: Unpack[RequestOptions]
    ) -> Op[bytes]:
        return Op(
            "POST",
            "/skills/sync/download",
            json=drop_none({"organization_id": organization_id}),
            headers={"X-Gumloop-CLI-Version": "gumloop-nb"},
            raw=True,
            idempotent=True,
        )
