"""The fast path: hand-written SQL (:mod:`credits_plugin.ledger.sql`) for the common operations.

A charge or hold from a spendable account to a system account, a post, void or expiry of such
a hold take a fixed, small number of statements instead of a dozen through the ORM: three for a
charge on PostgreSQL, five on MariaDB. Everything else (grants, transfers between two
spendable accounts, reversals, a charge that meets an expired lot, a hold that went into an
overdraft) takes the general path through the ORM. Both keep the same locks, checks and results.

Every operation chooses between the two in one place, :func:`use_fast_path`: the fast attempt
runs first (when it can apply at all); it either does the whole work or declines, having written
nothing, and then the general path runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db import connection, models

from credits_plugin import exceptions
from credits_plugin.ledger import sql
from credits_plugin.ledger.accounts import may_be_system
from credits_plugin.ledger.checks import Actor
from credits_plugin.ledger.lots import lot_deltas, spend_order

_T = TypeVar("_T")
_Model = TypeVar("_Model", bound=models.Model)


def use_fast_path(
    fast: Callable[[FastPath], _T | None], general: Callable[[], _T], *, credit_id: int | None = None
) -> _T:
    """Run ``fast`` on the fast path, or ``general`` when ``fast`` declines (returns None).

    ``credit_id``: the account credited, when the operation knows it before reading anything;
    the fast path is tried only when it was seen to be a system account. Runs in the caller's
    transaction.
    """
    if credit_id is None or may_be_system(credit_id):
        with sql.cursor(connection) as cursor:
            done = fast(FastPath(cursor, connection.vendor))
        if done is not None:
            return done
    return general()


@dataclass(frozen=True, slots=True)
class FastPath:
    """The fast path of one operation: the cursor its statements go through."""

    cursor: Any
    vendor: str

    def spend(
        self,
        debit_id: int,
        credit_id: int,
        amount: int,
        now: datetime,
        *,
        accounts: Mapping[int, sql.Delta],
        transfer: sql.TransferRow | None = None,
        entries: Sequence[sql.EntryRow] = (),
        hold: sql.HoldRow | None = None,
    ) -> tuple[str, sql.Written] | None:
        """Lock the spendable ``debit_id`` when ``credit_id`` is a system account, check it, take
        ``amount`` from its lots in spending order and write the ``transfer`` (with ``entries``
        besides the debit's) or the ``hold``. Returns (unit, written), or None -- having written
        nothing -- when the general path must run (other kinds of account, or an expired lot to
        sweep first)."""
        locked = sql.lock_spendable(self.cursor, self.vendor, debit_id, credit_id)
        if locked is None:
            return None
        account, lots = locked
        if not account.is_active:
            raise exceptions.AccountInactive(account=debit_id)
        if lots is not None and any(lot.expires_at is not None and lot.expires_at <= now for lot in lots):
            return None
        if (
            account.overdraft_limit is not None
            and account.balance - account.held - amount < -account.overdraft_limit
        ):
            raise exceptions.InsufficientFunds(
                account=debit_id, available=account.balance - account.held, requested=amount
            )
        unit = account.unit
        if transfer is not None:
            transfer = transfer._replace(unit=unit)
        if hold is not None:
            hold = hold._replace(unit=unit)
        if lots is None:  # PostgreSQL: the database picks the lots, in the same statement as the writes
            written = self.write(
                accounts=accounts,
                spend=sql.Spend(debit_id, amount, now),
                transfer=transfer,
                entries=entries,
                hold=hold,
            )
            if written is None:
                return None
            return unit, written
        allocations = []
        left = amount
        for lot in spend_order(lots):
            if left == 0:
                break
            part = min(left, lot.remaining)
            allocations.append([lot.id, part])
            left -= part
        if transfer is not None:
            entries = [*debit_entries(debit_id, amount, allocations), *entries]
        if hold is not None:
            hold = hold._replace(allocations=json.dumps(allocations))
        written = self.write(
            accounts=accounts, lots=lot_deltas(allocations, -1), transfer=transfer, entries=entries, hold=hold
        )
        assert written is not None
        return unit, written._replace(allocations=allocations)

    def lock_hold(self, hold_id: int) -> sql.LockedHold | None:
        """:func:`credits_plugin.ledger.sql.lock_hold` on this path's cursor."""
        return sql.lock_hold(self.cursor, self.vendor, hold_id)

    def write(
        self,
        *,
        accounts: Mapping[int, sql.Delta],
        spend: sql.Spend | None = None,
        lots: Mapping[int, int] | None = None,
        transfer: sql.TransferRow | None = None,
        entries: Sequence[sql.EntryRow] = (),
        hold: sql.HoldRow | None = None,
        resolve: sql.Resolve | None = None,
    ) -> sql.Written | None:
        """Every write of one fast-path operation: :func:`credits_plugin.ledger.sql.write`."""
        return sql.write(
            self.cursor,
            self.vendor,
            accounts=accounts,
            spend=spend,
            lots=lots,
            transfer=transfer,
            entries=entries,
            hold=hold,
            resolve=resolve,
        )


class Later(Generic[_T]):
    """A result built once the transaction is over, so that the account lock is not held while
    Python builds a model instance."""

    __slots__ = ("build",)

    def __init__(self, build: Callable[[], _T]) -> None:
        self.build = build


def finish(result: _T | Later[_T]) -> _T:
    """The result itself, built when it was a :class:`Later`."""
    return result.build() if isinstance(result, Later) else result


def debit_entries(debit_id: int, amount: int, allocations: Sequence[Sequence[int]]) -> list[sql.EntryRow]:
    """Debit entries of a transfer: one per lot spent, the rest (overdraft) without a lot."""
    entries = [sql.EntryRow(debit_id, lot_id, -part) for lot_id, part in allocations]
    covered = sum(part for _, part in allocations)
    if covered < amount:
        entries.append(sql.EntryRow(debit_id, None, -(amount - covered)))
    return entries


def loaded(model: type[_Model], fields: Sequence[str], actor: Actor = None, **values: Any) -> _Model:
    """A model instance for a row just written, as if loaded from the database."""
    obj = model.from_db("default", list(fields), [values.get(name) for name in fields])
    if actor is not None:
        obj.actor = actor  # type: ignore[attr-defined]
    return obj
