"""Profile one throughput case in one process: ``python -m benchmarks.profile --help``.

Needs pyinstrument (``pip install pyinstrument``; not a requirement of ``make bench``). It
builds its own small database (``credits_bench_profile``), runs the case's operation N times
under the profiler and prints the call tree; ``--html`` writes it as HTML too. ``--sql`` prints
the statements of one operation instead.
"""

from __future__ import annotations

import argparse
import random
import time

from benchmarks import databases
from benchmarks.config import Config
from benchmarks.env import backend_env, setup_django


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.profile")
    p.add_argument("--backend", default="postgresql")
    p.add_argument("--case", default="charge/many")
    p.add_argument("--ops", type=int, default=2000)
    p.add_argument("--wallets", type=int, default=10_000)
    p.add_argument("--html", default="")
    p.add_argument("--sql", action="store_true", help="print the SQL of one operation")
    p.add_argument("--keep-db", action="store_true")
    args = p.parse_args()

    name = "credits_bench_profile"
    env = backend_env(args.backend, name)
    databases.recreate(args.backend, name, env["CREDITS_SQLITE_PATH"])
    try:
        setup_django(env)
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from benchmarks.registry import Bench, WorkerContext, get_case

        call_command("migrate", interactive=False, verbosity=0)
        config = Config(wallets=args.wallets)
        bench = Bench(backend=args.backend, config=config, run_id="profile")
        case = get_case(args.case)
        for fixture in case.needs:
            bench.fixture(fixture)
        ctx = WorkerContext(args.backend, 0, 1, "profile", bench.fixtures, random.Random(1))
        state = case.worker_setup(ctx)
        for _ in range(50):
            case.run_one(state)
        if args.sql:
            with CaptureQueriesContext(connection) as captured:
                case.run_one(state)
            for query in captured.captured_queries:
                print(query["time"], query["sql"])
            return
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        started = time.perf_counter()
        with profiler:
            for _ in range(args.ops):
                case.run_one(state)
        elapsed = time.perf_counter() - started
        print(f"{args.case} on {args.backend}: {args.ops / elapsed:.0f}/s in one process ({elapsed:.1f} s)")
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        if args.html:
            with open(args.html, "w") as out:
                out.write(profiler.output_html())
    finally:
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            databases.drop(args.backend, name, env["CREDITS_SQLITE_PATH"])


if __name__ == "__main__":
    main()
