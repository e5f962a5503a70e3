"""Skill archives: members are checked like loose files (no '..', no absolute paths)."""

from __future__ import annotations

import io
import zipfile

import httpx
import pytest

SKILL_MD = b"---\nname: zip-skill\ndescription: From an archive\n---\nBody\n"


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return buf.getvalue()


@pytest.mark.parametrize(
    "bad",
    ["../evil.md", "docs/../../evil.md", "/etc/passwd", "\\windows\\evil.md", "C:evil.md",
     "docs\\..\\..\\evil.md"],
)  # fmt: skip
def test_archive_entries_escaping_the_skill_folder_are_refused(http, bad):
    data = _zip({"SKILL.md": SKILL_MD, bad: b"x"})
    r = http.post("/skills", files=[("files", ("skill.zip", data, "application/zip"))])
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "invalid_skill"
    assert bad in r.json()["error"]["details"]["entries"]
    names = [s["name"] for s in http.get("/skills", params={"page_size": 100}).json()["skills"]]
    assert "zip-skill" not in names


def test_nested_relative_entries_are_fine(http):
    data = _zip({"SKILL.md": SKILL_MD, "docs/guide.md": b"# Guide", "a..b.txt": b"dots"})
    r = http.post("/skills", files=[("files", ("skill.zip", data, "application/zip"))])
    assert r.status_code in (200, 201), r.text
    skill_id = r.json()["skill"]["id"]
    link = http.get(f"/skills/{skill_id}/download").json()
    url = link.get("download_url") or link.get("url")
    names = zipfile.ZipFile(io.BytesIO(httpx.get(url).content)).namelist()
    assert sorted(names) == ["SKILL.md", "a..b.txt", "docs/guide.md"]


def test_loose_files_with_parent_segments_are_refused(http):
    r = http.post(
        "/skills",
        files=[
            ("files", ("SKILL.md", SKILL_MD, "text/markdown")),
            ("files", ("..\\evil.md", b"x", "text/markdown")),
        ],
    )
    assert r.status_code == 400
