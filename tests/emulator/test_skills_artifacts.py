"""Skills (multipart upload, versions, zip download) and artifact management."""

from __future__ import annotations

import io
import zipfile

import httpx

from .conftest import finished_session, make_agent

SKILL_MD = b"---\nname: csv-helper\ndescription: Cleans CSV files\n---\n# Use me\n"


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_a_single_markdown_file_becomes_skill_md_in_the_downloaded_zip(http):
    r = http.post(
        "/skills",
        files=[("files", ("helper.md", SKILL_MD, "text/markdown"))],
        data={"team_id": "team_research"},
    )
    assert r.status_code == 201
    skill = r.json()["skill"]
    assert skill["name"] == "csv-helper" and skill["team_id"] == "team_research"
    link = http.get(f"/skills/{skill['id']}/download").json()
    assert link["media_type"] == "application/zip" and link["filename"] == "csv-helper.skill"
    data = httpx.get(link["download_url"]).content  # no auth needed
    assert len(data) == link["size"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.read("SKILL.md") == SKILL_MD


def test_a_zip_archive_and_loose_files_are_accepted(http):
    archive = _zip({"SKILL.md": SKILL_MD, "scripts/run.py": b"print(1)\n"})
    r = http.post("/skills", files=[("files", ("pack.skill", archive, "application/zip"))])
    assert r.status_code == 201
    loose = http.post(
        "/skills",
        files=[
            ("files", ("SKILL.md", SKILL_MD, "text/markdown")),
            ("files", ("notes.txt", b"hi", "text/plain")),
        ],
    )
    assert loose.status_code == 201
    link = http.get(f"/skills/{loose.json()['skill']['id']}/download").json()
    with zipfile.ZipFile(io.BytesIO(httpx.get(link["download_url"]).content)) as z:
        assert sorted(z.namelist()) == ["SKILL.md", "notes.txt"]


def test_uploads_without_skill_md_or_front_matter_get_a_clear_400(http):
    r = http.post(
        "/skills",
        files=[("files", ("a.txt", b"x", "text/plain")), ("files", ("b.txt", b"y", "text/plain"))],
    )
    assert r.status_code == 400 and "SKILL.md" in r.json()["error"]["message"]
    r = http.post("/skills", files=[("files", ("x.md", b"# no front matter", "text/markdown"))])
    assert r.status_code == 400 and "name" in r.json()["error"]["message"]
    r = http.post("/skills", files=[("files", ("x.zip", b"not a zip", "application/zip"))])
    assert r.status_code == 400
    r = http.post("/skills", json={"files": []})
    assert r.status_code == 400


def test_skills_over_ten_megabytes_get_413(http):
    big = SKILL_MD + b"x" * (10 * 1024 * 1024 + 10)
    r = http.post("/skills", files=[("files", ("big.md", big, "text/markdown"))])
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


def test_updating_a_skill_makes_a_new_version_and_old_versions_stay_downloadable(http):
    skill = http.post("/skills", files=[("files", ("s.md", SKILL_MD, "text/markdown"))]).json()
    sid, v1 = skill["skill"]["id"], skill["skill"]["version_id"]
    new_md = SKILL_MD.replace(b"Cleans CSV files", b"Cleans CSV and TSV files")
    updated = http.patch(f"/skills/{sid}", files=[("files", ("s.md", new_md, "text/markdown"))])
    body = updated.json()["skill"]
    assert body["major_version"] == 2 and body["description"] == "Cleans CSV and TSV files"
    old = http.get(f"/skills/{sid}/download", params={"version_id": v1}).json()
    with zipfile.ZipFile(io.BytesIO(httpx.get(old["download_url"]).content)) as z:
        assert z.read("SKILL.md") == SKILL_MD


def test_skills_list_searches_pages_counts_and_delete_removes(http):
    md = b"---\nname: walrus-skill\ndescription: walrus things\n---\n"
    ids = [
        http.post("/skills", files=[("files", ("w.md", md, "text/markdown"))]).json()["skill"]["id"]
        for _ in range(3)
    ]
    page = http.get("/skills", params={"search_query": "walrus", "page_size": 2}).json()
    assert page["total_count"] == 3 and len(page["skills"]) == 2 and page["next_cursor"]
    assert http.delete(f"/skills/{ids[0]}").json() == {"deleted": True}
    assert http.get("/skills", params={"search_query": "walrus"}).json()["total_count"] == 2
    assert http.get(f"/skills/{ids[0]}/download").status_code == 404


def _artifacts(http):
    agent = make_agent(http)
    sid = http.post(
        f"/agents/{agent['id']}/sessions", json={"input": "Export a JSON report"}
    ).json()["session"]["id"]
    finished_session(http, sid)
    return agent, http.get(f"/agents/{agent['id']}/artifacts").json()["artifacts"]


def test_artifacts_can_be_renamed_versioned_protected_and_deleted(http):
    agent, arts = _artifacts(http)
    art = arts[0]
    assert http.put(f"/artifacts/{art['id']}/name", json={"name": "nice.csv"}).json() == {
        "name": "nice.csv"
    }
    found = http.get(f"/agents/{agent['id']}/artifacts", params={"search_query": "nice"}).json()
    assert [a["id"] for a in found["artifacts"]] == [art["id"]]
    versions = http.get(f"/artifacts/{art['id']}/versions").json()["versions"]
    assert len(versions) == 1 and versions[0]["is_current"] is True
    assert http.put(f"/artifacts/{art['id']}/password", json={"password": "pw"}).json() == {
        "success": True
    }
    assert http.delete(f"/artifacts/{art['id']}").json() == {"deleted": True}
    assert http.get(f"/artifacts/{art['id']}/download").status_code == 404


def test_artifact_lists_page_and_sort(http):
    agent, arts = _artifacts(http)
    base = f"/agents/{agent['id']}/artifacts"
    first = http.get(base, params={"page_size": 1}).json()
    assert len(first["artifacts"]) == 1 and first["next_cursor"]
    oldest = http.get(base, params={"sort_order": "oldest"}).json()["artifacts"]
    assert [a["id"] for a in oldest] == [a["id"] for a in reversed(arts)]
