"""``python -m benchmarks``: run every backend in its own process, print and save the results.

Results go to ``benchmarks/results/<backend>-<timestamp>.json`` and, for the whole run,
``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import databases
from benchmarks.config import Config, from_args, parser
from benchmarks.env import REPO

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    info: dict = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        meminfo = Path("/proc/meminfo").read_text()
        kib = int(next(line for line in meminfo.splitlines() if line.startswith("MemTotal")).split()[1])
        info["memory_gib"] = round(kib / 2**20, 1)
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next(
            line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")
        )
    except (OSError, StopIteration, ValueError):
        pass
    try:
        import django

        info["django"] = django.get_version()
    except ImportError:
        pass
    return info


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    config = from_args(args)
    if args.list:
        from benchmarks.registry import ThroughputCase, all_cases

        for case in all_cases():
            kind = "throughput" if isinstance(case, ThroughputCase) else "measure"
            extra = "" if case.default else "  (only when named with --cases)"
            print(f"{case.name:<20} {kind:<10} {case.title}{extra}")
        return 0
    if args.child_json:
        return _child(config, args.child_json)

    out_dir = Path(config.output_dir) if config.output_dir else RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    run = {"run_id": stamp, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine(),
           "config": config.as_dict(), "backends": {}, "not_run": {}}  # fmt: skip
    print(f"benchmarks {stamp}: backends {', '.join(config.backends)}; workers {config.workers}; "
          f"{config.duration:g} s per cell; {config.wallets} wallets", flush=True)  # fmt: skip
    status = 0
    for backend in config.backends:
        why = databases.reachable(backend)
        if why:
            print(f"\nNOTICE: {backend} is not reachable ({why}); its run is left out.", flush=True)
            run["not_run"][backend] = why
            continue
        path = out_dir / f"{backend}-{stamp}.json"
        child = [
            sys.executable,
            "-m",
            "benchmarks",
            *_child_args(argv),
            "--backends",
            backend,
            "--child-json",
            str(path),
        ]
        rc = subprocess.call(child, cwd=REPO)
        if rc != 0 or not path.exists():
            print(f"\nFAILED: the {backend} run exited with {rc}", flush=True)
            run["not_run"][backend] = f"failed (exit {rc})"
            status = 1
            continue
        run["backends"][backend] = json.loads(path.read_text())
    (out_dir / "latest.json").write_text(json.dumps(run, indent=2) + "\n")
    print(summary(run), flush=True)
    print(f"\nresults: {out_dir}/<backend>-{stamp}.json and {out_dir}/latest.json")
    if any(not t["met"] and t["applies"] for r in run["backends"].values() for t in r.get("targets", [])):
        print("some targets are not met (see above)")
    return status


def _child_args(argv: list[str] | None) -> list[str]:
    """The caller's arguments minus --backends (each child gets one backend)."""
    args = list(sys.argv[1:] if argv is None else argv)
    kept, skip = [], False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == "--backends":
            skip = True
            continue
        if arg.startswith("--backends="):
            continue
        kept.append(arg)
    return kept


def _child(config: Config, json_path: str) -> int:
    from benchmarks.backend import run_backend

    (backend,) = config.backends
    result = run_backend(config, backend, Path(json_path).stem.split("-", 1)[1])
    result["config"] = config.as_dict()
    result["machine"] = machine()
    Path(json_path).write_text(json.dumps(result, indent=2) + "\n")
    return 0


def summary(run: dict) -> str:
    lines = ["\n=== summary: charges/s at each worker count (ratio to raw SQL) ==="]
    for backend, result in run["backends"].items():
        lines.append(f"\n{backend} ({result['server_version'].split(' on ')[0].split(',')[0]}):")
        cells = result.get("throughput", [])
        workers = sorted({c["workers"] for c in cells})
        head = f"  {'case':<16}" + "".join(f"{str(w) + ' w':>20}" for w in workers)
        lines.append(head)
        for case in dict.fromkeys(c["case"] for c in cells):
            row = f"  {case:<16}"
            for w in workers:
                cell = next((c for c in cells if c["case"] == case and c["workers"] == w), None)
                if cell is None:
                    row += f"{'-':>20}"
                    continue
                ratio = f" ({cell['ratio']:.2f})" if cell.get("ratio") is not None else ""
                row += f"{cell['ops_per_s']:>13.0f}{ratio:>7}"
            lines.append(row)
        balance = result.get("balance-read")
        if balance:
            lines.append(f"  balance read {balance['ratio_label']}: {balance['ratio_p50']:.2f}")
        statements = result.get("statements")
        if statements:
            lines.append(
                "  statements: " + ", ".join(f"{k} {v['count']}" for k, v in statements["ops"].items())
            )
        for t in result.get("targets", []):
            if t["applies"]:
                lines.append(f"  {'met    ' if t['met'] else 'NOT MET'} {t['target']} ({t['value']})")
    for backend, why in run["not_run"].items():
        lines.append(f"\n{backend}: NOT RUN ({why})")
    return "\n".join(lines)
