"""Tables printed to the terminal, ratios, and the issue's targets."""

from __future__ import annotations

#: (case, workers, minimum ratio to its baseline) on PostgreSQL and MariaDB
THROUGHPUT_TARGETS = [("charge/many", 4, 0.5), ("charge/hot", 4, 0.7)]
BALANCE_RATIO_MAX = 1.5
MAX_STATEMENTS = {"charge": 6, "balance": 1}
TARGET_BACKENDS = ("postgresql", "mariadb")


def _baseline_of(cell: dict, cells: list[dict]) -> dict | None:
    if not cell.get("baseline"):
        return None
    for other in cells:
        if other["case"] == cell["baseline"] and other["workers"] == cell["workers"]:
            return other
    return None


def add_ratios(cells: list[dict]) -> None:
    for cell in cells:
        base = _baseline_of(cell, cells)
        if base and base["ops_per_s"]:
            cell["ratio"] = round(cell["ops_per_s"] / base["ops_per_s"], 2)


def _errors(cell: dict) -> str:
    return str(sum(cell["errors"].values())) if cell["errors"] else "0"


def cell_line(cell: dict, cells: list[dict]) -> str:
    base = _baseline_of(cell, cells)
    ratio = (
        f"{cell['ops_per_s'] / base['ops_per_s']:5.2f} x {base['case']}" if base and base["ops_per_s"] else ""
    )
    line = (
        f"  {cell['workers']:>2} w  {cell['case']:<16} {cell['ops_per_s']:>9.1f}/s  p50 {cell['p50_ms']:>7.2f} ms  "
        f"p99 {cell['p99_ms']:>7.2f} ms  errors {_errors(cell):>4}  {ratio}"
    )
    for error, n in cell["errors"].items():
        line += f"\n        ! {n} x {error}"
    for problem in cell.get("problems", []):
        line += f"\n        ! {problem}"
    return line


def throughput_table(cells: list[dict]) -> str:
    head = f"{'case':<16} {'workers':>7} {'charges/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'vs raw':>7}"
    lines = [head, "-" * len(head)]
    for scenario in sorted({c["scenario"] for c in cells}, key=lambda s: (s != "many", s)):
        for cell in sorted(
            (c for c in cells if c["scenario"] == scenario),
            key=lambda c: (c["case"].split("/")[0] != "raw", c["case"], c["workers"]),
        ):
            ratio = f"{cell['ratio']:.2f}" if cell.get("ratio") is not None else "-"
            lines.append(
                f"{cell['case']:<16} {cell['workers']:>7} {cell['ops_per_s']:>10.1f} {cell['p50_ms']:>8.2f} "
                f"{cell['p99_ms']:>8.2f} {_errors(cell):>6} {ratio:>7}"
            )
    return "\n".join(lines)


def balance_table(data: dict) -> str:
    lines = [f"{'entries':>10} {'p50 us':>8} {'p99 us':>8} {'mean us':>8} {'reads':>6} {'built in':>9}"]
    for row in data["rows"]:
        lines.append(
            f"{row['entries']:>10} {row['p50_us']:>8.1f} {row['p99_us']:>8.1f} {row['mean_us']:>8.1f} "
            f"{row['reads']:>6} {row['build_seconds']:>7.1f} s"
        )
    lines.append(
        f"ratio {data['ratio_label']}: {data['ratio_p50']:.2f} (median), {data['ratio_mean']:.2f} (mean)"
    )
    return "\n".join(lines)


def statements_table(data: dict) -> str:
    lines = [
        "SQL statements per operation (CaptureQueriesContext; 'all' includes BEGIN and COMMIT):",
        f"  {'operation':<26} {'all':>3} {'w/o':>3}",
    ]
    for name, op in data["ops"].items():
        lines.append(f"  {name:<26} {op['count']:>3} {op['statements']:>3}   {op['description']}")
    return "\n".join(lines)


def targets(result: dict) -> list[dict]:
    found = []
    applies = result["backend"] in TARGET_BACKENDS
    cells = result.get("throughput", [])
    violations = sum(result.get("checks", {}).get("overdraft_violations", {}).values())
    for case, workers, minimum in THROUGHPUT_TARGETS:
        cell = next((c for c in cells if c["case"] == case and c["workers"] == workers), None)
        if cell is None or cell.get("ratio") is None:
            continue
        clean = not cell["errors"] and not cell.get("problems") and violations == 0
        found.append(
            {
                "target": f"{case} at {workers} workers >= {minimum:.0%} of {cell['baseline']}",
                "value": cell["ratio"],
                "met": cell["ratio"] >= minimum and clean,
                "applies": applies,
            }
        )
    balance = result.get("balance-read")
    if balance:
        found.append(
            {
                "target": f"balance read {balance['ratio_label']} <= {BALANCE_RATIO_MAX}",
                "value": balance["ratio_p50"],
                "met": balance["ratio_p50"] <= BALANCE_RATIO_MAX,
                "applies": applies,
            }
        )
    statements = result.get("statements")
    if statements:
        for op, most in MAX_STATEMENTS.items():
            count = statements["ops"][op]["count"]
            found.append(
                {
                    "target": f"statements per {op} <= {most}",
                    "value": count,
                    "met": count <= most,
                    "applies": applies,
                }
            )
    verify = result.get("checks", {}).get("verify_final") or result.get("checks", {}).get(
        "verify_after_throughput"
    )
    if verify:
        found.append(
            {
                "target": "verify_ledger clean, no overdraft",
                "value": verify["problem_count"] + violations,
                "met": verify["ok"] and violations == 0,
                "applies": True,
            }
        )
    return found


def targets_table(found: list[dict]) -> str:
    lines = []
    for t in found:
        state = "met" if t["met"] else "NOT MET"
        if not t["applies"]:
            state += " (reference only)"
        lines.append(f"  {t['target']:<52} {t['value']!s:>8}  {state}")
    return "\n".join(lines)


def backend_report(result: dict) -> str:
    parts = [f"\n--- {result['backend']} ({result['server_version']}) ---"]
    if result.get("throughput"):
        parts.append(throughput_table(result["throughput"]))
    if result.get("balance-read"):
        parts.append(balance_table(result["balance-read"]))
    if result.get("statements"):
        parts.append(statements_table(result["statements"]))
    for data in result.values():
        if isinstance(data, dict) and data.get("table"):
            parts.append(data["table"])
    if result.get("targets"):
        parts.append("targets:\n" + targets_table(result["targets"]))
    return "\n\n".join(parts)
