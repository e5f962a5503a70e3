"""df.gumloop benchmarks against the emulator with a fixed per-call latency; prints a table.

Run: ``python benchmarks/bench_batch.py [--latency 0.05] [--rounds 3] [--parts dask,...]``.
The emulator runs in its own process (``python -m gumloop_nb.emulator --speed 0 --fault
latency=S``), so every chat call waits S seconds server-side without using CPU: the calls are
latency-bound, as real model calls are. Contenders are interleaved round by round; each row shows median/min/max.

1. Throughput of ``df.gumloop.map`` at concurrency 1, 4, 16, 64 (rows/s), and the ceiling of
   one client process against one emulator process (bare client, 64 in flight, no latency) with
   the CPU each side spends per call, to show which side limits the higher concurrencies.
2. Overhead per row at 16-way concurrency over the bare client making the same calls
   (``AsyncGumloop`` + a semaphore of 16, no cache): target <= 10 %.
3. A fully cached re-run of 5,000 rows: target <= 1 s.
4. Checkpointing (``checkpoint=PATH``) over no store at all: target <= 5 %; also the cost of
   one committed write alone, since on a shared machine the end-to-end times are noisy.
5. Dask: a 2-worker LocalCluster over 1 worker on the same latency-bound rows (its own emulator,
   ``--dask-latency``, 250 ms by default): target >= 1.6x.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

import gumloop_nb.batch  # noqa: F401  (registers df.gumloop)
from gumloop_nb import AsyncGumloop, Gumloop

PROMPT = "Row {row}: summarise {name} ({category})"
MODEL = "gpt-4.1-mini"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EmulatorProcess:
    def __init__(self, fault: str | None) -> None:
        self.port = free_port()
        cmd = [
            sys.executable,
            "-m",
            "gumloop_nb.emulator",
            "--port",
            str(self.port),
            "--speed",
            "0",
            "--log-level",
            "warning",
        ]
        if fault:
            cmd += ["--fault", fault]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        self.base_url = f"http://127.0.0.1:{self.port}/api/v1"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(
                    f"{self.base_url}/models", headers={"Authorization": "Bearer k"}, timeout=2
                )
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError("emulator did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


PARTS = ("ceiling", "throughput", "overhead", "checkpoint", "cache", "dask")


class _Skip(Exception):
    """A part left out with --parts."""


def store_write_us(tmp: Path, rounds: int) -> list[float]:
    """Microseconds per committed result, as the engine writes them (one commit each)."""
    from gumloop_nb.batch import ResultStore

    value = {"answer": "x" * 400, "model": MODEL, "prompt_tokens": 20, "cost": 0.01}
    out = []
    for r in range(rounds):
        store = ResultStore(tmp / f"writes{r}.sqlite3")
        store.put("warm-up", value)
        start = time.perf_counter()
        for i in range(400):
            store.put(f"{r}-{i}", value)
        out.append((time.perf_counter() - start) / 400 * 1e6)
        store.close()
    return out


def process_cpu(pid: int) -> float:
    """CPU seconds used so far by another process (Linux /proc; -1 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return -1.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    """CPU seconds used so far by this process (the client side)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rows(n: int) -> pd.DataFrame:
    base = pd.read_csv(resources.files("gumloop_nb.emulator") / "data" / "elements.csv")
    frame = base.iloc[[i % len(base) for i in range(n)]].reset_index(drop=True)
    frame.insert(0, "row", range(n))
    return frame


def timed(func: Callable[[], Any]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def interleaved(contenders: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, func in contenders.items():
            times[name].append(timed(func))
    return times


def fmt(values: list[float], unit: str = "s", scale: float = 1.0) -> str:
    med, lo, hi = (statistics.median(values) * scale, min(values) * scale, max(values) * scale)
    return f"{med:.3f} {unit} (min {lo:.3f}, max {hi:.3f})"


def batch_map(client: Any, df: pd.DataFrame, concurrency: int, **kwargs: Any) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a failed row would skew the numbers: fail loudly
        return df.gumloop.map(
            PROMPT, client=client, model=MODEL, concurrency=concurrency, progress=False, **kwargs
        )


def bare(base_url: str, df: pd.DataFrame, concurrency: int) -> None:
    texts = [
        f"Row {r}: summarise {n} ({c})"
        for r, n, c in zip(df["row"], df["name"], df["category"], strict=True)
    ]

    async def main() -> None:
        client = AsyncGumloop(api_key="k", base_url=base_url, max_retries=0)
        gate = asyncio.Semaphore(concurrency)

        async def one(text: str) -> None:
            async with gate:
                await client.chat.completions.create(
                    model=MODEL, messages=[{"role": "user", "content": text}]
                )

        await asyncio.gather(*(one(t) for t in texts))
        await client.aclose()

    asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dask-latency", type=float, default=0.25)
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help=f"comma-separated subset of {','.join(PARTS)} (default: all)",
    )
    args = parser.parse_args()
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    if parts - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(parts - set(PARTS)))}")
    table: list[tuple[str, str, str]] = []
    fresh = {"cache": False}

    print(f"emulator: own process, --speed 0, fixed latency {args.latency * 1000:.0f} ms per call")
    ceiling_em = EmulatorProcess(None) if "ceiling" in parts else None
    try:
        if ceiling_em is None:
            raise _Skip
        df = rows(1000)
        bare(ceiling_em.base_url, rows(200), 64)  # warm up the emulator (first-use imports)
        em_cpu0, client_cpu0 = process_cpu(ceiling_em.proc.pid), own_cpu()
        t = interleaved({"bare64": lambda: bare(ceiling_em.base_url, df, 64)}, args.rounds)
        em_cpu, client_cpu = process_cpu(ceiling_em.proc.pid) - em_cpu0, own_cpu() - client_cpu0
        rates = [len(df) / x for x in t["bare64"]]
        table.append(
            (
                "ceiling: bare client, 64 in flight, no latency",
                fmt(rates, "rows/s"),
                "the limit for the rows below",
            )
        )
        calls = len(df) * args.rounds
        if em_cpu0 >= 0:
            table.append(
                (
                    "CPU per call: emulator process / client process",
                    f"{em_cpu / calls * 1000:.2f} ms / {client_cpu / calls * 1000:.2f} ms",
                    "the larger one bounds the ceiling",
                )
            )
    except _Skip:
        pass
    finally:
        if ceiling_em is not None:
            ceiling_em.stop()

    em = EmulatorProcess(f"latency={args.latency}")
    client = Gumloop(api_key="k", base_url=em.base_url)
    try:
        batch_map(client, rows(100), 16, cache=False)  # warm-up
        # 1. throughput by concurrency
        for concurrency in (1, 4, 16, 64) if "throughput" in parts else ():
            n = max(40, 25 * concurrency)
            df = rows(n)
            t = interleaved(
                {"map": lambda df=df, c=concurrency: batch_map(client, df, c, **fresh)}, args.rounds
            )
            ideal = concurrency / args.latency
            table.append(
                (
                    f"map throughput, concurrency {concurrency} ({n} rows)",
                    fmt([n / x for x in t["map"]], "rows/s"),
                    f"latency-bound ideal {ideal:.0f} rows/s",
                )
            )

        # 2. overhead at 16 over the bare client
        df = rows(400)
        t = (
            {}
            if "overhead" not in parts
            else interleaved(
                {
                    "bare": lambda: bare(em.base_url, df, 16),
                    "map": lambda: batch_map(client, df, 16, **fresh),
                },
                args.rounds,
            )
        )
        if t:
            per_row = {k: [x / len(df) * 1000 for x in v] for k, v in t.items()}
            overhead = (statistics.median(t["map"]) / statistics.median(t["bare"]) - 1) * 100
            table.append(("bare client, 16 in flight, per row", fmt(per_row["bare"], "ms"), ""))
            table.append(
                (
                    "df.gumloop.map, 16 in flight, per row",
                    fmt(per_row["map"], "ms"),
                    f"overhead {overhead:+.1f} % (target <= 10 %)",
                )
            )

        # 4. checkpoint cost
        with tempfile.TemporaryDirectory() as tmp:
            counter = iter(range(10**6))

            def with_checkpoint() -> None:
                batch_map(
                    client, df, 16, checkpoint=Path(tmp) / f"cp{next(counter)}.sqlite3", **fresh
                )

            if "checkpoint" in parts:
                t = interleaved(
                    {
                        "none": lambda: batch_map(client, df, 16, **fresh),
                        "checkpoint": with_checkpoint,
                    },
                    args.rounds,
                )
                cost = (statistics.median(t["checkpoint"]) / statistics.median(t["none"]) - 1) * 100
                best = (min(t["checkpoint"]) / min(t["none"]) - 1) * 100
                table.append(("map 400 rows, no store", fmt(t["none"]), ""))
                table.append(
                    (
                        "map 400 rows, checkpoint=PATH",
                        fmt(t["checkpoint"]),
                        f"checkpointing {cost:+.1f} % median, {best:+.1f} % best (target <= 5 %)",
                    )
                )
                write = store_write_us(Path(tmp), args.rounds)
                share = statistics.median(write) / 1e6 / (args.latency / 16) * 100
                table.append(
                    (
                        "checkpoint write per row (commit, WAL)",
                        fmt(write, "us"),
                        f"{share:.1f} % of a row's time at 16-way and {args.latency * 1000:.0f} ms",
                    )
                )

            # 3. cached re-run of 5,000 rows
            if "cache" not in parts:
                raise _Skip
            big = rows(5000)
            cache = Path(tmp) / "cache.sqlite3"
            fill = timed(lambda: batch_map(client, big, 64, cache=str(cache)))
            t = interleaved(
                {"cached": lambda: batch_map(client, big, 64, cache=str(cache))}, args.rounds
            )
            table.append(
                ("first run of 5,000 rows (fills the cache), concurrency 64", f"{fill:.3f} s", "")
            )
            table.append(("fully cached re-run of 5,000 rows", fmt(t["cached"]), "target <= 1 s"))

    except _Skip:
        pass
    finally:
        client.close()
        em.stop()
    # 5. Dask, on its own emulator with a longer latency so the calls stay latency-bound
    if "dask" in parts:
        dask_em = EmulatorProcess(f"latency={args.dask_latency}")
        dask_client = Gumloop(api_key="k", base_url=dask_em.base_url)
        try:
            table.extend(dask_rows(dask_client, args.rounds, args.dask_latency))
        finally:
            dask_client.close()
            dask_em.stop()

    width = max(len(r[0]) for r in table)
    print(
        f"\n{'measurement':<{width}}  {'median (min, max) over ' + str(args.rounds) + ' rounds':<44}  note"
    )
    for name, value, note in table:
        print(f"{name:<{width}}  {value:<44}  {note}")


def dask_rows(client: Any, rounds: int, latency: float) -> list[tuple[str, str, str]]:
    try:
        import dask.dataframe as dd
        from distributed import Client, LocalCluster
    except ImportError:
        return [("dask", "skipped", "pip install 'gumloop_nb[dask]'")]
    import gumloop_nb.batch.dask  # noqa: F401

    df = rows(240)
    out: dict[str, list[float]] = {"1 worker": [], "2 workers": []}
    clusters = {
        name: LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        for name, n in (("1 worker", 1), ("2 workers", 2))
    }
    try:
        for cluster in clusters.values():  # warm-up: worker imports, first connections
            with Client(cluster) as dask_client:
                dask_client.wait_for_workers(len(cluster.workers))
                warm = dd.from_pandas(rows(16), npartitions=len(cluster.workers) * 2)
                warm.gumloop.map(PROMPT, client=client, model=MODEL, cache=False).compute()
        for _ in range(rounds):
            for name, cluster in clusters.items():
                with Client(cluster) as dask_client:
                    dask_client.wait_for_workers(len(cluster.workers))
                    ddf = dd.from_pandas(df, npartitions=8)
                    lazy = ddf.gumloop.map(
                        PROMPT, client=client, model=MODEL, concurrency=4, cache=False
                    )
                    out[name].append(timed(lazy.compute))
    finally:
        for cluster in clusters.values():
            cluster.close()
    speedup = statistics.median(out["1 worker"]) / statistics.median(out["2 workers"])
    return [
        (
            "Dask LocalCluster, 1 worker (240 rows, 8 partitions, 4 in flight each)",
            fmt(out["1 worker"]),
            "",
        ),
        (
            "Dask LocalCluster, 2 workers (same)",
            fmt(out["2 workers"]),
            f"speed-up {speedup:.2f}x (target >= 1.6x)",
        ),
    ]


if __name__ == "__main__":
    os.environ.setdefault("GUMLOOP_NB_CACHE", "off")
    import logging

    logging.getLogger("distributed").setLevel(logging.WARNING)
    main()
