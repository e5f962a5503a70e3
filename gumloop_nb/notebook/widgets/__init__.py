"""Widgets for streamed chat, images and model comparison (ipywidgets 8; usable without magics)."""

from __future__ import annotations

from .chat_box import ChatBox
from .chat_stream import ChatStream
from .compare_grid import CompareGrid
from .image_view import ImageView

__all__ = ["ChatBox", "ChatStream", "CompareGrid", "ImageView"]
