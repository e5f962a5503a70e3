"""The result store: a content-addressed SQLite file (the cache, and checkpoints).

A key is the SHA-256 of the request as sent (operation, model, messages, parameters, schema) and
the server it went to; the value is the answer with its usage. Credentials are never part of a
key or a value: the key covers the request body and the server's address only (user info and
query strings stripped). Each result is committed as it arrives (WAL journal), so a crash, an
interrupt or ``kill -9`` keeps every result that was received.

Where the cache lives: ``$GUMLOOP_NB_CACHE`` (a file path, or ``off``), else
``batch.sqlite3`` in the user cache directory (``platformdirs.user_cache_dir("gumloop_nb")``).
``gumloop_nb.batch.configure(cache=...)`` changes it for the process.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = ["ResultStore", "default_cache_path", "request_key"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created REAL NOT NULL
)
"""
_LOOKUP_CHUNK = 500
_OFF = {"", "0", "off", "false", "no", "none"}


def _server(base_url: str) -> str:
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def request_key(kind: str, request: Mapping[str, Any], base_url: str) -> str:
    """The content address of one request: same operation, body and server, same key."""
    payload = json.dumps(
        {"v": 1, "server": _server(base_url), "kind": kind, "request": request},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def default_cache_path() -> Path | None:
    """Where the cache lives by default, or None when ``$GUMLOOP_NB_CACHE`` turns it off."""
    raw = os.environ.get("GUMLOOP_NB_CACHE")
    if raw is not None:
        if raw.strip().lower() in _OFF:
            return None
        return Path(raw).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("gumloop_nb")) / "batch.sqlite3"


class ResultStore:
    """One SQLite file of results by request key; safe to share between threads and processes.

    >>> store = ResultStore("run.sqlite3")         # doctest: +SKIP
    >>> store.put_many({"k": {"answer": "x"}})     # doctest: +SKIP
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = os.getpid()

    def __repr__(self) -> str:
        return f"<ResultStore {str(self.path)!r}>"

    def _connect(self) -> sqlite3.Connection:
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                # Answers can be private: the file is readable by its owner only.
                self.path.touch(mode=0o600)
            conn = sqlite3.connect(
                str(self.path), timeout=30.0, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit survives the process being killed (not a power cut).
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise OSError(
                f"Cannot open the result store at {self.path} ({exc}); pass cache=False, "
                "another cache=PATH, or delete the file if it is damaged."
            ) from None
        self._conn, self._pid = conn, os.getpid()
        return conn

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored values of those keys that are present."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, dict[str, Any]] = {}
        if not wanted:
            return found
        with self._lock:
            conn = self._connect()
            for start in range(0, len(wanted), _LOOKUP_CHUNK):
                chunk = wanted[start : start + _LOOKUP_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT key, value FROM results WHERE key IN ({marks})", chunk
                ).fetchall()
                for key, value in rows:
                    found[key] = json.loads(value)
        return found

    def put(self, key: str, value: Mapping[str, Any]) -> None:
        """Store one result now (committed before returning)."""
        self.put_many({key: value})

    def put_many(self, items: Mapping[str, Mapping[str, Any]]) -> None:
        if not items:
            return
        now = time.time()
        rows = [
            (k, json.dumps(v, separators=(",", ":"), default=str), now) for k, v in items.items()
        ]
        with self._lock:
            conn = self._connect()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    "INSERT OR REPLACE INTO results (key, value, created) VALUES (?, ?, ?)", rows
                )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def __len__(self) -> int:
        with self._lock:
            (count,) = self._connect().execute("SELECT COUNT(*) FROM results").fetchone()
        return int(count)

    def clear(self) -> None:
        """Forget every stored result."""
        with self._lock:
            self._connect().execute("DELETE FROM results")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def __getstate__(self) -> dict[str, Any]:
        # Sent to Dask workers as a path; each process opens its own connection.
        return {"path": str(self.path)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"])  # type: ignore[misc]
