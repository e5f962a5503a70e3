"""After a kill -9, a recovered session's final event never reuses a cursor already handed out."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys

import httpx

from .conftest import AUTH, sse_events, wait_for


def _start(db: str, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gumloop_nb.emulator", "--port", str(port), "--db", db],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )

    def up() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, timeout=30)
    return proc


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _number(cursor: str) -> int:
    return int(cursor.rpartition(":")[2])


def test_the_recovered_final_event_gets_a_new_cursor(tmp_path):
    db, port = str(tmp_path / "crash.db"), _free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    proc = _start(db, port)
    seen: list[str] = []
    try:
        with httpx.Client(base_url=base, headers=AUTH, timeout=30) as h:
            agent = h.post("/agents", json={"name": "Crash", "model_name": "claude-sonnet-4-5"})
            agent_id = agent.json()["agent"]["id"]
            body = {
                "input": "Write a long, detailed essay about the history of maps",
                "stream": True,
            }
            with h.stream("POST", f"/agents/{agent_id}/sessions", json=body) as r:
                for line in r.iter_lines():
                    if line.startswith("data:"):
                        event = json.loads(line[5:])
                        seen.append(event["stream_cursor"])
                        sid = event["interaction_id"]
                        if len(seen) >= 12:  # fewer than the save interval: none saved yet
                            break
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    proc = _start(db, port)
    try:
        with httpx.Client(base_url=base, headers=AUTH, timeout=30) as h:
            session = h.get(f"/sessions/{sid}").json()["session"]
            assert session["state"] == "failed"
            replay = [
                json.loads(f["data"])
                for f in sse_events(h.get(f"/sessions/{sid}", params={"stream": "true"}).text)
            ]
            final = replay[-1]
            assert final["type"] == "finish" and final["final"] is True
            assert _number(final["stream_cursor"]) > max(_number(c) for c in seen)
            assert final["stream_cursor"] not in seen
            # Resuming from a cursor that was handed out but lost gives what came after it.
            after = h.get(f"/sessions/{sid}", params={"stream": "true", "last_cursor": seen[-1]})
            resumed = [json.loads(f["data"]) for f in sse_events(after.text)]
            assert [e["stream_cursor"] for e in resumed] == [final["stream_cursor"]]
            # A cursor beyond anything handed out is not resumable.
            beyond = f"{sid}:{_number(final['stream_cursor']) + 5}"
            gone = h.get(f"/sessions/{sid}", params={"stream": "true", "last_cursor": beyond})
            assert json.loads(sse_events(gone.text)[0]["data"])["finishReason"] == "not_resumable"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
