"""Expiry of lots: what is left of an expired lot moves to the expiry account.

An expired lot is swept whenever its account is read for display or spending (a balance, an
account lookup, a charge), so that no one sees (or is quoted) credits that cannot be spent;
:func:`expire_lots` sweeps every account with an expired lot (the ``expire_credit_lots``
command). The expiry of holds is in :mod:`credits_plugin.ledger.holds`.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from credits_plugin.constants import SystemAccount, TransferKind
from credits_plugin.ledger.accounts import lock, system_account_id
from credits_plugin.ledger.checks import pk
from credits_plugin.ledger.idempotency import fingerprint
from credits_plugin.ledger.lots import LotPlan
from credits_plugin.ledger.models import Account, Lot
from credits_plugin.ledger.writing import write_transfer


def sweep_expired(account: Account | int, *, now: datetime | None = None) -> bool:
    """Move what is left of the account's expired lots to the expiry account, now.

    Called whenever a balance is read for display or spending and an expired lot still holds
    value, so that no one sees (or is quoted) credits that cannot be spent. Returns whether
    anything moved. Runs in its own transaction (a savepoint inside the caller's).
    """
    account_id = pk(account)
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock([account_id])[account_id]
        if not locked.tracks_lots:
            return False
        return sweep_expired_lots(locked, now=now)


def expire_lots(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Move the remainders of expired lots to the expiry account; returns the accounts swept."""
    now = now or timezone.now()
    account_ids = list(
        Lot.objects.filter(remaining__gt=0, expires_at__lte=now)
        .values_list("account_id", flat=True)
        .distinct()
        .order_by("account_id")[:limit]
    )
    for account_id in account_ids:
        with transaction.atomic():
            account = lock([account_id])[account_id]
            sweep_expired_lots(account, now=now)
    return len(account_ids)


def sweep_expired_lots(account: Account, *, now: datetime) -> bool:
    """Move the remainders of the account's expired lots to the expiry account. Account locked.
    Returns whether anything moved."""
    if not account.tracks_lots:
        return False
    expired = list(
        Lot.objects.filter(account=account, remaining__gt=0, expires_at__lte=now).order_by("expires_at", "pk")
    )
    for lot in expired:
        amount = lot.remaining
        key = f"lot-expiry:{lot.pk}:{lot.expired_amount}"
        expiry = system_account_id(SystemAccount.EXPIRY, unit=account.unit_id, shard_key=account.pk)
        plan = LotPlan()
        plan.take(lot, amount)
        write_transfer(
            debit=account,
            credit=Account.objects.get(pk=expiry),
            amount=amount,
            kind=TransferKind.EXPIRY,
            key=key,
            fingerprint=fingerprint("expiry", lot=lot.pk, amount=amount),
            reason="Lot expired",
            debit_parts=[(lot.pk, amount)],
            plan=plan,
        )
        Lot.objects.filter(pk=lot.pk).update(expired_amount=F("expired_amount") + amount)
        lot.expired_amount += amount
    return bool(expired)
