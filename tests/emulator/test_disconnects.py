"""A client that goes away mid-request is not logged as an emulator bug."""

from __future__ import annotations

import logging
import socket
from urllib.parse import urlparse

from .conftest import wait_for


def _send_and_vanish(url: str, path: str) -> None:
    parts = urlparse(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer k\r\n"
            "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
        )
        sock.sendall(head.encode() + b'{"name": "half a bo')


def test_a_disconnect_mid_body_is_a_debug_line_not_an_unhandled_error(em, caplog):
    caplog.set_level(logging.DEBUG, logger="gumloop_nb.emulator")
    _send_and_vanish(em.url, "/api/v1/agents")

    def logged():
        return [r for r in caplog.records if "/api/v1/agents" in r.getMessage()]

    records = wait_for(logged, timeout=10)
    assert all("unhandled error" not in r.getMessage() for r in records), records
    assert all(r.exc_info is None and r.levelno <= logging.DEBUG for r in records)
