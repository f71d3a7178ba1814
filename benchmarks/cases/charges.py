"""Charge throughput: the plugin's public API against a raw-SQL charge, over many wallets chosen
at random and over one hot wallet.

* ``charge/<scenario>``: ``api.charge`` (one transaction);
* ``hold+post/<scenario>``: ``api.place_hold`` then ``api.post_hold`` (two transactions, as at
  checkout);
* ``raw/<scenario>``: the same charge in hand-written SQL on the baseline tables: BEGIN; SELECT
  the wallet FOR UPDATE; check the balance; UPDATE it; INSERT the transfer (unique idempotency
  key); INSERT its two entries; COMMIT.

Every wallet has an overdraft limit of 0; after each run no account may be below it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks.registry import Bench, ThroughputCase, WorkerContext, register

AMOUNT = 100  # 1.00 credit
HASH = "0" * 64  # the request fingerprint column, as wide as the plugin's


def _picker(ctx: WorkerContext, scenario: str, fixture: str) -> Callable[[], int]:
    data = ctx.fixtures[fixture]
    if scenario == "hot":
        hot = data["hot"] if fixture == "raw" else data["id"]
        return lambda: hot
    first, last, rng = data["first"], data["last"], ctx.rng
    return lambda: rng.randrange(first, last + 1)


def _check() -> list[str]:
    from benchmarks.fixtures import overdraft_violations

    return [
        f"{table}: {n} account(s) below their overdraft limit"
        for table, n in overdraft_violations().items()
        if n
    ]


class _PluginCase(ThroughputCase):
    unit = "charges"
    needs = ("unit", "wallets", "hot")

    def worker_setup(self, ctx: WorkerContext) -> Any:
        from credits_plugin import api
        from credits_plugin.ledger.models import Account

        pick = _picker(ctx, self.scenario, "wallets" if self.scenario == "many" else "hot")
        unit = ctx.fixtures["unit"]["unit"]

        def wallet() -> Account:
            # The caller holds the wallet, as checkout does (loaded with only its id and unit).
            return Account.from_db("default", ["id", "unit_id"], [pick(), unit])

        return ctx, api, wallet

    def check(self, bench: Bench) -> list[str]:
        return _check()


class _Charge(_PluginCase):
    def run_one(self, state: Any) -> None:
        ctx, api, wallet = state
        api.charge(account=wallet(), amount=AMOUNT, idempotency_key=ctx.key(self.name), reason="bench")


class _HoldPost(_PluginCase):
    def run_one(self, state: Any) -> None:
        ctx, api, wallet = state
        hold = api.place_hold(
            account=wallet(), amount=AMOUNT, idempotency_key=ctx.key(self.name), reason="bench"
        )
        api.post_hold(hold=hold)


class _Raw(ThroughputCase):
    unit = "charges"
    needs = ("unit", "raw")

    def worker_setup(self, ctx: WorkerContext) -> Any:
        from django.db import connection

        connection.ensure_connection()
        driver = connection.connection  # the driver's own connection, set up as Django sets it up
        vendor = connection.vendor
        p = "?" if vendor == "sqlite" else "%s"
        returning = " RETURNING id" if vendor == "postgresql" else ""
        sql = {
            "lock": f"SELECT balance, held, overdraft_limit FROM bench_account WHERE id = {p} FOR UPDATE",
            "update": f"UPDATE bench_account SET balance = balance - {p} WHERE id = {p}",
            "transfer": (
                "INSERT INTO bench_transfer (idempotency_key, request_hash, kind, unit, amount, debit_account_id, "
                "credit_account_id, hold_id, reverses_id, actor_id, reason, reference, batch, created) VALUES "
                f"({p}, {p}, 'charge', {p}, {p}, {p}, {p}, NULL, NULL, NULL, {p}, '', '', {p}){returning}"
            ),
            "entries": f"INSERT INTO bench_entry (transfer_id, account_id, lot_id, amount) VALUES ({p}, {p}, NULL, {p}), ({p}, {p}, NULL, {p})",
        }
        if vendor == "sqlite":
            sql["lock"] = sql["lock"].replace(" FOR UPDATE", "")  # SQLite locks the whole file
        from django.utils import timezone

        pick = _picker(ctx, self.scenario, "raw")
        data = ctx.fixtures["raw"]
        return (
            ctx,
            driver.cursor(),
            sql,
            pick,
            data["revenue"],
            data["unit"],
            vendor,
            connection.ops,
            timezone,
        )

    def run_one(self, state: Any) -> None:
        ctx, cur, sql, pick, revenue, unit, vendor, ops, timezone = state
        account = pick()
        created = ops.adapt_datetimefield_value(timezone.now())
        cur.execute("BEGIN")
        try:
            cur.execute(sql["lock"], (account,))
            balance, held, overdraft = cur.fetchone()
            if overdraft is not None and balance - held - AMOUNT < -overdraft:
                raise RuntimeError("insufficient funds")
            cur.execute(sql["update"], (AMOUNT, account))
            cur.execute(
                sql["transfer"],
                (ctx.key(self.name), HASH, unit, AMOUNT, account, revenue, "bench", created),
            )
            transfer = cur.fetchone()[0] if vendor == "postgresql" else cur.lastrowid
            cur.execute(sql["entries"], (transfer, account, -AMOUNT, transfer, revenue, AMOUNT))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def check(self, bench: Bench) -> list[str]:
        return _check()


class _LedgerSql(ThroughputCase):
    """Diagnostic: the ledger's own charge statements (credits_plugin.ledger.sql), sent by hand in
    BEGIN ... COMMIT with no Django transaction, ORM, model instance or idempotency fingerprint.
    Its ratio to raw SQL is the ceiling of what the plugin's SQL allows; the distance from it to
    ``charge/*`` is the Python around the statements."""

    unit = "charges"
    needs = ("unit", "wallets", "hot")
    backends = ("postgresql", "mariadb")
    default = False

    def worker_setup(self, ctx: WorkerContext) -> Any:
        from django.db import connection
        from django.utils import timezone

        from credits_plugin.ledger import services

        connection.ensure_connection()
        pick = _picker(ctx, self.scenario, "wallets" if self.scenario == "many" else "hot")
        unit = ctx.fixtures["unit"]["unit"]
        revenue = {}

        def revenue_of(account: int) -> int:
            if account not in revenue:
                revenue[account] = services.system_account_id("revenue", unit=unit, shard_key=account)
            return revenue[account]

        return (
            ctx,
            connection.connection.cursor(),
            connection.vendor,
            pick,
            revenue_of,
            timezone,
            connection.ops,
        )

    def run_one(self, state: Any) -> None:
        from credits_plugin.ledger import sql as ledger_sql
        from credits_plugin.ledger.fastpath import debit_entries
        from credits_plugin.ledger.lots import lot_deltas, spend_order

        ctx, cur, vendor, pick, revenue_of, timezone, ops = state
        account = pick()
        revenue = revenue_of(account)
        now = timezone.now()
        transfer = ledger_sql.TransferRow(
            idempotency_key=ctx.key(self.name),
            request_hash=HASH,
            kind="charge",
            unit=None,
            amount=AMOUNT,
            debit_account_id=account,
            credit_account_id=revenue,
            hold_id=None,
            reverses_id=None,
            actor_id=None,
            reason="bench",
            reference="",
            batch="",
            created=ops.adapt_datetimefield_value(now),
        )
        cur.execute("BEGIN")
        try:
            locked = ledger_sql.lock_spendable(cur, vendor, account, revenue)
            assert locked is not None
            state_, lots = locked
            transfer = transfer._replace(unit=state_.unit)
            changes: dict = {
                "accounts": {account: ledger_sql.Delta(-AMOUNT, 0), revenue: ledger_sql.Delta(AMOUNT, 0)},
                "transfer": transfer,
            }
            if lots is None:
                changes["spend"] = ledger_sql.Spend(account, AMOUNT, now)
                changes["entries"] = [ledger_sql.EntryRow(revenue, None, AMOUNT)]
            else:
                allocations, left = [], AMOUNT
                for lot in spend_order(lots):
                    part = min(left, lot.remaining)
                    allocations.append([lot.id, part])
                    left -= part
                    if not left:
                        break
                changes["lots"] = lot_deltas(allocations, -1)
                changes["entries"] = [
                    *debit_entries(account, AMOUNT, allocations),
                    ledger_sql.EntryRow(revenue, None, AMOUNT),
                ]
            ledger_sql.write(cur, vendor, **changes)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def check(self, bench: Bench) -> list[str]:
        return _check()


@register
class LedgerSqlMany(_LedgerSql):
    name = "ledger-sql/many"
    scenario = "many"
    baseline = "raw/many"
    title = "diagnostic: the ledger's charge SQL by hand, random wallet"


@register
class LedgerSqlHot(_LedgerSql):
    name = "ledger-sql/hot"
    scenario = "hot"
    baseline = "raw/hot"
    title = "diagnostic: the ledger's charge SQL by hand, one hot wallet"


@register
class RawMany(_Raw):
    name = "raw/many"
    scenario = "many"
    title = "raw SQL charge, random wallet"


@register
class ChargeMany(_Charge):
    name = "charge/many"
    scenario = "many"
    baseline = "raw/many"
    title = "api.charge, random wallet"


@register
class HoldPostMany(_HoldPost):
    name = "hold+post/many"
    scenario = "many"
    baseline = "raw/many"
    title = "api.place_hold + api.post_hold, random wallet"


@register
class RawHot(_Raw):
    name = "raw/hot"
    scenario = "hot"
    title = "raw SQL charge, one hot wallet"


@register
class ChargeHot(_Charge):
    name = "charge/hot"
    scenario = "hot"
    baseline = "raw/hot"
    title = "api.charge, one hot wallet"


@register
class HoldPostHot(_HoldPost):
    name = "hold+post/hot"
    scenario = "hot"
    baseline = "raw/hot"
    title = "api.place_hold + api.post_hold, one hot wallet"
