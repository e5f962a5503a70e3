"""A minimal loopback HTTP server for benchmarks: canned chat answers, no generation cost.

It answers ``POST …/chat/completions`` with a fixed unary JSON body, or (``"stream": true``)
with N small chunks, two ways, chosen by the first path segment of the base URL:

* ``/bulk/api/v1``: the whole SSE body in one write with a Content-Length (the best case for a
  decoder that splits whole network reads);
* ``/events/api/v1``: one HTTP/1.1 chunk per event, each its own ``send`` with Nagle off (how a
  server that flushes every token sends them: the client gets about one read per event).

The server runs in its own process, so serving never competes with the measured client for
the GIL; what is measured is the client's own cost.
"""

from __future__ import annotations

import json
import multiprocessing
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

UNARY = json.dumps(
    {
        "id": "gen-bench",
        "object": "chat.completion",
        "created": 1760000000,
        "model": "bench",
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": "The capital of France is Paris."},
            }
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 8, "total_tokens": 20, "cost": 0.001},
    }
).encode()


def sse_events(chunks: int) -> list[bytes]:
    """The events of a streamed answer, each a complete ``data: …\\n\\n`` block."""
    head = '{"id":"gen-1","object":"chat.completion.chunk","created":1760000000,"model":"bench",'
    events = []
    for i in range(chunks):
        content = json.dumps(f"tok{i % 97} ")
        events.append(
            f'data: {head}"choices":[{{"index":0,"delta":{{"content":{content}}},'
            f'"finish_reason":null}}]}}\n\n'.encode()
        )
    events.append(
        (
            f'data: {head}"choices":[{{"index":0,"delta":{{}},"finish_reason":"stop"}}],'
            '"usage":{"prompt_tokens":5,"completion_tokens":%d,"total_tokens":%d,"cost":0.01,'
            '"is_byok":false}}\n\n' % (chunks, chunks + 5)
        ).encode()
    )
    events.append(b"data: [DONE]\n\n")
    return events


def _serve(chunks: int, ready: Any) -> None:
    events = sse_events(chunks)
    bulk = b"".join(events)
    # Each event framed as one HTTP/1.1 chunk, ready to send.
    framed = [b"%x\r\n%s\r\n" % (len(e), e) for e in events] + [b"0\r\n\r\n"]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            per_event = self.path.startswith("/events/")
            if not body.get("stream"):
                self._send(UNARY, "application/json")
            elif not per_event:
                self._send(bulk, "text/event-stream")
            else:
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                head = (
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                    b"transfer-encoding: chunked\r\n\r\n"
                )
                send = self.connection.sendall
                send(head + framed[0])
                for piece in framed[1:]:
                    send(piece)

        def _send(self, payload: bytes, ctype: str) -> None:
            # One write for headers and body: separate small writes meet Nagle's algorithm
            # and delayed ACKs (~40 ms per call) and would measure the server.
            head = (
                f"HTTP/1.1 200 OK\r\ncontent-type: {ctype}\r\n"
                f"content-length: {len(payload)}\r\n\r\n"
            ).encode()
            self.wfile.write(head + payload)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ready.send(httpd.server_address[1])
    httpd.serve_forever()


class Server:
    """The loopback server in a child process; ``url(mode)`` is a base URL for a client."""

    def __init__(self, chunks: int) -> None:
        parent, child = multiprocessing.Pipe()
        self._pipe = parent
        self._process = multiprocessing.Process(target=_serve, args=(chunks, child), daemon=True)
        self.port = 0

    def url(self, mode: str = "bulk") -> str:
        return f"http://127.0.0.1:{self.port}/{mode}/api/v1"

    @property
    def base_url(self) -> str:
        return self.url("bulk")

    def __enter__(self) -> Server:
        self._process.start()
        if not self._pipe.poll(30):
            self._process.kill()
            raise RuntimeError("the loopback server did not start within 30 s")
        self.port = int(self._pipe.recv())
        return self

    def __exit__(self, *exc: object) -> None:
        self._process.kill()
        self._process.join(10)
