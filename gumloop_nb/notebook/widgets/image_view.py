"""ImageView: data URLs shown as inline images, progressive frames, and a save-to-file button.

One output per image: in a widget frontend the live widget (with Save) becomes the final image
in the same output, which also carries the ``image/png`` fallback a saved notebook shows; in
other kernels one image output is updated in place as frames arrive.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from .._display import LiveOutput, output_mode
from .._results import ImageResult, Provenance
from ..render import escape

__all__ = ["ImageView", "decode_data_url"]

_DATA_URL = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,(.*)$", re.S)


def decode_data_url(url: str) -> tuple[str, bytes]:
    """Decode ``data:image/<png|jpeg|gif|webp>;base64,...`` into (format, bytes).

    Raises ValueError with a clear message for anything else (other schemes, SVG, bad base64).
    """
    match = _DATA_URL.match(url.strip())
    if match is None:
        raise ValueError(
            "Expected a data:image/png|jpeg|gif|webp;base64 URL; got "
            f"{url[:40]!r}. Other kinds of image URL are not shown inline."
        )
    try:
        data = base64.b64decode(match.group(2), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("The image data URL does not contain valid base64.") from exc
    return match.group(1), data


class ImageView:
    """An inline image that can be updated frame by frame and saved to a file."""

    def __init__(
        self,
        *,
        model: str | None = None,
        filename: str = "gumloop-image.png",
        interval: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        live: bool | None = None,
        mode: str | None = None,
    ) -> None:
        from ipywidgets import HTML, Button, HBox, Image, Text, VBox

        if mode is None:
            mode = output_mode() if live is None else ("widget" if live else "final")
        self.mode = mode
        self.live = mode == "widget"
        self.provenance = Provenance(model=model)
        self.image = Image(format="png")
        self.caption = HTML(value="")
        self.filename = Text(value=filename, description="File")
        self.save_button = Button(description="Save", icon="save")
        self.save_button.on_click(lambda _b: self.save())
        self.status = HTML(value="")
        self.widget = VBox(
            children=(
                self.image,
                self.caption,
                HBox(children=(self.filename, self.save_button)),
                self.status,
            )
        )
        self.frames = 0
        self.data_url: str | None = None
        self._caption_text = ""
        self._interval = interval
        self._clock = clock
        self._next = 0.0
        self._pending: tuple[str, bytes] | None = None
        self._lock = threading.Lock()
        self._output = LiveOutput(mode)
        self.result: ImageResult | None = None
        self.updates = 0

    def show(self) -> None:
        """Display the live widget (widget mode; in a kernel without widgets the first frame
        is shown as an image output, updated in place)."""
        if self.mode == "widget":
            self._output.show(self.widget)

    def add_frame(self, data_url: str) -> None:
        """Show a new (partial or final) frame; updates are coalesced in time."""
        fmt, data = decode_data_url(data_url)
        with self._lock:
            self.frames += 1
            self.data_url = data_url
            self._pending = (fmt, data)
            if self._clock() >= self._next:
                self._flush()

    def set_caption(self, text: str) -> None:
        self._caption_text = text
        self.caption.value = f"<i>{escape(text)}</i>" if text else ""

    def _flush(self) -> None:
        if self._pending is None:
            return
        fmt, data = self._pending
        self._pending = None
        self.image.format = fmt
        self.image.value = data
        if self.mode == "display" and self.result is None and self.data_url is not None:
            mime = f"image/{fmt}"
            self._output.update(
                {mime: self.data_url.split(",", 1)[1], "text/plain": f"<partial image {fmt}>"}
            )
        self.updates += 1
        self._next = self._clock() + self._interval

    def save(self, path: str | None = None) -> str:
        """Save the current image to ``path`` (default: the file name box) and return the path."""
        if self.data_url is None:
            raise ValueError("There is no image to save yet; wait for the first frame.")
        target = path or self.filename.value or "gumloop-image.png"
        _fmt, data = decode_data_url(self.data_url)
        with open(target, "wb") as fh:
            fh.write(data)
        self.status.value = f"Saved {escape(target)} ({len(data)} bytes)"
        return target

    def finish(self, *, stopped: bool = False) -> ImageResult | None:
        """Show the last frame exactly and leave it as an ordinary PNG output."""
        with self._lock:
            self._flush()
        if self.data_url is None:
            return None
        self.result = ImageResult(
            data_url=self.data_url,
            caption=self._caption_text,
            provenance=self.provenance,
            frames=self.frames,
            stopped=stopped,
        )
        bundle, metadata = self.result._repr_mimebundle_()
        if self.mode == "widget":
            # The same output keeps the live widget (Save stays available) and carries the
            # image itself, which is what a saved notebook (or a viewer without widgets) shows.
            view = self.widget._repr_mimebundle_()
            bundle = {**bundle, **{k: v for k, v in view.items() if k != "text/plain"}}
        self._output.final(bundle, metadata)
        return self.result

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        if self.result is not None:
            return self.result._repr_mimebundle_()
        return self.widget._repr_mimebundle_(include=include, exclude=exclude)
