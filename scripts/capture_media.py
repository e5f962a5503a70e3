"""Capture the README's pictures from a real JupyterLab session, so they never go stale.

Reuses the end-to-end suite's helpers (tests/e2e/_harness.py): a JupyterLab server on
127.0.0.1 over a scratch folder, the system Chromium driven by Playwright, cells run through
the menus. Produces:

* ``docs/screenshot.png``: a streamed chat answer with its provenance footer, a side-by-side
  comparison of several models (one failing in place) and the comparison as a DataFrame.
* ``docs/streaming.gif``: an answer streaming in, recorded with Chromium's screencast (through
  Playwright's DevTools session) and turned into a GIF (or ``--format webp``) with ffmpeg.

The emulator runs at its real pace and without credentials, like the notebooks. Needs the
``e2e`` extra, Debian's ``chromium`` and ``ffmpeg``.

Usage::

    python scripts/capture_media.py                    # both, into docs/
    python scripts/capture_media.py --out /tmp/media   # somewhere else
    python scripts/capture_media.py --only gif --format webp
"""

from __future__ import annotations

import argparse
import base64
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from e2e import _harness as h  # noqa: E402  (the suite's helpers)

SCREENSHOT_CELLS = [
    "%load_ext gumloop_nb",
    "%%gumloop chat -m claude-sonnet-4-5 -o answer\nWhat is Gumloop?",
    "%%gumloop compare -m claude-sonnet-4-5,gpt-4.1,gemini-2.5-flash,claude-haiku-4-5,"
    "no-such-model -o comparison\nExplain what a p-value is in two sentences.",
    'comparison[["model", "completion_tokens", "cost"]].assign(\n'
    '    failed=comparison["error"].fillna("").str.len() > 0\n)',
]
STREAMING_CELLS = [
    "%load_ext gumloop_nb",
    "%%gumloop chat -m claude-sonnet-4-5\n"
    "Give me a short checklist for cleaning a messy CSV before analysis.",
]
# A Markdown cell after the last code cell, so Shift+Enter moves on instead of adding a cell.
CLOSING_MARKDOWN = "*Answers stream in as they are generated; the footer shows the provenance.*"
WIDTH = 1000
SCREENSHOT_WIDTH = 1300


def write_notebook(folder: Path, name: str, cells: list[str], closing: str | None = None) -> str:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    if closing:
        nb.cells.append(nbformat.v4.new_markdown_cell(closing))
    nbformat.write(nb, folder / name)
    return name


def notebook_box(page: Any) -> dict[str, float]:
    """The on-screen box of the notebook's scrolling area (for cropping; no status bar)."""
    cells = page.locator(h.CELL).first.locator("xpath=..")
    scroller = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer")
    box = (scroller.first if scroller.count() else cells).bounding_box()
    if box is None:
        raise RuntimeError("the notebook is not on screen")
    return dict(box)


def capture_screenshot(browser: Any, server: h.JupyterServer, out: Path) -> Path:
    name = write_notebook(server.root_dir, "readme_screenshot.ipynb", SCREENSHOT_CELLS)
    with h.browser_page(
        browser, server, viewport={"width": SCREENSHOT_WIDTH, "height": 900}
    ) as page:
        notebook = h.NotebookPage(page, server, name).open()
        notebook.run_all()
        problems = notebook.console.errors + [str(e) for e in notebook.error_outputs()]
        if problems:
            raise RuntimeError(f"the screenshot notebook did not run cleanly: {problems}")
        target = out / "screenshot.png"
        notebook.screenshot(target, only_cells=True)
        print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
        return target


class Screencast:
    """Chromium's own screencast (DevTools ``Page.startScreencast``): a JPEG for each new frame.

    Playwright's ``record_video_dir`` needs a Playwright-specific ffmpeg build that it downloads
    itself; the DevTools screencast needs nothing but the browser, and Debian's ffmpeg then
    assembles the frames with their real timestamps.
    """

    def __init__(self, page: Any, folder: Path, size: dict[str, int]) -> None:
        self.page = page
        self.folder = folder
        self.size = size
        self.frames: list[tuple[float, Path]] = []
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.on("Page.screencastFrame", self._on_frame)

    def _on_frame(self, params: dict[str, Any]) -> None:
        path = self.folder / f"{len(self.frames):05d}.jpg"
        path.write_bytes(base64.b64decode(params["data"]))
        self.frames.append((float(params["metadata"]["timestamp"]), path))
        self.cdp.send("Page.screencastFrameAck", {"sessionId": params["sessionId"]})

    def start(self) -> None:
        self.cdp.send(
            "Page.startScreencast",
            {
                "format": "jpeg",
                "quality": 90,
                "maxWidth": self.size["width"],
                "maxHeight": self.size["height"],
            },
        )

    def stop(self) -> None:
        self.cdp.send("Page.stopScreencast")

    def concat_list(self, hold: float) -> Path:
        """An ffconcat file: each frame shown until the next one, the last held ``hold`` s."""
        if not self.frames:
            raise RuntimeError("the screencast recorded no frames")
        lines = ["ffconcat version 1.0"]
        for (stamp, path), (following, _) in zip(self.frames, self.frames[1:], strict=False):
            lines += [f"file '{path.name}'", f"duration {max(0.001, following - stamp):.3f}"]
        last = self.frames[-1][1].name
        lines += [f"file '{last}'", f"duration {hold:.3f}", f"file '{last}'"]
        listing = self.folder / "frames.ffconcat"
        listing.write_text("\n".join(lines) + "\n")
        return listing


def capture_streaming(browser: Any, server: h.JupyterServer, out: Path, fmt: str) -> Path:
    name = write_notebook(
        server.root_dir, "readme_streaming.ipynb", STREAMING_CELLS, closing=CLOSING_MARKDOWN
    )
    size = {"width": WIDTH, "height": 560}
    target = out / f"streaming.{fmt}"
    with (
        tempfile.TemporaryDirectory() as tmp,
        h.browser_page(browser, server, viewport=size) as page,
    ):
        notebook = h.NotebookPage(page, server, name).open()
        notebook.run_cell(0)
        box = notebook_box(page)
        cast = Screencast(page, Path(tmp), size)
        cast.start()
        notebook.run_cell(1)  # the answer streams in; returns when the cell is done
        # Frames arrive while the driver talks to the page: one more rendered frame pair
        # makes sure the finished answer is in the recording.
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        cast.stop()
        to_animation(cast.concat_list(hold=2.0), target, box=box, size=size)
    print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return target


def to_animation(
    listing: Path, target: Path, *, box: dict[str, float], size: dict[str, int]
) -> None:
    """Crop the notebook out of the frames and encode them with ffmpeg (GIF: own palette)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise FileNotFoundError("ffmpeg not found: apt-get install -y ffmpeg")
    x, y = max(0, int(box["x"])), max(0, int(box["y"]))
    w = min(size["width"] - x, int(box["width"])) // 2 * 2
    hgt = min(size["height"] - y, int(box["height"])) // 2 * 2
    crop = f"crop={w}:{hgt}:{x}:{y},fps=12"
    cmd = [ffmpeg, "-y", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", str(listing)]
    if target.suffix == ".gif":
        graph = f"{crop},split[a][b];[a]palettegen=max_colors=64[p];[b][p]paletteuse=dither=none"
        cmd += ["-filter_complex", graph, "-loop", "0", str(target)]
    else:
        cmd += ["-vf", crop, "-c:v", "libwebp", "-loop", "0", "-q:v", "70", str(target)]
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(cmd, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="Output folder.")
    parser.add_argument("--only", choices=["png", "gif"], help="Capture just one of the two.")
    parser.add_argument("--format", choices=["gif", "webp"], default="gif", help="Animation.")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        folder = base / "notebooks"
        folder.mkdir()
        server = h.JupyterServer("lab", folder, base / "state", h.ARTIFACTS / "capture.log")
        with server, sync_playwright() as playwright:
            browser = h.launch_chromium(playwright)
            try:
                if args.only in (None, "png"):
                    capture_screenshot(browser, server, args.out)
                if args.only in (None, "gif"):
                    capture_streaming(browser, server, args.out, args.format)
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
