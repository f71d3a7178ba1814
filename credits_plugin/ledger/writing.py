"""The general path's write of one transfer: its entries, lots and balances, through the ORM.

Used by every operation that does not take the fast path (:mod:`credits_plugin.ledger.fastpath`):
transfers between spendable accounts, grants, reversals, posts of holds that went into an
overdraft, expiry of lots. The accounts must be locked (:mod:`credits_plugin.ledger.accounts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from credits_plugin.constants import LOT_SOURCE_FOR_KIND, LotSource
from credits_plugin.ledger.accounts import apply_balances
from credits_plugin.ledger.checks import Actor
from credits_plugin.ledger.lots import LotPlan, credit_lots
from credits_plugin.ledger.models import Account, Entry, Hold, Lot, Transfer


def write_transfer(
    *,
    debit: Account,
    credit: Account,
    amount: int,
    kind: str,
    key: str,
    fingerprint: str,
    actor: Actor = None,
    reason: str = "",
    reference: str = "",
    batch: str = "",
    hold: Hold | None = None,
    reverses: Transfer | None = None,
    debit_parts: Sequence[tuple[int | None, int]] = (),
    credit_restore: Sequence[tuple[int, int]] = (),
    lot_source: str | None = None,
    lot_expires_at: datetime | None = None,
    plan: LotPlan,
    held_release: int = 0,
) -> Transfer:
    """Write one transfer with its entries, lots and balances. Accounts must be locked.

    ``debit_parts``: ``[(lot id or None, amount), ...]`` taken from the debit account (planned
    in ``plan``); ``credit_restore``: lots of the credit account the value returns to first.
    """
    new_lots: list[Lot] = []
    credit_parts = credit_lots(
        credit,
        amount,
        plan,
        restore=credit_restore,
        source=lot_source or LOT_SOURCE_FOR_KIND.get(kind, LotSource.GRANTED),
        expires_at=lot_expires_at,
        new_lots=new_lots,
    )
    # Balances first, then the rows that reference the accounts: InnoDB's foreign-key checks take
    # shared locks on the referenced (system) rows, which a later update would have to upgrade.
    plan.save()
    apply_balances({debit.pk: (-amount, -held_release), credit.pk: (amount, 0)})
    transfer = Transfer.objects.create(
        idempotency_key=key,
        request_hash=fingerprint,
        kind=kind,
        unit_id=debit.unit_id,
        amount=amount,
        debit_account=debit,
        credit_account=credit,
        hold=hold,
        reverses=reverses,
        actor=actor,
        reason=reason,
        reference=reference,
        batch=batch,
    )
    for lot in new_lots:
        lot.transfer = transfer
    if new_lots:
        if len(new_lots) == 1:
            new_lots[0].save(force_insert=True)
        else:
            Lot.objects.bulk_create(new_lots)
    entries = _entries_for(transfer, debit, -1, debit_parts, amount, new_lots)
    entries += _entries_for(transfer, credit, 1, credit_parts, amount, new_lots)
    Entry.objects.bulk_create(entries)
    debit.balance -= amount
    debit.held -= held_release
    credit.balance += amount
    return transfer


def _entries_for(
    transfer: Transfer,
    account: Account,
    sign: int,
    parts: Sequence[tuple[int | None, int]],
    total: int,
    new_lots: Sequence[Lot],
) -> list[Entry]:
    """Entries of one side of a transfer: one per lot part, the rest without a lot."""
    entries = []
    covered = 0
    for lot_id, part in parts:
        if lot_id is not None and lot_id < 0:
            lot_id = new_lots[-lot_id - 1].pk
        entries.append(Entry(transfer=transfer, account=account, lot_id=lot_id, amount=sign * part))
        covered += part
    if covered < total:
        entries.append(
            Entry(transfer=transfer, account=account, lot_id=None, amount=sign * (total - covered))
        )
    return entries
