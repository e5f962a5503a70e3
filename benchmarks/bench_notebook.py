"""Notebook-layer benchmarks; prints a table (run: python benchmarks/bench_notebook.py).

1. ``%load_ext gumloop_nb`` cold time in a fresh process (no credentials, so it also starts the
   embedded emulator in the background), split into ``import gumloop_nb`` and the extension's
   own work, plus the time until the emulator accepts connections.
2. ChatStream rendering overhead over plain consumption of the same 20,000-chunk stream (the
   emulator runs in its own process; best of 7 interleaved runs, by wall and by consumer CPU).
3. ``compare`` of 5 models: wall time vs the slowest single model (emulator at real-time speed).
4. In a live kernel driven like JupyterLab (``cellId`` on every request, widget comms handled by
   the client; ``tests/notebook/kernel_frontend.py``): the ChatStream overhead in widget mode and
   in display mode (no widgets, in-place updates) over plain consumption of the same stream,
   measured inside the kernel, interleaved rounds (median, min, max).
5. Stop latency in a live kernel at real-time speed: from the Stop button's click (the comm
   message a browser sends) and from the kernel interrupt (the ■ button) until the cell's
   execute reply arrives, interleaved rounds (median, min, max).
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


def _spread(values: list[float], scale: float = 1.0, unit: str = "") -> str:
    return (
        f"{statistics.median(values) * scale:.0f}{unit} "
        f"(min {min(values) * scale:.0f}, max {max(values) * scale:.0f})"
    )


def _frontend_module() -> Any:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, os.path.join(root, "tests", "notebook"))
    import kernel_frontend

    return kernel_frontend


_KERNEL_SETUP = r"""
import time
from gumloop_nb.notebook import ChatStream, get_client
_client = get_client()
_messages = [{"role": "user", "content": PROMPT}]

def _bench(mode):
    stream = _client.chat.completions.create(model="gpt-4.1", messages=_messages, stream=True)
    start = time.perf_counter()
    if mode == "plain":
        n = sum(1 for _ in stream)
    else:
        view = ChatStream(mode=mode)
        view.consume(stream)
        n = view.updates
    return time.perf_counter() - start, n
"""


def bench_live_kernel(
    base_url: str, chunks_wanted: int = 10_000, rounds: int = 7
) -> dict[str, Any]:
    """ChatStream overhead inside a kernel whose widget comms go to a (scripted) frontend."""
    kf = _frontend_module()
    env = kf.kernel_env(GUMLOOP_ACCESS_TOKEN="bench", GUMLOOP_BASE_URL=base_url)
    prompt = "Repeat exactly: " + _document(int(chunks_wanted * 0.52))
    samples: dict[str, list[float]] = {"plain": [], "widget": [], "display": []}
    updates: dict[str, int] = {}
    with kf.Frontend(env) as fe:
        setup = fe.run("%load_ext gumloop_nb")
        assert setup.status == "ok", setup.text()
        run = fe.run(_KERNEL_SETUP.replace("PROMPT", repr(prompt)))
        assert run.status == "ok", run.text()
        fe.run('_bench("plain")')  # warm up the connection and the code paths
        for _ in range(rounds):
            for mode in samples:
                cell = fe.run(f'print(*_bench("{mode}"))', timeout=300)
                assert cell.status == "ok", cell.text()
                seconds, count = cell.stdout().split()
                samples[mode].append(float(seconds))
                updates[mode] = int(count)
    plain = statistics.median(samples["plain"])
    return {
        "samples": samples,
        "updates": updates,
        "overhead_widget": statistics.median(samples["widget"]) / plain - 1,
        "overhead_display": statistics.median(samples["display"]) / plain - 1,
        "chunks": chunks_wanted,
    }


def bench_stop_latency(rounds: int = 5) -> dict[str, list[float]]:
    """Click-to-stop and interrupt-to-stop, until the execute reply, at real-time speed."""
    kf = _frontend_module()
    words = " ".join(f"w{i}" for i in range(3000))
    results: dict[str, list[float]] = {"click": [], "interrupt": []}
    with kf.Frontend(kf.kernel_env(speed="1")) as fe:
        assert fe.run("%load_ext gumloop_nb").status == "ok"
        for _ in range(rounds):
            for how in results:
                msg_id = fe.submit(f"%%gumloop chat -o r\nRepeat exactly: {words}")
                fe.pump_until(lambda m=msg_id: " w40 " in fe.widget_text(m), 60)
                if how == "click":
                    button = fe.find_widget(msg_id, _model_name="ButtonModel", description="Stop")
                    start = time.monotonic()
                    fe.click(button)
                else:
                    start = time.monotonic()
                    fe.interrupt()
                run = fe.wait(msg_id, 30)
                results[how].append(run.reply_at - start)
    return results


def main() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    from gumloop_nb.emulator import serve

    InteractiveShell.instance()
    load = bench_load_ext()
    fast = _EmulatorProcess(speed=0)
    try:
        stream = bench_chat_stream(fast.base_url)
        live = bench_live_kernel(fast.base_url)
    finally:
        fast.stop()
    stops = bench_stop_latency()
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
    ls = live["samples"]
    rows += [
        (
            f"live kernel: {live['chunks']}-chunk stream, plain (ms)",
            _spread(ls["plain"], 1000),
            "",
        ),
        ("live kernel: ChatStream, widgets + comms (ms)", _spread(ls["widget"], 1000), ""),
        ("live kernel: ChatStream, display-id updates (ms)", _spread(ls["display"], 1000), ""),
        (
            "live kernel: widget-mode overhead (medians)",
            f"{live['overhead_widget'] * 100:+.1f} %",
            "",
        ),
        (
            "live kernel: display-mode overhead (medians)",
            f"{live['overhead_display'] * 100:+.1f} %",
            "",
        ),
        (
            "live kernel: widget / display updates per answer",
            f"{live['updates']['widget']} / {live['updates']['display']}",
            "",
        ),
        ("Stop click -> cell finished (ms)", _spread(stops["click"], 1000), "< 500 ms"),
        ("kernel interrupt -> cell finished (ms)", _spread(stops["interrupt"], 1000), "< 500 ms"),
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
