"""parse_artifact / read_artifact / aread_artifact on hand-built bytes and a mock download URL."""

from __future__ import annotations

import io
import json
import sys
import warnings
from typing import Any

import httpx
import pandas as pd
import pytest

from gumloop_nb.frames import (
    ArtifactTooLargeError,
    FrameError,
    FrameWarning,
    MissingDependencyError,
    aread_artifact,
    parse_artifact,
    read_artifact,
)

CSV = b"symbol,name,mass\nH,Hydrogen,1.008\nHe,Helium,4.0026\n"
EXPECTED = pd.DataFrame(
    {"symbol": ["H", "He"], "name": ["Hydrogen", "Helium"], "mass": [1.008, 4.0026]}
)


def parquet_bytes() -> bytes:
    buf = io.BytesIO()
    EXPECTED.to_parquet(buf)
    return buf.getvalue()


def excel_bytes() -> bytes:
    buf = io.BytesIO()
    EXPECTED.to_excel(buf, index=False)
    return buf.getvalue()


# --- formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "media_type"),
    [
        (CSV, "t.csv", "text/csv"),
        (CSV, "t.csv", None),
        (CSV.replace(b",", b"\t"), "t.tsv", None),
        (CSV.replace(b",", b"\t"), "t.data", "text/tab-separated-values"),
        (CSV.replace(b",", b";"), None, None),
        (json.dumps(EXPECTED.to_dict("records")).encode(), "t.json", "application/json"),
        (json.dumps({"rows": EXPECTED.to_dict("records")}).encode(), "t.json", None),
        (b"\n".join(json.dumps(r).encode() for r in EXPECTED.to_dict("records")), "t.jsonl", None),
        (b"\xef\xbb\xbf" + CSV, "bom.csv", "text/csv"),
    ],
)
def test_tables_are_read_into_the_same_frame(
    data: bytes, filename: str | None, media_type: str | None
) -> None:
    df = parse_artifact(data, filename=filename, media_type=media_type)
    assert isinstance(df, pd.DataFrame)
    pd.testing.assert_frame_equal(df.reset_index(drop=True), EXPECTED, check_dtype=False)


def test_quoted_separators_do_not_hide_a_csv_without_metadata() -> None:
    data = b'name,quote\nAda,"Hello, world"\nAlan,"One, two, three"\n'
    df = parse_artifact(data)
    assert df["quote"].tolist() == ["Hello, world", "One, two, three"]


def test_prose_without_metadata_stays_text() -> None:
    prose = b"Dear team,\nthe report is attached; thanks.\nBest, Ada"
    assert parse_artifact(prose) == prose.decode()


def test_parquet_is_read_by_signature_even_without_metadata() -> None:
    df = parse_artifact(parquet_bytes())
    pd.testing.assert_frame_equal(df, EXPECTED, check_dtype=False)


def test_excel_is_read_by_extension_and_by_signature() -> None:
    data = excel_bytes()
    for kwargs in ({"filename": "t.xlsx"}, {}):
        df = parse_artifact(data, **kwargs)
        pd.testing.assert_frame_equal(df, EXPECTED, check_dtype=False)


def test_text_comes_back_as_str_and_binary_as_bytes() -> None:
    assert parse_artifact(b"# Report\n\nAll good.", filename="r.md") == "# Report\n\nAll good."
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    assert parse_artifact(png, media_type="image/png") == png
    assert parse_artifact(png) == png


def test_json_lines_nest_and_flatten_like_records() -> None:
    data = b'{"a": {"b": 1}}\n\n{"a": {"b": 2}, "c": 3}\n'
    df = parse_artifact(data, media_type="application/x-ndjson")
    assert df.columns.tolist() == ["a.b", "c"]
    assert df["c"].tolist() == [pd.NA, 3]


# --- lies and bad input -----------------------------------------------------------------------


def test_a_parquet_name_over_csv_content_is_read_as_csv_with_a_warning() -> None:
    with pytest.warns(FrameWarning, match=r"declared as Parquet \(extension .parquet\).*CSV"):
        df = parse_artifact(CSV, filename="t.parquet")
    pd.testing.assert_frame_equal(df, EXPECTED, check_dtype=False)


def test_a_csv_media_type_over_json_content_is_read_as_json_with_a_warning() -> None:
    data = json.dumps(EXPECTED.to_dict("records")).encode()
    with pytest.warns(FrameWarning, match="declared as CSV.*looks like JSON"):
        df = parse_artifact(data, filename="t.csv", media_type="text/csv")
    pd.testing.assert_frame_equal(df, EXPECTED, check_dtype=False)


def test_a_json_media_type_over_parquet_content_is_read_as_parquet_with_a_warning() -> None:
    with pytest.warns(FrameWarning, match="declared as JSON"):
        df = parse_artifact(parquet_bytes(), media_type="application/json")
    pd.testing.assert_frame_equal(df, EXPECTED, check_dtype=False)


def test_a_csv_that_only_looks_like_json_is_still_read_as_declared() -> None:
    data = b"[tag],value\n[a],1\n[b],2\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error", FrameWarning)
        df = parse_artifact(data, filename="t.csv", media_type="text/csv")
    assert df.columns.tolist() == ["[tag]", "value"]
    assert df["value"].tolist() == [1, 2]


def test_a_forced_format_that_does_not_fit_raises_a_clear_error() -> None:
    with pytest.raises(FrameError, match="could not be read as Parquet"):
        parse_artifact(CSV, filename="t.csv", format="parquet")
    with pytest.raises(FrameError, match="Unknown format 'yaml'"):
        parse_artifact(CSV, format="yaml")


def test_broken_json_says_where_it_breaks() -> None:
    with pytest.raises(FrameError, match=r"not valid JSON .*line 1"):
        parse_artifact(b'[{"a": 1}, {"a": ', filename="t.json")


def test_a_broken_json_line_is_named_by_its_number() -> None:
    with pytest.raises(FrameError, match="Line 2 of artifact"):
        parse_artifact(b'{"a": 1}\n{"a": \n', format="jsonl")


def test_ragged_csv_raises_an_error_naming_the_line() -> None:
    with pytest.raises(FrameError, match=r"could not be read as CSV: .*line 3"):
        parse_artifact(b"a,b\n1,2\n3,4,5,6\n", filename="r.csv")


def test_non_utf8_csv_says_which_byte_and_how_to_fix_it() -> None:
    latin = "name,city\nJosé,Bogotá\n".encode("latin-1")
    with pytest.raises(FrameError, match=r"not valid utf-8 \(byte 13.*encoding='latin-1'"):
        parse_artifact(latin, filename="people.csv", media_type="text/csv")
    df = parse_artifact(latin, filename="people.csv", encoding="latin-1")
    assert df["name"].tolist() == ["José"]


def test_undeclared_non_utf8_bytes_come_back_as_bytes() -> None:
    latin = "é".encode("latin-1") * 10
    assert parse_artifact(latin) == latin


def test_a_missing_excel_engine_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    data = excel_bytes()
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # makes `import openpyxl` fail
    with pytest.raises(MissingDependencyError, match=r'needs openpyxl.*"gumloop_nb\[formats\]"'):
        parse_artifact(data, filename="t.xlsx")


def test_a_missing_parquet_engine_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    data = parquet_bytes()
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "fastparquet", None)
    monkeypatch.setattr(pd.io.parquet, "get_engine", _raise_import_error)
    with pytest.raises(MissingDependencyError, match=r'needs pyarrow.*"gumloop_nb\[formats\]"'):
        parse_artifact(data, filename="t.parquet")


def _raise_import_error(engine: str) -> Any:
    raise ImportError("Unable to find a usable engine")


def test_an_empty_csv_is_an_empty_frame() -> None:
    df = parse_artifact(b"", filename="e.csv", format="csv")
    assert df.shape == (0, 0)


# --- downloads ----------------------------------------------------------------------------------

URL = "https://files.example.test/a/t.csv?signature=SECRET-SIG"


class FakeArtifacts:
    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def download(self, artifact_id: str, **kwargs: Any) -> dict[str, Any]:
        self.calls.append((artifact_id, kwargs))
        return self.info


class FakeClient:
    base_url = "https://api.example.test/api/v1"

    def __init__(self, info: dict[str, Any]) -> None:
        self.artifacts = FakeArtifacts(info)


class AsyncFakeArtifacts(FakeArtifacts):
    async def download(self, artifact_id: str, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
        return super().download(artifact_id, **kwargs)


def serving(
    body: bytes,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    seen: list[httpx.Request] | None = None,
) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, content=body, headers=headers or {})

    return httpx.MockTransport(handler)


def info(**extra: Any) -> dict[str, Any]:
    return {"download_url": URL, "filename": "t.csv", "media_type": "text/csv", **extra}


def test_read_artifact_downloads_without_credentials_and_reads_the_table() -> None:
    seen: list[httpx.Request] = []
    client = FakeClient(info(size=len(CSV)))
    with httpx.Client(transport=serving(CSV, seen=seen)) as http:
        df = read_artifact(
            client, {"id": "art_1", "filename": "t.csv"}, version_id="v2", http_client=http
        )
    pd.testing.assert_frame_equal(df, EXPECTED, check_dtype=False)
    assert client.artifacts.calls == [("art_1", {"version_id": "v2"})]
    assert "authorization" not in seen[0].headers
    assert df.attrs["artifact"]["id"] == "art_1"
    assert df.attrs["artifact"]["size"] == len(CSV)


def test_the_declared_size_stops_a_download_before_it_starts() -> None:
    seen: list[httpx.Request] = []
    client = FakeClient(info(size=5_000))
    with (
        httpx.Client(transport=serving(CSV, seen=seen)) as http,
        pytest.raises(ArtifactTooLargeError, match="max_bytes=1,000"),
    ):
        read_artifact(client, "art_1", max_bytes=1_000, http_client=http)
    assert seen == []


def test_a_stream_longer_than_max_bytes_is_cut_off() -> None:
    client = FakeClient(info())
    with (
        httpx.Client(transport=serving(CSV * 100)) as http,
        pytest.raises(ArtifactTooLargeError, match="larger than max_bytes=50"),
    ):
        read_artifact(client, "art_1", max_bytes=50, http_client=http)


def test_a_failed_download_names_the_status_but_never_the_signed_url() -> None:
    client = FakeClient(info())
    with (
        httpx.Client(transport=serving(b"denied", status=403)) as http,
        pytest.raises(FrameError, match="HTTP 403") as caught,
    ):
        read_artifact(client, "art_1", http_client=http)
    assert "SECRET-SIG" not in str(caught.value)
    assert "files.example.test" in str(caught.value)


def test_a_connection_failure_is_a_frame_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = FakeClient(info())
    with (
        httpx.Client(transport=httpx.MockTransport(refuse)) as http,
        pytest.raises(FrameError, match=r"Could not download artifact 't\.csv'"),
    ):
        read_artifact(client, "art_1", http_client=http)


def test_a_relative_download_url_is_resolved_against_the_client() -> None:
    seen: list[httpx.Request] = []
    client = FakeClient(info(download_url="/files/art_1"))
    with httpx.Client(transport=serving(CSV, seen=seen)) as http:
        read_artifact(client, "art_1", http_client=http)
    assert str(seen[0].url) == "https://api.example.test/files/art_1"


@pytest.mark.parametrize("bad", ["", {"filename": "x"}, 5])
def test_a_bad_artifact_reference_is_a_clear_error(bad: Any) -> None:
    with pytest.raises(FrameError, match="artifact id"):
        read_artifact(FakeClient(info()), bad)


def test_an_async_client_given_to_read_artifact_points_to_aread_artifact() -> None:
    client = FakeClient(info())
    client.artifacts = AsyncFakeArtifacts(info())
    with pytest.raises(FrameError, match="await aread_artifact"):
        read_artifact(client, "art_1")


async def test_aread_artifact_awaits_the_download_and_reads_the_table() -> None:
    client = FakeClient(info())
    client.artifacts = AsyncFakeArtifacts(info())
    async with httpx.AsyncClient(transport=serving(CSV)) as http:
        df = await aread_artifact(client, "art_1", http_client=http)
    pd.testing.assert_frame_equal(df, EXPECTED, check_dtype=False)


async def test_aread_artifact_enforces_max_bytes_too() -> None:
    client = FakeClient(info())
    async with httpx.AsyncClient(transport=serving(CSV * 100)) as http:
        with pytest.raises(ArtifactTooLargeError):
            await aread_artifact(client, "art_1", max_bytes=50, http_client=http)
