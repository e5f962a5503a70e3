"""Benchmark: an MCP result of 100,000 records (10 fields, some nested) -> DataFrame.

Prints a table comparing ``gumloop_nb.frames`` with ``pandas.json_normalize``,
``pandas.DataFrame(records)`` and ``json.loads`` of the same payload: best-of-N wall time, and the
peak memory allocated during the call against the resulting frame's ``memory_usage(deep=True)``.

Peak memory is measured in a fresh subprocess per case: tracemalloc (Python and numpy allocations)
plus the growth of pyarrow's memory pool peak (pandas' ``str`` columns live there and tracemalloc
does not see them).

Targets (issue 5): ours <= 0.5x json_normalize's time on the decoded list; peak <= 1.5x frame size.

    python benchmarks/bench_frames.py [--rows 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

CASES = ("json.loads", "json_normalize", "DataFrame(records)", "ours: records", "ours: MCP e2e")


def make_records(n: int) -> list[dict[str, Any]]:
    rng = random.Random(5)
    cities = ["Paris", "Oslo", "Lima", "Accra", "Quito", "Hanoi"]
    return [
        {
            "id": i,
            "name": f"user{i}",
            "email": f"user{i}@example.com",
            "score": round(rng.random() * 100, 3),
            "active": i % 3 == 0,
            "age": (18 + i % 60) if i % 7 else None,  # integers with gaps
            "address": {
                "city": rng.choice(cities),
                "zip": f"{i % 99999:05d}",
                "geo": {"lat": rng.uniform(-90, 90), "lon": rng.uniform(-180, 180)},
            },
            "tags": ["a", "b", "c"][: i % 4],
            "created_at": f"2026-01-{1 + i % 28:02d}T10:00:00Z",
            "meta": {"source": "crm" if i % 2 else "web", "rank": i % 10},
        }
        for i in range(n)
    ]


def mcp_response(text: str) -> dict[str, Any]:
    return {
        "results": [
            {
                "ref": "0",
                "server_id": "datasets",
                "tool_name": "query",
                "status": "success",
                "error": None,
                "content": [{"type": "text", "text": text}],
            }
        ]
    }


def case_fn(name: str, records: list[dict[str, Any]], text: str) -> Callable[[], Any]:
    import pandas as pd

    from gumloop_nb.frames import records_to_dataframe, to_dataframe

    response = mcp_response(text)
    return {
        "json.loads": lambda: json.loads(text),
        "json_normalize": lambda: pd.json_normalize(records),
        "DataFrame(records)": lambda: pd.DataFrame(records),
        "ours: records": lambda: records_to_dataframe(records),
        "ours: MCP e2e": lambda: to_dataframe(response, meta=False),
    }[name]


def best_time(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def measure_memory(name: str, rows: int) -> dict[str, float]:
    """Run in a child process: peak bytes allocated by one call, and the result's size."""
    import pandas as pd

    try:
        import pyarrow as pa

        pool = pa.default_memory_pool()
    except ImportError:  # pragma: no cover
        pool = None
    records = make_records(rows)
    text = json.dumps(records)
    fn = case_fn(name, records, text)
    fn()  # warm-up: imports and caches are not part of the call's footprint
    gc.collect()
    arrow_before = pool.max_memory() if pool is not None else 0
    tracemalloc.start()
    result = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    arrow_peak = (pool.max_memory() - arrow_before) if pool is not None else 0
    size = float(result.memory_usage(deep=True).sum()) if isinstance(result, pd.DataFrame) else 0.0
    return {"peak": float(peak + max(arrow_peak, 0)), "frame": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--mem", help=argparse.SUPPRESS)  # internal: child-process measurement
    args = parser.parse_args()
    if args.mem:
        print(json.dumps(measure_memory(args.mem, args.rows)))
        return

    records = make_records(args.rows)
    text = json.dumps(records)
    print(
        f"{args.rows:,} records, 10 fields (3 nested objects, a list, integers with gaps); "
        f"JSON {len(text) / 1e6:.1f} MB; best of {args.repeat}"
    )
    fns = {name: case_fn(name, records, text) for name in CASES}
    for fn in fns.values():
        fn()  # warm-up
    times = dict.fromkeys(CASES, float("inf"))
    # Rounds over all cases (not all repeats of one case, then the next) so that a burst of
    # load on a shared machine hits every case alike.
    for _ in range(args.repeat):
        for name, fn in fns.items():
            times[name] = min(times[name], best_time(fn, 1))
    mem = {}
    for name in CASES:
        out = subprocess.run(
            [sys.executable, __file__, "--mem", name, "--rows", str(args.rows)],
            capture_output=True,
            text=True,
            check=True,
        )
        mem[name] = json.loads(out.stdout)
    base = times["json_normalize"]
    print(
        f"{'case':<20} {'time (s)':>9} {'vs json_normalize':>18} {'peak MB':>9} "
        f"{'frame MB':>9} {'peak/frame':>11}"
    )
    for name in CASES:
        frame = mem[name]["frame"]
        ratio = f"{mem[name]['peak'] / frame:.2f}" if frame else "-"
        frame_txt = f"{frame / 1e6:.1f}" if frame else "-"
        print(
            f"{name:<20} {times[name]:>9.3f} {times[name] / base:>17.2f}x "
            f"{mem[name]['peak'] / 1e6:>9.1f} {frame_txt:>9} {ratio:>11}"
        )
    ours = times["ours: records"] / base
    peak = mem["ours: records"]["peak"] / mem["ours: records"]["frame"]
    e2e = times["ours: MCP e2e"] / (times["json.loads"] + base)
    print(
        f"\ntarget time  <= 0.50x json_normalize : {ours:.2f}x  {'OK' if ours <= 0.5 else 'MISSED'}"
    )
    print(
        f"target peak  <= 1.50x frame size     : {peak:.2f}x  {'OK' if peak <= 1.5 else 'MISSED'}"
    )
    print(f"end to end (decode + frame) vs json.loads + json_normalize: {e2e:.2f}x")


if __name__ == "__main__":
    main()
