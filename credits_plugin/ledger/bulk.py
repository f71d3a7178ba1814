"""Giving the same amount to many accounts at once, with a fixed number of statements per chunk.

Each chunk is one transaction: lock the chunk's accounts (ascending id), insert one transfer,
one lot and two entries per account with multi-row inserts, add to the accounts' balances,
and update the issuance shards last. A replayed chunk (same idempotency keys) grants nothing
twice: accounts that already have their transfer are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from credits_plugin import exceptions
from credits_plugin.constants import AccountKind, LotSource, SystemAccount, TransferKind
from credits_plugin.ledger.models import Account, Entry, Lot, Transfer
from credits_plugin.ledger.services import _check_amount, _fingerprint, system_account_id


def bulk_grant(
    *,
    account_ids: Sequence[int],
    amount: int,
    key_prefix: str,
    kind: str = TransferKind.GRANT,
    actor=None,
    reason: str = "",
    reference: str = "",
    batch: str = "",
    expires_at: datetime | None = None,
    source: str = LotSource.GRANTED,
) -> int:
    """Grant ``amount`` to each account, keyed ``<key_prefix>:<account id>``; returns how many
    accounts received it in this call."""
    _check_amount(amount)
    ids = sorted(set(account_ids))
    if not ids:
        return 0
    with transaction.atomic():
        accounts = list(Account.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if len(accounts) != len(ids):
            raise exceptions.AccountNotFound()
        units = {a.unit_id for a in accounts}
        if len(units) != 1:
            raise exceptions.UnitMismatch()
        unit = units.pop()
        if any(a.kind == AccountKind.SYSTEM or not a.is_active for a in accounts):
            raise exceptions.AccountInactive()
        keys = {a.pk: f"{key_prefix}:{a.pk}" for a in accounts}
        done = set(
            Transfer.objects.filter(idempotency_key__in=keys.values()).values_list(
                "idempotency_key", flat=True
            )
        )
        todo = [a for a in accounts if keys[a.pk] not in done]
        if not todo:
            return 0
        now = timezone.now()
        shard_of = {a.pk: system_account_id(SystemAccount.ISSUANCE, unit=unit, shard_key=a.pk) for a in todo}
        transfers = Transfer.objects.bulk_create(
            [
                Transfer(
                    idempotency_key=keys[a.pk],
                    request_hash=_fingerprint(
                        op="transfer",
                        debit=shard_of[a.pk],
                        credit=a.pk,
                        amount=amount,
                        kind=kind,
                        reference=reference,
                        lot_source=source,
                        lot_expires_at=expires_at,
                    ),
                    kind=kind,
                    unit_id=unit,
                    amount=amount,
                    debit_account_id=shard_of[a.pk],
                    credit_account_id=a.pk,
                    actor=actor,
                    reason=reason,
                    reference=reference,
                    batch=batch,
                    created=now,
                )
                for a in todo
            ]
        )
        by_account = {t.credit_account_id: t for t in transfers}
        if any(t.pk is None for t in transfers):  # a backend that cannot return ids
            by_account = {
                t.credit_account_id: t
                for t in Transfer.objects.filter(idempotency_key__in=[keys[a.pk] for a in todo])
            }
        lots = []
        for a in todo:
            debt = max(0, -(a.balance - a.held))
            spendable = amount - min(amount, debt)
            if spendable:
                lots.append(
                    Lot(
                        account_id=a.pk,
                        source=source,
                        amount=spendable,
                        remaining=spendable,
                        expires_at=expires_at,
                        transfer=by_account[a.pk],
                        created=now,
                    )
                )
        lots = Lot.objects.bulk_create(lots)
        lot_of = {lot.account_id: lot.pk for lot in lots}
        if lots and any(lot.pk is None for lot in lots):
            lot_of = dict(
                Lot.objects.filter(transfer__in=[t.pk for t in by_account.values()]).values_list(
                    "account_id", "pk"
                )
            )
        entries = []
        for a in todo:
            t = by_account[a.pk]
            entries.append(Entry(transfer=t, account_id=shard_of[a.pk], amount=-amount))
            lot_id = lot_of.get(a.pk)
            spendable = amount - min(amount, max(0, -(a.balance - a.held)))
            if lot_id is not None:
                entries.append(Entry(transfer=t, account_id=a.pk, lot_id=lot_id, amount=spendable))
            if spendable < amount:
                entries.append(Entry(transfer=t, account_id=a.pk, lot_id=None, amount=amount - spendable))
        Entry.objects.bulk_create(entries)
        Account.objects.filter(pk__in=[a.pk for a in todo]).update(balance=F("balance") + amount)
        per_shard: dict[int, int] = {}
        for a in todo:
            per_shard[shard_of[a.pk]] = per_shard.get(shard_of[a.pk], 0) + amount
        shard_ids = sorted(per_shard)
        Account.objects.filter(pk__in=shard_ids).update(
            balance=F("balance") - Case(*[When(pk=pk, then=Value(per_shard[pk])) for pk in shard_ids])
        )
        return len(todo)
