"""Balance read latency (``api.balance``) on wallets holding 1k, 100k and 1M entries.

Balances are cached on the account row, so the read must not grow with history: the harness
reports the ratio of the median read time on the largest history to that on the smallest.
"""

from __future__ import annotations

import statistics
import time

from benchmarks.registry import Bench, MeasureCase, register
from benchmarks.stats import percentile


@register
class BalanceRead(MeasureCase):
    name = "balance-read"
    title = "api.balance on one wallet, by number of entries"
    needs = ("unit",)

    def measure(self, bench: Bench) -> dict:
        from benchmarks.fixtures import build_history
        from credits_plugin import api

        sizes = sorted(bench.config.history_sizes)
        accounts, build_seconds = {}, {}
        for size in sizes:
            started = time.perf_counter()
            accounts[size] = build_history(bench, size)
            build_seconds[size] = round(time.perf_counter() - started, 1)
        samples: dict[int, list[float]] = {size: [] for size in sizes}
        rounds, per_round = 5, max(1, bench.config.balance_reads // 5)
        for size in sizes:  # warm-up
            for _ in range(200):
                api.balance(accounts[size])
        for _ in range(rounds):  # interleaved, so that drift hits every size alike
            for size in sizes:
                account, out = accounts[size], samples[size]
                for _ in range(per_round):
                    started = time.perf_counter()
                    api.balance(account)
                    out.append(time.perf_counter() - started)
        results = []
        for size in sizes:
            entries = api.history(accounts[size], limit=1)  # touch the account: it exists and has history
            assert entries, size
            values = samples[size]
            results.append(
                {
                    "entries": size,
                    "account": accounts[size],
                    "reads": len(values),
                    "p50_us": round(percentile(values, 50) * 1e6, 1),
                    "p99_us": round(percentile(values, 99) * 1e6, 1),
                    "mean_us": round(statistics.fmean(values) * 1e6, 1),
                    "build_seconds": build_seconds[size],
                }
            )
        small, large = results[0], results[-1]
        return {
            "rows": results,
            "ratio_label": f"{_size(large['entries'])}/{_size(small['entries'])}",
            "ratio_p50": round(large["p50_us"] / small["p50_us"], 2),
            "ratio_mean": round(large["mean_us"] / small["mean_us"], 2),
        }


def _size(n: int) -> str:
    for unit, div in (("M", 10**6), ("k", 10**3)):
        if n >= div and n % div == 0:
            return f"{n // div}{unit}"
    return str(n)
