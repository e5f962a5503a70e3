"""Persistence, concurrency, server lifecycle and the command line."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from gumloop_nb.emulator import serve
from gumloop_nb.emulator.store import MemoryStore, SqliteStore

from .conftest import AUTH, finished_session, make_agent, wait_for


def test_state_survives_a_restart_on_the_same_sqlite_file(tmp_path):
    db = str(tmp_path / "emu.db")
    md = b"---\nname: keep\ndescription: kept across restarts\n---\n"
    with serve(speed=0, db_path=db) as em, httpx.Client(base_url=em.base_url, headers=AUTH) as h:
        agent = make_agent(h, name="Persistent")
        sid = h.post(
            f"/agents/{agent['id']}/sessions", json={"input": "Give me a CSV table"}
        ).json()["session"]["id"]
        finished_session(h, sid)
        skill = h.post("/skills", files=[("files", ("k.md", md, "text/markdown"))]).json()
        run = h.post(
            "/start_pipeline",
            json={"user_id": "u", "saved_item_id": "summarize", "pipeline_inputs": []},
        ).json()["run_id"]
        events = h.get(f"/sessions/{sid}", params={"stream": "true"}).text
    with serve(speed=0, db_path=db) as em, httpx.Client(base_url=em.base_url, headers=AUTH) as h:
        assert h.get(f"/agents/{agent['id']}").json()["agent"]["name"] == "Persistent"
        session = h.get(f"/sessions/{sid}").json()["session"]
        assert session["state"] == "completed" and len(session["messages"]) == 2
        assert h.get(f"/sessions/{sid}", params={"stream": "true"}).text == events
        link = h.get(f"/skills/{skill['skill']['id']}/download").json()
        with zipfile.ZipFile(io.BytesIO(httpx.get(link["download_url"]).content)) as z:
            assert z.read("SKILL.md") == md
        arts = h.get(f"/agents/{agent['id']}/artifacts").json()["artifacts"]
        assert len(arts) == 2
        url = h.get(f"/artifacts/{arts[0]['id']}/download").json()["download_url"]
        assert httpx.get(url).status_code == 200
        assert h.get("/get_pl_run", params={"run_id": run, "user_id": "u"}).status_code == 200


def test_a_run_still_processing_at_stop_is_failed_and_a_crash_leftover_too(tmp_path):
    db = str(tmp_path / "emu.db")
    with serve(speed=1.0, db_path=db) as em, httpx.Client(base_url=em.base_url, headers=AUTH) as h:
        agent = make_agent(h)
        sid = h.post(
            f"/agents/{agent['id']}/sessions", json={"input": "A long answer please"}
        ).json()["session"]["id"]
        assert h.get(f"/sessions/{sid}").json()["session"]["state"] == "processing"
    # simulate a crash: the stored session is left "processing"
    store = SqliteStore(db)
    doc = store.get("sessions", sid)
    doc["state"] = "processing"
    store.put("sessions", sid, doc)
    store.close()
    with serve(speed=0, db_path=db) as em, httpx.Client(base_url=em.base_url, headers=AUTH) as h:
        assert h.get(f"/sessions/{sid}").json()["session"]["state"] == "failed"
        events = h.get(f"/sessions/{sid}", params={"stream": "true"}).text
        assert "restarted during this run" in events


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_fifty_parallel_creates_are_all_stored(kind, tmp_path):
    db = str(tmp_path / "c.db") if kind == "sqlite" else None
    with (
        serve(speed=0, db_path=db) as em,
        httpx.Client(
            base_url=em.base_url, headers=AUTH, limits=httpx.Limits(max_connections=50)
        ) as h,
    ):
        tag = f"par-{kind}"
        with ThreadPoolExecutor(max_workers=16) as pool:
            codes = list(
                pool.map(
                    lambda i: h.post("/agents", json={"name": f"{tag} {i}"}).status_code, range(50)
                )
            )
        assert codes == [201] * 50
        listed = h.get("/agents", params={"search": tag, "page_size": 100}).json()["agents"]
        assert sorted(a["name"] for a in listed) == sorted(f"{tag} {i}" for i in range(50))


@pytest.mark.parametrize("make", [MemoryStore, lambda: SqliteStore(":memory:")])
def test_stores_keep_insertion_order_copy_docs_and_insert_only_once(make):
    store = make()
    store.put("c", "b", {"v": 1})
    store.put("c", "a", {"v": 2})
    store.put("c", "b", {"v": 3})
    assert [d["v"] for d in store.list("c")] == [3, 2]
    doc = store.get("c", "a")
    doc["v"] = 99
    assert store.get("c", "a") == {"v": 2}
    assert store.insert("c", "a", {"v": 5}) is False and store.insert("c", "z", {}) is True
    assert store.delete("c", "a") is True and store.delete("c", "a") is False
    store.put_blob("k", b"\x00\x01")
    assert store.get_blob("k") == b"\x00\x01" and store.get_blob("missing") is None


def test_serve_exposes_urls_and_stops_idempotently():
    em = serve(speed=0)
    try:
        assert em.base_url == f"http://127.0.0.1:{em.port}/api/v1"
        assert em.url == f"http://127.0.0.1:{em.port}" and em.port > 0
        assert httpx.get(em.base_url + "/teams", headers=AUTH).status_code == 200
    finally:
        em.stop()
    em.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(em.base_url + "/teams", headers=AUTH)


def test_serving_a_taken_port_fails_with_a_clear_message():
    with serve(speed=0) as em, pytest.raises(OSError, match="choose another port"):
        serve(port=em.port)


def test_the_command_line_prints_its_base_url_and_serves(tmp_path):
    with serve(speed=0) as probe:  # find a free port, then release it
        port = probe.port
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gumloop_nb.emulator",
            "--port",
            str(port),
            "--speed",
            "0",
            "--token",
            "cli-token",
            "--db",
            str(tmp_path / "cli.db"),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = proc.stdout.readline()
        assert line.strip() == (
            f"Gumloop emulator on http://127.0.0.1:{port}/api/v1 (stream host: same)"
        )
        url = f"http://127.0.0.1:{port}/api/v1/teams"

        def answered():
            try:
                return httpx.get(url, headers={"Authorization": "Bearer cli-token"})
            except httpx.ConnectError:
                return None

        assert wait_for(answered).status_code == 200
        assert httpx.get(url, headers={"Authorization": "Bearer other"}).status_code == 401
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # waits and closes the pipes


def test_the_command_line_rejects_a_bad_fault_spec():
    r = subprocess.run(
        [sys.executable, "-m", "gumloop_nb.emulator", "--fault", "status=1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 2 and "Fault status" in r.stderr
