"""Client benchmarks, side by side with the official ``gumloop`` SDK when it is installed.

    python benchmarks/bench_client.py [--chunks 20000] [--calls 300] [--imports 9] [--rounds 7]

Prints one table, median [min - max] of interleaved rounds (each round runs every contender
once, in turn, so a burst of load on the machine hits all alike), in the client's CPU time
(its own cost, steady on a shared machine) and in wall-clock time:

* cold import: ``from gumloop_nb import Gumloop`` vs ``from gumloop import Gumloop`` in fresh
  interpreters (and ``import httpx, pydantic``, the floor both stand on);
* streamed chat, chunks per second through a loopback server in another process, twice: one
  HTTP chunk per event (a server flushing every token) and the whole body in one write. The
  contenders read the same bytes: gumloop_nb (every chunk validated into typed models and
  accumulated), the official SDK, plain httpx ``iter_lines`` + ``json.loads``, httpx-sse +
  ``json.loads``, and httpx ``iter_bytes`` + gumloop_nb's SSE decoder + ``json.loads`` (the
  decoder alone, against httpx-sse's);
* a unary chat call (ms per call, the median call of each round; 3x as many shorter rounds).

The ratios under the table are computed from the medians and compared with the targets.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _loopback import Server

MESSAGES = [{"role": "user", "content": "hi"}]
BODY = {"model": "bench", "messages": MESSAGES, "stream": True}


# -- contenders -----------------------------------------------------------------------------


def stream_ours(base: str) -> int:
    from gumloop_nb import Gumloop

    with Gumloop(api_key="bench", base_url=base, stream_base_url=base, max_retries=0) as client:
        stream = client.chat.completions.create(model="bench", messages=MESSAGES, stream=True)
        n = sum(1 for _ in stream)
        assert stream.completed and stream.error is None
    return n


def stream_official(base: str) -> int:
    import gumloop

    client = gumloop.Gumloop(api_key="bench", base_url=base, stream_base_url=base)
    try:
        return sum(
            1 for _ in client.chat.completions.create(model="bench", messages=MESSAGES, stream=True)
        )
    finally:
        client.close()


def stream_plain(base: str) -> int:
    n = 0
    with (
        httpx.Client() as http,
        http.stream("POST", base + "/chat/completions", json=BODY) as r,
    ):
        for line in r.iter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                json.loads(line[6:])
                n += 1
    return n


def stream_httpx_sse(base: str) -> int:
    from httpx_sse import EventSource

    n = 0
    with (
        httpx.Client() as http,
        http.stream("POST", base + "/chat/completions", json=BODY) as r,
    ):
        for event in EventSource(r).iter_sse():
            if event.data == "[DONE]":
                break
            json.loads(event.data)
            n += 1
    return n


def stream_our_decoder(base: str) -> int:
    from gumloop_nb.client._sse import SSEDecoder

    n = 0
    decoder = SSEDecoder()
    with (
        httpx.Client() as http,
        http.stream("POST", base + "/chat/completions", json=BODY) as r,
    ):
        for raw in r.iter_bytes():
            for data in decoder.feed_data(raw):
                if data == b"[DONE]" or data == "[DONE]":
                    return n
                json.loads(data)
                n += 1
    return n


Sample = tuple[float, float]  # (per CPU second of this process, per wall-clock second)


def timed_stream(run: Callable[[str], int], base: str, chunks: int) -> Callable[[], Sample]:
    def once() -> Sample:
        c, t = time.process_time(), time.perf_counter()
        n = run(base)
        cpu, wall = time.process_time() - c, time.perf_counter() - t
        assert n >= chunks, (run.__name__, n)
        return n / cpu, n / wall

    return once


def cold_import(stmt: str) -> Sample:
    """(CPU ms, wall ms) of ``stmt`` in a fresh interpreter."""
    code = (
        "import time; c=time.process_time(); t=time.perf_counter(); "
        f"{stmt}; print(time.process_time()-c, time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    cpu, wall = (float(x) * 1000 for x in out.stdout.split())
    return cpu, wall


def unary(call: Callable[[], object], calls: int) -> Sample:
    """(CPU ms, wall ms) per call: the client's CPU time over ``calls`` calls, and the median
    wall time of a call (a scheduling hiccup on a busy machine moves a mean by more than the
    difference being measured)."""
    times = []
    c = time.process_time()
    for _ in range(calls):
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    return (time.process_time() - c) / calls * 1000, statistics.median(times) * 1000


# -- measuring --------------------------------------------------------------------------------


def interleaved(
    contenders: dict[str, Callable[[], Sample]], rounds: int
) -> dict[str, list[Sample]]:
    results: dict[str, list[Sample]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            results[name].append(run())
    return results


def spread(values: list[float], fmt: str) -> str:
    return (
        f"{format(statistics.median(values), fmt)} "
        f"[{format(min(values), fmt)} - {format(max(values), fmt)}]"
    )


def add_rows(
    rows: list[tuple[str, ...]],
    med: dict[str, float],
    measure: str,
    key: str,
    results: dict[str, list[Sample]],
    fmt: str,
) -> None:
    for name, samples in results.items():
        cpu = [c for c, _ in samples]
        wall = [w for _, w in samples]
        rows.append((measure, name, spread(cpu, fmt), spread(wall, fmt)))
        med[f"{key} {name}"] = statistics.median(cpu)
        med[f"{key} {name} wall"] = statistics.median(wall)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--chunks", type=int, default=20000)
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--imports", type=int, default=9)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    try:
        import gumloop

        official = True
    except ImportError:
        official = False
    try:
        import httpx_sse  # noqa: F401

        has_sse = True
    except ImportError:
        has_sse = False

    rows: list[tuple[str, ...]] = []
    med: dict[str, float] = {}

    # What a user's first line costs: the client class, not just the (lazy) package.
    imports = {"gumloop_nb": lambda: cold_import("from gumloop_nb import Gumloop")}
    if official:
        imports["official"] = lambda: cold_import("from gumloop import Gumloop")
    imports["httpx + pydantic"] = lambda: cold_import("import httpx, pydantic")
    add_rows(rows, med, "cold import, ms", "import", interleaved(imports, args.imports), ".0f")

    with Server(args.chunks) as srv:
        for mode, label in (("events", "one HTTP chunk per event"), ("bulk", "one write")):
            base = srv.url(mode)
            runs: dict[str, Callable[[str], int]] = {"gumloop_nb": stream_ours}
            if official:
                runs["official"] = stream_official
            runs["httpx + json"] = stream_plain
            if has_sse:
                runs["httpx-sse + json"] = stream_httpx_sse
            runs["httpx + our SSE decoder + json"] = stream_our_decoder
            for run in runs.values():  # warm up (imports, first connection, model build)
                run(base)
            results = interleaved(
                {k: timed_stream(f, base, args.chunks) for k, f in runs.items()}, args.rounds
            )
            add_rows(rows, med, f"stream ({label}), chunks/s", mode, results, ",.0f")

        base = srv.url("bulk")
        from gumloop_nb import Gumloop

        ours_client = Gumloop(api_key="bench", base_url=base, max_retries=0)
        calls: dict[str, Callable[[], object]] = {
            "gumloop_nb": lambda: ours_client.chat.completions.create(
                model="bench", messages=MESSAGES
            )
        }
        if official:
            import gumloop

            off_client = gumloop.Gumloop(api_key="bench", base_url=base)
            calls["official"] = lambda: off_client.chat.completions.create(
                model="bench", messages=MESSAGES
            )
        plain_http = httpx.Client()
        url = base + "/chat/completions"
        calls["httpx + json"] = lambda: plain_http.post(
            url, json={"model": "bench", "messages": MESSAGES}
        ).json()
        for call in calls.values():
            for _ in range(20):
                call()
        # Short blocks, many rounds: load on the machine comes and goes within seconds.
        results = interleaved(
            {k: (lambda f=f: unary(f, args.calls // 3)) for k, f in calls.items()},
            args.rounds * 3,
        )
        add_rows(rows, med, "unary call, ms/call", "unary", results, ".3f")

    header = ("measure", "contender", "client CPU time", "wall clock")
    print("median [min - max] of the interleaved rounds")
    widths = [max(len(r[i]) for r in [*rows, header]) for i in range(4)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print()

    print("Ratios of the CPU-time medians (the client's own cost; on a busy machine the wall")
    print("clock mostly measures the scheduler), wall-clock medians in brackets:")

    def check(text: str, value: float, ok: bool, wall: float | None = None) -> None:
        extra = f" [{wall:.2f}]" if wall is not None else ""
        print(f"  {text} = {value:.2f}{extra}  {'ok' if ok else 'MISSED'}")

    def ratio2(a: str, b: str) -> tuple[float, float]:
        return med[a] / med[b], med[f"{a} wall"] / med[f"{b} wall"]

    if official:
        ratio, wall = ratio2("import gumloop_nb", "import official")
        check("import: ours/official time (target <= 0.35)", ratio, ratio <= 0.35, wall)
    for mode in ("events", "bulk"):
        ours = f"{mode} gumloop_nb"
        if official:
            ratio, wall = ratio2(ours, f"{mode} official")
            check(f"stream {mode}: ours/official throughput (target >= 2)", ratio, ratio >= 2, wall)
        # Time per chunk, ours over theirs, is their throughput over ours.
        ratio, wall = ratio2(f"{mode} httpx + json", ours)
        check(f"stream {mode}: ours/(httpx + json) time (target <= 1.2)", ratio, ratio <= 1.2, wall)
        if has_sse:
            ratio, wall = ratio2(f"{mode} httpx-sse + json", ours)
            check(
                f"stream {mode}: ours/(httpx-sse + json) time (target <= 1.1)",
                ratio,
                ratio <= 1.1,
                wall,
            )
            ratio, wall = ratio2(
                f"{mode} httpx + our SSE decoder + json", f"{mode} httpx-sse + json"
            )
            print(
                f"  stream {mode}: our SSE decoder / httpx-sse throughput = {ratio:.2f} [{wall:.2f}]"
            )
    if official:
        ratio, wall = ratio2("unary gumloop_nb", "unary official")
        check("unary: ours/official time (target <= 1.0)", ratio, ratio <= 1.0, wall)


if __name__ == "__main__":
    main()
