"""One backend's run, in its own process: fresh database, migrate, fixtures, cases, checks."""

from __future__ import annotations

import sys
import time
from dataclasses import asdict

from benchmarks import databases
from benchmarks.config import Config
from benchmarks.env import backend_env, setup_django


def _say(message: str) -> None:
    print(message, flush=True)


def run_backend(config: Config, backend: str, run_id: str) -> dict:
    env = backend_env(backend, config.db_name, pg_prepare=config.pg_prepare)
    started = time.time()
    databases.recreate(backend, config.db_name, env["CREDITS_SQLITE_PATH"])
    try:
        return _run(config, backend, run_id, env, started)
    finally:
        if not config.keep_db:
            from django.db import connections

            connections.close_all()
            databases.drop(backend, config.db_name, env["CREDITS_SQLITE_PATH"])


def _run(config: Config, backend: str, run_id: str, env: dict, started: float) -> dict:
    setup_django(env)
    from django.core.management import call_command
    from django.db import connection

    from benchmarks import report
    from benchmarks.fixtures import overdraft_violations
    from benchmarks.registry import Bench, MeasureCase, ThroughputCase, all_cases
    from benchmarks.runner import Pool

    version = databases.server_version(backend)
    _say(f"\n=== {backend}: {version} (database {config.db_name}) ===")
    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    _say(f"schema migrated in {time.perf_counter() - t0:.1f} s")

    bench = Bench(backend=backend, config=config, run_id=run_id)
    cases = [c for c in all_cases() if c.applies_to(backend) and config.wants(c)]
    throughput = [c for c in cases if isinstance(c, ThroughputCase)]
    measures = [c for c in cases if isinstance(c, MeasureCase)]
    result: dict = {"backend": backend, "server_version": version, "run_id": run_id, "throughput": []}

    t0 = time.perf_counter()
    for case in cases:
        if isinstance(case, ThroughputCase) or case.name == "statements":
            for name in case.needs:
                bench.fixture(name)
    result["setup_seconds"] = round(time.perf_counter() - t0, 1)
    _say(f"data set up in {result['setup_seconds']} s ({config.wallets} wallets)")

    # Statement counts first: they need little data and nothing of the runs.
    for case in measures:
        if case.name == "statements":
            result["statements"] = case.measure(bench)
            _say(report.statements_table(result["statements"]))

    connection.close()  # workers open their own connections
    for workers in config.workers_for(backend):
        if not throughput:
            break
        t0 = time.perf_counter()
        with Pool(
            workers, backend=backend, env=env, fixtures=bench.fixtures, run_id=run_id, seed=config.seed
        ) as pool:
            _say(f"\n{workers} worker(s) started in {time.perf_counter() - t0:.1f} s")
            cells = pool.run(throughput, duration=config.duration, warmup=config.warmup, rounds=config.rounds)
            new = []
            for case, cell in zip(throughput, cells, strict=True):
                cell.problems = case.check(bench)
                new.append(asdict(cell))
            result["throughput"] += new
            for cell_ in new:
                _say(report.cell_line(cell_, result["throughput"]))
            connection.close()
    report.add_ratios(result["throughput"])

    checks: dict = {"overdraft_violations": overdraft_violations()}
    if config.verify and throughput:
        checks["verify_after_throughput"] = _verify()
        _say(f"verify_ledger after the charge runs: {_verify_line(checks['verify_after_throughput'])}")

    for case in measures:
        if case.name == "statements":
            continue
        _say(f"\n{case.title} ...")
        t0 = time.perf_counter()
        result[case.name] = case.measure(bench)
        result[case.name]["seconds"] = round(time.perf_counter() - t0, 1)
        if case.name == "balance-read":
            _say(report.balance_table(result[case.name]))
        elif case.table(result[case.name]):
            _say(case.table(result[case.name]))
    if config.verify and any(c.name != "statements" for c in measures):
        checks["verify_final"] = _verify()
        _say(f"verify_ledger at the end: {_verify_line(checks['verify_final'])}")
    checks["overdraft_violations"] = overdraft_violations()
    result["checks"] = checks
    result["targets"] = report.targets(result)
    for case in measures:
        for target in case.targets(result.get(case.name) or {}):
            result["targets"].append({"applies": backend in report.TARGET_BACKENDS, **target})
    result["seconds"] = round(time.time() - started, 1)
    _say(report.backend_report(result))
    return result


def _verify() -> dict:
    from credits_plugin import api

    t0 = time.perf_counter()
    verified = api.verify_ledger()
    return {
        "ok": verified.ok,
        "accounts": verified.accounts_checked,
        "transfers": verified.transfers_checked,
        "problems": verified.problems[:20],
        "problem_count": len(verified.problems),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def _verify_line(v: dict) -> str:
    state = "clean" if v["ok"] else f"{v['problem_count']} PROBLEM(S): {v['problems'][:3]}"
    return f"{state} ({v['accounts']} accounts, {v['transfers']} transfers, {v['seconds']} s)"


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run `python -m benchmarks`")
