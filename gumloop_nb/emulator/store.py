"""State of the emulator: a small document store (JSON docs per collection + blobs).

Two implementations share the `Store` interface: `MemoryStore` (the default; gone when the
process ends) and `SqliteStore` (``--db PATH``; agents, sessions, skills, artifacts and flow
runs survive a restart). Both are safe to use from several threads: every operation takes a
lock, and SQLite runs in WAL mode with ``check_same_thread=False``.

Example::

    store = open_store("/tmp/emu.db")          # or open_store(None) for memory
    store.put("agents", "agt_1", {"id": "agt_1", "name": "Helper"})
    store.get("agents", "agt_1")["name"]        # -> "Helper"
"""

from __future__ import annotations

import copy
import json
import sqlite3
import threading
from abc import ABC, abstractmethod
from typing import Any

__all__ = ["MemoryStore", "SqliteStore", "Store", "open_store"]

Doc = dict[str, Any]


class Store(ABC):
    """Key/value documents grouped in collections, listed in insertion order, plus blobs."""

    @abstractmethod
    def get(self, collection: str, key: str) -> Doc | None: ...

    @abstractmethod
    def put(self, collection: str, key: str, doc: Doc) -> None:
        """Insert or replace; a replaced doc keeps its original position in listings."""
        ...

    @abstractmethod
    def insert(self, collection: str, key: str, doc: Doc) -> bool:
        """Insert only if absent (atomically); returns False when the key is taken."""
        ...

    @abstractmethod
    def delete(self, collection: str, key: str) -> bool: ...

    @abstractmethod
    def list(self, collection: str) -> list[Doc]: ...

    @abstractmethod
    def put_blob(self, key: str, data: bytes) -> None: ...

    @abstractmethod
    def get_blob(self, key: str) -> bytes | None: ...

    @abstractmethod
    def delete_blob(self, key: str) -> None: ...

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Release resources (no-op for memory)."""


class MemoryStore(Store):
    """Dict-backed store; docs are deep-copied in and out so callers cannot alias state."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._docs: dict[str, dict[str, Doc]] = {}
        self._blobs: dict[str, bytes] = {}

    def get(self, collection: str, key: str) -> Doc | None:
        with self._lock:
            doc = self._docs.get(collection, {}).get(key)
            return copy.deepcopy(doc) if doc is not None else None

    def put(self, collection: str, key: str, doc: Doc) -> None:
        with self._lock:
            self._docs.setdefault(collection, {})[key] = copy.deepcopy(doc)

    def insert(self, collection: str, key: str, doc: Doc) -> bool:
        with self._lock:
            coll = self._docs.setdefault(collection, {})
            if key in coll:
                return False
            coll[key] = copy.deepcopy(doc)
            return True

    def delete(self, collection: str, key: str) -> bool:
        with self._lock:
            return self._docs.get(collection, {}).pop(key, None) is not None

    def list(self, collection: str) -> list[Doc]:
        with self._lock:
            return [copy.deepcopy(d) for d in self._docs.get(collection, {}).values()]

    def put_blob(self, key: str, data: bytes) -> None:
        with self._lock:
            self._blobs[key] = bytes(data)

    def get_blob(self, key: str) -> bytes | None:
        with self._lock:
            return self._blobs.get(key)

    def delete_blob(self, key: str) -> None:
        with self._lock:
            self._blobs.pop(key, None)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (collection, key)
);
CREATE TABLE IF NOT EXISTS blobs (key TEXT PRIMARY KEY, data BLOB NOT NULL);
"""


class SqliteStore(Store):
    """SQLite-backed store: one connection shared by all threads behind a lock (WAL mode)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)

    def get(self, collection: str, key: str) -> Doc | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT doc FROM docs WHERE collection=? AND key=?", (collection, key)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, collection: str, key: str, doc: Doc) -> None:
        text = json.dumps(doc)
        with self._lock:
            # Upsert keeps `seq` (the listing order) of an existing row.
            self._conn.execute(
                "INSERT INTO docs (collection, key, doc) VALUES (?, ?, ?) "
                "ON CONFLICT(collection, key) DO UPDATE SET doc=excluded.doc",
                (collection, key, text),
            )

    def insert(self, collection: str, key: str, doc: Doc) -> bool:
        text = json.dumps(doc)
        with self._lock:
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO docs (collection, key, doc) VALUES (?, ?, ?)",
                (collection, key, text),
            )
            return cur.rowcount == 1

    def delete(self, collection: str, key: str) -> bool:
        with self._lock:
            cur = self._conn.execute(
                "DELETE FROM docs WHERE collection=? AND key=?", (collection, key)
            )
            return cur.rowcount > 0

    def list(self, collection: str) -> list[Doc]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT doc FROM docs WHERE collection=? ORDER BY seq", (collection,)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def put_blob(self, key: str, data: bytes) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO blobs (key, data) VALUES (?, ?)", (key, bytes(data))
            )

    def get_blob(self, key: str) -> bytes | None:
        with self._lock:
            row = self._conn.execute("SELECT data FROM blobs WHERE key=?", (key,)).fetchone()
        return bytes(row[0]) if row else None

    def delete_blob(self, key: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM blobs WHERE key=?", (key,))

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def open_store(db_path: str | None) -> Store:
    """A SQLite store at `db_path`, or a fresh memory store when it is None."""
    return SqliteStore(db_path) if db_path else MemoryStore()
