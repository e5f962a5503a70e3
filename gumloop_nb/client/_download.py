"""The one artifact download: a plain GET of a (signed) download URL on a client's transport.

Streamed and stopped at ``max_bytes`` (:class:`~gumloop_nb.errors.ResponseTooLargeError`), sent
with neither the credentials nor the client's ``default_headers`` (the URL is usually another
host: presigned storage), redirects followed under the same rule, retried like any GET.
``client.artifacts.read_bytes`` / ``fetch`` and ``gumloop_nb.frames.read_artifact`` all use it.
"""

from __future__ import annotations

from typing import Any

import httpx

from ._config import DEFAULT_BASE_URL, ClientConfig
from ._endpoint import run_async, run_sync
from ._op import UNSET, Op
from ._transport import AsyncTransport, SyncTransport

DEFAULT_MAX_DOWNLOAD = 200_000_000  # 200 MB


def fetch_op(url: str, base_url: str, max_bytes: int | None, timeout: Any = UNSET) -> Op[bytes]:
    """The Op that downloads ``url`` (resolved against ``base_url`` when relative)."""
    # Callers pass whatever a response held (None when a run produced no artifact).
    if not isinstance(url, str) or not url:  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ValueError("a download URL is needed (the download_url of artifacts.download())")
    absolute = str(httpx.URL(base_url).join(url))
    return Op(
        "GET",
        absolute,
        host="absolute",
        auth=False,
        trace=False,
        scoped=False,
        raw=True,
        idempotent=True,
        max_bytes=max_bytes,
        timeout=timeout,
    )


def _base_url(client: Any) -> str:
    base = getattr(client, "base_url", None)
    return str(base) if base else DEFAULT_BASE_URL


def fetch_bytes(
    client: Any,
    url: str,
    *,
    max_bytes: int | None = DEFAULT_MAX_DOWNLOAD,
    timeout: Any = UNSET,
    http_client: httpx.Client | None = None,
) -> bytes:
    """Download ``url`` on ``client``'s own connection pool (or on ``http_client`` when given;
    a client-like object without a Gumloop transport gets a pool for this one download)."""
    op = fetch_op(url, _base_url(client), max_bytes, timeout)
    transport = getattr(client, "_transport", None)
    if http_client is None and isinstance(transport, SyncTransport):
        data: bytes = run_sync(transport, op)
        return data
    own = SyncTransport(ClientConfig(), http=http_client)
    try:
        data = run_sync(own, op)
    finally:
        if http_client is None:
            own.close()
    return data


async def afetch_bytes(
    client: Any,
    url: str,
    *,
    max_bytes: int | None = DEFAULT_MAX_DOWNLOAD,
    timeout: Any = UNSET,
    http_client: httpx.AsyncClient | None = None,
) -> bytes:
    """Async twin of :func:`fetch_bytes`."""
    op = fetch_op(url, _base_url(client), max_bytes, timeout)
    transport = getattr(client, "_transport", None)
    if http_client is None and isinstance(transport, AsyncTransport):
        data: bytes = await run_async(transport, op)
        return data
    own = AsyncTransport(ClientConfig(), http=http_client)
    try:
        data = await run_async(own, op)
    finally:
        if http_client is None:
            await own.close()
    return data
