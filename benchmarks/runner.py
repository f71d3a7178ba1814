"""Worker processes (multiprocessing, spawn): each loads Django and opens its own connection.

A pool of N workers is started once per worker count and runs every throughput case in turn.
For one *cell* (a case at N workers) each worker prepares the case and warms up, all wait for
the start signal, then each repeats the operation for the same number of seconds, timing each
one. Operations/s = all operations / (last end - first start).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import random
import statistics
import time
import traceback
from array import array
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from benchmarks.stats import percentile


@dataclass
class CellResult:
    case: str
    scenario: str
    workers: int
    ops: int
    seconds: float
    ops_per_s: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    errors: dict[str, int] = field(default_factory=dict)
    baseline: str | None = None
    ratio: float | None = None
    problems: list[str] = field(default_factory=list)


def _worker_main(
    index: int,
    workers: int,
    backend: str,
    env: dict,
    fixtures: dict,
    run_id: str,
    seed: int,
    pipe: Connection,
) -> None:
    try:
        from benchmarks.env import setup_django

        setup_django(env)
        from django.db import connection

        from benchmarks.registry import WorkerContext, get_case

        rng = random.Random(seed)
        ctx = WorkerContext(backend, index, workers, run_id, fixtures, rng)
        pipe.send(("up",))
        states: dict[str, Any] = {}
        while True:
            message = pipe.recv()
            if message[0] == "stop":
                break
            _, case_name, duration, warmup = message
            case = get_case(case_name)
            if case_name not in states:
                states[case_name] = case.worker_setup(ctx)
            state = states[case_name]
            warmup_errors: Counter[str] = Counter()
            for _ in range(warmup):
                try:
                    case.run_one(state)
                except Exception as exc:
                    warmup_errors[f"warm-up {type(exc).__name__}: {str(exc)[:120]}"] += 1
                    if connection.connection is not None and not connection.is_usable():
                        connection.close()
            pipe.send(("ready",))
            assert pipe.recv()[0] == "go"
            latencies = array("d")
            errors: Counter[str] = Counter(warmup_errors)
            start = time.perf_counter()
            deadline = start + duration
            now = start
            while now < deadline:
                try:
                    case.run_one(state)
                except Exception as exc:
                    errors[f"{type(exc).__name__}: {str(exc)[:120]}"] += 1
                    if connection.connection is not None and not connection.is_usable():
                        connection.close()
                    now = time.perf_counter()
                    continue
                end = time.perf_counter()
                latencies.append(end - now)
                now = end
            pipe.send(("done", start, now, latencies.tobytes(), dict(errors)))
    except Exception:
        pipe.send(("failed", traceback.format_exc()))
    finally:
        pipe.close()


@dataclass
class Slice:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


def _cell(case: Any, workers: int, slices: list[Slice]) -> CellResult:
    latencies = [value for part in slices for value in part.latencies]
    errors: Counter[str] = Counter()
    for part in slices:
        errors.update(part.errors)
    ops = len(latencies)  # successful operations; failures are counted in ``errors``
    seconds = sum(part.seconds for part in slices)
    return CellResult(
        case=case.name,
        scenario=case.scenario,
        workers=workers,
        ops=ops,
        seconds=round(seconds, 2),
        ops_per_s=round(ops / seconds, 1) if seconds else 0.0,
        p50_ms=round(percentile(latencies, 50) * 1000, 2),
        p99_ms=round(percentile(latencies, 99) * 1000, 2),
        mean_ms=round(statistics.fmean(latencies) * 1000, 2) if latencies else 0.0,
        errors=dict(errors),
        baseline=case.baseline,
    )


class Pool:
    def __init__(
        self, workers: int, *, backend: str, env: dict, fixtures: dict, run_id: str, seed: int
    ) -> None:
        ctx = mp.get_context("spawn")
        self.workers = workers
        self.pipes: list[Connection] = []
        self.procs = []
        for index in range(workers):
            parent, child = ctx.Pipe()
            proc = ctx.Process(
                target=_worker_main,
                args=(index, workers, backend, env, fixtures, run_id, seed * 1000 + index, child),
                daemon=True,
                name=f"bench-worker-{index}",
            )
            proc.start()
            child.close()
            self.pipes.append(parent)
            self.procs.append(proc)
        self._gather("up")

    def _gather(self, expected: str) -> list[tuple]:
        replies = []
        for index, pipe in enumerate(self.pipes):
            if not pipe.poll(600):
                raise RuntimeError(f"worker {index} did not answer")
            reply = pipe.recv()
            if reply[0] == "failed":
                raise RuntimeError(f"worker {index} failed:\n{reply[1]}")
            if reply[0] != expected:
                raise RuntimeError(f"worker {index} said {reply[0]!r}, expected {expected!r}")
            replies.append(reply)
        return replies

    def run_slice(self, case: Any, *, duration: float, warmup: int) -> Slice:
        """All workers run ``case`` for ``duration`` seconds, after ``warmup`` operations each."""
        for pipe in self.pipes:
            pipe.send(("run", case.name, duration, warmup))
        self._gather("ready")
        for pipe in self.pipes:
            pipe.send(("go",))
        replies = self._gather("done")
        result = Slice(seconds=max(r[2] for r in replies) - min(r[1] for r in replies))
        for reply in replies:
            values = array("d")
            values.frombytes(reply[3])
            result.latencies.extend(values)
            result.errors.update(reply[4])
        return result

    def run(
        self, cases: list[Any], *, duration: float, warmup: int, rounds: int = 1, on_cell=None
    ) -> list[CellResult]:
        """Run every case for ``duration`` seconds, in ``rounds`` interleaved slices.

        Slicing spreads whatever else the machine is doing over all the cases alike, so that a
        ratio compares figures measured under the same conditions.
        """
        slices: dict[str, list[Slice]] = {case.name: [] for case in cases}
        for round_ in range(rounds):
            for case in cases:
                slices[case.name].append(
                    self.run_slice(
                        case, duration=duration / rounds, warmup=warmup if round_ == 0 else min(warmup, 5)
                    )
                )
        results = []
        for case in cases:
            cell = _cell(case, self.workers, slices[case.name])
            results.append(cell)
            if on_cell is not None:
                on_cell(cell)
        return results

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(BrokenPipeError, OSError):
                pipe.send(("stop",))
        for proc in self.procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=10)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
