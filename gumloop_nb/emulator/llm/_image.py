"""Paint a deterministic picture from a prompt: gradient sky, sun, horizon, patterns, shapes.

The scene is described in normalised coordinates, so rendering it at a coarse resolution and
scaling up gives the blocky early frames of a streamed image, and the final frame the detail.
"""

from __future__ import annotations

import base64
import colorsys
import math
import random
import re
from dataclasses import dataclass, field
from typing import Any

from ._png import encode_png, upscale_rows

__all__ = ["Scene", "image_size", "render_png", "scene_for", "to_data_url"]

Color = tuple[int, int, int]

# Keyword -> (sky top, sky bottom, sun, ground top, ground bottom, pattern)
_THEMES: dict[str, tuple[Color, Color, Color, Color, Color, str]] = {
    "sunset": (
        (255, 94, 77),
        (255, 196, 112),
        (255, 232, 150),
        (92, 44, 96),
        (34, 18, 52),
        "waves",
    ),
    "ocean": (
        (104, 180, 250),
        (205, 236, 255),
        (255, 250, 215),
        (0, 112, 160),
        (0, 44, 88),
        "waves",
    ),
    "forest": (
        (160, 212, 186),
        (232, 246, 220),
        (255, 244, 190),
        (40, 118, 62),
        (12, 58, 30),
        "stripes",
    ),
    "night": ((8, 10, 38), (54, 32, 96), (236, 236, 255), (22, 22, 40), (6, 6, 14), "dots"),
    "desert": (
        (246, 204, 146),
        (255, 240, 204),
        (255, 250, 230),
        (222, 170, 98),
        (176, 116, 56),
        "waves",
    ),
    "snow": (
        (176, 208, 240),
        (242, 248, 255),
        (255, 255, 240),
        (238, 244, 250),
        (186, 202, 220),
        "stripes",
    ),
    "fire": ((60, 8, 8), (214, 70, 22), (255, 220, 120), (44, 18, 16), (12, 4, 4), "checker"),
}
_KEYWORDS = {
    "sunset": "sunset",
    "sunrise": "sunset",
    "dusk": "sunset",
    "evening": "sunset",
    "ocean": "ocean",
    "sea": "ocean",
    "beach": "ocean",
    "wave": "ocean",
    "waves": "ocean",
    "lake": "ocean",
    "water": "ocean",
    "river": "ocean",
    "forest": "forest",
    "tree": "forest",
    "trees": "forest",
    "jungle": "forest",
    "garden": "forest",
    "meadow": "forest",
    "night": "night",
    "space": "night",
    "star": "night",
    "stars": "night",
    "galaxy": "night",
    "moon": "night",
    "desert": "desert",
    "sand": "desert",
    "dune": "desert",
    "snow": "snow",
    "winter": "snow",
    "ice": "snow",
    "mountain": "snow",
    "mountains": "snow",
    "fire": "fire",
    "volcano": "fire",
    "lava": "fire",
    "dragon": "fire",
}


@dataclass
class Scene:
    """Everything needed to render one picture, independent of resolution."""

    theme: str
    sky_top: Color
    sky_bottom: Color
    sun: Color
    ground_top: Color
    ground_bottom: Color
    pattern: str
    sun_center: tuple[float, float]
    sun_radius: float
    horizon: float
    amplitude: float
    frequency: float
    phase: float
    stripes: float
    shapes: list[tuple[float, float, float, Color]] = field(default_factory=list)
    stars: list[tuple[float, float]] = field(default_factory=list)
    # Triangles standing on the horizon: (centre x, half width, height); trees or mountains.
    peaks: list[tuple[float, float, float]] = field(default_factory=list)
    peak_color: Color = (40, 40, 60)
    cap_color: Color | None = None  # snow caps on mountain tops


def _hsl(h: float, s: float, lum: float) -> Color:
    r, g, b = colorsys.hls_to_rgb(h % 1.0, lum, s)
    return (int(r * 255), int(g * 255), int(b * 255))


def scene_for(prompt: str, rng: random.Random) -> Scene:
    """A scene whose palette follows the prompt's words and whose layout follows its hash."""
    words = re.findall(r"[a-z]+", prompt.lower())
    theme = next((_KEYWORDS[w] for w in words if w in _KEYWORDS), "")
    if theme:
        sky_top, sky_bottom, sun, g_top, g_bottom, pattern = _THEMES[theme]
    else:
        hue = rng.random()
        sky_top, sky_bottom = _hsl(hue, 0.55, 0.45), _hsl(hue + 0.08, 0.6, 0.82)
        sun = _hsl(hue + 0.5, 0.8, 0.7)
        g_top, g_bottom = _hsl(hue + 0.3, 0.45, 0.4), _hsl(hue + 0.33, 0.5, 0.16)
        pattern = rng.choice(["stripes", "waves", "checker", "dots"])
        theme = "abstract"
    shapes = []
    for _ in range(rng.randint(2, 4)):
        hue = rng.random()
        shapes.append(
            (
                rng.uniform(0.1, 0.9),
                rng.uniform(0.1, 0.85),
                rng.uniform(0.03, 0.09),
                _hsl(hue, 0.7, 0.6),
            )
        )
    stars = [(rng.random(), rng.uniform(0, 0.6)) for _ in range(60 if theme == "night" else 0)]
    peaks: list[tuple[float, float, float]] = []
    peak_color, cap = _shade(g_top, 0.55), None
    if theme == "forest":
        peaks = [
            (rng.random(), rng.uniform(0.02, 0.04), rng.uniform(0.1, 0.22))
            for _ in range(rng.randint(9, 14))
        ]
        peak_color = (16, 70, 38)
    elif theme in ("snow", "night") or (theme == "abstract" and rng.random() < 0.5):
        peaks = [
            (rng.uniform(0.1, 0.9), rng.uniform(0.18, 0.35), rng.uniform(0.2, 0.36))
            for _ in range(rng.randint(2, 4))
        ]
        if theme == "snow":
            peak_color, cap = (118, 132, 160), (250, 252, 255)
        elif theme == "night":
            peak_color = (30, 28, 58)
    return Scene(
        theme=theme,
        sky_top=sky_top,
        sky_bottom=sky_bottom,
        sun=sun,
        ground_top=g_top,
        ground_bottom=g_bottom,
        pattern=pattern,
        sun_center=(rng.uniform(0.2, 0.8), rng.uniform(0.18, 0.42)),
        sun_radius=rng.uniform(0.07, 0.14),
        horizon=rng.uniform(0.55, 0.72),
        amplitude=rng.uniform(0.02, 0.08),
        frequency=rng.uniform(1.5, 5.0),
        phase=rng.uniform(0, math.tau),
        stripes=rng.uniform(10, 22),
        shapes=shapes,
        stars=stars,
        peaks=peaks,
        peak_color=peak_color,
        cap_color=cap,
    )


def _mix(a: Color, b: Color, t: float) -> Color:
    return (
        int(a[0] + (b[0] - a[0]) * t),
        int(a[1] + (b[1] - a[1]) * t),
        int(a[2] + (b[2] - a[2]) * t),
    )


def _shade(c: Color, f: float) -> Color:
    return (min(255, int(c[0] * f)), min(255, int(c[1] * f)), min(255, int(c[2] * f)))


def _render_rows(scene: Scene, w: int, h: int) -> list[bytes]:
    """Rows of RGB bytes at ``w`` x ``h``; work is per pixel but with per-row/column tables."""
    horizon = [
        scene.horizon
        + scene.amplitude * math.sin(scene.frequency * math.tau * (x + 0.5) / w + scene.phase)
        for x in range(w)
    ]
    us = [(x + 0.5) / w for x in range(w)]
    aspect = h / w
    cx, cy = scene.sun_center
    r2 = scene.sun_radius**2
    glow2 = (scene.sun_radius * 2.2) ** 2
    star_px = {(int(su * w), int(sv * h)) for su, sv in scene.stars}
    # Per column: where the highest triangle starts, and where its snow cap ends.
    tops = [2.0] * w
    caps = [2.0] * w
    for pcx, half, height in scene.peaks:
        for x in range(w):
            d = abs(us[x] - pcx)
            if d < half:
                top = horizon[x] - height * (1 - d / half)
                if top < tops[x]:
                    tops[x], caps[x] = top, top + 0.22 * height * (1 - d / half)
    peak_b = bytes(scene.peak_color)
    cap_b = bytes(scene.cap_color) if scene.cap_color else peak_b
    shapes = [(sx, sy, sr * sr, sc) for sx, sy, sr, sc in scene.shapes]
    rows = []
    for y in range(h):
        v = (y + 0.5) / h
        sky = _mix(scene.sky_top, scene.sky_bottom, v)
        sky_b = bytes(sky)
        # A soft halo: eight precomputed steps between the sun colour and the sky.
        glow = [bytes(_mix(sky, scene.sun, 0.55 * (1 - i / 8))) for i in range(9)]
        glow_span = glow2 - r2
        sun_b = bytes(scene.sun)
        depth = max(0.0, (v - scene.horizon) / (1.0 - scene.horizon + 1e-9))
        ground = _mix(scene.ground_top, scene.ground_bottom, min(1.0, depth))
        ground_b, ground_d = bytes(ground), bytes(_shade(ground, 0.78))
        dy = (v - cy) * aspect
        dy2 = dy * dy
        shape_rows = [
            (sx, r - (v - sy) ** 2 * aspect * aspect, bytes(c))
            for sx, sy, r, c in shapes
            if (v - sy) ** 2 * aspect * aspect < r
        ]
        row: list[bytes] = []
        append = row.append
        stripes = scene.stripes
        pattern = scene.pattern
        for x in range(w):
            u = us[x]
            if tops[x] <= v < horizon[x]:
                append(cap_b if v < caps[x] else peak_b)
            elif v < horizon[x]:
                du = u - cx
                d2 = du * du + dy2
                if d2 < r2:
                    append(sun_b)
                elif d2 < glow2:
                    append(glow[int((d2 - r2) / glow_span * 8)])
                elif (x, y) in star_px:
                    append(b"\xff\xff\xf0")
                else:
                    append(sky_b)
                for sx, rem, cb in shape_rows:
                    if (u - sx) ** 2 < rem:
                        row[-1] = cb
            else:
                if pattern == "waves":
                    dark = math.sin((v * stripes * 2 + math.sin(u * 9.0) * 0.6) * math.pi) > 0.55
                elif pattern == "stripes":
                    dark = int((u + v) * stripes) % 2 == 0
                elif pattern == "checker":
                    dark = (int(u * stripes) + int(v * stripes)) % 2 == 0
                else:
                    dark = (int(u * stripes * 2) % 3 == 0) and (int(v * stripes * 2) % 3 == 0)
                append(ground_d if dark else ground_b)
        rows.append(b"".join(row))
    return rows


def image_size(config: dict[str, Any], default: int = 512) -> tuple[int, int]:
    """Pixel size from ``image_config`` (``size`` "WxH", ``image_size`` "1K", ``aspect_ratio``).

    Clamped to 256..1024 per side so the emulator stays fast.
    """
    width = height = default
    size = config.get("size") or config.get("image_size")
    if isinstance(size, str):
        match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", size)
        if match:
            width, height = int(match.group(1)), int(match.group(2))
        elif re.fullmatch(r"\s*[124]K\s*", size, re.I):
            width = height = {"1": 512, "2": 768, "4": 1024}[size.strip()[0]]
    ratio = config.get("aspect_ratio")
    if isinstance(ratio, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*", ratio)
        if match and float(match.group(2)) > 0:
            r = float(match.group(1)) / float(match.group(2))
            r = max(0.25, min(4.0, r))
            side = max(width, height)
            width, height = (side, int(side / r)) if r >= 1 else (int(side * r), side)
    width = max(256, min(1024, width))
    height = max(256, min(1024, height))
    return width, height


def render_png(scene: Scene, width: int, height: int, detail: float = 1.0) -> bytes:
    """PNG bytes of ``scene``; ``detail`` < 1 renders coarser and scales up (blocky preview).

    The final frame renders at up to 256 px on the long side and scales up 2x-4x, which keeps
    a 1024 px image quick while the shapes stay smooth enough at notebook sizes.
    """
    long_side = max(width, height)
    cap = 256 if detail >= 1.0 else max(6, int(256 * detail))
    factor = max(1, math.ceil(long_side / cap))
    base_w, base_h = max(1, width // factor), max(1, height // factor)
    rows = _render_rows(scene, base_w, base_h)
    return encode_png(width, height, upscale_rows(rows, width, height))


def to_data_url(png: bytes) -> str:
    """A ``data:image/png;base64,...`` URL."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
