"""Skill sync (CLI): the plan and the zip bundle agree, and the official validator accepts it."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

HEADERS = {"X-Gumloop-CLI-Version": "0.5.9"}


def _skill(http, name: str) -> dict:
    md = f"---\nname: {name}\ndescription: for sync\n---\nBody of {name}\n".encode()
    r = http.post("/skills", files=[("files", ("SKILL.md", md, "text/markdown"))])
    assert r.status_code == 201, r.text
    return r.json()["skill"]


def test_plan_and_bundle_describe_the_same_skills(http):
    skill = _skill(http, "sync me")
    plan = http.post("/skills/sync/plan", json={}, headers=HEADERS).json()
    assert plan["organization"]["organization_id"] == "org_demo"
    assert plan["skill_count"] == plan["manifest"]["skill_count"] >= 1
    r = http.post("/skills/sync/download", json={"organization_id": "org_demo"}, headers=HEADERS)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        manifest = json.loads(archive.read("gumloop-sync-manifest.json"))
        entry = next(s for s in manifest["skills"] if s["skill_id"] == skill["id"])
        assert entry["published_version_id"] == skill["version_id"]
        assert b"Body of sync me" in archive.read(f"{entry['install_name']}/SKILL.md")
    assert manifest["manifest"]["hash"] == plan["manifest"]["hash"]


def test_sync_refuses_without_the_cli_header_and_unknown_orgs(http):
    assert http.post("/skills/sync/plan", json={}).status_code == 400
    r = http.post("/skills/sync/plan", json={"organization_id": "org_x"}, headers=HEADERS)
    assert r.status_code == 404


def test_official_validator_accepts_the_bundle(em, http, closing):
    gumloop = pytest.importorskip("gumloop")
    validation = pytest.importorskip("gumloop.sync.bundle_validation")
    _skill(http, "validated skill")
    _skill(http, "validated skill")  # same name: install names must still be unique
    client = closing(gumloop.Gumloop(api_key="k", base_url=em.base_url))
    plan = client.sync.plan()
    bundle = client.sync.download()
    checked = validation.validate_sync_bundle(
        bundle, expected_organization_id=plan.organization.organization_id, plan_limits=plan.limits
    )
    names = [s.install_name for s in checked.manifest.skills]
    assert len(names) == len(set(names)) == plan.skill_count
