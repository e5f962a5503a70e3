"""Capture the README's pictures from a real JupyterLab session, so they never go stale.

Reuses the end-to-end suite's helpers (tests/e2e/_harness.py): a JupyterLab server on
127.0.0.1 over a scratch folder, the system Chromium driven by Playwright, cells run through
the menus. Produces:

* ``docs/screenshot.png``: a streamed chat answer with its provenance footer, a side-by-side
  comparison of several models (one failing in place) and the comparison as a DataFrame.
* ``docs/streaming.gif``: a few seconds of an answer streaming in, recorded with Playwright's
  video recording and turned into a GIF (or ``--format webp``) with ffmpeg.

The emulator runs at its real pace and without credentials, like the notebooks. Needs the
``e2e`` extra, Debian's ``chromium`` and ``ffmpeg``.

Usage::

    python scripts/capture_media.py                    # both, into docs/
    python scripts/capture_media.py --out /tmp/media   # somewhere else
    python scripts/capture_media.py --only gif --format webp
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
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
WIDTH = 1000


def write_notebook(folder: Path, name: str, cells: list[str]) -> str:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(nb, folder / name)
    return name


def notebook_box(page: Any) -> dict[str, float]:
    """The on-screen box of the notebook's cells (for cropping)."""
    box = page.locator(h.CELL).first.locator("xpath=..").bounding_box()
    if box is None:
        raise RuntimeError("the notebook is not on screen")
    return dict(box)


def capture_screenshot(browser: Any, server: h.JupyterServer, out: Path) -> Path:
    name = write_notebook(server.root_dir, "readme_screenshot.ipynb", SCREENSHOT_CELLS)
    with h.browser_page(browser, server, viewport={"width": WIDTH, "height": 900}) as page:
        notebook = h.NotebookPage(page, server, name).open()
        notebook.run_all()
        problems = notebook.console.errors + [str(e) for e in notebook.error_outputs()]
        if problems:
            raise RuntimeError(f"the screenshot notebook did not run cleanly: {problems}")
        target = out / "screenshot.png"
        notebook.screenshot(target, only_cells=True)
        print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
        return target


def capture_streaming(browser: Any, server: h.JupyterServer, out: Path, fmt: str) -> Path:
    name = write_notebook(server.root_dir, "readme_streaming.ipynb", STREAMING_CELLS)
    with tempfile.TemporaryDirectory() as tmp:
        size = {"width": WIDTH, "height": 640}
        context = browser.new_context(viewport=size, record_video_dir=tmp, record_video_size=size)
        context.add_init_script(h.CANARY_INIT_SCRIPT)
        recording_started = time.monotonic()
        page = context.new_page()
        page.goto(server.login_url())
        notebook = h.NotebookPage(page, server, name).open()
        notebook.run_cell(0)
        # The page is ready and the picture is settled: the animation starts here.
        start = time.monotonic() - recording_started
        notebook.run_cell(1)
        end = time.monotonic() - recording_started
        box = notebook_box(page)
        # Keep the finished answer on screen for a moment: wait for one more rendered frame
        # pair instead of a fixed sleep, then stop recording.
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        video = page.video
        context.close()
        if video is None:
            raise RuntimeError("Playwright did not record a video")
        webm = Path(video.path())
        target = out / f"streaming.{fmt}"
        to_animation(webm, target, start=max(0.0, start - 0.3), end=end + 1.5, box=box)
    print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return target


def to_animation(
    webm: Path, target: Path, *, start: float, end: float, box: dict[str, float]
) -> None:
    """Cut, crop and convert a Playwright recording with ffmpeg (GIF with its own palette)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise FileNotFoundError("ffmpeg not found: apt-get install -y ffmpeg")
    x, y = max(0, int(box["x"])), max(0, int(box["y"]))
    w = min(WIDTH - x, int(box["width"]))
    crop = f"crop={w}:min(ih-{y}\\,{max(200, int(box['height']))}):{x}:{y},fps=12"
    cmd = [ffmpeg, "-y", "-loglevel", "error", "-ss", f"{start:.2f}", "-to", f"{end:.2f}"]
    cmd += ["-i", str(webm)]
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
