"""Run every command of the official ``gumloop`` 0.5.9 CLI against ``python -m gumloop_nb.emulator``.

Prints one line per command (ok / FAIL with the first line of its error) and the counts. The
CLI is not part of the test suite because the 0.5.9 package's CLI needs ``typer<0.29`` to
start, which the project does not pin; run it from a throwaway virtual environment::

    python -m venv --system-site-packages /tmp/clivenv
    /tmp/clivenv/bin/pip install "typer<0.29"
    /tmp/clivenv/bin/python scripts/check_official_cli.py

(``--system-site-packages`` reuses the installed ``gumloop`` and ``gumloop_nb``; the venv only
overrides ``typer``.) The emulator runs as a subprocess of *this* interpreter on a free port;
the CLI gets ``--base-url`` pointing at it, a throwaway ``HOME`` and ``GUMLOOP_ACCESS_TOKEN``.

Commands that do not talk to the Gumloop API are still run and reported, marked ``(offline)``
when they cannot work here for a reason outside the emulator (e.g. ``update`` asks PyPI).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

#: Commands that cannot succeed here for reasons outside the emulator.
OFFLINE = {
    "update": "asks PyPI for a newer gumloop release (no network in this check)",
}

SKILL_MD = "---\nname: cli-skill\ndescription: Uploaded by the CLI check\n---\nBody\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli_runner() -> list[str]:
    code = (
        "import importlib, sys; importlib.import_module('gumloop.cli.main'); "
        "sys.argv[0] = 'gumloop'; sys.exit(sys.modules['gumloop.cli.main'].main())"
    )
    return [sys.executable, "-c", code]


def _leaf_commands() -> list[str]:
    """Every leaf command of the CLI (``agents triggers create``, ``teams list``, ...)."""
    import importlib

    import typer

    importlib.import_module("gumloop.cli.main")
    app = sys.modules["gumloop.cli.main"].app  # type: ignore[attr-defined]
    out: list[str] = []

    def walk(cmd: Any, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in sorted(subs.items()):
                walk(sub, [*path, name])
        else:
            out.append(" ".join(path))

    walk(typer.main.get_command(app), [])
    return out


def _prepare_home(home: Path) -> None:
    """What the local-only commands read: a coding-agent folder (``sync`` writes skills there)
    and a Firefox profile with one cookie (``browser import-logins`` reads it)."""
    (home / ".claude").mkdir(parents=True)
    firefox = home / ".mozilla" / "firefox"
    (firefox / "abc.default").mkdir(parents=True)
    (firefox / "profiles.ini").write_text(
        "[Profile0]\nName=default\nIsRelative=1\nPath=abc.default\nDefault=1\n"
    )
    with sqlite3.connect(firefox / "abc.default" / "cookies.sqlite") as db:
        db.execute(
            "CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, host TEXT, name TEXT, value TEXT, "
            "path TEXT, expiry INTEGER, isSecure INTEGER, isHttpOnly INTEGER, sameSite INTEGER)"
        )
        db.execute(
            "INSERT INTO moz_cookies (host, name, value, path, expiry, isSecure, isHttpOnly, "
            "sameSite) VALUES ('.example.com', 'sid', 'x', '/', ?, 1, 1, 0)",
            (int(time.time()) + 86400,),
        )


def _setup(api: httpx.Client, tmp: Path) -> dict[str, str]:
    """Objects the commands act on (over plain HTTP), and files they upload."""

    def post(path: str, **kw: Any) -> dict[str, Any]:
        r = api.post(path, **kw)
        r.raise_for_status()
        return dict(r.json())

    def agent(name: str) -> str:
        return str(post("/agents", json={"name": name, "model_name": "gpt-4.1"})["agent"]["id"])

    def finished(agent_id: str, text: str) -> str:
        sid = str(post(f"/agents/{agent_id}/sessions", json={"input": text})["session"]["id"])
        deadline = time.monotonic() + 30
        while api.get(f"/sessions/{sid}").json()["session"]["state"] not in ("completed", "failed"):
            if time.monotonic() > deadline:
                raise TimeoutError(sid)
            time.sleep(0.05)
        return sid

    ids: dict[str, str] = {"tmp": str(tmp)}
    ids["agent"], ids["helper"], ids["doomed_agent"] = agent("CLI"), agent("Helper"), agent("Bye")
    ids["session"] = finished(ids["agent"], "Export a CSV table of numbers one two")
    ids["session2"] = finished(ids["agent"], "Export a CSV table of numbers three four")
    ids["session3"] = finished(ids["agent"], "Hello")
    arts = api.get(f"/agents/{ids['agent']}/artifacts").json()["artifacts"]
    ids["artifact"], ids["doomed_artifact"] = arts[0]["id"], arts[1]["id"]
    ids["version"] = api.get(f"/agents/{ids['agent']}/versions").json()["versions"][0]["id"]
    busy_agent = agent("Approvals")
    api.put(f"/agents/{busy_agent}/mcp-servers/datasets", json={"approval_mode": "all"})
    busy = post(f"/agents/{busy_agent}/sessions", json={"input": "List the tables you can query"})
    ids["busy"] = busy["session"]["id"]
    while not api.get(f"/sessions/{ids['busy']}").json()["session"]["pending_approvals"]:
        time.sleep(0.05)
    for n in (1, 2, 3):
        q = post(f"/sessions/{ids['busy']}/queue", json={"input": f"Then step {n}"})
        ids[f"q{n}"] = q["queued_message"]["id"]
    skill_files = [("files", ("SKILL.md", SKILL_MD.encode(), "text/markdown"))]
    ids["skill"] = post("/skills", files=skill_files)["skill"]["id"]
    ids["doomed_skill"] = post("/skills", files=skill_files)["skill"]["id"]
    for name in ("trigger", "doomed_trigger"):
        trig = post(f"/agents/{ids['agent']}/triggers", json={"type": "webhook", "prompt": "Go"})
        ids[name] = trig["trigger"]["id"]
    httpx.post(
        api.get(f"/agents/{ids['agent']}/triggers/{ids['trigger']}/webhook-url").json()[
            "webhook_url"
        ],
        json={"n": 1},
    )
    ids["agent_eval"] = api.get(f"/agents/{ids['agent']}/evaluations").json()["evaluations"][0][
        "id"
    ]
    for name in ("eval", "doomed_eval"):
        ev = post("/evaluations", json={"organization_id": "org_demo", "name": name})
        ids[name] = ev["evaluation"]["id"]
    for name in ("profile", "doomed_profile"):
        ids[name] = post("/browser-profiles", json={"name": name})["profile_id"]
    ids["source"] = post("/brain/sources", json={"name": "CLI notes"})["source"]["id"]
    ids["doomed_source"] = post("/brain/sources", json={"name": "CLI bye"})["source"]["id"]
    draft = post("/brain/sources", json={"name": "CLI draft", "require_approval": True})
    ids["draft_source"] = draft["source"]["id"]
    (tmp / "notes.md").write_text("# Notes\nThe CLI check uploads this file.\n")
    (tmp / "SKILL.md").write_text(SKILL_MD)
    (tmp / "a.txt").write_text("hello")
    (tmp / "brain_dir").mkdir()
    (tmp / "brain_dir" / "doc.md").write_text("# Doc\nSynced by the CLI.\n")
    up = post(
        f"/brain/sources/{ids['source']}/files",
        files=[("files", ("up.md", b"# Up\nSome text.", "text/markdown"))],
    )
    ids["file"] = up["files"][0]["id"]
    ids["resource"] = api.get("/mcp/servers/datasets/resources").json()["resources"][0]["uri"]
    ids["prompt"] = api.get("/mcp/servers/datasets/prompts").json()["prompts"][0]["name"]
    return ids


#: Extra environment for a command (stateless ``sync --once`` authenticates with a key + user).
ENV: dict[str, dict[str, str]] = {
    "sync": {"GUMLOOP_API_KEY": "cli-key", "GUMLOOP_USER_ID": "usr_demo"},
}

# One invocation per leaf command; {name} is filled from the setup ids.
COMMANDS: dict[str, str] = {
    "agents app-rules": "{agent}",
    "agents attach-mcp-server": "{agent} gmail --approval-mode off",
    "agents attach-skills": "{agent} {skill}",
    "agents create": "--name CLI-made --model gpt-4.1",
    "agents delete": "{doomed_agent}",
    "agents detach-mcp-server": "{agent} gmail",
    "agents detach-skills": "{agent} {skill}",
    "agents eval-config": "{agent}",
    "agents eval-metrics": "{agent} --days 7",
    "agents eval-options": "",
    "agents eval-result": "{agent} {agent_eval}",
    "agents eval-results": "{agent}",
    "agents eval-run": "{agent} --session-id {session} --dry-run",
    "agents export": "{agent} {version} --output {tmp}/export.json",
    "agents get": "{agent}",
    "agents knowledge-sources attach": "{agent} notion",
    "agents knowledge-sources detach": "{agent} notion",
    "agents knowledge-sources list": "{agent}",
    "agents list": "",
    "agents set-abilities": '{agent} --args-json \'{{"web_search": {{"enabled": true}}}}\'',
    "agents set-eval-config": "{agent} --args-json '{{\"enabled\": true}}'",
    "agents subagents attach": "{agent} {helper}",
    "agents subagents detach": "{agent} {helper}",
    "agents triggers catalog": "{agent}",
    "agents triggers create": '{agent} --args-json \'{{"type": "webhook", "prompt": "Go"}}\'',
    "agents triggers delete": "{agent} {doomed_trigger}",
    "agents triggers get": "{agent} {trigger}",
    "agents triggers list": "{agent}",
    "agents triggers runs": "{agent} {trigger} --state completed",
    "agents triggers stats": "{agent} {trigger}",
    "agents triggers update": '{agent} {trigger} --args-json \'{{"name": "Hook"}}\'',
    "agents triggers webhook-url": "{agent} {trigger}",
    "agents update": "{agent} --description Updated",
    "agents versions": "{agent}",
    "artifacts access": "{artifact}",
    "artifacts delete": "{doomed_artifact}",
    "artifacts download": "{artifact} --output {tmp}/artifact.csv",
    "artifacts get": "{artifact}",
    "artifacts list": "{agent}",
    "artifacts rename": "{artifact} --name renamed.csv",
    "artifacts set-access": "{artifact} --link anyone",
    "artifacts versions": "{artifact}",
    "brain files delete": "{source} {file}",
    "brain files list": "{source}",
    "brain files upload": "{source} {tmp}/notes.md",
    "brain search": "'expense policy'",
    "brain sources approve": "{draft_source}",
    "brain sources children": "{source}",
    "brain sources create": "'CLI source'",
    "brain sources delete": "{doomed_source}",
    "brain sources estimate": "{source}",
    "brain sources get": "{source}",
    "brain sources history": "{source}",
    "brain sources issues": "{source}",
    "brain sources list": "",
    "brain sources sync": "{source}",
    "brain sync": "{tmp}/brain_dir --create 'Synced dir'",
    "browser import-logins": "--url https://example.com --browser firefox --yes",
    "browser profiles create": "CLI-profile",
    "browser profiles delete": "{doomed_profile}",
    "browser profiles get": "{profile}",
    "browser profiles list": "",
    "browser profiles update": "{profile} --name Renamed",
    "chat completions create": "'Say hi' --model gpt-4.1 --no-stream",
    "decisions create": (
        '--args-json \'{{"model": "claude-sonnet-4-5", "state": "The box was damaged.", '
        '"questions": {{"mood": {{"type": "choice", "instructions": "Mood?", '
        '"criteria": {{"happy": "pleased", "unhappy": "complaining"}}}}}}}}\''
    ),
    "evaluations create": "--name CLI-eval --organization org_demo",
    "evaluations delete": "{doomed_eval}",
    "evaluations get": "{eval}",
    "evaluations list": "--organization org_demo",
    "evaluations metrics": "{eval} --days 7",
    "evaluations options": "",
    "evaluations results": "{eval}",
    "evaluations run": "{eval} {session} --dry-run",
    "evaluations targets": "{eval} --agent-ids {agent}",
    "evaluations update": "{eval} --description Checked",
    "login": "--access-token cli-token",
    "logout": "",
    "mcp accounts": "datasets",
    "mcp call": "datasets list_tables",
    "mcp get": "datasets",
    "mcp list": "",
    "mcp prompt": 'datasets {prompt} --args-json \'{{"table": "planets"}}\'',
    "mcp prompts": "datasets",
    "mcp resource": "datasets {resource}",
    "mcp resources": "datasets",
    "mcp tools": "datasets",
    "models list": "",
    "models route": "'Summarise this report'",
    "organizations list": "",
    "plugin install": "gumloop --dir {tmp}/plugin",
    "sessions access": "{session}",
    "sessions approvals": (
        '{busy} --args-json \'{{"approval_responses": '
        '[{{"action_request_id": "act_unknown", "action": "reject"}}]}}\''
    ),
    "sessions cancel": "{session2}",
    "sessions create": "{agent} --input Hello",
    "sessions get": "{session}",
    "sessions list": "{agent}",
    "sessions queue add": "{busy} --input 'One more thing'",
    "sessions queue delete": "{busy} {q1}",
    "sessions queue edit": "{busy} {q2} --input Edited",
    "sessions queue list": "{busy}",
    "sessions queue send": "{busy} {q3}",
    "sessions rename": "{session} Renamed",
    "sessions resume": "{session} --cursor {session}:1",
    "sessions send": "{session3} --input 'And again'",
    "sessions set-access": "{session} --link anyone",
    "sessions upload": "{session} {tmp}/a.txt",
    "skills access": "{skill}",
    "skills create": "{tmp}/SKILL.md",
    "skills delete": "{doomed_skill}",
    "skills download": "{skill} --output {tmp}/skill.zip",
    "skills list": "",
    "skills set-access": "{skill} --link anyone",
    "skills update": "{skill} {tmp}/SKILL.md",
    "sync": "--once --non-interactive",
    "teams list": "",
    "update": "",
    "wiki query": "--type person",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="print each failure's output")
    args = parser.parse_args()
    port = _free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    server = subprocess.Popen(
        [sys.executable, "-m", "gumloop_nb.emulator", "--port", str(port), "--speed", "0",
         "--log-level", "warning"],
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                print("the emulator did not start", file=sys.stderr)
                return 2
            time.sleep(0.05)
        with tempfile.TemporaryDirectory() as tmpdir:
            tmp = Path(tmpdir)
            home = tmp / "home"
            _prepare_home(home)
            headers = {"Authorization": "Bearer cli-token"}
            with httpx.Client(base_url=base, headers=headers, timeout=30) as api:
                ids = _setup(api, tmp)
            env = {**os.environ, "HOME": str(home), "GUMLOOP_ACCESS_TOKEN": "cli-token",
                   "XDG_CONFIG_HOME": str(home / ".config"), "PYTHON_KEYRING_BACKEND":
                   "keyring.backends.null.Keyring", "NO_COLOR": "1", "COLUMNS": "200"}  # fmt: skip
            env.pop("GUMLOOP_TEAM_ID", None)
            leaves = _leaf_commands()
            unknown = sorted(set(leaves) - set(COMMANDS))
            ok, failed = 0, []
            for name in leaves:
                if name not in COMMANDS:
                    continue
                argv = [*_cli_runner(), "--base-url", base, *name.split()]
                argv += shlex.split(COMMANDS[name].format(**ids))
                proc = subprocess.run(
                    argv, env=env | ENV.get(name, {}), capture_output=True, text=True, timeout=120, cwd=tmp,
                    stdin=subprocess.DEVNULL,
                )  # fmt: skip
                if proc.returncode == 0:
                    ok += 1
                    print(f"ok    {name}")
                    continue
                lines = [
                    ln.strip() for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()
                ]
                reason = lines[-1] if lines else f"exit {proc.returncode}"
                tag = " (offline)" if name in OFFLINE else ""
                failed.append((name, reason))
                print(f"FAIL  {name}{tag}: {reason[:160]}")
                if args.verbose:
                    print("      " + "\n      ".join(lines[-15:]))
            print(json.dumps({"commands": len(leaves), "ran": ok + len(failed), "ok": ok,
                              "failed": [n for n, _ in failed], "without_a_check": unknown}))  # fmt: skip
            return 0 if not [n for n, _ in failed if n not in OFFLINE] and not unknown else 1
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
