"""Units and accounts: creating them, finding system accounts, and locking accounts in order.

Accounts that can be spent from (wallets, training-credit accounts) are locked with
``SELECT ... FOR UPDATE`` in ascending id order before anything is read or written (:func:`lock`,
:func:`lock_pair`); system accounts are never read for a decision, and their cached balance is
updated by a single ``UPDATE`` at the very end, again in ascending id order
(:func:`apply_balances`). Because every transaction takes its spendable-account locks first and
its system-account locks last, no two transactions can wait for each other in a cycle.

System-account ids and known units are cached in the process (:func:`forget_cached_ids` drops
them, for tests that recreate the database).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from credits_plugin import exceptions
from credits_plugin.conf import setting
from credits_plugin.constants import AccountKind, SystemAccount
from credits_plugin.ledger.checks import Actor
from credits_plugin.ledger.lots import expired_due
from credits_plugin.ledger.models import Account, Unit

_SYSTEM_IDS: dict[tuple[str, str, int], int] = {}
#: ids seen to be system accounts in this process. Only a hint for taking the fast path (whose
#: SQL checks the account again): on MariaDB its locking probe of a transfer to an account that
#: is not a system account would leave the debit account locked before the general path locks
#: both accounts in ascending order.
_SYSTEM_HINT: set[int] = set()
_KNOWN_UNITS: set[str] = set()


def ensure_unit(code: str, *, name: str | None = None, exponent: int = 2) -> Unit:
    """Return the unit ``code``, creating it the first time."""
    if not code or len(code) > 16:
        raise exceptions.UnknownUnit()
    unit, created = Unit.objects.get_or_create(
        code=code, defaults={"name": name or code, "exponent": exponent}
    )
    if created:
        # Every system account of the unit exists from the start, so that no transfer (and no
        # refused transfer) ever has to create one.
        shards = max(1, int(setting("CREDITS_PLUGIN_SYSTEM_ACCOUNT_SHARDS")))
        Account.objects.bulk_create(
            [
                Account(
                    holder=f"system:{name_}",
                    kind=AccountKind.SYSTEM,
                    unit=unit,
                    shard=shard,
                    overdraft_limit=None,
                )
                for name_ in SystemAccount.values
                for shard in range(shards)
            ],
            ignore_conflicts=True,
        )
    transaction.on_commit(lambda: _KNOWN_UNITS.add(code))
    return unit


def get_or_create_account(
    *,
    holder: str,
    kind: str,
    unit: str,
    user: Actor = None,
    overdraft_limit: int | None = 0,
) -> Account:
    """Return the account of ``holder`` in ``unit``, creating it the first time.

    The balance it carries never includes expired credits: when a lot of the account has
    expired since the last sweep, the account is swept (see
    :func:`~credits_plugin.ledger.expiry.sweep_expired`) and read again. The check rides on the
    one read of the account.
    """
    # expiry writes transfers to system accounts, found here: imported when first needed.
    from credits_plugin.ledger.expiry import sweep_expired

    _check_unit(unit)
    now = timezone.now()
    found = (
        Account.objects.filter(holder=holder, unit_id=unit, shard=0)
        .annotate(expired_due=expired_due(now))
        .first()
    )
    if found is not None:
        if not found.expired_due:
            return found
        sweep_expired(found.pk, now=now)
        return Account.objects.get(pk=found.pk)
    try:
        with transaction.atomic():
            return Account.objects.create(
                holder=holder, kind=kind, unit_id=unit, user=user, overdraft_limit=overdraft_limit
            )
    except IntegrityError:
        return Account.objects.get(holder=holder, unit_id=unit, shard=0)


def system_account_id(name: str, *, unit: str, shard_key: int | None = None) -> int:
    """The id of one shard of a system account; the shard is picked from ``shard_key``."""
    shards = max(1, int(setting("CREDITS_PLUGIN_SYSTEM_ACCOUNT_SHARDS")))
    shard = (shard_key if shard_key is not None else random.randrange(shards)) % shards
    cache_key = (str(name), unit, shard)
    account_id = _SYSTEM_IDS.get(cache_key)
    if account_id is not None:
        return account_id
    _check_unit(unit)
    holder = f"system:{name}"
    account = Account.objects.filter(holder=holder, unit_id=unit, shard=shard).first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(
                    holder=holder,
                    kind=AccountKind.SYSTEM,
                    unit_id=unit,
                    shard=shard,
                    overdraft_limit=None,
                )
        except IntegrityError:
            account = Account.objects.get(holder=holder, unit_id=unit, shard=shard)
    found_id: int = account.pk
    # Cached only once committed, so that a rolled-back creation never leaves a stale id.
    transaction.on_commit(lambda: _SYSTEM_IDS.__setitem__(cache_key, found_id))
    _SYSTEM_HINT.add(found_id)
    return found_id


def forget_cached_ids() -> None:
    """Drop cached system-account ids and units (tests that recreate the database call this)."""
    _SYSTEM_IDS.clear()
    _SYSTEM_HINT.clear()
    _KNOWN_UNITS.clear()


def may_be_system(account_id: int) -> bool:
    """Whether ``account_id`` was seen to be a system account in this process (a hint only)."""
    return account_id in _SYSTEM_HINT


def lock(account_ids: Iterable[int]) -> dict[int, Account]:
    """Lock the given non-system accounts in ascending id order and return them fresh."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    locked = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    missing = set(ids) - set(locked)
    if missing:
        raise exceptions.AccountNotFound(account=min(missing))
    return locked


def lock_pair(debit_id: int, credit_id: int) -> tuple[Account, Account]:
    """Lock the spendable accounts among the two; system accounts are only loaded."""
    accounts = _load([debit_id, credit_id])
    locked = lock(pk for pk, a in accounts.items() if a.kind != AccountKind.SYSTEM)
    accounts.update(locked)
    debit, credit = accounts[debit_id], accounts[credit_id]
    if debit.unit_id != credit.unit_id:
        raise exceptions.UnitMismatch(debit=debit.unit_id, credit=credit.unit_id)
    for account in (debit, credit):
        if not account.is_active:
            raise exceptions.AccountInactive(account=account.pk)
    return debit, credit


def ensure_available(account: Account, amount: int) -> None:
    """Refuse ``amount`` when it would take the (locked) account past its overdraft limit."""
    if account.overdraft_limit is None:
        return
    if account.balance - account.held - amount < -account.overdraft_limit:
        raise exceptions.InsufficientFunds(
            account=account.pk, available=account.balance - account.held, requested=amount
        )


def apply_balances(changes: Mapping[int, tuple[int, int]]) -> None:
    """Add (balance, held) deltas to accounts, one UPDATE per account in ascending id order."""
    for account_id in sorted(changes):
        d_balance, d_held = changes[account_id]
        if d_balance == 0 and d_held == 0:
            continue
        Account.objects.filter(pk=account_id).update(
            balance=F("balance") + d_balance, held=F("held") + d_held
        )


def _load(account_ids: Iterable[int]) -> dict[int, Account]:
    ids = set(account_ids)
    found = {a.pk: a for a in Account.objects.filter(pk__in=ids)}
    missing = ids - set(found)
    if missing:
        raise exceptions.AccountNotFound(account=min(missing))
    return found


def _check_unit(code: str) -> None:
    if code in _KNOWN_UNITS:
        return
    if not Unit.objects.filter(code=code).exists():
        raise exceptions.UnknownUnit(unit=code)
    # Cached only once committed: a unit created in a transaction that rolls back must not stick.
    transaction.on_commit(lambda: _KNOWN_UNITS.add(code))
