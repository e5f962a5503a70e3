"""Sharing (§7.5) and browser-profile (§7.7) models (*0.5.9*)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import GumloopModel

__all__ = [
    "BrowserProfile",
    "BrowserProfileCreateRequest",
    "BrowserProfileDeleteResponse",
    "BrowserProfileImportResponse",
    "BrowserProfileImportSummary",
    "BrowserProfileSite",
    "BrowserProfileUpdateRequest",
    "BrowserProfilesResponse",
    "ItemAccess",
    "ItemAccessChangeResponse",
    "ItemAccessHiddenCounts",
    "ItemAccessOrganization",
    "ItemAccessPerson",
    "ItemAccessResponse",
    "ItemAccessTeam",
]


# --- item access ------------------------------------------------------------------------------


class ItemAccessPerson(GumloopModel):
    """A person an item is shared with."""

    email: str
    name: str | None = None
    role: str


class ItemAccessTeam(GumloopModel):
    """A team an item is shared with."""

    team_id: str
    role: str


class ItemAccessOrganization(GumloopModel):
    """The organization-wide role on an item."""

    role: str


class ItemAccessHiddenCounts(GumloopModel):
    """How many grants the caller's role cannot see."""

    people: int = 0
    teams: int = 0


class ItemAccess(GumloopModel):
    """Who can see a session, skill or artifact, and how its link works."""

    grants_visibility: str
    people: list[ItemAccessPerson] = Field(default_factory=list[ItemAccessPerson])
    teams: list[ItemAccessTeam] = Field(default_factory=list[ItemAccessTeam])
    organization_access: ItemAccessOrganization | None = None
    link: str
    link_role: str | None = None
    password_protected: bool
    hidden_by_role: dict[str, ItemAccessHiddenCounts] | None = None


class ItemAccessResponse(GumloopModel):
    """``{"access": ItemAccess}``."""

    access: ItemAccess


class ItemAccessChangeResponse(GumloopModel):
    """``{"access", "notified": [email]}`` after a sharing change."""

    access: ItemAccess
    notified: list[str] = Field(default_factory=list[str])


# --- browser profiles -------------------------------------------------------------------------


class BrowserProfileSite(GumloopModel):
    """Cookies stored for one site."""

    domain: str
    cookie_count: int = 0
    updated_ts: str | None = None


class BrowserProfile(GumloopModel):
    """Stored cookies the browser ability can use."""

    profile_id: str
    owner_id: str
    owner_scope: str
    name: str
    is_default: bool = False
    version: int = 0
    sites: list[BrowserProfileSite] = Field(default_factory=list[BrowserProfileSite])
    size_bytes: int = 0
    has_storage: bool = False
    created_by_user_id: str | None = None
    created_ts: str | None = None
    updated_ts: str | None = None
    last_used_ts: str | None = None


class BrowserProfilesResponse(GumloopModel):
    """``{"profiles": [BrowserProfile]}``."""

    profiles: list[BrowserProfile] = Field(default_factory=list[BrowserProfile])


class BrowserProfileCreateRequest(GumloopModel):
    """Body of ``POST /browser-profiles``."""

    name: str


class BrowserProfileUpdateRequest(GumloopModel):
    """Body of ``PATCH /browser-profiles/{id}``; ``is_default`` can only be set to true."""

    name: str | None = None
    is_default: Literal[True] | None = None


class BrowserProfileDeleteResponse(GumloopModel):
    """``{"status": "success"}``."""

    status: Literal["success"]


class BrowserProfileImportSummary(GumloopModel):
    """What a cookie import stored."""

    site: str | None = None
    cookie_count: int
    skipped: int = 0
    sites: list[str] = Field(default_factory=list[str])


class BrowserProfileImportResponse(GumloopModel):
    """``{"profile", "imported"}``."""

    profile: BrowserProfile
    imported: BrowserProfileImportSummary
