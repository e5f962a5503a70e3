"""A minimal PNG encoder (RGB, 8 bit, filter 0) on zlib + struct: no imaging library needed."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

__all__ = ["encode_png", "upscale_rows"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(width: int, height: int, rows: Sequence[bytes], *, level: int = 6) -> bytes:
    """PNG bytes for ``height`` rows of ``width * 3`` RGB bytes.

    Example: ``encode_png(1, 1, [b"\\xff\\x00\\x00"])`` is a one-pixel red image.
    """
    if len(rows) != height or any(len(r) != width * 3 for r in rows):
        raise ValueError("each of the `height` rows must hold exactly width * 3 RGB bytes")
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    # Filter type 0 on every row: a zero byte in front of each scanline.
    raw = b"\x00" + b"\x00".join(rows)
    return (
        _SIGNATURE
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(raw, level))
        + _chunk(b"IEND", b"")
    )


def upscale_rows(rows: Sequence[bytes], width: int, height: int) -> list[bytes]:
    """Nearest-neighbour resize of RGB rows to ``width`` x ``height`` (for blocky previews)."""
    src_h = len(rows)
    src_w = len(rows[0]) // 3
    if src_w == width and src_h == height:
        return list(rows)
    x_map = [min(src_w - 1, x * src_w // width) for x in range(width)]
    cache: dict[int, bytes] = {}
    out = []
    for y in range(height):
        sy = min(src_h - 1, y * src_h // height)
        row = cache.get(sy)
        if row is None:
            src = rows[sy]
            if width % src_w == 0:
                factor = width // src_w
                buf = bytearray(width * 3)
                for rep in range(factor):
                    for c in range(3):
                        buf[rep * 3 + c :: factor * 3] = src[c::3]
                row = bytes(buf)
            else:
                pixels = [src[i * 3 : i * 3 + 3] for i in range(src_w)]
                row = b"".join(pixels[i] for i in x_map)
            cache[sy] = row
        out.append(row)
    return out
