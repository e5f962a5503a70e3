"""Small shapes shared by several resources."""

from __future__ import annotations

from ._base import GumloopModel

__all__ = ["CreatorPayload"]


class CreatorPayload(GumloopModel):
    """Who created an agent, session, skill or artifact."""

    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    profile_picture: str | None = None
