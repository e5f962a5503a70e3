"""A local Gumloop-compatible server: the embedded default backend (no credentials needed).

Start it from Python::

    from gumloop_nb.emulator import serve
    with serve(speed=0) as em:              # a background server on a free 127.0.0.1 port
        print(em.base_url)                  # http://127.0.0.1:PORT/api/v1

or from a shell: ``python -m gumloop_nb.emulator --port 8765``. One process serves the API paths
and the stream paths under the same ``/api/v1`` base (so ``stream: true`` is accepted on session
create/send). Starlette and uvicorn are imported only when an app is built or served.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._config import EmulatorConfig
from ._server import Emulator, serve

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["Emulator", "EmulatorConfig", "create_app", "serve"]


def create_app(config: EmulatorConfig | None = None, **options: Any) -> Starlette:
    """The emulator as an ASGI app (for uvicorn, Starlette's TestClient or httpx ASGITransport)."""
    from .._optional import require

    require("The emulator", "starlette", "python_multipart")
    from ._app import build_app

    if config is None:
        config = EmulatorConfig(**options)
    elif options:
        raise TypeError("Pass either an EmulatorConfig or keyword options, not both.")
    return build_app(config)
