"""Triggers, their runs, organization evaluations and browser profiles survive a restart on
the same SQLite file (``--db``), and a webhook URL keeps working after it."""

from __future__ import annotations

import httpx

from gumloop_nb.emulator import serve

from .conftest import AUTH, finished_session


def test_trigger_evaluation_and_profile_state_survives_a_restart(tmp_path):
    db = str(tmp_path / "emu.db")
    with serve(speed=0, db_path=db) as em, httpx.Client(base_url=em.base_url, headers=AUTH) as h:
        agent = h.post("/agents", json={"name": "Kept", "model_name": "gpt-4.1"}).json()["agent"]
        trig = h.post(f"/agents/{agent['id']}/triggers",
                      json={"type": "webhook", "prompt": "Go"}).json()["trigger"]  # fmt: skip
        fired = httpx.post(trig["webhook_url"], json={"n": 1}).json()
        finished_session(h, fired["session_id"])
        ev = h.post("/evaluations", json={"organization_id": "org_demo", "name": "Kept"}).json()
        profile = h.post("/browser-profiles", json={"name": "Kept"}).json()
    with serve(speed=0, db_path=db) as em, httpx.Client(base_url=em.base_url, headers=AUTH) as h:
        base = f"/agents/{agent['id']}/triggers/{trig['id']}"
        assert h.get(base).json()["trigger"]["last_run_at"]
        runs = h.get(f"{base}/runs").json()["items"]
        assert [r["interaction_id"] for r in runs] == [fired["session_id"]]
        assert runs[0]["state"] == "completed"
        url = h.get(f"{base}/webhook-url").json()["webhook_url"]
        assert url.rsplit("/", 1)[-1] == trig["webhook_url"].rsplit("/", 1)[-1]  # same secret
        assert httpx.post(url, json={"n": 2}).status_code == 202
        assert h.get(f"/evaluations/{ev['evaluation']['id']}").status_code == 200
        assert h.get(f"/browser-profiles/{profile['profile_id']}").json()["is_default"] is True
