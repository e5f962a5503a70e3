"""Notebook-layer benchmarks; prints a table (run: python benchmarks/bench_notebook.py).

1. ``%load_ext gumloop_nb`` cold time in a fresh process (no credentials, so it also starts the
   embedded emulator in the background), split into ``import gumloop_nb`` and the extension's
   own work, plus the time until the emulator accepts connections.
2. ChatStream rendering overhead over plain consumption of the same 20,000-chunk stream (the
   emulator runs in its own process; best of 7 interleaved runs, by wall and by consumer CPU).
3. ``compare`` of 5 models: wall time vs the slowest single model (emulator at real-time speed).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

TEXT_MODELS = [
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gemini-2.5-flash",
]

_CHILD = r"""
import json, os, time
t0 = time.perf_counter()
from IPython.core.interactiveshell import InteractiveShell
ip = InteractiveShell.instance()
t1 = time.perf_counter()
import gumloop_nb
t2 = time.perf_counter()
ip.run_line_magic("load_ext", "gumloop_nb")
t3 = time.perf_counter()
conn = ip.magics_manager.registry["GumloopMagics"].get_connection()
conn.wait_ready()
t4 = time.perf_counter()
print(json.dumps({"import_pkg": t2 - t1, "load_ext": t3 - t2, "total": t3 - t1, "ready": t4 - t3}))
"""


def bench_load_ext(runs: int = 5) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUMLOOP_")}
    samples: list[dict[str, float]] = []
    for _ in range(runs):
        out = (
            subprocess.run(
                [sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, check=True
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        samples.append(json.loads(out))
    return {k: statistics.median(s[k] for s in samples) for k in samples[0]}


def _document(words: int) -> str:
    parts = []
    for i in range(words):
        parts.append(f"word{i}")
        if i % 60 == 59:
            parts.append("\n\n")
        elif i % 250 == 249:
            parts.append("\n\n```python\nx = 1\n```\n\n- item\n- item\n\n")
    return " ".join(parts)


class _EmulatorProcess:
    """The emulator in its own process, so the stream consumer's CPU time is measured alone."""

    def __init__(self, speed: float) -> None:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gumloop_nb.emulator",
                "--port",
                str(self.port),
                "--speed",
                str(speed),
                "--log-level",
                "error",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base_url = f"http://127.0.0.1:{self.port}/api/v1"
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the emulator process did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def bench_chat_stream(
    base_url: str, chunks_wanted: int = 20_000, repeats: int = 5
) -> dict[str, Any]:
    from gumloop_nb import Gumloop
    from gumloop_nb.notebook import ChatStream

    client = Gumloop(api_key="bench", base_url=base_url)
    prompt = "Repeat exactly: " + _document(int(chunks_wanted * 0.52))
    messages = [{"role": "user", "content": prompt}]

    def plain() -> tuple[float, float, int]:
        wall, cpu = time.perf_counter(), time.process_time()
        count = 0
        parts = []
        for chunk in client.chat.completions.create(
            model="gpt-4.1", messages=messages, stream=True
        ):
            count += 1
            if chunk.choices and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
        "".join(parts)
        return time.perf_counter() - wall, time.process_time() - cpu, count

    def widget() -> tuple[float, float, int]:
        wall, cpu = time.perf_counter(), time.process_time()
        view = ChatStream(live=False)
        view.publish = lambda: None  # type: ignore[method-assign]  # no shell to print to
        view.consume(
            client.chat.completions.create(model="gpt-4.1", messages=messages, stream=True)
        )
        return time.perf_counter() - wall, time.process_time() - cpu, view.updates

    plain()  # warm up connection, imports and the markdown parser
    widget()
    p_wall, p_cpu, w_wall, w_cpu = [], [], [], []
    updates = chunks = 0
    for _ in range(repeats):  # interleaved, so machine load affects both alike
        wall, cpu, chunks = plain()
        p_wall.append(wall)
        p_cpu.append(cpu)
        wall, cpu, updates = widget()
        w_wall.append(wall)
        w_cpu.append(cpu)
    client.close()
    # The minimum is the run least disturbed by other load on the machine (both sides alike).
    med = min
    return {
        "chunks": chunks,
        "plain_s": med(p_wall),
        "widget_s": med(w_wall),
        "plain_cpu": med(p_cpu),
        "widget_cpu": med(w_cpu),
        "overhead": med(w_wall) / med(p_wall) - 1,
        "overhead_cpu": med(w_cpu) / med(p_cpu) - 1,
        "updates": updates,
    }


def bench_compare(base_url: str) -> dict[str, Any]:
    from gumloop_nb import Gumloop
    from gumloop_nb.notebook import CompareGrid
    from gumloop_nb.notebook.compare import compare_models

    client = Gumloop(api_key="bench", base_url=base_url)
    messages = [{"role": "user", "content": "Explain what Gumloop flows and agents are for."}]
    singles = {}
    for model in TEXT_MODELS:
        start = time.perf_counter()
        rows = compare_models(client, [model], messages)
        singles[model] = time.perf_counter() - start
        assert rows[0].error is None, rows[0].error
    grid = CompareGrid(TEXT_MODELS, live=False)
    start = time.perf_counter()
    rows = compare_models(client, TEXT_MODELS, messages, grid=grid)
    wall = time.perf_counter() - start
    client.close()
    slowest = max(singles.values())
    return {
        "singles": singles,
        "wall": wall,
        "slowest": slowest,
        "ratio": wall / slowest,
        "errors": [r.error for r in rows if r.error],
    }


def main() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    from gumloop_nb.emulator import serve

    InteractiveShell.instance()
    load = bench_load_ext()
    fast = _EmulatorProcess(speed=0)
    try:
        stream = bench_chat_stream(fast.base_url)
    finally:
        fast.stop()
    with serve(speed=1.0) as real_time:
        comp = bench_compare(real_time.base_url)

    rows = [
        (
            "%load_ext gumloop_nb, total (cold process)",
            f"{load['total'] * 1000:.0f} ms",
            "< 300 ms",
        ),
        ("  of which import gumloop_nb (client)", f"{load['import_pkg'] * 1000:.0f} ms", ""),
        (
            "  of which the extension (magics, emulator thread)",
            f"{load['load_ext'] * 1000:.0f} ms",
            "",
        ),
        ("emulator ready after load (background)", f"{load['ready'] * 1000:.0f} ms", ""),
        (
            f"stream of {stream['chunks']} chunks, plain consumption",
            f"{stream['plain_s']:.3f} s",
            "",
        ),
        ("same stream through ChatStream", f"{stream['widget_s']:.3f} s", ""),
        ("ChatStream overhead, wall time", f"{stream['overhead'] * 100:+.1f} %", "< 10 %"),
        ("  consumer CPU, plain", f"{stream['plain_cpu']:.3f} s", ""),
        ("  consumer CPU, ChatStream", f"{stream['widget_cpu']:.3f} s", ""),
        (
            "ChatStream overhead, consumer CPU time",
            f"{stream['overhead_cpu'] * 100:+.1f} %",
            "< 10 %",
        ),
        ("ChatStream display updates", f"{stream['updates']}", "~20/s max"),
    ]
    for model, seconds in comp["singles"].items():
        rows.append((f"single model {model}", f"{seconds:.2f} s", ""))
    rows += [
        ("compare of 5 models, wall time", f"{comp['wall']:.2f} s", ""),
        ("compare wall / slowest single model", f"{comp['ratio']:.2f}x", "<= 1.2x"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'value':>10}  target")
    print("-" * (width + 22))
    for name, value, target in rows:
        print(f"{name.ljust(width)}  {value:>10}  {target}")
    if comp["errors"]:
        print("compare errors:", comp["errors"])


if __name__ == "__main__":
    main()
