"""SQL statements per operation, counted (not timed) with Django's CaptureQueriesContext.

Every statement that goes through Django's cursor is counted, SAVEPOINT and RELEASE included.
BEGIN and COMMIT do not go through the cursor, but Django (4.2 and later) records them as well,
as "BEGIN" and "COMMIT", so the counts below are the full round trips of a call -- with one
exception: on MariaDB/MySQL Django turns autocommit back on after the commit (``SET
autocommit=1``, one more round trip) without recording it. ``statements`` is the count without
BEGIN and COMMIT.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from benchmarks.registry import Bench, MeasureCase, register

_keys = itertools.count()


def _key(bench: Bench, op: str) -> str:
    return f"bench:{bench.run_id}:statements:{op}:{next(_keys)}"


@register
class Statements(MeasureCase):
    name = "statements"
    title = "SQL statements per operation"
    needs = ("unit", "probe")

    def measure(self, bench: Bench) -> dict:
        from django.db import connection, transaction
        from django.test.utils import CaptureQueriesContext

        from credits_plugin import api
        from credits_plugin.ledger.models import Account

        probe = bench.fixture("probe")
        account_id, unit = probe["id"], probe["unit"]

        def wallet() -> Account:
            return Account.from_db("default", ["id", "unit_id"], [account_id, unit])

        def charge() -> object:
            return api.charge(account=wallet(), amount=100, idempotency_key=_key(bench, "charge"))

        def charge_by_id() -> object:
            return api.charge(account=account_id, amount=100, idempotency_key=_key(bench, "charge-id"))

        def charge_in_transaction() -> object:
            with transaction.atomic():
                return charge()

        def charge_replay() -> object:
            return api.charge(account=wallet(), amount=100, idempotency_key=replay_key)

        def hold() -> object:
            return api.place_hold(account=wallet(), amount=100, idempotency_key=_key(bench, "hold"))

        holds: list = []

        def post() -> object:
            return api.post_hold(hold=holds.pop())

        def void() -> object:
            return api.void_hold(hold=holds.pop())

        def balance() -> object:
            return api.balance(account_id)

        replay_key = _key(bench, "replayed")
        charge()  # fills the caches of units and system-account ids, as any running process has them
        api.charge(account=wallet(), amount=100, idempotency_key=replay_key)

        ops: list[tuple[str, str, Callable[[], object]]] = [
            ("charge", "api.charge(account=<Account>)", charge),
            ("charge (account id)", "api.charge(account=<id>): one more read to find the unit", charge_by_id),
            ("charge (replay)", "api.charge with a key already used, same request", charge_replay),
            (
                "charge (in a transaction)",
                "api.charge inside the caller's transaction.atomic()",
                charge_in_transaction,
            ),
            ("hold", "api.place_hold(account=<Account>)", hold),
            ("post", "api.post_hold(hold=<Hold>)", post),
            ("void", "api.void_hold(hold=<Hold>)", void),
            ("balance", "api.balance(<id>)", balance),
        ]
        results = {}
        for name, description, op in ops:
            if name in ("post", "void"):
                holds.append(hold())
            with CaptureQueriesContext(connection) as captured:
                op()
            sql = [q["sql"] for q in captured.captured_queries]
            results[name] = {
                "count": len(sql),
                "statements": sum(1 for q in sql if q not in ("BEGIN", "COMMIT")),
                "description": description,
                "sql": [_short(q["sql"]) for q in captured.captured_queries],
            }
        return {
            "note": (
                "count: every statement Django records, BEGIN and COMMIT included (MariaDB's SET autocommit=1 "
                "after the commit is not recorded); statements: the same without BEGIN and COMMIT"
            ),
            "ops": results,
        }


def _short(sql: str, width: int = 160) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= width else sql[: width - 3] + "..."
