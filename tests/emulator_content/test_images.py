from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from PIL import Image

from gumloop_nb.emulator.llm import MODELS
from gumloop_nb.emulator.llm._png import encode_png

from ._support import chat, without_clock


def _draw(prompt, model="gpt-image-1", **fields):
    return chat(prompt, model=model, modalities=["image", "text"], **fields)


def _png_of(url):
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix)
    return base64.b64decode(url[len(prefix) :])


def _image(plan):
    message = plan.unary()["choices"][0]["message"]
    [item] = message["images"]
    assert item["type"] == "image_url"
    return _png_of(item["image_url"]["url"])


def _decode_rgb(png: bytes):
    """Our own tiny decoder for filter-0 RGB PNGs (independent of Pillow)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", None
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + data) == crc
        if kind == b"IHDR":
            size = struct.unpack(">II", data[:8])
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    width, height = size
    raw = zlib.decompress(idat)
    stride = width * 3 + 1
    assert len(raw) == stride * height
    return width, height, [raw[y * stride + 1 : (y + 1) * stride] for y in range(height)]


@pytest.mark.parametrize("model", ["gpt-image-1", "gemini-2.5-flash-image-preview"])
def test_image_models_return_a_real_png_that_is_not_a_blank_square(model):
    plan = _draw("a lighthouse on a cliff at sunset", model=model)
    png = _image(plan)
    width, height, rows = _decode_rgb(png)
    assert width >= 256 and height >= 256
    pixels = {row[i : i + 3] for row in rows[::8] for i in range(0, len(row), 24)}
    assert len(pixels) > 8
    with Image.open(io.BytesIO(png)) as img:
        img.load()
        assert img.size == (width, height) and img.mode == "RGB"
        colours = img.getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 8
    assert plan.text and "lighthouse" in plan.text


def test_images_are_deterministic_per_prompt_and_differ_between_prompts():
    a1, a2 = _draw("a calm ocean"), _draw("a calm ocean")
    assert without_clock(a1.unary()) == without_clock(a2.unary())
    assert _image(a1) != _image(_draw("a dense forest"))


def test_palette_words_nudge_the_colours():
    def mean(png, channel):
        _, _, rows = _decode_rgb(png)
        values = [row[i + channel] for row in rows[::4] for i in range(0, len(row), 12)]
        return sum(values) / len(values)

    ocean, forest = _image(_draw("the ocean")), _image(_draw("a forest"))
    assert mean(ocean, 2) > mean(ocean, 0)  # blue over red
    assert mean(forest, 1) > mean(forest, 0)  # green over red


@pytest.mark.parametrize(
    ("config", "size"),
    [
        ({"size": "512x512"}, (512, 512)),
        ({"size": "768x512"}, (768, 512)),
        ({"aspect_ratio": "16:9"}, (512, 288)),
        ({"size": "64x64"}, (256, 256)),  # clamped to the minimum
        ({"size": "4096x4096"}, (1024, 1024)),  # clamped to the maximum
    ],
)
def test_image_config_sets_the_size(config, size):
    width, height, _ = _decode_rgb(_image(_draw("mountains", image_config=config)))
    assert (width, height) == size


@pytest.mark.parametrize("partial", [0, 1, 3])
def test_streaming_sends_partial_frames_of_increasing_detail_then_the_final_image(partial):
    plan = _draw("a night sky full of stars", image_config={"partial_images": partial})
    frames = [
        _png_of(img["image_url"]["url"])
        for _, c in plan.stream_chunks()
        for img in c["choices"][0]["delta"].get("images") or []
    ]
    assert len(frames) == partial + 1
    assert frames[-1] == _image(plan)
    assert len(set(frames)) == len(frames)
    colour_counts = []
    for png in frames:
        with Image.open(io.BytesIO(png)) as img:
            colour_counts.append(len(img.getcolors(maxcolors=1 << 20)))
    assert colour_counts == sorted(colour_counts)


def test_the_default_stream_has_two_partial_frames_and_a_caption():
    plan = _draw("a desert road")
    chunks = [c for _, c in plan.stream_chunks()]
    frames = [c for c in chunks if c["choices"][0]["delta"].get("images")]
    assert len(frames) == 3
    caption = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert caption == plan.text
    assert chunks[-1]["usage"]["cost"] >= MODELS["gpt-image-1"].image_cost


def test_image_usage_includes_the_flat_image_fee():
    usage = _draw("a red kite").unary()["usage"]
    spec = MODELS["gpt-image-1"]
    tokens_cost = (
        usage["prompt_tokens"] * spec.cost_per_1k_input
        + usage["completion_tokens"] * spec.cost_per_1k_output
    ) / 1000
    assert usage["cost"] == pytest.approx(spec.image_cost + tokens_cost, rel=1e-3)


def test_the_png_encoder_round_trips_through_pillow():
    rows = [
        bytes(v for x in range(300) for v in (x % 256, y % 256, (x * y) % 256)) for y in range(260)
    ]
    png = encode_png(300, 260, rows)
    with Image.open(io.BytesIO(png)) as img:
        assert img.size == (300, 260)
        assert img.getpixel((10, 20)) == (10, 20, 200)
        assert img.getpixel((299, 259)) == (299 % 256, 259 % 256, (299 * 259) % 256)


def test_the_png_encoder_rejects_rows_of_the_wrong_width():
    with pytest.raises(ValueError):
        encode_png(2, 1, [b"\x00" * 5])


def test_the_two_image_models_paint_the_same_prompt_differently():
    assert _image(_draw("a harbour at dawn")) != _image(
        _draw("a harbour at dawn", model="gemini-2.5-flash-image-preview")
    )
