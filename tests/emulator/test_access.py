"""Item access (sharing) for sessions, skills and artifacts, and artifact file URLs."""

from __future__ import annotations

import io
import zipfile

import gumloop
import httpx
import pytest

import gumloop_nb

from .conftest import finished_session, make_agent

SKILL_MD = b"---\nname: access-skill\ndescription: For access tests\n---\nBody\n"


def _artifact(http) -> dict:
    agent = make_agent(http)
    sid = http.post(
        f"/agents/{agent['id']}/sessions", json={"input": "Export a CSV table of apples and pears"}
    ).json()["session"]["id"]
    finished_session(http, sid)
    arts = http.get(f"/agents/{agent['id']}/artifacts", params={"session_id": sid}).json()
    return arts["artifacts"][0]


def _skill(http) -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("SKILL.md", SKILL_MD)
    r = http.post("/skills", files={"files": ("skill.zip", buf.getvalue(), "application/zip")})
    assert r.status_code in (200, 201), r.text
    return r.json()["skill"]["id"]


def _items(http) -> dict[str, str]:
    agent = make_agent(http)
    session = http.post(f"/agents/{agent['id']}/sessions", json={}).json()["session"]["id"]
    return {"sessions": session, "skills": _skill(http), "artifacts": _artifact(http)["id"]}


def test_a_new_item_is_private_and_sharing_changes_it(http):
    for kind, item in _items(http).items():
        access = http.get(f"/{kind}/{item}/access").json()["access"]
        assert access["grants_visibility"] == "private" and access["link"] == "none"
        assert access["people"] == [] and access["password_protected"] is False
        r = http.put(
            f"/{kind}/{item}/access",
            json={
                "share": [
                    {"type": "person", "email": "Grace@Example.com", "role": "viewer"},
                    {"type": "team", "team_id": "team_demo", "role": "editor"},
                ]
            },
        )
        assert r.status_code == 200, (kind, r.text)
        assert r.json()["notified"] == ["grace@example.com"]
        access = http.get(f"/{kind}/{item}/access").json()["access"]
        assert access["grants_visibility"] == "shared"
        assert access["people"][0]["email"] == "grace@example.com"
        assert access["teams"] == [{"team_id": "team_demo", "role": "editor"}]
        # Re-sharing changes the role and notifies nobody; removing takes them off.
        again = http.put(
            f"/{kind}/{item}/access",
            json={
                "share": [{"type": "person", "email": "grace@example.com", "role": "editor"}],
                "remove": [{"type": "team", "team_id": "team_demo"}],
                "link": {"mode": "anyone"},
            },
        ).json()
        assert again["notified"] == []
        assert again["access"]["people"][0]["role"] == "editor" and again["access"]["teams"] == []
        assert again["access"]["link"] == "anyone" and again["access"]["link_role"] == "viewer"
        assert again["access"]["grants_visibility"] == "link"


@pytest.mark.parametrize(
    "body",
    [
        {"share": [{"type": "person", "email": "nope", "role": "viewer"}]},
        {"share": [{"type": "person", "email": "a@b.c", "role": "owner"}]},
        {"share": [{"type": "team", "team_id": "team_nope", "role": "viewer"}]},
        {"share": [{"type": "robot"}]},
        {"link": {"mode": "everyone"}},
        {"share": "a@b.c"},
    ],
)
def test_invalid_changes_are_400_and_change_nothing(http, body):
    agent = make_agent(http)
    sid = http.post(f"/agents/{agent['id']}/sessions", json={}).json()["session"]["id"]
    http.put(
        f"/sessions/{sid}/access",
        json={"share": [{"type": "person", "email": "ada@example.com", "role": "viewer"}]},
    )
    before = http.get(f"/sessions/{sid}/access").json()
    r = http.put(f"/sessions/{sid}/access", json=body)
    assert r.status_code == 400
    assert http.get(f"/sessions/{sid}/access").json() == before


def test_unknown_items_are_404(http):
    for kind in ("sessions", "skills", "artifacts"):
        assert http.get(f"/{kind}/nope/access").status_code == 404
        assert http.put(f"/{kind}/nope/access", json={}).status_code == 404


def test_a_password_link_needs_a_password_and_the_link_url_checks_it(http):
    art = _artifact(http)
    path = f"/artifacts/{art['id']}/access"
    r = http.put(path, json={"link": {"mode": "password"}})
    assert r.status_code == 400 and r.json()["error"]["code"] == "password_required"
    assert http.put(f"/artifacts/{art['id']}/password", json={"password": "s3cret"}).json() == {
        "success": True
    }
    access = http.put(path, json={"link": {"mode": "password"}}).json()["access"]
    assert access["password_protected"] is True and access["link"] == "password"
    url = access["link_url"]
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"X-Link-Password": "wrong"}).status_code == 401
    ok = httpx.get(url, headers={"X-Link-Password": "s3cret"})
    assert ok.status_code == 200 and b"apples" in ok.content
    assert "s3cret" not in str(http.get(path).json())
    http.put(path, json={"link": {"mode": "none"}})
    assert httpx.get(url, headers={"X-Link-Password": "s3cret"}).status_code == 404


def test_signed_download_urls_honour_their_token_and_a_later_password(http):
    art = _artifact(http)
    url = http.get(f"/artifacts/{art['id']}/download").json()["download_url"]
    assert httpx.get(url).status_code == 200
    head, token, name = url.rsplit("/", 2)
    expires, _, signature = token.partition(".")
    forged = [
        f"{head}/{int(expires) + 3600}.{signature}/{name}",  # a later expiry
        f"{head}/{expires}.{'0' * len(signature)}/{name}",  # a made-up signature
        f"{head}/anything/{name}",
    ]
    for bad in forged:
        assert httpx.get(bad).status_code == 403, bad
    http.put(f"/artifacts/{art['id']}/password", json={"password": "pw-1"})
    assert httpx.get(url).status_code == 403  # revoked by the password
    fresh = http.get(f"/artifacts/{art['id']}/download").json()["download_url"]
    assert httpx.get(fresh).status_code == 200


@pytest.mark.parametrize("which", ["official", "ours"])
def test_the_clients_read_and_change_access(em, http, which, closing):
    client = closing(
        (gumloop.Gumloop if which == "official" else gumloop_nb.Gumloop)(
            api_key="k", base_url=em.base_url
        )
    )
    items = _items(http)
    for kind, item in items.items():
        resource = getattr(client, kind)
        assert resource.get_access(item).access.grants_visibility == "private"
        changed = resource.update_access(
            item,
            share=[{"type": "organization", "role": "viewer"}],
            link={"mode": "anyone", "role": "viewer"},
        )
        assert changed.access.organization_access.role == "viewer"
        assert changed.access.link == "anyone"


def test_set_access_with_a_password_applies_both_calls(em, http, closing):
    """What ``gumloop artifacts set-access --password-stdin --link password`` sends: the
    password PUT, then the access PUT (the access PUT used to be a 404, half-applying it)."""
    art = _artifact(http)
    client = closing(gumloop.Gumloop(api_key="k", base_url=em.base_url))
    assert client.artifacts.set_password(art["id"], "pw-cli").success is True
    changed = client.artifacts.update_access(art["id"], link={"mode": "password"})
    assert changed.access.link == "password" and changed.access.password_protected is True
    access = http.get(f"/artifacts/{art['id']}/access").json()["access"]
    assert access["link"] == "password" and access["password_protected"] is True


def test_deleting_an_artifact_removes_its_share_link(http):
    art = _artifact(http)
    url = http.put(f"/artifacts/{art['id']}/access", json={"link": {"mode": "anyone"}}).json()[
        "access"
    ]["link_url"]
    assert httpx.get(url).status_code == 200
    assert http.delete(f"/artifacts/{art['id']}").json()["deleted"] is True
    assert httpx.get(url).status_code == 404
    assert http.get(f"/artifacts/{art['id']}/access").status_code == 404
