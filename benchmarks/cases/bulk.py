"""Bulk grant: giving credits to every wallet of a large target, as an operator's batch does.

* ``bulk-grant``: :func:`credits_plugin.ledger.bulk.bulk_grant` over N wallets (default 100,000)
  in chunks of ``CREDITS_PLUGIN_BULK_CHUNK_SIZE``, one transaction per chunk, exactly as
  ``wallets.services.run_batch`` calls it: per wallet one transfer with its idempotency key,
  one lot, two entries, and the balances of the wallets and of the issuance shards;
* baseline, in the same run: the same grant to as many wallets of the baseline tables with
  ``INSERT ... SELECT`` in one transaction (transfers, entries, balances; the baseline has no
  lots, so it writes a quarter fewer rows than the plugin).

Target: the plugin takes at most 10 times the baseline's time. A replay of the same chunks
afterwards must grant nothing (idempotency keys), and ``verify_ledger`` must stay clean.
"""

from __future__ import annotations

import time

from django.db import transaction

from benchmarks.registry import Bench, MeasureCase, register

AMOUNT = 500  # 5.00 credits
HASH = "0" * 64
MAX_RATIO = 10.0


@register
class BulkGrant(MeasureCase):
    name = "bulk-grant"
    title = "bulk grant to every wallet, in batch chunks, against INSERT ... SELECT"
    needs = ("unit",)

    def measure(self, bench: Bench) -> dict:
        from benchmarks.fixtures import analyze, fund_wallets, raw_fixture
        from benchmarks.sql import concat, now, one, run
        from credits_plugin.conf import setting
        from credits_plugin.ledger import bulk

        count = bench.config.wallets
        chunk = int(setting("CREDITS_PLUGIN_BULK_CHUNK_SIZE"))
        first, last = fund_wallets(bench, "bulk", count, 100)
        raw = bench.fixture("raw") if "raw" in bench.fixtures else raw_fixture(bench)
        bench.fixtures.setdefault("raw", raw)
        analyze()
        prefix = f"bench-bulk:{bench.run_id}"

        ids = list(range(first, last + 1))
        started = time.perf_counter()
        granted = 0
        for i in range(0, len(ids), chunk):
            granted += bulk.bulk_grant(
                account_ids=ids[i : i + chunk], amount=AMOUNT, key_prefix=prefix, batch=prefix, reason="bench"
            )
        plugin_s = time.perf_counter() - started

        started = time.perf_counter()
        replayed = 0
        for i in range(0, len(ids), chunk):
            replayed += bulk.bulk_grant(
                account_ids=ids[i : i + chunk], amount=AMOUNT, key_prefix=prefix, batch=prefix, reason="bench"
            )
        replay_s = time.perf_counter() - started

        # The baseline: the same grant to the baseline's wallets, in one INSERT ... SELECT each.
        batch = f"bench-bulk-raw:{bench.run_id}"
        key = concat(f"'{batch}:'", "a.id")
        started = time.perf_counter()
        with transaction.atomic():
            issuance = raw["revenue"]  # a system account of the baseline tables
            run(
                "INSERT INTO bench_transfer (idempotency_key, request_hash, kind, unit, amount, debit_account_id, "
                "credit_account_id, hold_id, reverses_id, actor_id, reason, reference, batch, created) "
                f"SELECT {key}, %s, 'grant', a.unit, %s, %s, a.id, NULL, NULL, NULL, 'bench', '', %s, %s "
                "FROM bench_account a WHERE a.id BETWEEN %s AND %s",
                [HASH, AMOUNT, issuance, batch, now(), raw["first"], raw["first"] + count - 1],
            )
            run(
                "INSERT INTO bench_entry (transfer_id, account_id, lot_id, amount) "
                "SELECT t.id, t.credit_account_id, NULL, t.amount FROM bench_transfer t WHERE t.batch = %s",
                [batch],
            )
            run(
                "INSERT INTO bench_entry (transfer_id, account_id, lot_id, amount) "
                "SELECT t.id, t.debit_account_id, NULL, -t.amount FROM bench_transfer t WHERE t.batch = %s",
                [batch],
            )
            run(
                "UPDATE bench_account SET balance = balance + %s WHERE id BETWEEN %s AND %s",
                [AMOUNT, raw["first"], raw["first"] + count - 1],
            )
            run("UPDATE bench_account SET balance = balance - %s WHERE id = %s", [AMOUNT * count, issuance])
        baseline_s = time.perf_counter() - started
        baseline_rows = one("SELECT COUNT(*) FROM bench_transfer WHERE batch = %s", [batch])[0]

        ratio = round(plugin_s / baseline_s, 2) if baseline_s else None
        data = {
            "backend": bench.backend,
            "wallets": count,
            "chunk": chunk,
            "granted": granted,
            "replay_granted": replayed,
            "plugin_seconds": round(plugin_s, 2),
            "plugin_wallets_per_s": round(granted / plugin_s, 1) if plugin_s else None,
            "replay_seconds": round(replay_s, 2),
            "baseline_seconds": round(baseline_s, 2),
            "baseline_transfers": baseline_rows,
            "ratio": ratio,
        }
        data["table"] = self.table(data)
        return data

    def table(self, data: dict) -> str:
        if not data:
            return ""
        return "\n".join(
            [
                f"bulk grant to {data['wallets']} wallets (chunks of {data['chunk']}):",
                f"  plugin (bulk_grant per chunk)   {data['plugin_seconds']:>8.2f} s   "
                f"{data['plugin_wallets_per_s']} wallets/s, {data['granted']} granted",
                f"  replay of every chunk           {data['replay_seconds']:>8.2f} s   "
                f"{data['replay_granted']} granted again",
                f"  baseline INSERT ... SELECT      {data['baseline_seconds']:>8.2f} s   "
                f"{data['baseline_transfers']} transfers",
                f"  ratio plugin / baseline         {data['ratio']:>8}",
            ]
        )

    def targets(self, data: dict) -> list[dict]:
        if not data:
            return []
        return [
            {
                "target": f"bulk grant <= {MAX_RATIO:g}x INSERT ... SELECT",
                "value": data["ratio"],
                "applies": data["backend"] in ("postgresql", "mariadb"),
                "met": data["ratio"] is not None
                and data["ratio"] <= MAX_RATIO
                and data["granted"] == data["wallets"]
                and data["replay_granted"] == 0,
            }
        ]
