"""Download an artifact and read it into a DataFrame (see ``_formats`` for the format rules).

The bytes are fetched by the client's one download (``gumloop_nb.client.fetch_bytes``): a plain
GET of the short-lived download URL on the client's own connection pool, without Gumloop
credentials or default headers, streamed and cut off at ``max_bytes``.
"""

# pandas ships without type stubs (pandas-stubs is not a dependency): pyright reads its inline
# annotations; the few calls whose results stay unknown carry a narrow ignore.
# pyright: reportMissingTypeStubs=false

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any, cast

from ._errors import ArtifactTooLargeError, FrameError
from ._formats import parse_artifact
from ._json import as_mapping
from ._limits import DEFAULT_MAX_CELLS, DEFAULT_MAX_COLUMNS

if TYPE_CHECKING:
    import httpx
    import pandas as pd

__all__ = ["DEFAULT_MAX_BYTES", "aread_artifact", "read_artifact"]

DEFAULT_MAX_BYTES = 200_000_000  # 200 MB


# --- download ---------------------------------------------------------------------------------


def _artifact_ref(artifact: Any) -> tuple[str, str | None, str | None]:
    """``(id, filename, media_type)`` for an id, an ``Artifact`` model or its dict."""
    if isinstance(artifact, str):
        if not artifact:
            raise FrameError("read_artifact() needs an artifact id; got an empty string.")
        return artifact, None, None

    def get(key: str) -> Any:
        obj = as_mapping(artifact)
        if obj is not None:
            return obj.get(key)
        return getattr(artifact, key, None)

    art_id = get("id")
    if not isinstance(art_id, str) or not art_id:
        raise FrameError(
            f"read_artifact() needs an artifact id or an Artifact (with .id); got "
            f"{type(artifact).__name__}."
        )
    meta = get("metadata")
    meta_obj = as_mapping(meta)
    media = (
        meta_obj.get("media_type") if meta_obj is not None else getattr(meta, "media_type", None)
    )
    return art_id, get("filename"), media if isinstance(media, str) else None


def _info(raw: Any) -> dict[str, Any]:
    obj = as_mapping(raw)
    if obj is not None:
        return dict(obj)
    dump = getattr(raw, "model_dump", None)
    if callable(dump):
        return cast("dict[str, Any]", dump())  # a pydantic model_dump
    return {k: getattr(raw, k, None) for k in ("download_url", "filename", "media_type", "size")}


def _download_call(client: Any, artifact_id: str, version_id: str | None) -> Any:
    try:
        artifacts = client.artifacts
    except AttributeError:
        raise FrameError(
            "read_artifact() needs a Gumloop client (with .artifacts); got "
            f"{type(client).__name__}."
        ) from None
    if version_id is None:
        return artifacts.download(artifact_id)
    return artifacts.download(artifact_id, version_id=version_id)


def _resolve_url(client: Any, url: Any, name: str) -> str:
    import httpx

    if not isinstance(url, str) or not url:
        raise FrameError(f"The download response for artifact {name} has no download_url.")
    if url.startswith(("http://", "https://")):
        return url
    base = getattr(client, "base_url", None)
    if base is None:
        raise FrameError(
            f"The download URL of artifact {name} is relative and the client has no base_url."
        )
    return str(httpx.URL(str(base)).join(url))


def _too_large(name: str, size: int | str, max_bytes: int) -> ArtifactTooLargeError:
    return ArtifactTooLargeError(
        f"Artifact {name} is larger than max_bytes={max_bytes:,} ({size} bytes); nothing more "
        "was downloaded. Pass a larger max_bytes=... to read it anyway."
    )


def _check_declared_size(info: Mapping[str, Any], name: str, max_bytes: int) -> None:
    size = info.get("size")
    if isinstance(size, int) and size > max_bytes:
        raise _too_large(name, f"{size:,}", max_bytes)


def _status_error(status: int, name: str, url: str) -> FrameError:
    import httpx

    host = httpx.URL(url).host  # never the query string: signed URLs carry a signature
    return FrameError(
        f"Downloading artifact {name} failed with HTTP {status} from {host}. Download URLs are "
        "short-lived: call read_artifact() again to get a fresh one."
    )


def _connect_error(exc: Exception, name: str, url: str) -> FrameError:
    import httpx

    host = httpx.URL(url).host
    return FrameError(
        f"Could not download artifact {name} from {host} ({type(exc).__name__}). "
        "Check the connection and try again."
    )


@contextlib.contextmanager
def _download_errors(name: str, url: str, max_bytes: int) -> Generator[None, None, None]:
    """The client's download errors, told in terms of the artifact."""
    from gumloop_nb.errors import APIConnectionError, APIStatusError, ResponseTooLargeError

    try:
        yield
    except ResponseTooLargeError as exc:
        size = f"{exc.size:,}" if exc.size is not None else f"more than {max_bytes:,}"
        raise _too_large(name, size, max_bytes) from None
    except APIStatusError as exc:
        raise _status_error(exc.status_code, name, url) from None
    except APIConnectionError as exc:
        raise _connect_error(exc, name, url) from None


def _located(
    client: Any, raw: Any, art_id: str, art_filename: str | None, max_bytes: int
) -> tuple[Mapping[str, Any], str | None, str, str]:
    """What ``artifacts.download`` answered: its info, the filename, a display name and the URL
    (the declared size already checked against ``max_bytes``)."""
    info = _info(raw)
    filename = info.get("filename") or art_filename
    name = repr(filename or art_id)
    _check_declared_size(info, name, max_bytes)
    return info, filename, name, _resolve_url(client, info.get("download_url"), name)


def read_artifact(
    client: Any,
    artifact: Any,
    *,
    version_id: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    format: str | None = None,
    encoding: str | None = None,
    http_client: httpx.Client | None = None,
    timeout: float = 60.0,
    max_columns: int | None = DEFAULT_MAX_COLUMNS,
    max_cells: int | None = DEFAULT_MAX_CELLS,
) -> pd.DataFrame | str | bytes:
    """Download an artifact and read it: a DataFrame for CSV/TSV/JSON/JSONL/Parquet/Excel.

    ``artifact`` is an id, an ``Artifact`` (from ``client.artifacts.list``) or its dict. Text files
    come back as ``str``, other files as ``bytes``. Downloads stop at ``max_bytes`` (200 MB by
    default) with :class:`ArtifactTooLargeError`. ``format=`` forces a format (``csv``, ``tsv``,
    ``json``, ``jsonl``, ``parquet``, ``excel``, ``text``, ``bytes``); ``encoding=`` reads text
    that is not UTF-8. ``max_columns``/``max_cells`` bound the frame built from JSON records whose
    keys differ from row to row (see :func:`records_to_dataframe`). The download URL is fetched
    with a plain GET, without Gumloop credentials.

    Example::

        arts = client.artifacts.list(agent_id).artifacts
        df = read_artifact(client, arts[0])
    """
    art_id, art_filename, art_media = _artifact_ref(artifact)
    raw = _download_call(client, art_id, version_id)
    if inspect.isawaitable(raw):
        close = getattr(raw, "close", None)
        if callable(close):
            close()  # never awaited: close it so Python does not warn about it
        raise FrameError(
            "read_artifact() got an async client; use `await aread_artifact(client, ...)` instead."
        )
    info, filename, name, url = _located(client, raw, art_id, art_filename, max_bytes)
    from gumloop_nb.client import fetch_bytes

    with _download_errors(name, url, max_bytes):
        data = fetch_bytes(
            client, url, max_bytes=max_bytes, timeout=timeout, http_client=http_client
        )
    return _finish(
        data, info, art_id, filename, art_media, format, encoding, max_columns, max_cells
    )


async def aread_artifact(
    client: Any,
    artifact: Any,
    *,
    version_id: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    format: str | None = None,
    encoding: str | None = None,
    http_client: httpx.AsyncClient | None = None,
    timeout: float = 60.0,
    max_columns: int | None = DEFAULT_MAX_COLUMNS,
    max_cells: int | None = DEFAULT_MAX_CELLS,
) -> pd.DataFrame | str | bytes:
    """Async twin of :func:`read_artifact` for ``AsyncGumloop`` (the download is awaited)."""

    art_id, art_filename, art_media = _artifact_ref(artifact)
    raw = _download_call(client, art_id, version_id)
    if inspect.isawaitable(raw):
        raw = await raw
    info, filename, name, url = _located(client, raw, art_id, art_filename, max_bytes)
    from gumloop_nb.client import afetch_bytes

    with _download_errors(name, url, max_bytes):
        data = await afetch_bytes(
            client, url, max_bytes=max_bytes, timeout=timeout, http_client=http_client
        )
    return _finish(
        data, info, art_id, filename, art_media, format, encoding, max_columns, max_cells
    )


def _finish(
    data: bytes,
    info: Mapping[str, Any],
    art_id: str,
    filename: str | None,
    art_media: str | None,
    format: str | None,
    encoding: str | None,
    max_columns: int | None,
    max_cells: int | None,
) -> pd.DataFrame | str | bytes:
    media = info.get("media_type") or art_media
    result = parse_artifact(
        data,
        filename=filename,
        media_type=media,
        format=format,
        encoding=encoding,
        max_columns=max_columns,
        max_cells=max_cells,
    )
    if not isinstance(result, (str, bytes)):
        result.attrs["artifact"] = {
            "id": art_id,
            "filename": filename,
            "media_type": media,
            "size": len(data),
        }
    return result
