"""The public Python surface of credits_plugin.

Views, receivers, tasks and other plugins call these functions and nothing else. Amounts are
integers in the unit's minor unit (hundredths): 12.50 credits is ``1250``.
"""

from __future__ import annotations

from datetime import datetime

from credits_plugin.constants import LotSource, SystemAccount, TransferKind
from credits_plugin.ledger import selectors as _ledger_selectors
from credits_plugin.ledger import services as _ledger
from credits_plugin.ledger.models import Account, Hold, Transfer, Unit
from credits_plugin.ledger.selectors import Balance, VerifyReport
from credits_plugin.wallets.services import organisation_wallet, user_wallet

__all__ = [
    "Balance",
    "VerifyReport",
    "balance",
    "charge",
    "ensure_unit",
    "expire_holds",
    "expire_lots",
    "grant",
    "history",
    "open_lots",
    "organisation_wallet",
    "place_hold",
    "post_hold",
    "refund",
    "reverse_transfer",
    "system_account",
    "transfer",
    "user_wallet",
    "verify_ledger",
    "void_hold",
]

ensure_unit = _ledger.ensure_unit
transfer = _ledger.transfer
post_hold = _ledger.post_hold
void_hold = _ledger.void_hold
reverse_transfer = _ledger.reverse_transfer
expire_holds = _ledger.expire_holds
expire_lots = _ledger.expire_lots
balance = _ledger_selectors.balance
history = _ledger_selectors.history
open_lots = _ledger_selectors.open_lots
verify_ledger = _ledger_selectors.verify_ledger


def _unit_of(account: Account | int) -> tuple[int, str]:
    if isinstance(account, Account):
        return account.pk, account.unit_id
    return account, balance(account).unit


def system_account(name: SystemAccount | str, *, unit: str, shard_key: int | None = None) -> Account:
    """One shard of the system account ``name`` in ``unit``."""
    return Account.objects.get(pk=_ledger.system_account_id(name, unit=unit, shard_key=shard_key))


def grant(
    *,
    account: Account | int,
    amount: int,
    idempotency_key: str,
    actor=None,
    reason: str = "",
    reference: str = "",
    expires_at: datetime | None = None,
    source: str = LotSource.GRANTED,
    kind: str = TransferKind.GRANT,
    batch: str = "",
) -> Transfer:
    """Give ``amount`` to ``account`` from the issuance account, as a new lot."""
    account_id, unit = _unit_of(account)
    issuance = _ledger.system_account_id(SystemAccount.ISSUANCE, unit=unit, shard_key=account_id)
    return _ledger.transfer(
        debit=issuance,
        credit=account_id,
        amount=amount,
        kind=kind,
        idempotency_key=idempotency_key,
        actor=actor,
        reason=reason,
        reference=reference,
        batch=batch,
        lot_source=source,
        lot_expires_at=expires_at,
    )


def charge(
    *,
    account: Account | int,
    amount: int,
    idempotency_key: str,
    actor=None,
    reason: str = "",
    reference: str = "",
) -> Transfer:
    """Spend ``amount`` from ``account`` now, to the sales revenue account."""
    account_id, unit = _unit_of(account)
    revenue = _ledger.system_account_id(SystemAccount.REVENUE, unit=unit, shard_key=account_id)
    return _ledger.transfer(
        debit=account_id,
        credit=revenue,
        amount=amount,
        kind=TransferKind.CHARGE,
        idempotency_key=idempotency_key,
        actor=actor,
        reason=reason,
        reference=reference,
    )


def place_hold(
    *,
    account: Account | int,
    amount: int,
    idempotency_key: str,
    actor=None,
    reason: str = "",
    reference: str = "",
    expires_at: datetime | None = None,
) -> Hold:
    """Reserve ``amount`` on ``account`` for a charge that :func:`post_hold` completes."""
    account_id, unit = _unit_of(account)
    revenue = _ledger.system_account_id(SystemAccount.REVENUE, unit=unit, shard_key=account_id)
    return _ledger.place_hold(
        debit=account_id,
        credit=revenue,
        amount=amount,
        idempotency_key=idempotency_key,
        actor=actor,
        reason=reason,
        reference=reference,
        expires_at=expires_at,
    )


def refund(*, transfer: Transfer | int, idempotency_key: str, actor=None, reason: str = "") -> Transfer:
    """Give a charge back, to the lots it was paid from."""
    return _ledger.reverse_transfer(
        transfer=transfer,
        idempotency_key=idempotency_key,
        actor=actor,
        reason=reason,
        kind=TransferKind.REFUND,
    )


def unit(code: str) -> Unit:
    """The unit ``code``; raises UnknownUnit if it does not exist."""
    from credits_plugin.exceptions import UnknownUnit

    found = Unit.objects.filter(code=code).first()
    if found is None:
        raise UnknownUnit(unit=code)
    return found
