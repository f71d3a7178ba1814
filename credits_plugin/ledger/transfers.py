"""Transfers: moving value between two accounts now, and undoing a transfer.

Each runs in one database transaction (a savepoint when the caller already has one), takes an
idempotency key (:mod:`credits_plugin.ledger.idempotency`), and locks what it changes
(:mod:`credits_plugin.ledger.accounts`). A charge from a spendable account to a system account
takes the fast path (:mod:`credits_plugin.ledger.fastpath`); the rest, the general path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from django.db import IntegrityError, connection
from django.utils import timezone

from credits_plugin import exceptions
from credits_plugin.constants import TransferKind
from credits_plugin.ledger import sql
from credits_plugin.ledger.accounts import ensure_available, lock_pair
from credits_plugin.ledger.checks import Actor, actor_id, check_amount, check_key, pk
from credits_plugin.ledger.expiry import sweep_expired_lots
from credits_plugin.ledger.fastpath import FastPath, Later, loaded, use_fast_path
from credits_plugin.ledger.idempotency import (
    atomic_with_replay,
    fingerprint,
    request_fingerprint,
    transfer_fingerprint,
)
from credits_plugin.ledger.lots import LotPlan, allocate
from credits_plugin.ledger.models import Account, Transfer
from credits_plugin.ledger.writing import write_transfer

_TRANSFER_KINDS = frozenset(TransferKind.values)
_TRANSFER_FIELDS = [f.attname for f in Transfer._meta.concrete_fields]


def transfer(
    *,
    debit: Account | int,
    credit: Account | int,
    amount: int,
    kind: str,
    idempotency_key: str,
    actor: Actor = None,
    reason: str = "",
    reference: str = "",
    batch: str = "",
    lot_source: str | None = None,
    lot_expires_at: datetime | None = None,
    request: Mapping[str, object] | None = None,
) -> Transfer:
    """Move ``amount`` from ``debit`` to ``credit`` now, as one balanced transfer.

    The debit account's lots are spent in order (soonest expiry, then free before paid, then
    oldest); the credit account receives a new lot with ``lot_source`` and ``lot_expires_at``.
    A replay with the same key and request returns the original transfer.

    ``request``: what identifies the caller's request when it is not the transfer itself (for
    "set the balance to N" the amount moved depends on the balance at the time); the
    fingerprint compared on a replay is then taken from it
    (:func:`~credits_plugin.ledger.idempotency.find_replay`).
    """
    check_amount(amount)
    check_key(idempotency_key)
    if kind not in _TRANSFER_KINDS:
        raise exceptions.InvalidTransferKind()
    debit_id, credit_id = pk(debit), pk(credit)
    if debit_id == credit_id:
        raise exceptions.SameAccount()
    fingerprint_ = (
        request_fingerprint(request)
        if request is not None
        else transfer_fingerprint(
            debit=debit_id,
            credit=credit_id,
            amount=amount,
            kind=kind,
            reference=reference,
            lot_source=lot_source,
            lot_expires_at=lot_expires_at,
        )
    )

    def fast(path: FastPath) -> Later[Transfer] | None:
        return _fast_transfer(
            path,
            debit_id=debit_id,
            credit_id=credit_id,
            amount=amount,
            kind=kind,
            key=idempotency_key,
            fingerprint=fingerprint_,
            actor=actor,
            reason=reason,
            reference=reference,
            batch=batch,
        )

    def general() -> Transfer | Later[Transfer]:
        spend = begin_spend(debit_id, credit_id, amount)
        return write_transfer(
            debit=spend.debit,
            credit=spend.credit,
            amount=amount,
            kind=kind,
            key=idempotency_key,
            fingerprint=fingerprint_,
            actor=actor,
            reason=reason,
            reference=reference,
            batch=batch,
            debit_parts=spend.parts,
            lot_source=lot_source,
            lot_expires_at=lot_expires_at,
            plan=spend.plan,
        )

    return atomic_with_replay(
        Transfer, idempotency_key, fingerprint_, lambda: use_fast_path(fast, general, credit_id=credit_id)
    )


class Spend(NamedTuple):
    """The general path's start of a movement out of ``debit``: both accounts locked, the lots
    that pay for it planned (``parts``: (lot id, amount) pairs), at ``now``."""

    debit: Account
    credit: Account
    now: datetime
    plan: LotPlan
    parts: list[tuple[int, int]]


def begin_spend(debit_id: int, credit_id: int, amount: int) -> Spend:
    """Lock both accounts (ascending id order), sweep the debit's expired lots, refuse with
    :class:`~credits_plugin.exceptions.InsufficientFunds` an amount its available balance
    (with its overdraft) cannot cover, and plan which lots pay: the first steps of a transfer
    and of a hold on the general path."""
    debit_account, credit_account = lock_pair(debit_id, credit_id)
    return plan_spend(debit_account, credit_account, amount)


def plan_spend(debit: Account, credit: Account, amount: int, *, prefer: Sequence[int] = ()) -> Spend:
    """:func:`begin_spend` for accounts the caller has already locked: sweep the debit's expired
    lots, refuse an amount it cannot cover, and plan which lots pay (``prefer``: lots to spend
    first, as a reversal takes back the lots the original created)."""
    now = timezone.now()
    sweep_expired_lots(debit, now=now)
    ensure_available(debit, amount)
    plan = LotPlan()
    parts = allocate(debit, amount, plan, prefer=prefer, now=now)
    return Spend(debit, credit, now, plan, parts)


def reverse_transfer(
    *,
    transfer: Transfer | int,
    idempotency_key: str,
    actor: Actor = None,
    reason: str = "",
    kind: str = TransferKind.REVERSAL,
) -> Transfer:
    """Undo a transfer with an opposite one, returning value to the lots it came from.

    A transfer can be reversed once; a reversal cannot itself be reversed.
    """
    check_key(idempotency_key)
    original_id = pk(transfer)
    fingerprint_ = fingerprint("reverse", transfer=original_id, kind=kind)

    def work() -> Transfer:
        original = Transfer.objects.filter(pk=original_id).first()
        if original is None:
            raise exceptions.TransferNotFound(transfer=original_id)
        if original.reverses_id is not None:
            raise exceptions.NotReversible(transfer=original_id)
        new_debit, new_credit = lock_pair(original.credit_account_id, original.debit_account_id)
        if Transfer.objects.filter(reverses=original).exists():
            raise exceptions.AlreadyReversed(transfer=original_id)
        entries = list(
            original.entries.filter(lot__isnull=False).values_list("account_id", "lot_id", "amount")
        )
        # Value leaves the account that received it: from the lots the original created first.
        prefer = [lot_id for acc, lot_id, amt in entries if acc == new_debit.pk and amt > 0]
        # Value returns to the lots the original spent.
        restore = [(lot_id, -amt) for acc, lot_id, amt in entries if acc == new_credit.pk and amt < 0]
        spend = plan_spend(new_debit, new_credit, original.amount, prefer=prefer)
        reversal = write_transfer(
            debit=new_debit,
            credit=new_credit,
            amount=original.amount,
            kind=kind,
            key=idempotency_key,
            fingerprint=fingerprint_,
            actor=actor,
            reason=reason,
            reference=original.reference,
            batch=original.batch,
            reverses=original,
            debit_parts=spend.parts,
            credit_restore=restore,
            plan=spend.plan,
        )
        # Value returned to a lot that has expired meanwhile is not spendable: it passes straight
        # on to the expiry account, in the same transaction, so no balance ever shows it.
        if any(
            lot.expires_at is not None and lot.expires_at <= spend.now
            for lot in spend.plan.changed.values()
            if lot.account_id == new_credit.pk
        ):
            sweep_expired_lots(new_credit, now=spend.now)
        return reversal

    try:
        return atomic_with_replay(Transfer, idempotency_key, fingerprint_, work)
    except IntegrityError as exc:
        # A concurrent reversal under another key won the race for the unique ``reverses``.
        if Transfer.objects.filter(reverses_id=original_id).exists():
            raise exceptions.AlreadyReversed(transfer=original_id) from exc
        raise


def _fast_transfer(
    path: FastPath,
    *,
    debit_id: int,
    credit_id: int,
    amount: int,
    kind: str,
    key: str,
    fingerprint: str,
    actor: Actor,
    reason: str,
    reference: str,
    batch: str,
) -> Later[Transfer] | None:
    """A transfer from a spendable account to a system account: two statements on PostgreSQL,
    four on MariaDB. None when the general path must run. Runs in the caller's transaction."""
    now = timezone.now()
    actor_id_ = actor_id(actor)
    created = connection.ops.adapt_datetimefield_value(now)
    done = path.spend(
        debit_id,
        credit_id,
        amount,
        now,
        accounts={debit_id: sql.Delta(-amount, 0), credit_id: sql.Delta(amount, 0)},
        transfer=sql.TransferRow(
            idempotency_key=key,
            request_hash=fingerprint,
            kind=kind,
            unit=None,
            amount=amount,
            debit_account_id=debit_id,
            credit_account_id=credit_id,
            hold_id=None,
            reverses_id=None,
            actor_id=actor_id_,
            reason=reason,
            reference=reference,
            batch=batch,
            created=created,
        ),
        entries=[sql.EntryRow(credit_id, None, amount)],
    )
    if done is None:
        return None
    unit, written = done
    return Later(
        lambda: loaded(
            Transfer,
            _TRANSFER_FIELDS,
            actor,
            id=written.id,
            idempotency_key=key,
            request_hash=fingerprint,
            kind=kind,
            unit_id=unit,
            amount=amount,
            debit_account_id=debit_id,
            credit_account_id=credit_id,
            actor_id=actor_id_,
            reason=reason,
            reference=reference,
            batch=batch,
            created=now,
        )
    )
