"""Client benchmarks, side by side with the official ``gumloop`` SDK when it is installed.

    python benchmarks/bench_client.py [--chunks 20000] [--calls 300] [--imports 7]

Prints one table: cold import time (median of fresh interpreters), streaming chat consumption
(chunks per second through a loopback server), and unary call time — for gumloop_nb, the
official SDK, and plain httpx + json.loads reading the same bytes.
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


def cold_import(stmt: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import time; t=time.perf_counter(); {stmt}; print(time.perf_counter()-t)",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(out.stdout.strip()))
    return statistics.median(times) * 1000


def stream_ours(base: str, chunks: int) -> float:
    from gumloop_nb import Gumloop

    client = Gumloop(api_key="bench", base_url=base, max_retries=0)
    t = time.perf_counter()
    s = client.chat.completions.create(model="bench", messages=MESSAGES, stream=True)
    n = sum(1 for _ in s)
    dt = time.perf_counter() - t
    assert n >= chunks, n
    client.close()
    return n / dt


def stream_official(base: str, chunks: int) -> float:
    import gumloop

    client = gumloop.Gumloop(api_key="bench", base_url=base)
    t = time.perf_counter()
    n = sum(
        1 for _ in client.chat.completions.create(model="bench", messages=MESSAGES, stream=True)
    )
    dt = time.perf_counter() - t
    assert n >= chunks, n
    client.close()
    return n / dt


def stream_plain(base: str, chunks: int) -> float:
    with httpx.Client() as http:
        t = time.perf_counter()
        n = 0
        with http.stream(
            "POST",
            base + "/chat/completions",
            json={"model": "bench", "messages": MESSAGES, "stream": True},
        ) as r:
            for line in r.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    json.loads(line[6:])
                    n += 1
        dt = time.perf_counter() - t
    assert n >= chunks, n
    return n / dt


def interleaved(
    contenders: dict[str, Callable[[], float]], rounds: int, pick: Callable[..., float]
) -> dict[str, float]:
    results: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            results[name].append(run())
    return {name: pick(values) for name, values in results.items()}


def unary(call: Callable[[], object], calls: int) -> float:
    for _ in range(20):
        call()
    t = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - t) / calls * 1000


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--chunks", type=int, default=20000)
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--imports", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    try:
        import gumloop  # noqa: F401

        official = True
    except ImportError:
        official = False

    rows: list[tuple[str, str, str, str]] = []
    # What a user's first line costs: the client class, not just the (lazy) package.
    imp_ours = cold_import("from gumloop_nb import Gumloop", args.imports)
    imp_off = cold_import("from gumloop import Gumloop", args.imports) if official else None
    imp_base = cold_import("import httpx, pydantic", args.imports)
    rows.append(
        (
            "cold import (ms, median)",
            f"{imp_ours:.0f}",
            f"{imp_off:.0f}" if imp_off else "n/a",
            f"{imp_base:.0f} (httpx+pydantic)",
        )
    )

    with Server(args.chunks) as srv:
        base = srv.base_url
        # Rounds interleave the contenders so a burst of load on the machine hits all alike;
        # each contender keeps its best round.
        streams: dict[str, Callable[[], float]] = {
            "ours": lambda: stream_ours(base, args.chunks),
            "plain": lambda: stream_plain(base, args.chunks),
        }
        if official:
            streams["official"] = lambda: stream_official(base, args.chunks)
        best_stream = interleaved(streams, args.rounds, max)

        def ours() -> Callable[[], object]:
            from gumloop_nb import Gumloop

            c = Gumloop(api_key="bench", base_url=base)
            return lambda: c.chat.completions.create(model="bench", messages=MESSAGES)

        def off() -> Callable[[], object]:
            import gumloop

            c = gumloop.Gumloop(api_key="bench", base_url=base)
            return lambda: c.chat.completions.create(model="bench", messages=MESSAGES)

        def plain() -> Callable[[], object]:
            h = httpx.Client()
            url = base + "/chat/completions"
            return lambda: h.post(url, json={"model": "bench", "messages": MESSAGES}).json()

        calls = {"ours": ours(), "plain": plain()}
        if official:
            calls["official"] = off()
        best_unary = interleaved(
            {k: (lambda f=f: unary(f, args.calls)) for k, f in calls.items()}, args.rounds, min
        )

    s_ours, s_plain, s_off = best_stream["ours"], best_stream["plain"], best_stream.get("official")
    u_ours, u_plain, u_off = best_unary["ours"], best_unary["plain"], best_unary.get("official")
    rows.append(
        (
            f"stream (chunks/s, best of {args.rounds})",
            f"{s_ours:,.0f}",
            f"{s_off:,.0f}" if s_off else "n/a",
            f"{s_plain:,.0f} (httpx+json)",
        )
    )
    rows.append(
        (
            f"unary call (ms/call, best of {args.rounds})",
            f"{u_ours:.3f}",
            f"{u_off:.3f}" if u_off else "n/a",
            f"{u_plain:.3f} (httpx+json)",
        )
    )

    header = ("measure", "gumloop_nb", "official gumloop", "baseline")
    widths = [max(len(r[i]) for r in [*rows, header]) for i in range(4)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print()
    if imp_off:
        print(f"import: ours/official = {imp_ours / imp_off:.2f} (target <= 0.5)")
    if s_off:
        print(
            f"stream: ours/official = {s_ours / s_off:.1f}x (target >= 2x); "
            f"plain/ours = {s_plain / s_ours:.2f} (target <= 1.5)"
        )
    if u_off:
        print(f"unary: ours/official = {u_ours / u_off:.2f} (target <= 1.0)")


if __name__ == "__main__":
    main()
