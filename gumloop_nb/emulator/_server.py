"""Run the emulator with uvicorn in a background thread (its own event loop)."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

from ._config import EmulatorConfig

__all__ = ["Emulator", "serve"]


class Emulator:
    """A running emulator on 127.0.0.1; stop it with `stop()` or by leaving a `with` block.

    Attributes: ``url`` (origin), ``base_url`` (``url + "/api/v1"``), ``port``, ``config``,
    ``app`` (the Starlette app) and ``startup_seconds`` (time until it accepted connections).
    """

    def __init__(self, config: EmulatorConfig, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config
        self.host = host
        self._requested_port = port
        self.port = 0
        self.app: Any = None
        self.startup_seconds = 0.0
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/api/v1"

    def start(self, timeout: float = 10.0) -> Emulator:
        """Start serving and return once the server accepts connections."""
        from .._optional import require

        require("The emulator", "starlette", "uvicorn", "python_multipart")
        import uvicorn

        from . import create_app

        began = time.perf_counter()
        self.app = create_app(self.config)
        # IPPROTO_TCP so asyncio sets TCP_NODELAY on accepted connections (else ~40 ms per request).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._requested_port))
        except OSError as exc:
            sock.close()
            raise OSError(
                f"Cannot listen on {self.host}:{self._requested_port} ({exc.strerror}); "
                "choose another port or pass port=0 for a free one."
            ) from None
        self.port = sock.getsockname()[1]
        uv_config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(uv_config)

        def run() -> None:
            try:
                self._server.run(sockets=[sock])
            except BaseException as exc:  # surfaced by start()
                self._error = exc
            finally:
                sock.close()

        self._thread = threading.Thread(
            target=run, name=f"gumloop-emulator-{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError(f"The emulator failed to start: {self._error!r}")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"The emulator did not start within {timeout} s.")
            time.sleep(0.001)
        self.startup_seconds = time.perf_counter() - began
        return self

    def stop(self) -> None:
        """Shut the server down (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.app is not None:
            self.app.state.ctx.store.close()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "running"
        return f"<Emulator {self.base_url} {state}>"


def serve(port: int = 0, *, host: str = "127.0.0.1", **config: Any) -> Emulator:
    """Start an emulator in a background thread; use it with `with` or call `stop()`.

    Keyword options are `EmulatorConfig` fields (tokens, db_path, speed, faults, ...).
    Example: ``with serve(speed=0) as em: Gumloop(api_key="k", base_url=em.base_url)``.
    """
    return Emulator(EmulatorConfig(**config), host=host, port=port).start()
