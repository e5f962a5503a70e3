"""Where each session's next turn starts: the cursor of its last complete run."""

from __future__ import annotations

import threading
from collections import OrderedDict


class _TurnCursors:
    """Where each session's last complete run ended, as seen by this process.

    A turn sent with ``stream=True`` (``send``/``stream_message``) whose connection drops
    before its first event can only be resumed from the cursor *before* the turn: resuming
    without a cursor replays the session from its start, i.e. the earlier turns' events. The
    cursor of the ``final`` event of the run a stream followed is recorded here; anything
    else that may start a run on the session (a unary or queued send, approvals, a streamed
    turn that was not followed to its end) forgets it, so a remembered cursor is only used
    while it is known to be where the next turn starts. Cursors are facts about a session's
    event log (not credentials), so one bounded map serves every client of the process.

    A run started from elsewhere (another process, the web app) between two of our turns cannot
    be seen: stream events carry no run id, so such a run's events would follow the remembered
    cursor. Without a remembered cursor the stream fails clearly instead of guessing.
    """

    def __init__(self, size: int = 1024) -> None:
        self._cursors: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def take(self, session_id: str) -> str | None:
        """The cursor where the next turn of ``session_id`` starts (forgotten once taken)."""
        with self._lock:
            return self._cursors.pop(session_id, None)

    def put(self, session_id: str, cursor: str) -> None:
        with self._lock:
            self._cursors[session_id] = cursor
            self._cursors.move_to_end(session_id)
            while len(self._cursors) > self._size:
                self._cursors.popitem(last=False)

    def forget(self, session_id: str) -> None:
        with self._lock:
            self._cursors.pop(session_id, None)


TURN_CURSORS = _TurnCursors()
