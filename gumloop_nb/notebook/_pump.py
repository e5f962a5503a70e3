"""Let the frontend's widget messages through while a cell blocks on the kernel's main thread.

A magic that streams an answer consumes the stream on the cell's own thread, so the cell ends
when the answer does. While it runs, the kernel's main loop is busy and would hold back every
message from the frontend, including the click on the Stop button. ``ui_events()`` returns a
function to call now and then from the blocking loop: it dispatches pending ``comm_open``,
``comm_msg`` and ``comm_close`` messages (widget events) right away, on the calling (main) thread,
and hands every other shell message (the next cell's ``execute_request`` during Run All,
completions, ...) back to the kernel to run, in arrival order, after the current cell.

Kernels:

* ipykernel 7+ receives shell messages on a separate thread and forwards them to the main thread
  over an in-process ZeroMQ socket; the pump reads that socket directly (the kernel's own reader
  runs on the same thread, so the socket is never used from two threads).
* Anywhere else (ipykernel 6, terminal IPython, no kernel) the pump does nothing: the click is
  handled when the cell ends, and the kernel's interrupt still stops the stream at once.

jupyter-ui-poll (the maintained library for this) was tried and is not used: version 1.1 calls
``Kernel.do_one_iteration``, which ipykernel 7 removed (the click never arrives), and on
ipykernel 6 its replay of the execute requests it held back let a later cell of a Run All run
before an earlier one that itself waited for widget events.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

from ._display import get_ipython_or_none

__all__ = ["ui_events"]

_COMM_TYPES = frozenset({"comm_open", "comm_msg", "comm_close"})
_log = logging.getLogger(__name__)


def _noop() -> None:
    return None


class _ZmqPump:
    """Dispatch widget messages from ipykernel 7's shell-channel-to-main socket."""

    def __init__(self, kernel: Any, socket: Any) -> None:
        self._kernel = kernel
        self._socket = socket
        self._deferred: list[Any] = []

    def __call__(self) -> None:
        import zmq

        kernel = self._kernel
        session = kernel.session
        while True:
            try:
                frames = self._socket.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.Again:
                return
            try:
                _idents, rest = session.feed_identities(frames, copy=False)
                header = session.deserialize(rest, content=False, copy=False)["header"]
                msg_type = header.get("msg_type")
            except Exception:  # not ours to judge: let the kernel see it later
                msg_type = None
            if msg_type in _COMM_TYPES:
                self._dispatch_comm(frames)
            else:
                self._deferred.append(frames)

    def _dispatch_comm(self, frames: Any) -> None:
        kernel = self._kernel
        session = kernel.session
        saved_parent = kernel.get_parent("shell")
        saved_ident = kernel._get_shell_context_var(kernel._shell_parent_ident)
        try:
            idents, rest = session.feed_identities(frames, copy=False)
            msg = session.deserialize(rest, content=True, copy=False)
            kernel.set_parent(idents, msg, channel="shell")
            handler = kernel.shell_handlers.get(msg["header"]["msg_type"])
            if handler is not None:
                # comm handlers are plain functions; they send no reply on the stream.
                result = handler(None, idents, msg)
                if hasattr(result, "close"):  # a coroutine we cannot await here
                    result.close()
        except Exception:  # a broken widget handler must not break the running cell
            _log.exception("gumloop_nb: a widget message handler failed")
        finally:
            kernel.set_parent(saved_ident, saved_parent, channel="shell")

    def close(self) -> None:
        """Give the held-back messages to the kernel, in order, to run after this cell."""
        if not self._deferred:
            return
        kernel = self._kernel
        for frames in self._deferred:
            # shell_main waits for the lock the running cell holds (asyncio locks are FIFO),
            # so these run after the cell, before anything that arrives later.
            kernel.io_loop.add_callback(kernel.shell_main, None, frames)
        self._deferred = []


def _zmq_pump(kernel: Any) -> _ZmqPump | None:
    thread = getattr(kernel, "shell_channel_thread", None)
    manager = getattr(thread, "manager", None)
    pair = getattr(manager, "_shell_channel_to_main", None)
    socket = getattr(pair, "to_socket", None)
    needed = ("shell_main", "io_loop", "session", "_shell_parent_ident", "shell_handlers")
    if socket is None or not all(hasattr(kernel, name) for name in needed):
        return None
    return _ZmqPump(kernel, socket)


@contextlib.contextmanager
def ui_events() -> Iterator[Callable[[], None]]:
    """A function that processes pending widget messages (a no-op outside a Jupyter kernel).

    Call it from the main thread between pieces of blocking work::

        with ui_events() as poll:
            for chunk in stream:
                ...
                poll()
    """
    shell = get_ipython_or_none()
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        yield _noop
        return
    pump = _zmq_pump(kernel)
    if pump is not None:
        try:
            yield pump
        finally:
            pump.close()
        return
    yield _noop
