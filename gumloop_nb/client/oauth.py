"""OAuth 2.1 helpers (PKCE): register a client, build the authorize URL, exchange and refresh.

These endpoints live at the OAuth root (the API base without ``/api/v1``) and never send the
bearer token. ``OAuth(base_url=..., timeout=...)`` works on its own; ``client.oauth`` is the
same helper bound to a client (awaitable on ``AsyncGumloop``).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from typing_extensions import Unpack

from ..types._base import as_dict
from ._config import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, ClientConfig, TimeoutTypes, oauth_root
from ._endpoint import M, Resource, endpoint
from ._op import Op, RequestOptions

DEFAULT_SCOPES = ("gumloop", "userinfo")


def _scope(scopes: str | Sequence[str]) -> str:
    return scopes if isinstance(scopes, str) else " ".join(scopes)


def pkce_pair() -> tuple[str, str]:
    """A PKCE ``(code_verifier, code_challenge)``: 64 random bytes, S256 challenge."""
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(64)).rstrip(b"=").decode()
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return verifier, challenge


def _dict(body: Any) -> dict[str, Any]:
    obj = as_dict(body)
    return obj if obj is not None else {}


class OAuthResource(Resource[M]):
    """The OAuth helpers bound to a client."""

    @property
    def _root(self) -> str:
        return oauth_root(self._client.base_url)

    @endpoint
    def register_client(
        self,
        /,
        redirect_uri: str,
        *,
        client_name: str = "Gumloop Python SDK",
        scopes: str | Sequence[str] = DEFAULT_SCOPES,
        **options: Unpack[RequestOptions],
    ) -> Op[dict[str, Any]]:
        """Dynamic client registration; the answer contains ``client_id``."""
        body = {
            "client_name": client_name,
            "redirect_uris": [redirect_uri],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            "scope": _scope(scopes),
        }
        return Op(
            "POST",
            "/oauth/register",
            host="oauth",
            json=body,
            auth=False,
            scoped=False,
            parse=_dict,
        )

    def build_authorization_url(
        self,
        client_id: str,
        redirect_uri: str,
        *,
        scopes: str | Sequence[str] = DEFAULT_SCOPES,
        resource: str | None = None,
        state: str | None = None,
    ) -> tuple[str, str, str]:
        """``(url, code_verifier, state)``: open the URL, keep the verifier for ``exchange_code``."""
        verifier, challenge = pkce_pair()
        state = state or secrets.token_urlsafe(24)
        query = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": _scope(scopes),
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        if resource:
            query["resource"] = resource
        return f"{self._root}/oauth/authorize?{urlencode(query)}", verifier, state

    @endpoint
    def exchange_code(
        self,
        /,
        client_id: str,
        code: str,
        redirect_uri: str,
        code_verifier: str,
        **options: Unpack[RequestOptions],
    ) -> Op[dict[str, Any]]:
        form = {
            "grant_type": "authorization_code",
            "client_id": client_id,
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        return Op(
            "POST", "/oauth/token", host="oauth", data=form, auth=False, scoped=False, parse=_dict
        )

    @endpoint
    def refresh_token(
        self, /, client_id: str, refresh_token: str, **options: Unpack[RequestOptions]
    ) -> Op[dict[str, Any]]:
        form = {
            "grant_type": "refresh_token",
            "client_id": client_id,
            "refresh_token": refresh_token,
        }
        return Op(
            "POST", "/oauth/token", host="oauth", data=form, auth=False, scoped=False, parse=_dict
        )

    @endpoint
    def revoke(self, /, client_id: str, token: str, **options: Unpack[RequestOptions]) -> Op[None]:
        form = {"client_id": client_id, "token": token}
        return Op(
            "POST",
            "/oauth/revoke",
            host="oauth",
            data=form,
            auth=False,
            scoped=False,
            parse=lambda _: None,
            empty={},
        )


class _StandaloneOAuthClient:
    """Just enough of a client for ``OAuth`` used on its own (no credential needed)."""

    _is_async = False
    team_id = None

    def __init__(self, base_url: str, timeout: TimeoutTypes) -> None:
        from ._transport import SyncTransport

        self.base_url = base_url.rstrip("/")
        self._transport = SyncTransport(
            ClientConfig(base_url=self.base_url, stream_base_url=self.base_url, timeout=timeout)
        )


class OAuth(OAuthResource[Any]):
    """Standalone OAuth helpers: ``OAuth(base_url="https://api.gumloop.com", timeout=90)``."""

    def __init__(
        self, *, base_url: str = DEFAULT_BASE_URL, timeout: TimeoutTypes = DEFAULT_TIMEOUT
    ) -> None:
        super().__init__(_StandaloneOAuthClient(base_url, timeout))

    def close(self) -> None:
        self._client._transport.close()

    def __enter__(self) -> OAuth:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
