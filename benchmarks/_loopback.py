"""A minimal loopback HTTP server for benchmarks: canned chat answers, no generation cost.

It answers ``POST …/chat/completions`` with a fixed unary JSON body, or (``"stream": true``)
with a pre-built SSE body of N small chunks, so what is measured is the client's own cost.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


def sse_body(chunks: int) -> bytes:
    parts = []
    head = '{"id":"gen-1","object":"chat.completion.chunk","created":1760000000,"model":"bench",'
    for i in range(chunks):
        content = json.dumps(f"tok{i % 97} ")
        parts.append(
            f'data: {head}"choices":[{{"index":0,"delta":{{"content":{content}}},'
            f'"finish_reason":null}}]}}\n\n'
        )
    parts.append(
        f'data: {head}"choices":[{{"index":0,"delta":{{}},"finish_reason":"stop"}}],'
        '"usage":{"prompt_tokens":5,"completion_tokens":%d,"total_tokens":%d,"cost":0.01,'
        '"is_byok":false}}\n\ndata: [DONE]\n\n' % (chunks, chunks + 5)
    )
    return "".join(parts).encode()


class Server:
    def __init__(self, chunks: int) -> None:
        stream = sse_body(chunks)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if body.get("stream"):
                    payload, ctype = stream, "text/event-stream"
                else:
                    payload, ctype = UNARY, "application/json"
                # One write for headers and body: separate small writes meet Nagle's
                # algorithm and delayed ACKs (~40 ms per call) and would measure the server.
                head = (
                    f"HTTP/1.1 200 OK\r\ncontent-type: {ctype}\r\n"
                    f"content-length: {len(payload)}\r\n\r\n"
                ).encode()
                self.wfile.write(head + payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/api/v1"

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
