"""Fixed demo data of the emulator: the user, teams, organizations, brain documents."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["BRAIN_DOCS", "DEMO_USER", "ORGANIZATIONS", "TEAMS", "brain_words", "creator"]

DEMO_USER: dict[str, Any] = {
    "id": "usr_demo",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "profile_picture": None,
}

TEAMS: list[dict[str, str]] = [
    {"id": "team_demo", "name": "Demo team"},
    {"id": "team_research", "name": "Research"},
]

ORGANIZATIONS: list[dict[str, str]] = [{"id": "org_demo", "name": "Demo organization"}]

BRAIN_DOCS: list[dict[str, Any]] = [
    {
        "document_id": "notion:onboarding",
        "source": "notion",
        "title": "Onboarding checklist",
        "content": "Welcome aboard! Onboarding steps: get your laptop, join the team channel, "
        "read the security policy and book a first week check-in with your manager.",
        "url": "https://notion.example.com/onboarding",
        "owner_name": "Ada Lovelace",
        "owner_email": "ada@example.com",
        "parent_title": "People",
        "updated_at": "2026-01-02T09:00:00Z",
    },
    {
        "document_id": "google_drive:expenses",
        "source": "google_drive",
        "title": "Expense policy",
        "content": "Expenses under 50 EUR need no approval. Travel expenses need a receipt and "
        "manager approval within 30 days.",
        "url": "https://drive.example.com/expenses",
        "owner_name": "Charles Babbage",
        "owner_email": "charles@example.com",
        "parent_title": "Finance",
        "updated_at": "2025-11-20T14:30:00Z",
    },
    {
        "document_id": "slack:release-notes",
        "source": "slack",
        "title": "#release-notes: version 2.3",
        "content": "Version 2.3 ships agent evaluations, faster chat streaming and a new "
        "artifacts panel. Release date: next Tuesday.",
        "url": "https://slack.example.com/archives/release-notes",
        "owner_name": "Grace Hopper",
        "owner_email": "grace@example.com",
        "parent_title": "release-notes",
        "updated_at": "2026-01-04T17:45:00Z",
    },
    {
        "document_id": "github:readme",
        "source": "github",
        "title": "data-pipeline/README.md",
        "content": "The data pipeline loads CSV files nightly, validates the schema and writes "
        "a summary report to the warehouse. Run it locally with make pipeline.",
        "url": "https://github.example.com/acme/data-pipeline",
        "owner_name": "Alan Turing",
        "owner_email": "alan@example.com",
        "parent_title": "data-pipeline",
        "updated_at": "2025-12-12T08:15:00Z",
    },
    {
        "document_id": "confluence:security",
        "source": "confluence",
        "title": "Security policy",
        "content": "Never share API keys or tokens in chat. Rotate credentials every 90 days "
        "and report incidents to the security team.",
        "url": "https://confluence.example.com/security",
        "owner_name": "Ada Lovelace",
        "owner_email": "ada@example.com",
        "parent_title": "Policies",
        "updated_at": "2025-10-01T12:00:00Z",
    },
]

_WORD = re.compile(r"[a-z0-9]+")


def brain_words(text: str) -> set[str]:
    """The words Brain search matches on: lower-case, longer than two characters."""
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2}


def creator() -> dict[str, Any]:
    return dict(DEMO_USER)
