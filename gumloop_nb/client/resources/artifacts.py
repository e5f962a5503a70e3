"""``client.artifacts``: files produced by agents and flows."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from typing_extensions import Unpack

from ... import types as t
from ...errors import ResponseTooLargeError
from .._download import DEFAULT_MAX_DOWNLOAD, fetch_op
from .._endpoint import M, Pages, Resource, endpoint, pager
from .._op import Op, RequestOptions, model_parser
from ._util import access_get, access_put, get, seg, send


class Artifacts(Resource[M]):
    @endpoint
    def list(
        self,
        /,
        agent_id: str,
        *,
        session_id: str | None = None,
        search_query: str | None = None,
        sort_order: str | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
        **kwargs: Any,
    ) -> Op[t.ArtifactListResponse]:
        params = {
            "session_id": session_id,
            "search_query": search_query,
            "sort_order": sort_order,
            "page_size": page_size,
            "cursor": cursor,
            **kwargs,
        }
        return get(f"/agents/{seg(agent_id)}/artifacts", t.ArtifactListResponse, params)

    @pager
    def iter_all(self, /, agent_id: str, **filters: Any) -> Pages[t.Artifact]:
        """Every artifact of an agent across pages (``max_items=N`` stops early)."""
        path = f"/agents/{seg(agent_id)}/artifacts"
        return Pages(
            lambda cursor: get(path, t.ArtifactListResponse, {**filters, "cursor": cursor}),
            "artifacts",
            t.Artifact,
        )

    @endpoint
    def download(
        self, /, artifact_id: str, *, version_id: str | None = None, **kwargs: Any
    ) -> Op[t.ArtifactDownloadResponse]:
        """A signed ``download_url`` (fetch the bytes with a plain GET, no auth).

        ``gumloop_nb.read_artifact(client, artifact_id)`` does both and returns a DataFrame.
        """
        params = {"version_id": version_id, **kwargs}
        return get(f"/artifacts/{seg(artifact_id)}/download", t.ArtifactDownloadResponse, params)

    @endpoint
    def read_bytes(
        self,
        /,
        artifact_id: str,
        *,
        version_id: str | None = None,
        max_bytes: int | None = DEFAULT_MAX_DOWNLOAD,
        **options: Unpack[RequestOptions],
    ) -> Generator[Op[Any], Any, bytes]:
        """Download an artifact's bytes (resolves the signed URL, then fetches it).

        The download carries no credentials and none of the client's ``default_headers``; it
        stops with ``ResponseTooLargeError`` past ``max_bytes`` (200 MB; ``None``: no limit).
        """
        info = yield get(
            f"/artifacts/{seg(artifact_id)}/download",
            t.ArtifactDownloadResponse,
            {"version_id": version_id},
        )
        if max_bytes is not None and isinstance(info.size, int) and info.size > max_bytes:
            raise ResponseTooLargeError(
                f"Artifact {artifact_id} is {info.size:,} bytes, larger than "
                f"max_bytes={max_bytes:,}; nothing was downloaded. Pass a larger max_bytes= "
                "(or None) to read it anyway.",
                max_bytes=max_bytes,
                size=info.size,
            )
        data: bytes = yield fetch_op(info.download_url, self._client.base_url, max_bytes)
        return data

    @endpoint
    def fetch(
        self,
        /,
        url: str,
        *,
        max_bytes: int | None = DEFAULT_MAX_DOWNLOAD,
        **options: Unpack[RequestOptions],
    ) -> Op[bytes]:
        """The bytes behind a ``download_url`` (from :meth:`download`): a plain GET with no
        credentials, stopped at ``max_bytes``; a relative URL is resolved against base_url.
        ``timeout=`` (a per-call option) applies to it; the other options are not sent to a
        storage host."""
        return fetch_op(url, self._client.base_url, max_bytes)

    @endpoint
    def delete(
        self, /, artifact_id: str, *, team_id: str | None = None, **options: Unpack[RequestOptions]
    ) -> Op[t.ArtifactDeletedResponse]:
        return Op(
            "DELETE",
            f"/artifacts/{seg(artifact_id)}",
            params={"team_id": team_id},
            parse=model_parser(t.ArtifactDeletedResponse),
            empty={"deleted": True},
        )

    @endpoint
    def rename(
        self,
        /,
        artifact_id: str,
        name: str | None,
        *,
        team_id: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.ArtifactNameResponse]:
        return send(
            "PUT",
            f"/artifacts/{seg(artifact_id)}/name",
            t.ArtifactNameResponse,
            {"name": name},
            params={"team_id": team_id},
        )

    @endpoint
    def list_versions(
        self, /, artifact_id: str, *, team_id: str | None = None, **options: Unpack[RequestOptions]
    ) -> Op[t.ArtifactVersionsResponse]:
        path = f"/artifacts/{seg(artifact_id)}/versions"
        return get(path, t.ArtifactVersionsResponse, {"team_id": team_id})

    @endpoint
    def set_password(
        self, /, artifact_id: str, password: str, **options: Unpack[RequestOptions]
    ) -> Op[t.ArtifactPasswordResponse]:
        path = f"/artifacts/{seg(artifact_id)}/password"
        return send("PUT", path, t.ArtifactPasswordResponse, {"password": password})

    @endpoint
    def get_access(
        self, /, artifact_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.ItemAccessResponse]:
        return access_get("artifacts", artifact_id)

    @endpoint
    def update_access(
        self,
        /,
        artifact_id: str,
        *,
        share: Any = None,
        remove: Any = None,
        link: Any = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.ItemAccessChangeResponse]:
        return access_put("artifacts", artifact_id, share, remove, link)
