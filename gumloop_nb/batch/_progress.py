"""The live progress display: rows done, errors, credits spent, ETA.

tqdm draws it (its notebook bar inside Jupyter, a text bar elsewhere) when installed; without
tqdm a one-line text bar is written to stderr. Updated from the caller's thread only.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from ._engine import Tally

__all__ = ["Progress"]


def _postfix(tally: Tally) -> str:
    parts = [f"errors={tally.errors}", f"credits={tally.cost:.4g}"]
    if tally.cached:
        parts.append(f"cached={tally.cached}")
    if tally.retries:
        parts.append(f"retries={tally.retries}")
    return ", ".join(parts)


class Progress:
    """A bar over a `Tally`; ``tick()`` redraws it, ``close()`` leaves the final state."""

    def __init__(self, tally: Tally, desc: str, enabled: bool = True) -> None:
        self.tally = tally
        self.desc = desc
        self.enabled = enabled
        self._bar: Any = None
        self._shown = -1
        self._last_text = 0.0
        self._closed = False

    def _open(self) -> None:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self._bar = False
            return
        self._bar = tqdm(
            total=self.tally.total,
            desc=self.desc,
            unit="row",
            initial=self.tally.done,
            dynamic_ncols=True,
            leave=True,
        )

    def tick(self) -> None:
        if not self.enabled or self.tally.total == 0:
            return
        if self._bar is None:
            if self.tally.total == self.tally.cached:
                return  # all answered from the store: nothing to watch
            self._open()
        done = self.tally.done
        if self._bar is False:
            self._text(done)
            return
        if self._bar.total != self.tally.total:
            self._bar.total = self.tally.total
        if done != self._shown:
            self._bar.set_postfix_str(_postfix(self.tally), refresh=False)
            self._bar.update(done - max(self._shown, self._bar.n))
            self._shown = done

    def _text(self, done: int, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self._last_text < 0.5:
            return
        self._last_text = now
        total = max(self.tally.total, 1)
        width = 24
        filled = int(width * done / total)
        elapsed = now - self.tally.started
        fresh = done - self.tally.cached
        eta = ""
        if fresh > 0 and done < total:
            eta = f", ETA {(total - done) * elapsed / fresh:.0f}s"
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if final else ""
        sys.stderr.write(
            f"\r{self.desc}: [{bar}] {done}/{self.tally.total} ({_postfix(self.tally)}{eta}){end}"
        )
        sys.stderr.flush()

    def close(self) -> None:
        if not self.enabled or self._bar is None or self._closed:
            return
        self._closed = True
        if self._bar is False:
            self._text(self.tally.done, final=True)
            return
        self.tick()
        self._bar.close()
