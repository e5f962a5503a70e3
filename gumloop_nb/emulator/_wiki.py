"""The personal wiki: ``POST /wiki/query`` returns the caller's cards, optionally filtered.

Cards come from two places: a fixed demo wiki (the demo user's profile, tone, organization,
project, people and notes) and one ``agent`` card per agent in the store (so the wiki follows
what the notebook creates). ``type`` must be one of the card types; ``entity_key`` selects one
entity (an agent card's key is the agent id).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._demo import DEMO_USER, ORGANIZATIONS
from ._http import ApiError, field, json_body, ok

__all__ = ["CARD_TYPES", "ROUTES"]

CARD_TYPES = ("person", "organization", "project", "agent", "profile", "note", "tone", "design")
_SEEN = "2026-01-04T10:00:00Z"


def _fact(ident: str, kind: str, text: str, *, pinned: bool = False) -> dict[str, Any]:
    return {
        "id": ident,
        "kind": kind,
        "text": text,
        "origin": "user" if pinned else "observed",
        "pinned": pinned,
        "sources": [
            {"type": "session", "subject_id": "ses_demo", "label": "Demo conversation",
             "observed_at": _SEEN}
        ],
        "first_seen_at": _SEEN,
        "last_seen_at": _SEEN,
    }  # fmt: skip


def _card(kind: str, key: str, name: str, summary: str, facts: list[dict[str, Any]],
          **extra: Any) -> dict[str, Any]:  # fmt: skip
    return {
        "type": kind,
        "entity_key": key,
        "name": name,
        "summary": summary,
        "status": "active",
        "icon_url": None,
        "linked_user": None,
        "agent_ids": [],
        "updated_at": _SEEN,
        "row_facts": {},
        "facts": facts,
        **extra,
    }


def _demo_cards() -> list[dict[str, Any]]:
    user = {k: DEMO_USER[k] for k in ("id", "first_name", "last_name", "email", "profile_picture")}
    org = ORGANIZATIONS[0]
    return [
        _card("profile", DEMO_USER["id"], "Ada Lovelace", "Analyst who automates reporting.",
              [_fact("wf_role", "role", "Works as a data analyst.", pinned=True),
               _fact("wf_tz", "preference", "Works in the Europe/London time zone.")],
              linked_user=user, row_facts={"role": "Data analyst", "timezone": "Europe/London"}),
        _card("tone", "tone_default", "Writing tone", "Short, plain answers with numbers first.",
              [_fact("wf_tone", "preference", "Prefers concise answers with tables.")]),
        _card("organization", org["id"], org["name"], "The demo organization of the emulator.",
              [_fact("wf_org", "fact", "Has two teams: Demo team and Research.")],
              row_facts={"teams": "2"}),
        _card("project", "proj_quarterly", "Quarterly report", "Automating the quarterly KPI report.",
              [_fact("wf_proj", "fact", "Due at the end of every quarter."),
               _fact("wf_proj2", "fact", "Uses the planets and elements demo datasets.")],
              row_facts={"status": "in progress"}),
        _card("person", "usr_charles", "Charles Babbage", "Finance lead; approves expenses.",
              [_fact("wf_cb", "fact", "Approves travel expenses within 30 days.")],
              row_facts={"team": "Finance"}),
        _card("person", "usr_grace", "Grace Hopper", "Release manager.",
              [_fact("wf_gh", "fact", "Posts release notes in #release-notes.")],
              row_facts={"team": "Engineering"}),
        _card("note", "note_onboarding", "Onboarding", "First-week checklist for new colleagues.",
              [_fact("wf_note", "fact", "Book a check-in with your manager in week one.")]),
        _card("design", "design_charts", "Chart style", "Charts use the team palette, no 3-D.",
              [_fact("wf_design", "preference", "Bar charts over pie charts.")]),
    ]  # fmt: skip


def _agent_cards(request: Request) -> list[dict[str, Any]]:
    cards = []
    for agent in request.app.state.ctx.store.list("agents"):
        facts = [_fact(f"wf_{agent['id']}_model", "fact", f"Runs on {agent['model_name']}.")]
        if agent.get("description"):
            facts.append(_fact(f"wf_{agent['id']}_desc", "fact", agent["description"]))
        cards.append(
            _card(
                "agent",
                agent["id"],
                agent["name"],
                agent.get("description") or "",
                facts,
                agent_ids=[agent["id"]],
                updated_at=agent.get("last_updated_at"),
                icon_url=(agent.get("metadata") or {}).get("icon_url"),
                row_facts={"model": agent["model_name"]},
            )
        )
    return cards


async def query_wiki(request: Request) -> Response:
    body = await json_body(request, required=False)
    kind = field(body, "type", str)
    key = field(body, "entity_key", str)
    if kind is not None and kind not in CARD_TYPES:
        raise ApiError(
            400,
            "invalid_request",
            f"type must be one of {', '.join(CARD_TYPES)}; got '{kind}'.",
            param="type",
        )
    cards = _demo_cards() + _agent_cards(request)
    if kind:
        cards = [c for c in cards if c["type"] == kind]
    if key:
        cards = [c for c in cards if c["entity_key"] == key]
    return ok({"cards": cards})


ROUTES = [Route("/api/v1/wiki/query", query_wiki, methods=["POST"])]
