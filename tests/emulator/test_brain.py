"""Brain sources and uploaded files: indexed for brain search, with sync runs and issues."""

from __future__ import annotations

import zlib

import gumloop
import httpx
import pytest

import gumloop_nb
from gumloop_nb.emulator import serve

from .conftest import AUTH


def make_pdf(lines: list[str], *, compress: bool = False) -> bytes:
    """A small one-page PDF showing `lines` in Helvetica (built by hand, valid xref)."""
    ops = ["BT", "/F1 12 Tf", "72 720 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops += [f"({escaped}) Tj", "0 -16 Td"]
    ops.append("ET")
    content = "\n".join(ops).encode("latin-1")
    stream_dict = f"<< /Length {len(content)} >>".encode()
    if compress:
        content = zlib.compress(content)
        stream_dict = f"<< /Length {len(content)} /Filter /FlateDecode >>".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        stream_dict + b"\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _source(http, **body) -> dict:
    body.setdefault("name", "Team notes")
    r = http.post("/brain/sources", json=body)
    assert r.status_code == 201, r.text
    return r.json()["source"]


def _upload(http, source_id, *files):
    r = http.post(f"/brain/sources/{source_id}/files", files=[("files", f) for f in files])
    assert r.status_code == 200, r.text
    return r.json()


def _search(http, query, **kw):
    r = http.post("/brain/search", json={"query": query, **kw})
    assert r.status_code == 200, r.text
    return r.json()["results"]


def test_uploaded_text_markdown_csv_and_pdf_become_searchable(http):
    src = _source(http)
    assert src["source_type"] == "direct_file_uploads" and src["status"] == "ready"
    up = _upload(
        http,
        src["id"],
        ("notes.txt", b"The zephyrine deployment window opens on Thursdays.", "text/plain"),
        ("guide.md", b"# Onboarding\n\nAsk Quillon about the badge printer.", "text/markdown"),
        ("prices.csv", b"item,price\nwidgetron,4.20\n", "text/csv"),
        ("report.pdf", make_pdf(["Quarterly revenue of Marblefish grew 12 percent."]), "x"),
        ("scan.pdf", make_pdf(["Flate compressed obsidianite memo"], compress=True), "x"),
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "image/png"),
        ("empty.txt", b"", "text/plain"),
    )
    names = {f["file_name"]: f for f in up["files"]}
    assert set(names) == {"notes.txt", "guide.md", "prices.csv", "report.pdf", "scan.pdf"}
    assert {r["file_name"] for r in up["rejected"]} == {"photo.png", "empty.txt"}
    assert names["report.pdf"]["mime_type"] == "application/pdf"
    assert names["notes.txt"]["size_bytes"] == len(
        b"The zephyrine deployment window opens on Thursdays."
    )
    assert all(f["status"] == "indexed" and len(f["sha256"]) == 64 for f in up["files"])
    assert up["sync_run_id"]
    for query, title in [
        ("zephyrine deployment", "notes.txt"),
        ("Quillon badge", "guide.md"),
        ("widgetron price", "prices.csv"),
        ("Marblefish revenue", "report.pdf"),
        ("obsidianite memo", "scan.pdf"),
    ]:
        hits = _search(http, query)
        assert hits and hits[0]["title"] == title, (query, hits[:1])
        assert hits[0]["source"] == "direct_file_uploads"
        assert hits[0]["metadata"]["source_id"] == src["id"]
    # The source filter keeps uploads out when not asked for, and the seed data still answers.
    assert not _search(http, "zephyrine", source_type=["notion"])
    assert _search(http, "expense approval policy")[0]["title"] == "Expense policy"


def test_files_are_listed_replaced_and_deleted(http):
    src = _source(http)
    first = _upload(http, src["id"], ("a.txt", b"alpha gravitonic text", "text/plain"))["files"][0]
    same = _upload(http, src["id"], ("a.txt", b"alpha gravitonic text", "text/plain"))["files"][0]
    assert same["id"] == first["id"] and same["sha256"] == first["sha256"]
    new = _upload(http, src["id"], ("a.txt", b"beta hyperbolic text", "text/plain"))["files"][0]
    assert new["id"] == first["id"] and new["sha256"] != first["sha256"]
    assert not _search(http, "gravitonic")
    assert _search(http, "hyperbolic")[0]["title"] == "a.txt"
    listed = http.get(f"/brain/sources/{src['id']}/files").json()
    assert [f["id"] for f in listed["files"]] == [first["id"]] and listed["next_cursor"] is None
    assert http.delete(f"/brain/sources/{src['id']}/files/{first['id']}").json() == {
        "deleted": True
    }
    assert not _search(http, "hyperbolic")
    assert http.delete(f"/brain/sources/{src['id']}/files/{first['id']}").status_code == 404


def test_deleting_a_source_removes_its_files_from_search(http):
    src = _source(http)
    _upload(http, src["id"], ("k.md", b"# Kettleworth procedure", "text/markdown"))
    assert _search(http, "kettleworth")
    assert http.delete(f"/brain/sources/{src['id']}").json() == {"deleted": True}
    assert http.get(f"/brain/sources/{src['id']}").status_code == 404
    assert not _search(http, "kettleworth")


def test_a_source_needing_approval_indexes_after_approve(http):
    src = _source(http, require_approval=True)
    assert src["status"] == "draft"
    up = _upload(http, src["id"], ("p.txt", b"pendulant lighthouse schedule", "text/plain"))
    assert up["files"][0]["status"] == "pending"
    assert not _search(http, "pendulant")
    r = http.post(f"/brain/sources/{src['id']}/sync")
    assert r.status_code == 409 and r.json()["error"]["code"] == "source_not_approved"
    approved = http.post(f"/brain/sources/{src['id']}/approve").json()["source"]
    assert approved["status"] == "ready"
    assert _search(http, "pendulant")[0]["title"] == "p.txt"
    runs = http.get(f"/brain/sources/{src['id']}/sync-runs").json()["items"]
    assert [r["trigger"] for r in runs] == ["approval", "upload"]  # newest first


def test_sync_runs_estimate_children_and_issues(http):
    src = _source(http, scope="team")
    assert src["team_id"] == "team_demo"
    _upload(
        http,
        src["id"],
        ("one.txt", b"first document about saffron " * 50, "text/plain"),
        ("blank.pdf", make_pdf([]), "application/pdf"),
    )
    sync = http.post(f"/brain/sources/{src['id']}/sync").json()
    assert sync["source_id"] == src["id"] and sync["status"] == "queued"
    runs = http.get(f"/brain/sources/{src['id']}/sync-runs").json()["items"]
    assert runs[0]["sync_run_id"] == sync["sync_run_id"] and runs[0]["trigger"] == "manual"
    assert runs[0]["docs_seen"] == 2 and runs[0]["chunks_indexed"] >= 1
    estimate = http.get(f"/brain/sources/{src['id']}/estimate").json()
    assert estimate["estimate"]["document_count"] == 2
    assert estimate["estimate"]["estimated_tokens"] > 300
    children = http.get(f"/brain/sources/{src['id']}/children", params={"query": "one"}).json()
    assert [c["title"] for c in children["items"]] == ["one.txt"]
    assert children["connector_id"] == "direct_file_uploads" and children["has_more"] is False
    issues = http.get(f"/brain/sources/{src['id']}/issues").json()["items"]
    assert [i["title"] for i in issues] == ["blank.pdf"] and "PDF" in issues[0]["error"]
    # The file with no text is still findable by its name.
    assert _search(http, "blank pdf")[0]["title"] == "blank.pdf"


def test_connectors_are_listed_read_only_and_cannot_be_created_offline(http):
    sources = http.get("/brain/sources", params={"page_size": 100}).json()["sources"]
    notion = next(s for s in sources if s["source_type"] == "notion")
    assert notion["status"] == "ready"
    children = http.get(f"/brain/sources/{notion['id']}/children").json()["items"]
    assert children[0]["title"] == "Onboarding checklist"
    r = http.post("/brain/sources", json={"name": "Docs", "source_type": "notion"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "connector_unavailable"
    assert http.delete(f"/brain/sources/{notion['id']}").status_code == 403
    r = http.post(f"/brain/sources/{notion['id']}/files", files=[("files", ("a.txt", b"x"))])
    assert r.status_code == 400
    only = http.get("/brain/sources", params={"source_type": "slack"}).json()["sources"]
    assert [s["source_type"] for s in only] == ["slack"]


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "x", "scope": "galaxy"}, {"name": "x", "team_id": "t_no"}]
)
def test_invalid_sources_are_400(http, body):
    assert http.post("/brain/sources", json=body).status_code == 400


def test_uploads_need_multipart_files(http):
    src = _source(http)
    assert http.post(f"/brain/sources/{src['id']}/files", json={}).status_code == 400
    r = http.post(f"/brain/sources/{src['id']}/files", files=[("other", ("a.txt", b"x"))])
    assert r.status_code == 400
    assert http.get("/brain/sources/src_nope").status_code == 404


@pytest.mark.parametrize("which", ["official", "ours"])
def test_the_clients_manage_sources_and_files(em, which, closing):
    client = closing(
        (gumloop.Gumloop if which == "official" else gumloop_nb.Gumloop)(
            api_key="k", base_url=em.base_url
        )
    )
    source = client.brain.create_source("Client notes", scope="personal").source
    up = client.brain.upload_files(source.id, {"plan.md": b"# Plan\nLaunch the vorpalite beta."})
    assert up.files[0].file_name == "plan.md" and not up.rejected
    assert client.brain.list_files(source.id).files[0].id == up.files[0].id
    hits = client.brain.search("vorpalite beta", limit=3).results
    assert hits[0].title == "plan.md" and hits[0].source == "direct_file_uploads"
    assert client.brain.get_source(source.id).source.name == "Client notes"
    assert client.brain.sync_source(source.id).status == "queued"
    assert client.brain.list_sync_runs(source.id).items
    assert client.brain.list_source_issues(source.id).items == []
    assert client.brain.list_source_children(source.id).items[0].title == "plan.md"
    assert client.brain.get_estimate(source.id).estimate.document_count == 1
    assert client.brain.delete_file(source.id, up.files[0].id).deleted is True
    assert client.brain.delete_source(source.id).deleted is True


def test_uploaded_files_survive_a_restart_with_a_db(tmp_path):
    db = str(tmp_path / "brain.db")
    with serve(speed=0, db_path=db) as em:
        with httpx.Client(base_url=em.base_url, headers=AUTH, timeout=20) as http:
            src = _source(http)
            _upload(http, src["id"], ("keep.txt", b"the quasarine archive", "text/plain"))
    with serve(speed=0, db_path=db) as em:
        with httpx.Client(base_url=em.base_url, headers=AUTH, timeout=20) as http:
            assert _search(http, "quasarine")[0]["title"] == "keep.txt"


def test_relative_paths_are_kept_and_an_all_rejected_upload_is_400(http):
    src = _source(http)
    up = _upload(
        http,
        src["id"],
        ("docs/guide.md", b"# Nested tungstenite guide", "text/markdown"),
        ("../escape.md", b"# nope", "text/markdown"),
    )
    assert [f["file_name"] for f in up["files"]] == ["docs/guide.md"]
    assert [r["file_name"] for r in up["rejected"]] == ["../escape.md"]
    r = http.post(
        f"/brain/sources/{src['id']}/files",
        files=[("files", ("a.png", b"\x89PNG\r\n", "image/png"))],
    )
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "no_files_accepted"
    assert err["details"]["rejected"][0]["file_name"] == "a.png"


@pytest.mark.parametrize("which", ["official", "ours"])
async def test_the_async_clients_upload_search_and_decide(em, which):
    make = gumloop.AsyncGumloop if which == "official" else gumloop_nb.AsyncGumloop
    client = make(api_key="k", base_url=em.base_url)
    try:
        source = (await client.brain.create_source("Async notes")).source
        up = await client.brain.upload_files(
            source.id, [("memo.txt", b"The ferrovial budget memo.")]
        )
        assert up.files[0].file_name == "memo.txt"
        hits = (await client.brain.search("ferrovial budget")).results
        assert hits[0].title == "memo.txt"
        answer = await client.decisions.create(
            model="claude-haiku-4-5",
            state=hits[0].content,
            questions={
                "money": {
                    "type": "noul",
                    "instructions": "Is this about money?",
                    "criteria": {"true": "a budget, costs or prices"},
                }
            },
        )
        assert answer.answers["money"].noul > 0.5
    finally:
        await client.aclose()
