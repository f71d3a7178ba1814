"""Holds: value reserved on an account now, posted as a transfer later, or released.

A hold reserves lots when it is placed (:func:`place_hold`); posting it (:func:`post_hold`)
turns it into a transfer, voiding it (:func:`void_hold`) or letting its time run out
(:func:`expire_holds`) returns the reserved value to its lots. Every change of an account's
holds happens under the lock of that account. Holds for a system account take the fast path
(:mod:`credits_plugin.ledger.fastpath`) when they can.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from credits_plugin import exceptions
from credits_plugin.conf import setting
from credits_plugin.constants import HoldStatus, TransferKind
from credits_plugin.ledger import sql
from credits_plugin.ledger.accounts import apply_balances, lock_pair
from credits_plugin.ledger.checks import Actor, actor_id, check_amount, check_key, pk
from credits_plugin.ledger.expiry import sweep_expired_lots
from credits_plugin.ledger.fastpath import FastPath, Later, debit_entries, finish, loaded, use_fast_path
from credits_plugin.ledger.idempotency import atomic_with_replay, fingerprint
from credits_plugin.ledger.lots import LotPlan, allocate, lot_deltas, reserved
from credits_plugin.ledger.models import Account, Hold, Lot, Transfer
from credits_plugin.ledger.transfers import begin_spend
from credits_plugin.ledger.writing import write_transfer

_TRANSFER_FIELDS = [f.attname for f in Transfer._meta.concrete_fields]
_HOLD_FIELDS = [f.attname for f in Hold._meta.concrete_fields]


def place_hold(
    *,
    debit: Account | int,
    credit: Account | int,
    amount: int,
    idempotency_key: str,
    kind: str = TransferKind.CHARGE,
    actor: Actor = None,
    reason: str = "",
    reference: str = "",
    expires_at: datetime | None = None,
) -> Hold:
    """Reserve ``amount`` on ``debit`` for a later post to ``credit``; lots are reserved now."""
    check_amount(amount)
    check_key(idempotency_key)
    debit_id, credit_id = pk(debit), pk(credit)
    if debit_id == credit_id:
        raise exceptions.SameAccount()
    fingerprint_ = fingerprint(
        "hold", debit=debit_id, credit=credit_id, amount=amount, kind=kind, reference=reference
    )

    def fast(path: FastPath) -> Later[Hold] | None:
        return _fast_hold(
            path,
            debit_id=debit_id,
            credit_id=credit_id,
            amount=amount,
            key=idempotency_key,
            fingerprint=fingerprint_,
            kind=kind,
            actor=actor,
            reason=reason,
            reference=reference,
            expires_at=expires_at,
        )

    def general() -> Hold | Later[Hold]:
        spend = begin_spend(debit_id, credit_id, amount)
        debit_account, now = spend.debit, spend.now
        hold = Hold.objects.create(
            idempotency_key=idempotency_key,
            request_hash=fingerprint_,
            kind=kind,
            unit_id=debit_account.unit_id,
            amount=amount,
            debit_account=debit_account,
            credit_account=spend.credit,
            allocations=[list(a) for a in spend.parts],
            expires_at=expires_at or now + timedelta(seconds=setting("CREDITS_PLUGIN_HOLD_TIMEOUT_SECONDS")),
            actor=actor,
            reason=reason,
            reference=reference,
        )
        spend.plan.save()
        apply_balances({debit_account.pk: (0, amount)})
        return hold

    return atomic_with_replay(
        Hold, idempotency_key, fingerprint_, lambda: use_fast_path(fast, general, credit_id=credit_id)
    )


def post_hold(*, hold: Hold | int) -> Transfer:
    """Turn a pending hold into a transfer. Posting a posted hold returns its transfer."""
    hold_id = pk(hold)

    def fast(path: FastPath) -> Transfer | Later[Transfer] | None:
        current = _fast_locked_hold(path, hold_id, post=True)
        if current is None:
            return None
        if current.status == HoldStatus.POSTED:
            return Transfer.objects.get(hold=current)
        if current.status != HoldStatus.PENDING:
            raise exceptions.HoldAlreadyResolved(hold=current.pk, status=current.status)
        return _fast_post(path, current)

    def general() -> Transfer | Later[Transfer]:
        return _post_general(hold)

    with transaction.atomic():
        posted = use_fast_path(fast, general)
    return finish(posted)


def void_hold(*, hold: Hold | int) -> Hold:
    """Release a pending hold. Voiding a voided hold returns it unchanged."""
    hold_id = pk(hold)

    def fast(path: FastPath) -> Hold | None:
        current = _fast_locked_hold(path, hold_id, post=False)
        if current is None:
            return None
        if current.status == HoldStatus.VOIDED:
            return current
        if current.status != HoldStatus.PENDING:
            raise exceptions.HoldAlreadyResolved(hold=current.pk, status=current.status)
        return _fast_release(path, current, HoldStatus.VOIDED)

    def general() -> Hold:
        current, debit, _ = _locked_hold(hold)
        if current.status == HoldStatus.VOIDED:
            return current
        if current.status != HoldStatus.PENDING:
            raise exceptions.HoldAlreadyResolved(hold=current.pk, status=current.status)
        return _release_hold(current, HoldStatus.VOIDED, debit)

    with transaction.atomic():
        return use_fast_path(fast, general)


def expire_holds(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Release pending holds whose time ran out; returns how many were expired."""
    moment = now or timezone.now()
    due = list(
        Hold.objects.filter(status=HoldStatus.PENDING, expires_at__lte=moment).values_list("pk", flat=True)[
            :limit
        ]
    )
    count = 0
    for hold_id in due:

        def fast(path: FastPath, hold_id: int = hold_id) -> bool | None:
            current = _fast_locked_hold(path, hold_id, post=False)
            if current is None:
                return None
            if current.status == HoldStatus.PENDING and current.expires_at <= moment:
                _fast_release(path, current, HoldStatus.EXPIRED)
                return True
            return False

        def general(hold_id: int = hold_id) -> bool:
            current, debit, _ = _locked_hold(hold_id)
            if current.status == HoldStatus.PENDING and current.expires_at <= moment:
                _release_hold(current, HoldStatus.EXPIRED, debit)
                return True
            return False

        with transaction.atomic():
            count += use_fast_path(fast, general)
    return count


def _fast_hold(
    path: FastPath,
    *,
    debit_id: int,
    credit_id: int,
    amount: int,
    key: str,
    fingerprint: str,
    kind: str,
    actor: Actor,
    reason: str,
    reference: str,
    expires_at: datetime | None,
) -> Later[Hold] | None:
    """A hold from a spendable account for a system account: lock, reserve lots, raise ``held``,
    insert the hold. None when the general path must run. Runs in the caller's transaction."""
    now = timezone.now()
    actor_id_ = actor_id(actor)
    expires_at = expires_at or now + timedelta(seconds=setting("CREDITS_PLUGIN_HOLD_TIMEOUT_SECONDS"))
    adapt = connection.ops.adapt_datetimefield_value
    done = path.spend(
        debit_id,
        credit_id,
        amount,
        now,
        accounts={debit_id: sql.Delta(0, amount)},
        hold=sql.HoldRow(
            idempotency_key=key,
            request_hash=fingerprint,
            kind=kind,
            unit=None,
            amount=amount,
            debit_account_id=debit_id,
            credit_account_id=credit_id,
            status=HoldStatus.PENDING.value,
            allocations=None,
            expires_at=adapt(expires_at),
            resolved_at=None,
            actor_id=actor_id_,
            reason=reason,
            reference=reference,
            created=adapt(now),
        ),
    )
    if done is None:
        return None
    unit, written = done
    return Later(
        lambda: loaded(
            Hold,
            _HOLD_FIELDS,
            actor,
            id=written.id,
            idempotency_key=key,
            request_hash=fingerprint,
            kind=kind,
            unit_id=unit,
            amount=amount,
            debit_account_id=debit_id,
            credit_account_id=credit_id,
            status=HoldStatus.PENDING.value,
            allocations=written.allocations,
            expires_at=expires_at,
            actor_id=actor_id_,
            reason=reason,
            reference=reference,
            created=now,
        )
    )


def _fast_locked_hold(path: FastPath, hold_id: int, *, post: bool) -> Hold | None:
    """The hold, locked with its spendable debit account, when its credit is a system account
    and the fast path can resolve it; None sends the caller to the general path.

    The fast path posts a hold whose lots covered all of it, and releases a hold to its lots
    when the wallet is not overdrawn. The rest (holds that went into an overdraft) needs the
    lot arithmetic of the general path.
    """
    locked = path.lock_hold(hold_id)
    if locked is None:
        return None
    current, debit_active, available = locked
    if not debit_active:
        raise exceptions.AccountInactive(account=current.debit_account_id)
    if current.status == HoldStatus.PENDING:
        if post and sum(part for _, part in current.allocations) < current.amount:
            return None
        if not post and available < 0:
            return None
    return current


def _fast_post(path: FastPath, current: Hold) -> Later[Transfer]:
    amount, debit_id, credit_id = current.amount, current.debit_account_id, current.credit_account_id
    now = timezone.now()
    created = connection.ops.adapt_datetimefield_value(now)
    key, fingerprint_ = f"hold-post:{current.pk}", fingerprint("post", hold=current.pk)
    written = path.write(
        accounts={debit_id: sql.Delta(-amount, -amount), credit_id: sql.Delta(amount, 0)},
        resolve=sql.Resolve(current.pk, HoldStatus.POSTED.value, created),
        transfer=sql.TransferRow(
            idempotency_key=key,
            request_hash=fingerprint_,
            kind=current.kind,
            unit=current.unit_id,
            amount=amount,
            debit_account_id=debit_id,
            credit_account_id=credit_id,
            hold_id=current.pk,
            reverses_id=None,
            actor_id=current.actor_id,
            reason=current.reason,
            reference=current.reference,
            batch="",
            created=created,
        ),
        entries=[
            *debit_entries(debit_id, amount, current.allocations),
            sql.EntryRow(credit_id, None, amount),
        ],
    )
    assert written is not None
    return Later(
        lambda: loaded(
            Transfer,
            _TRANSFER_FIELDS,
            id=written.id,
            idempotency_key=key,
            request_hash=fingerprint_,
            kind=current.kind,
            unit_id=current.unit_id,
            amount=amount,
            debit_account_id=debit_id,
            credit_account_id=credit_id,
            hold_id=current.pk,
            actor_id=current.actor_id,
            reason=current.reason,
            reference=current.reference,
            batch="",
            created=now,
        )
    )


def _fast_release(path: FastPath, current: Hold, status: str) -> Hold:
    now = timezone.now()
    path.write(
        accounts={current.debit_account_id: sql.Delta(0, -current.amount)},
        lots=lot_deltas(current.allocations, 1),
        resolve=sql.Resolve(current.pk, status, connection.ops.adapt_datetimefield_value(now)),
    )
    current.status, current.resolved_at = status, now
    return current


def _locked_hold(hold: Hold | int) -> tuple[Hold, Account, Account]:
    hold_id = pk(hold)
    found = Hold.objects.filter(pk=hold_id).values_list("debit_account_id", "credit_account_id").first()
    if found is None:
        raise exceptions.HoldNotFound(hold=hold_id)
    debit, credit = lock_pair(*found)
    # Fresh read under the debit account's lock, which guards every change of its holds.
    return Hold.objects.get(pk=hold_id), debit, credit


def _post_general(hold: Hold | int) -> Transfer:
    current, debit, credit = _locked_hold(hold)
    if current.status == HoldStatus.POSTED:
        return Transfer.objects.get(hold=current)
    if current.status != HoldStatus.PENDING:
        raise exceptions.HoldAlreadyResolved(hold=current.pk, status=current.status)
    plan = LotPlan()
    parts: list[tuple[int | None, int]] = [tuple(a) for a in current.allocations]
    uncovered = current.amount - sum(part for _, part in parts)
    if uncovered:
        # The part of the hold its lots did not cover: from the lots the wallet holds now.
        now = timezone.now()
        sweep_expired_lots(debit, now=now)
        parts += allocate(debit, uncovered, plan, now=now)
    transfer_ = write_transfer(
        debit=debit,
        credit=credit,
        amount=current.amount,
        kind=current.kind,
        key=f"hold-post:{current.pk}",
        fingerprint=fingerprint("post", hold=current.pk),
        actor=current.actor,
        reason=current.reason,
        reference=current.reference,
        hold=current,
        debit_parts=parts,
        plan=plan,
        held_release=current.amount,
    )
    Hold.objects.filter(pk=current.pk).update(status=HoldStatus.POSTED, resolved_at=timezone.now())
    return transfer_


def _release_hold(current: Hold, status: str, debit: Account) -> Hold:
    plan = LotPlan()
    if current.allocations:
        lots = {
            lot.pk: lot for lot in Lot.objects.filter(pk__in=[lot_id for lot_id, _ in current.allocations])
        }
        # The reserved value returns to its lots, except what pays an overdraft the wallet ran
        # up meanwhile: its lots must add up to max(0, balance - what stays reserved) after.
        reserved_ = reserved(debit)
        returned = sum(part for _, part in current.allocations)
        owed = returned - (max(0, debit.balance - reserved_ + returned) - max(0, debit.balance - reserved_))
        for lot_id, part in current.allocations:
            paid = min(owed, part)
            owed -= paid
            if part - paid:
                plan.give(plan.changed.get(lot_id) or lots[lot_id], part - paid)
    plan.save()
    apply_balances({current.debit_account_id: (0, -current.amount)})
    now = timezone.now()
    Hold.objects.filter(pk=current.pk).update(status=status, resolved_at=now)
    current.status, current.resolved_at = status, now
    return current
