"""``client.skills``: upload (multipart), list, download and delete skills."""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Mapping
from typing import Any, cast

from typing_extensions import Unpack

from ... import types as t
from .._endpoint import M, Pages, Resource, endpoint, pager
from .._op import Op, RequestOptions, model_parser
from ._util import access_get, access_put, get, seg

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

FileSpec = (
    Any  # {name: content} or [(name, content[, media_type])]; content: bytes | str | PathLike
)


def _read(content: Any) -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode("utf-8")
    if isinstance(content, os.PathLike):
        with open(cast("os.PathLike[str]", content), "rb") as fh:
            return fh.read()
    if hasattr(content, "read"):
        data: Any = content.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    raise TypeError(
        f"skill file content must be bytes, str, a path or a file, not {type(content).__name__}"
    )


def file_parts(files: FileSpec) -> list[tuple[str, tuple[str, bytes, str]]]:
    """Normalise skill files into repeated multipart parts named ``files``."""
    items: list[tuple[Any, ...]]
    if isinstance(files, Mapping):
        items = [(name, content) for name, content in cast("Mapping[str, Any]", files).items()]
    elif isinstance(files, (str, os.PathLike)):
        path = cast("str | os.PathLike[str]", files)
        items = [(os.path.basename(os.fspath(path)), open(path, "rb").read())]  # noqa: SIM115
    else:
        items = [tuple(item) for item in files]
    parts: list[tuple[str, tuple[str, bytes, str]]] = []
    total = 0
    for item in items:
        name, content = str(item[0]), _read(item[1])
        media = (
            item[2]
            if len(item) > 2
            else (mimetypes.guess_type(name)[0] or "application/octet-stream")
        )
        total += len(content)
        parts.append(("files", (name, content, media)))
    if not parts:
        raise ValueError(
            "a skill needs at least one file (a SKILL.md, a .zip/.skill, or loose files)"
        )
    if total > MAX_UPLOAD_BYTES:
        raise ValueError(f"skill files total {total} bytes; the limit is 10 MB")
    return parts


class Skills(Resource[M]):
    @endpoint
    def list(
        self,
        /,
        *,
        team_id: str | None = None,
        search_query: str | None = None,
        sort_order: str | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
        creator_user_id: str | None = None,
        related_server_id: str | None = None,
        agent_id: str | None = None,
        **kwargs: Any,
    ) -> Op[t.SkillListResponse]:
        params = {
            "team_id": team_id,
            "search_query": search_query,
            "sort_order": sort_order,
            "page_size": page_size,
            "cursor": cursor,
            "creator_user_id": creator_user_id,
            "related_server_id": related_server_id,
            "agent_id": agent_id,
            **kwargs,
        }
        return get("/skills", t.SkillListResponse, params)

    @pager
    def iter_all(self, /, **filters: Any) -> Pages[t.Skill]:
        """Every skill across pages (``max_items=N`` stops early)."""
        return Pages(
            lambda cursor: get("/skills", t.SkillListResponse, {**filters, "cursor": cursor}),
            "skills",
            t.Skill,
        )

    @endpoint
    def create(
        self, /, files: FileSpec, *, team_id: str | None = None, **kwargs: Any
    ) -> Op[t.SkillResponse]:
        """Upload a skill: one ``.md`` (stored as SKILL.md), a ``.zip``/``.skill`` archive, or
        loose files that include ``SKILL.md`` (front matter with ``name`` and ``description``)."""
        form = {k: str(v) for k, v in kwargs.items() if v is not None}
        team = team_id or self._client.team_id
        if team:
            form["team_id"] = team
        return Op(
            "POST",
            "/skills",
            files=file_parts(files),
            data=form,
            parse=model_parser(t.SkillResponse),
        )

    @endpoint
    def update(
        self, /, skill_id: str, files: FileSpec, **options: Unpack[RequestOptions]
    ) -> Op[t.SkillResponse]:
        """Replace a skill's files (creates a new version)."""
        return Op(
            "PATCH",
            f"/skills/{seg(skill_id)}",
            files=file_parts(files),
            parse=model_parser(t.SkillResponse),
        )

    @endpoint
    def download(
        self, /, skill_id: str, *, version_id: str | None = None, **kwargs: Any
    ) -> Op[t.SkillDownloadResponse]:
        """A short-lived ``download_url`` for the skill's zip (fetch it with a plain GET)."""
        params = {"version_id": version_id, **kwargs}
        return get(f"/skills/{seg(skill_id)}/download", t.SkillDownloadResponse, params)

    @endpoint
    def delete(
        self, /, skill_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.SkillDeleteResponse]:
        return Op(
            "DELETE",
            f"/skills/{seg(skill_id)}",
            parse=model_parser(t.SkillDeleteResponse),
            empty={"deleted": True},
        )

    @endpoint
    def get_access(
        self, /, skill_id: str, **options: Unpack[RequestOptions]
    ) -> Op[t.ItemAccessResponse]:
        return access_get("skills", skill_id)

    @endpoint
    def update_access(
        self,
        /,
        skill_id: str,
        *,
        share: Any = None,
        remove: Any = None,
        link: Any = None,
        **options: Unpack[RequestOptions],
    ) -> Op[t.ItemAccessChangeResponse]:
        return access_put("skills", skill_id, share, remove, link)
