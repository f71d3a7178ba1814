"""Hand-written SQL of the ledger's hot path: charges, holds, posts and voids.

On the machines this runs on one SQL statement costs about 0.15-0.3 ms of round trip and driver
time, and building a query through the ORM another 0.3-0.4 ms of Python. The hot path therefore
uses a fixed, small number of statements, written here once per database:

* **PostgreSQL**: lock the spendable account (1), then one data-modifying CTE (1) that reads its
  open lots, picks them in spending order (window functions), and writes everything: the
  transfer or hold, its entries, the lots, both balances, the hold's status. A charge is two
  statements; the account stays locked for one statement and the commit.
* **MariaDB/MySQL**: lock the account and read its lots in one statement (1), update the
  balances, the lots and the hold's status in one multi-table UPDATE (1), then insert the
  transfer (1) and its entries (1, multi-row). SQLite, which has no multi-table UPDATE, runs the
  same with one UPDATE per table.

Two database facts shape this:

* PostgreSQL, READ COMMITTED: a statement that waits for a row lock returns the newest version
  of the locked row, but joins it with rows of other tables as of the snapshot the statement took
  *before* waiting. Lots read in the locking statement could be stale, so they are read by the
  next statement (the CTE), whose snapshot is taken once the lock is held. An InnoDB locking
  read, on the other hand, reads the newest committed rows of every table it locks.
* InnoDB takes a shared lock on the parent row of every foreign key it checks. Inserting a
  transfer that references a system account, then updating that account, lets two transactions
  both take the shared lock and both wait to upgrade it: a deadlock. So on MariaDB (and,
  harmlessly, SQLite) balances are updated *before* anything that references them is inserted.
  PostgreSQL's key-share locks do not conflict with its row updates (and Django's foreign keys
  there are checked at commit), so the order inside its CTE does not matter.

The spendable account is locked only when the other account is an active system account of the
same unit (checked by the locking statement itself); anything else returns ``None`` and the
caller takes the general path, which locks in the documented order. Every operation chooses
between the two paths in one place: :func:`credits_plugin.ledger.fastpath.use_fast_path`.

What is written is passed as typed rows (:class:`TransferRow`, :class:`HoldRow`,
:class:`EntryRow`, :class:`Delta`, :class:`Resolve`), whose fields are named as the columns they
fill; how each value is sent follows from the column's name (:data:`_COLUMN_KINDS`).
"""

# ruff: noqa: S608 -- every statement is built from table names and placeholders, never from input

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.dateparse import parse_datetime

from credits_plugin.conf import setting
from credits_plugin.constants import AccountKind
from credits_plugin.ledger.lots import SPEND_ORDER_SQL
from credits_plugin.ledger.models import Account, Entry, Hold, Lot, Transfer

ACCOUNT = Account._meta.db_table
LOT = Lot._meta.db_table
HOLD = Hold._meta.db_table
TRANSFER = Transfer._meta.db_table
ENTRY = Entry._meta.db_table
SYSTEM = AccountKind.SYSTEM.value


class TransferRow(NamedTuple):
    """A new transfer: one value per column of its table, named as the column."""

    idempotency_key: str
    request_hash: str
    kind: str
    #: None until the locking statement has read the debit account's unit
    unit: str | None
    amount: int
    debit_account_id: int
    credit_account_id: int
    hold_id: int | None
    reverses_id: int | None
    actor_id: int | None
    reason: str
    reference: str
    batch: str
    #: adapted for the database (``connection.ops.adapt_datetimefield_value``)
    created: Any


class HoldRow(NamedTuple):
    """A new hold: one value per column of its table, named as the column."""

    idempotency_key: str
    request_hash: str
    kind: str
    #: None until the locking statement has read the debit account's unit
    unit: str | None
    amount: int
    debit_account_id: int
    credit_account_id: int
    status: str
    #: JSON text ``[[lot id, amount], ...]``; None when the database allocates (PostgreSQL)
    allocations: str | None
    expires_at: Any
    resolved_at: Any
    actor_id: int | None
    reason: str
    reference: str
    created: Any


class EntryRow(NamedTuple):
    """An entry of the new transfer."""

    account_id: int
    lot_id: int | None
    amount: int


class Delta(NamedTuple):
    """A change of an account's cached balance and held amount."""

    balance: int
    held: int


class Resolve(NamedTuple):
    """A hold's change of status."""

    hold_id: int
    status: str
    #: adapted for the database
    resolved_at: Any


TRANSFER_COLUMNS = ", ".join(TransferRow._fields)
HOLD_COLUMNS = ", ".join(HoldRow._fields)
#: how the value of a column is sent: i(nteger), d(atetime), j(son); any other column s(tring)
_COLUMN_KINDS = {
    **dict.fromkeys(
        ("amount", "debit_account_id", "credit_account_id", "hold_id", "reverses_id", "actor_id"), "i"
    ),
    **dict.fromkeys(("created", "expires_at", "resolved_at"), "d"),
    "allocations": "j",
}
#: every field of a hold, in model order, as :func:`lock_hold` reads it
_HOLD_FIELDS = [f.attname for f in Hold._meta.concrete_fields]
_HOLD_SELECT = ", ".join(f"h.{f.column}" for f in Hold._meta.concrete_fields)
_HOLD_CONVERT = {"allocations": "json", "expires_at": "time", "resolved_at": "time", "created": "time"}
_PG_CASTS = {"s": "", "d": "::timestamptz", "j": "::jsonb"}


class LockedAccount(NamedTuple):
    """The spendable account, as the fast path's locking statement reads it."""

    unit: str
    balance: int
    held: int
    overdraft_limit: int | None
    is_active: bool


class OpenLot(NamedTuple):
    """A lot that still holds value, as the fast path reads it."""

    id: int
    remaining: int
    expires_at: dt.datetime | None
    source: str
    created: dt.datetime


class Spend(NamedTuple):
    """``amount`` leaving the lots of the locked ``account_id``, allocated by the database in
    spending order (PostgreSQL); the write does nothing when an expired lot still holds value."""

    account_id: int
    amount: int
    now: dt.datetime


class Written(NamedTuple):
    """What a write returns: the new transfer's or hold's id."""

    id: int | None
    #: ``[[lot id, amount], ...]`` when a Spend was allocated by the database
    allocations: list[list[int]] | None = None


class LockedSpendable(NamedTuple):
    """The locked spendable account, with its open lots (None on PostgreSQL: the write reads
    them)."""

    account: LockedAccount
    lots: list[OpenLot] | None


class LockedHold(NamedTuple):
    """A locked hold, whether its debit account is active, and that account's available
    balance."""

    hold: Hold
    debit_active: bool
    available: int


def aware(value: Any) -> Any:
    """A datetime read by raw SQL, as the ORM would return it (aware in UTC when USE_TZ)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if settings.USE_TZ and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def cursor(connection: BaseDatabaseWrapper) -> Any:
    """A cursor for the hot path's statements.

    On PostgreSQL the statements are prepared on the server (psycopg's ``prepare=True``, which
    works whatever the connection's ``prepare_threshold``): a charge's one large statement is
    planned once per connection instead of on every call, which is most of its cost. Django's
    own cursors bind parameters on the client and never prepare. The cursor is wrapped by
    Django as its own are, so query logging and ``CaptureQueriesContext`` see the statements.
    """
    global _prepared_cursor_class
    if not _prepared(connection):
        return connection.cursor()
    import psycopg

    if _prepared_cursor_class is None:
        _prepared_cursor_class = type("PreparedCursor", (_PreparedCursor, psycopg.Cursor), {})
    connection.ensure_connection()
    driver = connection.connection
    if driver.prepare_threshold is None:
        # None turns preparing off altogether, even for prepare=True. Django's cursors bind on
        # the client and never prepare whatever the threshold; cursors with server-side binding
        # (OPTIONS server_side_binding) count executions and would prepare after this many.
        driver.prepare_threshold = _NEVER_AUTOMATICALLY
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_prepared_cursor_class(driver))  # type: ignore[attr-defined]


def lock_spendable(cursor: Any, vendor: str, debit_id: int, credit_id: int) -> LockedSpendable | None:
    """Lock the spendable account ``debit_id`` -- with its open lots, except on PostgreSQL where
    the write reads them -- when ``credit_id`` is an active system account of the same unit;
    otherwise lock nothing and return None."""
    q = _Statement(vendor)
    where = (
        f"a.id = {q.num(debit_id)} AND a.kind <> '{SYSTEM}' AND EXISTS (SELECT 1 FROM {ACCOUNT} c "
        f"WHERE c.id = {q.num(credit_id)} AND c.kind = '{SYSTEM}' AND c.is_active AND c.unit = a.unit)"
    )
    columns = "a.unit, a.balance, a.held, a.overdraft_limit, a.is_active"
    if q.pg:
        q.execute(cursor, f"SELECT {columns} FROM {ACCOUNT} a WHERE {where} FOR UPDATE OF a")
        row = cursor.fetchone()
        return None if row is None else LockedSpendable(LockedAccount(*row), None)
    q.execute(
        cursor,
        f"SELECT {columns}, l.id, l.remaining, l.expires_at, l.source, l.created FROM {ACCOUNT} a "
        f"LEFT JOIN {LOT} l ON l.account_id = a.id AND l.remaining > 0 WHERE {where}"
        + (" FOR UPDATE" if vendor == "mysql" else ""),
    )
    rows = cursor.fetchall()
    if not rows:
        return None
    unit, balance, held, limit, active = rows[0][:5]
    return LockedSpendable(
        LockedAccount(unit, balance, held, limit, bool(active)), _lots([r[5:] for r in rows])
    )


def lock_hold(cursor: Any, vendor: str, hold_id: int) -> LockedHold | None:
    """Lock a hold and its spendable debit account (fresh rows of both), when its credit account
    is an active system account; returns the hold, whether the debit account is active, and
    its available balance."""
    q = _Statement(vendor)
    columns = f"{_HOLD_SELECT}, a.is_active, a.balance - a.held"
    if vendor == "mysql":
        # InnoDB keeps its lock on every row a locking read reaches, even one the WHERE then
        # refuses: a hold whose credit is another wallet would leave its debit wallet locked, and
        # the general path, locking both wallets in ascending id order, could deadlock. The debit
        # account is reached through a subquery (whose rows are not locked) that finds it only
        # when the credit account is an active system account.
        debit = (
            f"(SELECT h2.debit_account_id FROM {HOLD} h2 "
            f"JOIN {ACCOUNT} d ON d.id = h2.debit_account_id AND d.kind <> '{SYSTEM}' "
            f"JOIN {ACCOUNT} c ON c.id = h2.credit_account_id AND c.kind = '{SYSTEM}' AND c.is_active "
            f"WHERE h2.id = {q.num(hold_id)})"
        )
        sql = f"SELECT {columns} FROM {HOLD} h JOIN {ACCOUNT} a ON a.id = {debit} WHERE h.id = {q.num(hold_id)} FOR UPDATE"
    else:
        sql = (
            f"SELECT {columns} FROM {HOLD} h JOIN {ACCOUNT} a ON a.id = h.debit_account_id "
            f"WHERE h.id = {q.num(hold_id)} AND a.kind <> '{SYSTEM}' AND EXISTS (SELECT 1 FROM {ACCOUNT} c "
            f"WHERE c.id = h.credit_account_id AND c.kind = '{SYSTEM}' AND c.is_active)"
        )
        if vendor == "postgresql":
            sql += " FOR UPDATE OF h, a"  # only the rows returned are locked
    q.execute(cursor, sql)
    row = cursor.fetchone()
    if row is None:
        return None
    values = list(row[:-2])
    for i, name in enumerate(_HOLD_FIELDS):
        kind = _HOLD_CONVERT.get(name)
        if kind == "json":
            values[i] = _json(values[i])
        elif kind == "time":
            values[i] = aware(values[i])
    return LockedHold(Hold.from_db("default", _HOLD_FIELDS, values), bool(row[-2]), int(row[-1]))


def write(
    cursor: Any,
    vendor: str,
    *,
    accounts: Mapping[int, Delta],
    spend: Spend | None = None,
    lots: Mapping[int, int] | None = None,
    transfer: TransferRow | None = None,
    entries: Sequence[EntryRow] = (),
    hold: HoldRow | None = None,
    resolve: Resolve | None = None,
) -> Written | None:
    """Write one hot-path change; returns the new transfer's or hold's id.

    ``accounts``: {account id: change of balance and held}; ``spend``: lots to allocate in
    the database (PostgreSQL only; their entries are added to ``entries``), or ``lots``: {lot
    id: remaining delta} planned by the caller; ``transfer``: the new transfer; ``entries``:
    the entries of the new transfer; ``hold``: the new hold; ``resolve``: the hold's new status
    and when it changed. The spendable account must
    be locked; system accounts are locked here, last. Returns None, having written nothing,
    when ``spend`` met an expired lot that still holds value.
    """
    if vendor == "postgresql":
        return _write_cte(cursor, accounts, spend, lots or {}, transfer, entries, hold, resolve)
    if spend is not None:
        raise ValueError("lots are allocated by the database on PostgreSQL only")
    if vendor == "mysql":
        _update_all(cursor, vendor, accounts, lots or {}, resolve)
    else:
        _update_each(cursor, vendor, accounts, lots or {}, resolve)
    new_id = None
    if hold is not None:
        q = _Statement(vendor)
        q.execute(cursor, f"INSERT INTO {HOLD} ({HOLD_COLUMNS}) VALUES ({q.row(hold)})")
        new_id = cursor.lastrowid
    if transfer is not None:
        q = _Statement(vendor)
        q.execute(cursor, f"INSERT INTO {TRANSFER} ({TRANSFER_COLUMNS}) VALUES ({q.row(transfer)})")
        new_id = cursor.lastrowid
        q = _Statement(vendor)
        rows = ", ".join(f"({q.num(new_id)}, {q.num(a)}, {q.num(lot)}, {q.num(m)})" for a, lot, m in entries)
        q.execute(cursor, f"INSERT INTO {ENTRY} (transfer_id, account_id, lot_id, amount) VALUES {rows}")
    return Written(new_id)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


class _Statement:
    """Collects the parameters of one statement.

    Integers (ids, amounts; ``int()`` refuses anything else) are written into the text on
    MariaDB and SQLite, because MySQLdb escapes every parameter in Python on every call. On
    PostgreSQL everything is a parameter: psycopg caches the parsing of a statement whose text
    does not change, and a long statement is costly to parse again.
    """

    __slots__ = ("params", "pg")

    def __init__(self, vendor: str) -> None:
        self.pg = vendor == "postgresql"
        self.params: list[Any] = []

    def num(self, value: Any) -> str:
        if self.pg:
            self.params.append(None if value is None else int(value))
            return "%s::bigint"
        return "NULL" if value is None else str(int(value))

    def value(self, value: Any, kind: str = "s") -> str:
        """A string ('s'), datetime ('d'), JSON ('j') or integer ('i') value."""
        if kind == "i":
            return self.num(value)
        self.params.append(value)
        # PostgreSQL: INSERT ... SELECT resolves an untyped parameter (a NULL above all) as text.
        return "%s" + _PG_CASTS[kind] if self.pg else "%s"

    def row(self, values: TransferRow | HoldRow, sql: Mapping[str, str] | None = None) -> str:
        """One row of values, each sent as its column's kind; ``sql`` puts SQL expressions in
        some columns instead."""
        return ", ".join(
            sql[column] if sql and column in sql else self.value(value, _COLUMN_KINDS.get(column, "s"))
            for column, value in zip(values._fields, values, strict=True)
        )

    def execute(self, cursor: Any, sql: str) -> None:
        cursor.execute(sql, self.params)


class _PreparedCursor:
    """Mixed into psycopg's server-side-binding cursor: every statement is prepared."""

    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Any:
        try:
            return super().execute(query, params, prepare=True, binary=binary)  # type: ignore[misc]
        finally:
            if self._query is None:  # type: ignore[has-type]
                # psycopg records no query for a prepared execution (nor for one that failed);
                # Django's query log reads it.
                self._query = _LoggedQuery(query.encode() if isinstance(query, str) else query)


class _LoggedQuery(NamedTuple):
    query: bytes
    params: None = None


_prepared_cursor_class: type | None = None
_NEVER_AUTOMATICALLY = 2**31


def _prepared(connection: BaseDatabaseWrapper) -> bool:
    if connection.vendor != "postgresql":
        return False
    wanted = setting("CREDITS_PLUGIN_PREPARED_STATEMENTS")
    if wanted is None:
        return not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS", False)
    return bool(wanted)


def _lots(rows: Sequence[Sequence[Any]]) -> list[OpenLot]:
    return [OpenLot(r[0], r[1], aware(r[2]), r[3], aware(r[4])) for r in rows if r[0] is not None]


def _case(q: _Statement, alias: str, column: str, deltas: Mapping[int, int]) -> str:
    """``column = column + CASE id WHEN ... END`` over ``deltas`` (a multi-table UPDATE updates
    each row once, so the new value may depend on the row's own id only)."""
    whens = " ".join(f"WHEN {q.num(k)} THEN {q.num(v)}" for k, v in sorted(deltas.items()))
    return f"{alias}{column} = {alias}{column} + CASE {alias}id {whens} END"


def _in(q: _Statement, ids: Iterable[int]) -> str:
    return ", ".join(q.num(i) for i in sorted(ids))


def _update_all(
    cursor: Any, vendor: str, accounts: Mapping[int, Delta], lots: Mapping[int, int], resolve: Resolve | None
) -> None:
    """MariaDB/MySQL: every update of the change in one multi-table UPDATE."""
    q = _Statement(vendor)
    tables = [f"{ACCOUNT} a"]
    sets = [
        _case(q, "a.", "balance", {k: v.balance for k, v in accounts.items()}),
        _case(q, "a.", "held", {k: v.held for k, v in accounts.items()}),
    ]
    if lots:
        tables.append(f"{LOT} l")
        sets.append(_case(q, "l.", "remaining", lots))
    if resolve is not None:
        tables.append(f"{HOLD} h")
        sets.append(
            f"h.status = {q.value(resolve.status)}, h.resolved_at = {q.value(resolve.resolved_at, 'd')}"
        )
    where = [f"a.id IN ({_in(q, accounts)})"]
    if lots:
        where.append(f"l.id IN ({_in(q, lots)})")
    if resolve is not None:
        where.append(f"h.id = {q.num(resolve.hold_id)}")
    q.execute(cursor, f"UPDATE {', '.join(tables)} SET {', '.join(sets)} WHERE {' AND '.join(where)}")


def _update_each(
    cursor: Any, vendor: str, accounts: Mapping[int, Delta], lots: Mapping[int, int], resolve: Resolve | None
) -> None:
    """SQLite: one UPDATE per table."""
    q = _Statement(vendor)
    balance = _case(q, "", "balance", {k: v.balance for k, v in accounts.items()})
    held = _case(q, "", "held", {k: v.held for k, v in accounts.items()})
    q.execute(cursor, f"UPDATE {ACCOUNT} SET {balance}, {held} WHERE id IN ({_in(q, accounts)})")
    if lots:
        q = _Statement(vendor)
        remaining = _case(q, "", "remaining", lots)
        q.execute(cursor, f"UPDATE {LOT} SET {remaining} WHERE id IN ({_in(q, lots)})")
    if resolve is not None:
        q = _Statement(vendor)
        status, resolved = q.value(resolve.status), q.value(resolve.resolved_at, "d")
        q.execute(
            cursor,
            f"UPDATE {HOLD} SET status = {status}, resolved_at = {resolved} WHERE id = {q.num(resolve.hold_id)}",
        )


#: the spending order: soonest expiry (none last), then free before paid, then oldest
_SPEND_ORDER = SPEND_ORDER_SQL
# "remaining + 0": read the lots through the index on account_id alone. Every update of a lot's
# remaining leaves a new entry in the (account, remaining) index until VACUUM; on a hot wallet's
# lot that is thousands of entries a second. The account_id index, whose key does not change,
# is kept small by PostgreSQL's bottom-up index deletion. (An account has few lots.)
_OPEN = "remaining + 0 > 0"
_ALLOCATIONS_JSON = "COALESCE((SELECT jsonb_agg(jsonb_build_array(id, part) ORDER BY ord) FROM alloc), '[]')"


def _write_cte(
    cursor: Any,
    accounts: Mapping[int, Delta],
    spend: Spend | None,
    lots: Mapping[int, int],
    transfer: TransferRow | None,
    entries: Sequence[EntryRow],
    hold: HoldRow | None,
    resolve: Resolve | None,
) -> Written | None:
    """PostgreSQL: every write in one statement, the sub-statements in the order of the text
    (parameters are numbered in that order)."""
    q = _Statement("postgresql")
    parts: list[str] = []
    guard = ""  # makes every write conditional on the spend being possible
    if spend is not None:
        debit = q.num(spend.account_id)
        parts.append(
            f"open_lots AS (SELECT id, remaining, expires_at, ROW_NUMBER() OVER (ORDER BY {_SPEND_ORDER}) AS ord, "
            f"(SUM(remaining) OVER (ORDER BY {_SPEND_ORDER} ROWS UNBOUNDED PRECEDING))::bigint - remaining "
            f"AS before FROM {LOT} WHERE account_id = {debit} AND {_OPEN})"
        )
        parts.append(
            f"ok AS (SELECT NOT EXISTS (SELECT 1 FROM open_lots WHERE expires_at <= {q.value(spend.now, 'd')}) AS ok)"
        )
        parts.append(
            f"wanted AS (SELECT {q.num(spend.amount)} AS amount), "
            "alloc AS (SELECT o.id, o.ord, LEAST(o.remaining, w.amount - o.before) AS part "
            "FROM open_lots o, ok, wanted w WHERE ok.ok AND o.before < w.amount)"
        )
        guard = " AND (SELECT ok FROM ok)"
    result = "SELECT NULL"
    if transfer is not None:
        parts.append(
            f"t AS (INSERT INTO {TRANSFER} ({TRANSFER_COLUMNS}) SELECT {q.row(transfer)} "
            f"WHERE TRUE{guard} RETURNING id)"
        )
        selects = []
        if spend is not None:
            selects.append(f"SELECT t.id, {q.num(spend.account_id)}, alloc.id, -alloc.part FROM t, alloc")
            selects.append(
                f"SELECT t.id, {q.num(spend.account_id)}, NULL::bigint, s.rest FROM t, (SELECT "
                "COALESCE(SUM(part), 0)::bigint - (SELECT amount FROM wanted) AS rest FROM alloc) s WHERE s.rest < 0"
            )
        selects += [f"SELECT t.id, {q.num(a)}, {q.num(lot)}, {q.num(m)} FROM t" for a, lot, m in entries]
        parts.append(
            f"e AS (INSERT INTO {ENTRY} (transfer_id, account_id, lot_id, amount) {' UNION ALL '.join(selects)})"
        )
        result = "SELECT id FROM t"
    if hold is not None:
        values = q.row(hold, {"allocations": _ALLOCATIONS_JSON} if spend is not None else None)
        parts.append(
            f"h AS (INSERT INTO {HOLD} ({HOLD_COLUMNS}) SELECT {values} WHERE TRUE{guard} RETURNING id, allocations)"
        )
        result = "SELECT h.id, h.allocations FROM h"
    if spend is not None:
        parts.append(
            f"l AS (UPDATE {LOT} SET remaining = {LOT}.remaining - alloc.part FROM alloc WHERE {LOT}.id = alloc.id)"
        )
    elif lots:
        rows = ", ".join(f"({q.num(k)}, {q.num(v)})" for k, v in sorted(lots.items()))
        parts.append(
            f"l AS (UPDATE {LOT} SET remaining = {LOT}.remaining + v.d FROM (VALUES {rows}) AS v (id, d) "
            f"WHERE {LOT}.id = v.id)"
        )
    if resolve is not None:
        status, resolved = q.value(resolve.status), q.value(resolve.resolved_at, "d")
        parts.append(
            f"r AS (UPDATE {HOLD} SET status = {status}, resolved_at = {resolved} WHERE id = {q.num(resolve.hold_id)}{guard})"
        )
    rows = ", ".join(f"({q.num(k)}, {q.num(b)}, {q.num(h)})" for k, (b, h) in sorted(accounts.items()))
    parts.append(
        f"b AS (UPDATE {ACCOUNT} SET balance = {ACCOUNT}.balance + v.b, held = {ACCOUNT}.held + v.h "
        f"FROM (VALUES {rows}) AS v (id, b, h) WHERE {ACCOUNT}.id = v.id{guard})"
    )
    if spend is not None and hold is not None:
        result = "SELECT h.id, h.allocations, ok.ok FROM ok LEFT JOIN h ON TRUE"
    elif spend is not None:
        result = f"SELECT ({result}), (SELECT ok FROM ok)"
    q.execute(cursor, "WITH " + ", ".join(parts) + " " + result)
    row = cursor.fetchone()
    if spend is not None and not row[-1]:
        return None
    if hold is not None:
        return Written(row[0], _json(row[1]))
    return Written(row[0])
