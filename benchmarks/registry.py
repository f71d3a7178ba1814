"""The registry of benchmark cases and the data fixtures they share.

Two kinds of case:

* :class:`ThroughputCase` -- one operation (``run_one``) repeated by N worker processes for a
  fixed time, at each worker count; the harness reports operations/s and latency percentiles and,
  when ``baseline`` names another case of the same scenario, the ratio to it.
* :class:`MeasureCase` -- runs once in the backend's main process and returns its own figures
  (``measure``): latency of a read at several data sizes, statements per operation, ...

A case names the fixtures it needs; a fixture builds data once per backend run (bulk SQL) and
returns a small picklable dict that is handed to every worker. To add a benchmark (bulk grant,
export, ...), write a module under ``benchmarks/cases/``, subclass one of these, decorate it
with :func:`register` (and any new fixture with :func:`fixture`), and import the module in
``benchmarks/cases/__init__.py``.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

CASES: dict[str, Case] = {}
FIXTURES: dict[str, Callable[[Bench], dict]] = {}


def register(cls: type[Case]) -> type[Case]:
    """Class decorator: add one instance of the case to the registry under its ``name``."""
    case = cls()
    if case.name in CASES:
        raise ValueError(f"benchmark case {case.name!r} is registered twice")
    CASES[case.name] = case
    return cls


def fixture(name: str) -> Callable[[Callable[[Bench], dict]], Callable[[Bench], dict]]:
    """Function decorator: a data fixture built once per backend run, returning a picklable dict."""

    def decorate(func: Callable[[Bench], dict]) -> Callable[[Bench], dict]:
        FIXTURES[name] = func
        return func

    return decorate


def get_case(name: str) -> Case:
    import benchmarks.cases  # noqa: F401  (registers every case)

    return CASES[name]


def all_cases() -> list[Case]:
    import benchmarks.cases  # noqa: F401

    return list(CASES.values())


@dataclass
class Bench:
    """What a case sees in the backend's main process."""

    backend: str
    config: Any
    run_id: str
    fixtures: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def fixture(self, name: str) -> dict:
        if name not in self.fixtures:
            self.fixtures[name] = FIXTURES[name](self)
        return self.fixtures[name]


@dataclass
class WorkerContext:
    """What a case sees in a worker process."""

    backend: str
    index: int
    workers: int
    run_id: str
    fixtures: dict[str, dict]
    rng: random.Random
    _seq: itertools.count = field(default_factory=itertools.count)

    def key(self, case: str) -> str:
        """An idempotency key never used before in this benchmark database."""
        return f"bench:{self.run_id}:{case}:{self.workers}w{self.index}:{next(self._seq)}"


class Case:
    name: ClassVar[str]
    title: ClassVar[str] = ""
    #: backends the case runs on; empty means all
    backends: ClassVar[tuple[str, ...]] = ()
    #: fixtures built before the case runs
    needs: ClassVar[tuple[str, ...]] = ()
    #: run by default; others (diagnostics) only when named with --cases
    default: ClassVar[bool] = True

    def applies_to(self, backend: str) -> bool:
        return not self.backends or backend in self.backends


class ThroughputCase(Case):
    #: cases with the same scenario are compared; e.g. "many" (random wallets) or "hot" (one wallet)
    scenario: ClassVar[str] = ""
    #: name of the case this one is compared with (same scenario and worker count)
    baseline: ClassVar[str | None] = None
    #: what one operation is, for the table header
    unit: ClassVar[str] = "ops"

    def worker_setup(self, ctx: WorkerContext) -> Any:
        """Prepare what ``run_one`` needs, in the worker; returns its state."""
        return ctx

    def run_one(self, state: Any) -> None:
        """One operation. Raising counts as an error; the worker carries on."""
        raise NotImplementedError

    def check(self, bench: Bench) -> list[str]:
        """Problems seen after a run of the case (empty when all is well)."""
        return []


class MeasureCase(Case):
    def measure(self, bench: Bench) -> dict:
        raise NotImplementedError

    def table(self, data: dict) -> str:
        """The figures of ``measure`` as printed lines (empty: the report prints nothing)."""
        return ""

    def targets(self, data: dict) -> list[dict]:
        """Targets this case checks: ``{"target": str, "value": ..., "met": bool}`` each."""
        return []
