"""The notebook's connection: the real Gumloop API (credentials in env) or the embedded emulator.

Resolving a connection is cheap: the emulator starts on a background thread and the client is
built on first use, so ``%load_ext gumloop_nb`` returns quickly. Credentials are kept private and
never appear in a repr, a message or an output.
"""

from __future__ import annotations

import os
import threading
import warnings
from typing import Any

__all__ = ["DEFAULT_API_BASE", "Connection", "resolve_connection"]

DEFAULT_API_BASE = "https://api.gumloop.com/api/v1"
# The emulator accepts any non-empty bearer token; this one is not a secret.
_EMULATOR_TOKEN = "gumloop-nb-emulator"
_READY_TIMEOUT = 30.0


class Connection:
    """Where the notebook talks to, and the clients for it (built lazily, cached)."""

    def __init__(
        self,
        *,
        mode: str,
        base_url: str | None = None,
        api_key: str | None = None,
        user_id: str | None = None,
        team_id: str | None = None,
        credential_source: str = "",
        emulator_speed: float = 1.0,
    ) -> None:
        self.mode = mode  # "api" | "emulator"
        self._base_url = base_url
        self.__api_key = api_key
        self.user_id = user_id
        self.team_id = team_id
        self.credential_source = credential_source
        self.emulator_speed = emulator_speed
        self._emulator: Any = None
        self._emulator_error: BaseException | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._client: Any = None
        self._flows: Any = None
        self._project_flows: dict[str, Any] = {}
        if mode == "emulator":
            threading.Thread(
                target=self._start_emulator, name="gumloop-emulator", daemon=True
            ).start()
        else:
            self._ready.set()

    def __repr__(self) -> str:
        return f"<Connection {self.mode} {self._base_url or '(starting)'}>"

    # -- emulator ------------------------------------------------------------------------------
    def _start_emulator(self) -> None:
        try:
            from gumloop_nb.emulator import serve

            self._emulator = serve(port=0, speed=self.emulator_speed)
            self._base_url = self._emulator.base_url
            # Warm the client imports here, off the kernel's main thread.
            import gumloop_nb.client  # noqa: F401
        except BaseException as exc:  # reported on first use
            self._emulator_error = exc
        finally:
            self._ready.set()

    def wait_ready(self, timeout: float = _READY_TIMEOUT) -> None:
        """Block until the emulator accepts connections (a no-op for the real API)."""
        if not self._ready.wait(timeout):
            raise RuntimeError(
                f"The embedded Gumloop emulator did not start within {timeout:.0f} s; "
                "run %gumloop connect --emulator to try again."
            )
        if self._emulator_error is not None:
            from .._optional import MissingExtraError

            if isinstance(self._emulator_error, MissingExtraError):
                raise MissingExtraError(
                    f"{self._emulator_error} (or use the real API: %gumloop login)"
                ) from None
            raise RuntimeError(
                f"The embedded Gumloop emulator failed to start ({self._emulator_error}); "
                "run %gumloop connect --emulator to try again, or %gumloop login for the real API."
            )

    @property
    def base_url(self) -> str:
        self.wait_ready()
        return self._base_url or DEFAULT_API_BASE

    @property
    def emulator(self) -> Any:
        return self._emulator

    # -- clients -------------------------------------------------------------------------------
    def _key(self) -> str | None:
        if self.mode == "emulator":
            return _EMULATOR_TOKEN
        return self.__api_key

    def client(self) -> Any:
        """The ``Gumloop`` client for this connection (built on first use)."""
        with self._lock:
            if self._client is None:
                from gumloop_nb import Gumloop

                self._client = Gumloop(
                    api_key=self._key(),
                    base_url=self.base_url,
                    user_id=self.user_id,
                    team_id=self.team_id,
                )
            return self._client

    def flows(self) -> Any:
        """The legacy flows client (``GumloopClient``) for this connection."""
        with self._lock:
            if self._flows is None:
                self._flows = self._new_flows(None)
            return self._flows

    def flows_for_project(self, project_id: str | None) -> Any:
        """The legacy flows client scoped to a project (team): one per project, kept and
        closed with this connection."""
        if not project_id:
            return self.flows()
        with self._lock:
            flows = self._project_flows.get(project_id)
            if flows is None:
                flows = self._project_flows[project_id] = self._new_flows(project_id)
            return flows

    def _new_flows(self, project_id: str | None) -> Any:
        from gumloop_nb import GumloopClient

        with warnings.catch_warnings():
            # %%gumloop flow asks for saved flows explicitly; the legacy-client notice is noise here.
            warnings.simplefilter("ignore", DeprecationWarning)
            return GumloopClient(
                api_key=self._key() or "",
                user_id=self.user_id or "usr_demo",
                project_id=project_id,
                base_url=self.base_url,
            )

    def banner(self) -> str:
        if self.mode == "emulator":
            variable = _credential_variable()
            if variable is not None:
                # Asked for explicitly (%gumloop connect --emulator) although credentials exist.
                return (
                    "Gumloop: using the local emulator (demo models, nothing leaves this "
                    f"machine); the credentials in ${variable} are not used. %gumloop connect "
                    "--base-url URL (or a restart) goes back to the real API."
                )
            return (
                "Gumloop: no credentials found, using the local emulator (demo models, nothing "
                "leaves this machine). Use %gumloop login or set GUMLOOP_ACCESS_TOKEN for the real API."
            )
        return f"Gumloop: connected to {self._base_url or DEFAULT_API_BASE} ({self.credential_source})."

    def status_lines(self) -> list[str]:
        """Human-readable status: where, who, which team, where the key came from (never the key)."""
        where = self.base_url  # first use: waits for the emulator to accept connections
        lines = [
            f"connected to: {'local emulator' if self.mode == 'emulator' else 'Gumloop API'} at {where}",
            f"user: {self.user_id or ('usr_demo (emulator)' if self.mode == 'emulator' else 'not set')}",
            f"team: {self.team_id or 'personal (no team)'}",
        ]
        if self.mode == "api":
            lines.append(f"credentials: {self.credential_source or 'none'}")
        return lines

    def close(self) -> None:
        """Close clients and stop an embedded emulator."""
        for client in (self._client, self._flows, *self._project_flows.values()):
            closer = getattr(client, "close", None)
            if closer is not None:
                try:
                    closer()
                except Exception:
                    pass
        self._client = self._flows = None
        self._project_flows = {}
        if self._emulator is not None:
            self._emulator.stop()
            self._emulator = None


def _credential_variable() -> str | None:
    """The environment variable holding credentials, if one is set (its name, never the value)."""
    for name in ("GUMLOOP_ACCESS_TOKEN", "GUMLOOP_API_KEY"):
        if os.environ.get(name):
            return name
    return None


def resolve_connection(*, emulator_speed: float = 1.0, force_emulator: bool = False) -> Connection:
    """Credentials in the environment -> the real API; none -> the embedded emulator."""
    token = os.environ.get("GUMLOOP_ACCESS_TOKEN") or os.environ.get("GUMLOOP_API_KEY")
    if token and not force_emulator:
        source = (
            "GUMLOOP_ACCESS_TOKEN" if os.environ.get("GUMLOOP_ACCESS_TOKEN") else "GUMLOOP_API_KEY"
        )
        return Connection(
            mode="api",
            base_url=os.environ.get("GUMLOOP_BASE_URL") or DEFAULT_API_BASE,
            api_key=token,
            user_id=os.environ.get("GUMLOOP_USER_ID"),
            team_id=os.environ.get("GUMLOOP_TEAM_ID"),
            credential_source=f"from ${source}",
        )
    return Connection(mode="emulator", emulator_speed=emulator_speed)
