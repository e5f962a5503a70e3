"""Smaller resources: models and routing (§5.2), teams and organizations, wiki (§7.4), voice and
skill sync (§7.7)."""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import AliasChoices, Field, field_validator

from ._base import GumloopModel

__all__ = [
    "MAX_SDP_OFFER_BYTES",
    "CliSyncBundleManifest",
    "CliSyncBundleSkill",
    "CliSyncLimits",
    "CliSyncManifest",
    "CliSyncOrganization",
    "CliSyncPlanResponse",
    "ModelListResponse",
    "ModelRouteCandidate",
    "ModelRouteDecision",
    "ModelRouteRequest",
    "ModelRouteResponse",
    "Organization",
    "OrganizationsResponse",
    "Team",
    "TeamsResponse",
    "VoiceSessionCreateRequest",
    "VoiceSessionEndResponse",
    "VoiceSessionStarted",
    "WikiCard",
    "WikiCardType",
    "WikiFact",
    "WikiLinkedUser",
    "WikiQueryRequest",
    "WikiQueryResponse",
    "WikiSource",
]

#: Largest SDP offer the voice endpoint accepts (1 MiB, UTF-8 encoded).
MAX_SDP_OFFER_BYTES = 1024 * 1024


# --- models -----------------------------------------------------------------------------------


class ModelListResponse(GumloopModel):
    """``{"model_groups": [...]}``; groups look like ``{"groupLabel", "options": [...]}``."""

    model_groups: list[dict[str, Any]] = Field(default_factory=list[dict[str, Any]])


class ModelRouteRequest(GumloopModel):
    """Body of ``POST /models/route``: the task (``input`` or ``message``) and candidates."""

    input: str | list[Any] | None = None
    message: str | list[Any] | None = None
    models: list[str] | None = None
    history: list[dict[str, Any]] | None = None
    agent: dict[str, Any] | None = None
    team_id: str | None = None


class ModelRouteDecision(GumloopModel):
    """The model the router picked and why."""

    model: str
    lane: str
    verdict_lane: str
    adjustment: str | None = None
    reasoning_effort: str | None = None
    fallback_models: list[str] = Field(default_factory=list[str])
    fail_closed: bool = False


class ModelRouteCandidate(GumloopModel):
    """A candidate model the router considered."""

    requested_model: str
    model: str
    lanes: list[str] = Field(default_factory=list[str])
    lane_basis: str | None = None
    status: str


class ModelRouteResponse(GumloopModel):
    """``{"router", "route", "candidates"}``: a decision only, nothing runs."""

    router: str
    route: ModelRouteDecision
    candidates: list[ModelRouteCandidate] = Field(default_factory=list[ModelRouteCandidate])


# --- teams and organizations ------------------------------------------------------------------


class Team(GumloopModel):
    """A team (workspace)."""

    id: str
    name: str


class TeamsResponse(GumloopModel):
    """``{"teams": [Team]}``."""

    teams: list[Team] = Field(default_factory=list[Team])


class Organization(GumloopModel):
    """An organization the caller belongs to."""

    id: str
    name: str | None = None


class OrganizationsResponse(GumloopModel):
    """``{"organizations": [Organization]}``."""

    organizations: list[Organization] = Field(default_factory=list[Organization])


# --- wiki -------------------------------------------------------------------------------------


class WikiCardType(str, Enum):
    """Kinds of wiki cards."""

    PERSON = "person"
    ORGANIZATION = "organization"
    PROJECT = "project"
    AGENT = "agent"
    PROFILE = "profile"
    NOTE = "note"
    TONE = "tone"
    DESIGN = "design"


class WikiQueryRequest(GumloopModel):
    """Body of ``POST /wiki/query``: filter by card type and/or entity key."""

    type: WikiCardType | None = None
    entity_key: str | None = None


class WikiSource(GumloopModel):
    """Where a wiki fact was observed."""

    type: str
    subject_id: str
    locator: str | None = None
    label: str | None = None
    agent_id: str | None = None
    observed_at: str | None = None


class WikiFact(GumloopModel):
    """One fact on a wiki card."""

    id: str
    kind: str
    text: str
    origin: str
    pinned: bool
    sources: list[WikiSource] = Field(default_factory=list[WikiSource])
    first_seen_at: str | None = None
    last_seen_at: str | None = None


class WikiLinkedUser(GumloopModel):
    """The user a person card is about."""

    id: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    profile_picture: str | None = None


class WikiCard(GumloopModel):
    """A wiki card; ``type`` is a :class:`WikiCardType` or an unknown newer kind."""

    type: WikiCardType | str
    entity_key: str | None = None
    name: str | None = None
    summary: str | None = None
    status: str = "active"
    icon_url: str | None = None
    linked_user: WikiLinkedUser | None = None
    agent_ids: list[str] = Field(default_factory=list[str])
    updated_at: str | None = None
    row_facts: dict[str, str] = Field(default_factory=dict[str, str])
    facts: list[WikiFact] = Field(default_factory=list[WikiFact])


class WikiQueryResponse(GumloopModel):
    """``{"cards": [WikiCard]}``."""

    cards: list[WikiCard] = Field(default_factory=list[WikiCard])


# --- voice ------------------------------------------------------------------------------------


class VoiceSessionCreateRequest(GumloopModel):
    """Start a WebRTC voice session on a session.

    Serialised by alias: ``session_id`` goes out as ``interaction_id`` and ``incognito`` as
    ``is_incognito`` (both names are accepted on input).
    """

    session_id: str = Field(
        min_length=1,
        pattern=r"\S",
        validation_alias=AliasChoices("session_id", "interaction_id"),
        serialization_alias="interaction_id",
    )
    offer_sdp: str = Field(min_length=1, pattern=r"\S")
    incognito: bool = Field(
        default=False,
        validation_alias=AliasChoices("incognito", "is_incognito"),
        serialization_alias="is_incognito",
    )

    @field_validator("offer_sdp")
    @classmethod
    def _offer_fits(cls, value: str) -> str:
        if len(value.encode("utf-8")) > MAX_SDP_OFFER_BYTES:
            raise ValueError("the SDP offer is larger than 1 MiB; send a smaller offer")
        return value


class VoiceSessionStarted(GumloopModel):
    """The SDP answer and timing settings of a started voice session."""

    voice_session_id: str
    answer_sdp: str
    expires_at: int
    model: str
    voice: str
    transcript_settle_ms: int
    user_segment_gap_ms: int
    assistant_segment_gap_ms: int
    idle_timeout_ms: int


class VoiceSessionEndResponse(GumloopModel):
    """``{"status": "ending"}``."""

    status: Literal["ending"]


# --- skill sync (CLI) -------------------------------------------------------------------------


class CliSyncOrganization(GumloopModel):
    """The organization a skill sync is for."""

    organization_id: str
    organization_name: str


class CliSyncManifest(GumloopModel):
    """Content hash of the skills to sync."""

    algorithm: str
    format_version: int
    hash: str
    skill_count: int


class CliSyncLimits(GumloopModel):
    """Size limits of a skill bundle."""

    files_per_skill: int
    bytes_per_file: int
    bundle_transfer_bytes: int
    total_uncompressed_bytes: int


class CliSyncPlanResponse(GumloopModel):
    """What a sync would download."""

    organization: CliSyncOrganization
    manifest: CliSyncManifest
    limits: CliSyncLimits
    skill_count: int


class CliSyncBundleSkill(GumloopModel):
    """One skill inside a downloaded bundle."""

    skill_id: str
    install_name: str
    published_version_id: str
    content_hash: str


class CliSyncBundleManifest(GumloopModel):
    """The manifest stored inside a downloaded bundle."""

    organization: CliSyncOrganization
    manifest: CliSyncManifest
    limits: CliSyncLimits
    skills: list[CliSyncBundleSkill]
