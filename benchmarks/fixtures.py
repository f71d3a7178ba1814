"""Data for the benchmarks, built with bulk SQL in a few statements.

Everything written to the plugin's tables is a valid ledger: wallets are funded by a grant
transfer from the issuance account (one lot, two entries, issuance balance lowered), and a
history is a series of charges to the revenue account that spend one lot; ``verify_ledger``
stays clean. The raw-SQL baseline gets its own tables, ``bench_account``, ``bench_transfer`` and
``bench_entry``, created from the plugin's own DDL (same column types, indexes, CHECK and
foreign-key constraints) with the table names changed.
"""

from __future__ import annotations

import re

from django.db import transaction

from benchmarks.registry import Bench, fixture
from benchmarks.sql import concat, ensure_seq, now, one, rows, run, true, vendor

ACCOUNT = "credits_plugin_account"
TRANSFER = "credits_plugin_transfer"
LOT = "credits_plugin_lot"
ENTRY = "credits_plugin_entry"

ACCOUNT_COLUMNS = "kind, holder, unit, shard, user_id, balance, held, overdraft_limit, is_active, created"
TRANSFER_COLUMNS = (
    "idempotency_key, request_hash, kind, unit, amount, debit_account_id, credit_account_id, hold_id, "
    "reverses_id, actor_id, reason, reference, batch, created"
)

#: hundredths given to each of the many wallets, and to the hot wallet
WALLET_FUNDS = 10**9
HOT_FUNDS = 10**13


@fixture("unit")
def unit_fixture(bench: Bench) -> dict:
    from credits_plugin import api
    from credits_plugin.conf import setting

    unit = setting("CREDITS_PLUGIN_WALLET_UNIT")
    api.ensure_unit(unit, name="Credits")
    return {"unit": unit, "shards": max(1, int(setting("CREDITS_PLUGIN_SYSTEM_ACCOUNT_SHARDS")))}


def fund_wallets(bench: Bench, label: str, count: int, amount: int) -> tuple[int, int]:
    """Create ``count`` user wallets each granted ``amount`` in one lot; returns (first id, last id)."""
    unit = bench.fixture("unit")
    ensure_seq(count)
    batch = f"bench-fund-{label}"
    with transaction.atomic():
        before = one(f"SELECT COALESCE(MAX(id), 0) FROM {ACCOUNT}")[0]
        holder = concat(f"'bench:{label}:'", "n")
        run(
            f"INSERT INTO {ACCOUNT} ({ACCOUNT_COLUMNS}) SELECT 'user_wallet', {holder}, "
            f"%s, 0, NULL, %s, 0, 0, {true()}, %s FROM bench_seq WHERE n <= %s",
            [unit["unit"], amount, now(), count],
        )
        first, last, n = one(f"SELECT MIN(id), MAX(id), COUNT(*) FROM {ACCOUNT} WHERE id > %s", [before])
        if n != count or last - first + 1 != count:
            raise RuntimeError(f"wallet ids are not contiguous: {first}..{last} for {n} rows")
        key = concat("'bench-fund:'", "a.id")
        run(
            f"INSERT INTO {TRANSFER} ({TRANSFER_COLUMNS}) SELECT {key}, '', "
            f"'grant', a.unit, a.balance, s.id, a.id, NULL, NULL, NULL, '', '', %s, a.created "
            f"FROM {ACCOUNT} a JOIN {ACCOUNT} s ON s.holder = 'system:issuance' AND s.unit = a.unit "
            f"AND s.shard = a.id %% %s WHERE a.id BETWEEN %s AND %s",
            [batch, unit["shards"], first, last],
        )
        run(
            f"INSERT INTO {LOT} (account_id, source, amount, remaining, expired_amount, expires_at, warned_at, "
            f"transfer_id, created) SELECT t.credit_account_id, 'granted', t.amount, t.amount, 0, NULL, NULL, "
            f"t.id, t.created FROM {TRANSFER} t WHERE t.batch = %s",
            [batch],
        )
        run(
            f"INSERT INTO {ENTRY} (transfer_id, account_id, lot_id, amount) SELECT l.transfer_id, "
            f"l.account_id, l.id, l.amount FROM {LOT} l JOIN {TRANSFER} t ON t.id = l.transfer_id "
            f"WHERE t.batch = %s",
            [batch],
        )
        run(
            f"INSERT INTO {ENTRY} (transfer_id, account_id, lot_id, amount) SELECT t.id, t.debit_account_id, "
            f"NULL, -t.amount FROM {TRANSFER} t WHERE t.batch = %s",
            [batch],
        )
        _add_to_system_accounts("debit_account_id", -1, batch, unit["unit"], "system:issuance")
    analyze()
    return first, last


def analyze(tables: tuple[str, ...] = (ACCOUNT, TRANSFER, LOT, ENTRY)) -> None:
    """Fresh planner statistics after a bulk load, as a database in service has them."""
    if vendor() == "postgresql":
        run(f"ANALYZE {', '.join(tables)}")
    elif vendor() == "mysql":
        rows(f"ANALYZE TABLE {', '.join(tables)}")
    else:
        run("ANALYZE")


def _add_to_system_accounts(column: str, sign: int, batch: str, unit: str, holder: str) -> None:
    run(
        f"UPDATE {ACCOUNT} SET balance = balance + %s * COALESCE((SELECT SUM(t.amount) FROM {TRANSFER} t "
        f"WHERE t.batch = %s AND t.{column} = {ACCOUNT}.id), 0) WHERE holder = %s AND unit = %s",
        [sign, batch, holder, unit],
    )


@fixture("wallets")
def wallets_fixture(bench: Bench) -> dict:
    first, last = fund_wallets(bench, "w", bench.config.wallets, WALLET_FUNDS)
    return {"first": first, "last": last, "unit": bench.fixture("unit")["unit"]}


@fixture("hot")
def hot_fixture(bench: Bench) -> dict:
    first, _ = fund_wallets(bench, "hot", 1, HOT_FUNDS)
    return {"id": first, "unit": bench.fixture("unit")["unit"]}


@fixture("probe")
def probe_fixture(bench: Bench) -> dict:
    first, _ = fund_wallets(bench, "probe", 1, WALLET_FUNDS)
    return {"id": first, "unit": bench.fixture("unit")["unit"]}


def build_history(bench: Bench, entries: int) -> int:
    """A wallet with exactly ``entries`` entries: one grant, then ``entries - 1`` charges of 0.01
    spending its one lot. Returns the wallet's id."""
    unit = bench.fixture("unit")
    account, _ = fund_wallets(bench, f"h{entries}", 1, entries)
    charges = entries - 1
    ensure_seq(charges)
    batch = f"bench-hist-{account}"
    with transaction.atomic():
        revenue, lot = one(
            f"SELECT s.id, l.id FROM {ACCOUNT} s, {LOT} l WHERE s.holder = 'system:revenue' "
            f"AND s.unit = %s AND s.shard = %s AND l.account_id = %s",
            [unit["unit"], account % unit["shards"], account],
        )
        key = concat(f"'bench-hist:{account}:'", "n")
        run(
            f"INSERT INTO {TRANSFER} ({TRANSFER_COLUMNS}) SELECT {key}, "
            f"'', 'charge', %s, 1, %s, %s, NULL, NULL, NULL, '', '', %s, %s FROM bench_seq WHERE n <= %s",
            [unit["unit"], account, revenue, batch, now(), charges],
        )
        run(
            f"INSERT INTO {ENTRY} (transfer_id, account_id, lot_id, amount) SELECT t.id, %s, %s, -1 "
            f"FROM {TRANSFER} t WHERE t.batch = %s",
            [account, lot, batch],
        )
        run(
            f"INSERT INTO {ENTRY} (transfer_id, account_id, lot_id, amount) SELECT t.id, %s, NULL, 1 "
            f"FROM {TRANSFER} t WHERE t.batch = %s",
            [revenue, batch],
        )
        run(f"UPDATE {LOT} SET remaining = remaining - %s WHERE id = %s", [charges, lot])
        run(f"UPDATE {ACCOUNT} SET balance = balance - %s WHERE id = %s", [charges, account])
        run(f"UPDATE {ACCOUNT} SET balance = balance + %s WHERE id = %s", [charges, revenue])
    analyze()
    return account


# --- The raw-SQL baseline's own tables --------------------------------------------------------

MIRRORED = {"credits_plugin_account": "bench_account", "credits_plugin_transfer": "bench_transfer",
            "credits_plugin_entry": "bench_entry"}  # fmt: skip
_NAMES = re.compile(r"\b(credits_plugin_account|credits_plugin_transfer|credits_plugin_entry)\b")


def _rename(sql: str) -> str:
    return _NAMES.sub(lambda m: MIRRORED[m.group(1)], sql)


def mirror_tables() -> None:
    """Create bench_account, bench_transfer and bench_entry from the plugin tables' own DDL."""
    if vendor() == "postgresql":
        for source, target in MIRRORED.items():
            run(f"CREATE TABLE {target} (LIKE {source} INCLUDING ALL)")
        for source, target in MIRRORED.items():
            for (definition,) in rows(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'f' ORDER BY conname",
                [source],
            ):
                run(f"ALTER TABLE {target} ADD {_rename(definition)}")
    elif vendor() == "mysql":
        for source in MIRRORED:
            ddl = one(f"SHOW CREATE TABLE `{source}`")[1]
            ddl = re.sub(r"CONSTRAINT `[^`]+` FOREIGN KEY", "FOREIGN KEY", _rename(ddl))
            ddl = re.sub(r" AUTO_INCREMENT=\d+", "", ddl)
            run(ddl.replace("%", "%%"))
    else:
        for source in MIRRORED:
            for kind, sql in rows(
                "SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
                "ORDER BY type = 'index'",
                [source],
            ):
                sql = _rename(sql)
                if kind == "index":
                    sql = re.sub(r'^CREATE (UNIQUE )?INDEX "([^"]+)"', r'CREATE \1INDEX "bench_\2"', sql)
                run(sql.replace("%", "%%"))


@fixture("raw")
def raw_fixture(bench: Bench) -> dict:
    """The baseline's accounts: as many wallets as the plugin's, a hot one and a revenue one."""
    unit = bench.fixture("unit")["unit"]
    count = bench.config.wallets
    ensure_seq(count)
    mirror_tables()
    with transaction.atomic():
        holder = concat("'raw:w:'", "n")
        run(
            f"INSERT INTO bench_account ({ACCOUNT_COLUMNS}) SELECT 'user_wallet', {holder}, "
            f"%s, 0, NULL, %s, 0, 0, {true()}, %s FROM bench_seq WHERE n <= %s",
            [unit, WALLET_FUNDS, now(), count],
        )
        first, last = one("SELECT MIN(id), MAX(id) FROM bench_account")
        run(
            f"INSERT INTO bench_account ({ACCOUNT_COLUMNS}) VALUES ('user_wallet', 'raw:hot', %s, 0, NULL, %s, "
            f"0, 0, {true()}, %s), ('system', 'raw:revenue', %s, 0, NULL, 0, 0, NULL, {true()}, %s)",
            [unit, HOT_FUNDS, now(), unit, now()],
        )
        hot, revenue = (
            one("SELECT id FROM bench_account WHERE holder = 'raw:hot'")[0],
            one("SELECT id FROM bench_account WHERE holder = 'raw:revenue'")[0],
        )
    analyze(tuple(MIRRORED.values()))
    return {"first": first, "last": last, "hot": hot, "revenue": revenue, "unit": unit}


def overdraft_violations() -> dict[str, int]:
    """Accounts whose available balance is below their overdraft limit (must all be 0)."""
    from django.db import connection

    tables = set(connection.introspection.table_names())
    return {
        table: one(
            f"SELECT COUNT(*) FROM {table} WHERE overdraft_limit IS NOT NULL AND balance - held < -overdraft_limit"
        )[0]
        for table in (ACCOUNT, "bench_account")
        if table in tables
    }
