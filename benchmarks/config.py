"""What one benchmark run does: backends, worker counts, sizes and durations."""

from __future__ import annotations

import argparse
import fnmatch
from dataclasses import asdict, dataclass, field

from benchmarks.env import BACKENDS, DEFAULT_DB_NAME


@dataclass
class Config:
    backends: list[str] = field(default_factory=lambda: list(BACKENDS))
    workers: list[int] = field(default_factory=lambda: [1, 4, 16])
    #: worker counts on SQLite, which serialises every writer on the database file
    sqlite_workers: list[int] = field(default_factory=lambda: [1])
    duration: float = 10.0
    #: each cell's time is split into this many slices, interleaved with the other cases
    rounds: int = 5
    warmup: int = 20
    wallets: int = 100_000
    history_sizes: list[int] = field(default_factory=lambda: [1_000, 100_000, 1_000_000])
    balance_reads: int = 5_000
    cases: list[str] = field(default_factory=lambda: ["*"])
    verify: bool = True
    keep_db: bool = False
    db_name: str = DEFAULT_DB_NAME
    output_dir: str = ""
    quick: bool = False
    #: PostgreSQL: server-side binding and prepared statements (not Django's default)
    pg_prepare: bool = False
    seed: int = 1

    def workers_for(self, backend: str) -> list[int]:
        return self.sqlite_workers if backend == "sqlite" else self.workers

    def wants(self, case) -> bool:
        """Whether the run includes ``case``: the default cases, or those named with --cases."""
        if self.cases == ["*"]:
            return case.default
        return any(fnmatch.fnmatchcase(case.name, pattern) for pattern in self.cases)

    def as_dict(self) -> dict:
        return asdict(self)


def _ints(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmarks of credits_plugin against a raw-SQL baseline measured in the same run.",
    )
    p.add_argument(
        "--backends", default=",".join(BACKENDS), help="comma-separated: postgresql,mariadb,sqlite"
    )
    p.add_argument("--workers", default="1,4,16", help="worker process counts (default 1,4,16)")
    p.add_argument("--sqlite-workers", default="1", help="worker counts on SQLite (default 1)")
    p.add_argument("--duration", type=float, default=10.0, help="seconds per measured cell (default 10)")
    p.add_argument(
        "--rounds", type=int, default=5, help="slices per cell, interleaved across cases (default 5)"
    )
    p.add_argument(
        "--warmup", type=int, default=20, help="operations per worker before each cell (default 20)"
    )
    p.add_argument("--wallets", default="100000", help="wallets in the 'many' scenario (default 100000)")
    p.add_argument(
        "--history-sizes", default="1000,100000,1000000", help="entries on the balance-read wallets"
    )
    p.add_argument("--balance-reads", type=int, default=5000, help="timed reads per history size")
    p.add_argument(
        "--cases", default="*", help="comma-separated case names or globs (e.g. 'charge/*,raw/*,statements')"
    )
    p.add_argument("--list", action="store_true", help="list the registered cases and exit")
    p.add_argument(
        "--quick", action="store_true", help="a short run: 3 s cells, 1 and 4 workers, smaller data"
    )
    p.add_argument(
        "--pg-prepare",
        action="store_true",
        help="PostgreSQL with OPTIONS server_side_binding=True, prepare_threshold=5 (Django's default: neither)",
    )
    p.add_argument("--no-verify", action="store_true", help="skip verify_ledger after the runs")
    p.add_argument("--keep-db", action="store_true", help="leave the benchmark databases in place")
    p.add_argument("--db-name", default=DEFAULT_DB_NAME, help="benchmark database name (credits_bench*)")
    p.add_argument("--output-dir", default="", help="where JSON results go (default benchmarks/results)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--child-json", default="", help=argparse.SUPPRESS)
    return p


def from_args(args: argparse.Namespace) -> Config:
    config = Config(
        backends=[b.strip() for b in args.backends.split(",") if b.strip()],
        workers=_ints(args.workers),
        sqlite_workers=_ints(args.sqlite_workers),
        duration=args.duration,
        rounds=max(1, args.rounds),
        warmup=args.warmup,
        wallets=_ints(args.wallets)[0],
        history_sizes=_ints(args.history_sizes),
        balance_reads=args.balance_reads,
        cases=[c.strip() for c in args.cases.split(",") if c.strip()],
        verify=not args.no_verify,
        keep_db=args.keep_db,
        db_name=args.db_name,
        output_dir=args.output_dir,
        quick=args.quick,
        pg_prepare=args.pg_prepare,
        seed=args.seed,
    )
    if args.quick:
        defaults = parser().parse_args([])
        if args.duration == defaults.duration:
            config.duration = 3.0
        if args.workers == defaults.workers:
            config.workers = [1, 4]
        if args.wallets == defaults.wallets:
            config.wallets = 10_000
        if args.history_sizes == defaults.history_sizes:
            config.history_sizes = [1_000, 100_000]
        if args.balance_reads == defaults.balance_reads:
            config.balance_reads = 2_000
    for backend in config.backends:
        if backend not in BACKENDS:
            raise SystemExit(f"unknown backend {backend!r}: choose from {', '.join(BACKENDS)}")
    return config
