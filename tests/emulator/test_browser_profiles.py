"""Browser profiles: CRUD, one default at a time, cookie import grouped by site."""

from __future__ import annotations

import httpx
import pytest

from .conftest import AUTH


def test_first_profile_is_default_and_setting_another_moves_it(http):
    first = http.post("/browser-profiles", json={"name": "Work"})
    assert first.status_code == 201
    second = http.post("/browser-profiles", json={"name": "Home"}).json()
    mine = {p["profile_id"]: p for p in http.get("/browser-profiles").json()["profiles"]}
    defaults = [p for p in mine.values() if p["is_default"]]
    assert len(defaults) == 1
    moved = http.patch(f"/browser-profiles/{second['profile_id']}", json={"is_default": True})
    assert moved.json()["is_default"] is True
    mine = http.get("/browser-profiles").json()["profiles"]
    assert [p["profile_id"] for p in mine if p["is_default"]] == [second["profile_id"]]
    renamed = http.patch(f"/browser-profiles/{second['profile_id']}", json={"name": "Personal"})
    assert renamed.json()["name"] == "Personal"
    assert http.delete(f"/browser-profiles/{second['profile_id']}").json() == {"status": "success"}
    assert http.get(f"/browser-profiles/{second['profile_id']}").status_code == 404
    left = http.get("/browser-profiles").json()["profiles"]
    assert left and [p["is_default"] for p in left].count(True) == 1  # the default moved on


@pytest.mark.parametrize(
    ("method", "body"),
    [("post", {"name": " "}), ("post", {}), ("patch", {}), ("patch", {"is_default": False}),
     ("patch", {"name": "x" * 256}), ("patch", {"colour": "red"})],
)  # fmt: skip
def test_invalid_profile_bodies_are_refused(http, method, body):
    pid = http.post("/browser-profiles", json={"name": "Target"}).json()["profile_id"]
    path = "/browser-profiles" if method == "post" else f"/browser-profiles/{pid}"
    assert getattr(http, method)(path, json=body).status_code == 400


def test_cookie_import_groups_by_site_and_never_returns_values(http):
    pid = http.post("/browser-profiles", json={"name": "Jar"}).json()["profile_id"]
    cookies = [
        {"name": "sid", "value": "secret-one"},
        {"name": "pref", "value": "dark", "domain": ".github.com"},
        {"name": "pref", "value": "light", "domain": "github.com"},  # replaces the one above
        {"value": "nameless"},
    ]
    r = http.post(f"/browser-profiles/{pid}/cookies",
                  json={"url": "https://example.com/login", "cookies": cookies})  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["imported"] == {"site": "example.com", "cookie_count": 3, "skipped": 1,
                                "sites": ["example.com", "github.com"]}  # fmt: skip
    sites = {s["domain"]: s["cookie_count"] for s in body["profile"]["sites"]}
    assert sites == {"example.com": 1, "github.com": 1}
    assert body["profile"]["version"] == 1 and body["profile"]["has_storage"] is True
    assert "secret-one" not in http.get(f"/browser-profiles/{pid}").text
    bad = http.post(f"/browser-profiles/{pid}/cookies", json={"url": "ftp://x", "cookies": []})
    assert bad.status_code == 400


def test_the_default_alias_names_the_default_profile_and_an_import_creates_it():
    from gumloop_nb.emulator import serve

    with serve(speed=0) as fresh, httpx.Client(base_url=fresh.base_url, headers=AUTH) as h:
        assert h.get("/browser-profiles/default").status_code == 404  # none yet
        r = h.post("/browser-profiles/default/cookies",
                   json={"url": "https://example.com", "cookies": [{"name": "a", "value": "1"}]})  # fmt: skip
        assert r.status_code == 200, r.text
        created = r.json()["profile"]
        assert created["is_default"] is True and created["name"] == "Default"
        assert h.get("/browser-profiles/default").json()["profile_id"] == created["profile_id"]
        assert len(h.get("/browser-profiles").json()["profiles"]) == 1
