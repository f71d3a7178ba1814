"""Ledger services: every change of a balance goes through one of these functions.

Each public function runs in one database transaction (a savepoint when the caller already has
one), takes an idempotency key, and locks what it changes:

* accounts that can be spent from (wallets, training-credit accounts) are locked with
  ``SELECT ... FOR UPDATE`` in ascending id order before anything is read or written;
* system accounts are never read for a decision; their cached balance is updated by a single
  ``UPDATE`` at the very end, again in ascending id order. Because every transaction takes its
  spendable-account locks first and its system-account locks last, no two transactions can wait
  for each other in a cycle.

The lots of an account, and its holds, are only ever changed while the account row is locked,
so the account lock protects them too.

The common operations -- a charge or hold from a spendable account to a system account, a post or
void of such a hold -- take a *fast path* of hand-written SQL (:mod:`credits_plugin.ledger.sql`):
three statements for a charge on PostgreSQL, five on MariaDB, instead of a dozen through the ORM.
Everything else (grants, transfers between two spendable accounts, reversals, a charge that meets
an expired lot) takes the general path through the ORM. Both keep the same locks, checks and
results.

Idempotency: the key is not looked up before the work. The unique index on the key refuses a
second insert; only then, or when the request fails a check that the original may have passed
(funds, state), is the original looked up: replayed when the request is the same,
:class:`~credits_plugin.exceptions.IdempotencyConflict` when it is not.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from credits_plugin import exceptions
from credits_plugin.conf import setting
from credits_plugin.constants import (
    LOT_SOURCE_FOR_KIND,
    AccountKind,
    HoldStatus,
    LotSource,
    SystemAccount,
    TransferKind,
)
from credits_plugin.ledger import sql as _sql
from credits_plugin.ledger.models import Account, Entry, Hold, Lot, Transfer, Unit
from credits_plugin.ledger.ordering import lot_sort_key

_SYSTEM_IDS: dict[tuple[str, str, int], int] = {}
#: ids seen to be system accounts in this process. Only a hint for taking the fast path (whose
#: SQL checks the account again): on MariaDB its locking probe of a transfer to an account that
#: is not a system account would leave the debit account locked before the general path locks
#: both accounts in ascending order.
_SYSTEM_HINT: set[int] = set()
_TRANSFER_KINDS = frozenset(TransferKind.values)
_TRANSFER_FIELDS = [f.attname for f in Transfer._meta.concrete_fields]
_HOLD_FIELDS = [f.attname for f in Hold._meta.concrete_fields]
_KNOWN_UNITS: set[str] = set()

MAX_AMOUNT = 10**15  # far above any real balance; keeps sums inside a signed 64-bit column


# --------------------------------------------------------------------------------------------
# Units and accounts
# --------------------------------------------------------------------------------------------


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


def _check_unit(code: str) -> None:
    if code in _KNOWN_UNITS:
        return
    if not Unit.objects.filter(code=code).exists():
        raise exceptions.UnknownUnit(unit=code)
    # Cached only once committed: a unit created in a transaction that rolls back must not stick.
    transaction.on_commit(lambda: _KNOWN_UNITS.add(code))


def get_or_create_account(
    *,
    holder: str,
    kind: str,
    unit: str,
    user=None,
    overdraft_limit: int | None = 0,
) -> Account:
    """Return the account of ``holder`` in ``unit``, creating it the first time.

    The balance it carries never includes expired credits: when a lot of the account has
    expired since the last sweep, the account is swept (see :func:`sweep_expired`) and read
    again. The check rides on the one read of the account.
    """
    _check_unit(unit)
    now = timezone.now()
    found = (
        Account.objects.filter(holder=holder, unit_id=unit, shard=0)
        .annotate(expired_due=_expired_due(now))
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
    account_id = account.pk
    # Cached only once committed, so that a rolled-back creation never leaves a stale id.
    transaction.on_commit(lambda: _SYSTEM_IDS.__setitem__(cache_key, account_id))
    _SYSTEM_HINT.add(account_id)
    return account_id


def forget_cached_ids() -> None:
    """Drop cached system-account ids and units (tests that recreate the database call this)."""
    _SYSTEM_IDS.clear()
    _SYSTEM_HINT.clear()
    _KNOWN_UNITS.clear()


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _fingerprint(**fields) -> str:
    payload = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _check_amount(amount) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0 or amount > MAX_AMOUNT:
        raise exceptions.InvalidAmount(amount=amount)


#: keys the ledger writes itself (a posted hold, an expired lot); no caller may take them
RESERVED_KEY_PREFIXES = ("hold-post:", "lot-expiry:")


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not key or len(key) > 255 or key.startswith(RESERVED_KEY_PREFIXES):
        raise exceptions.InvalidIdempotencyKey(idempotency_key=key if isinstance(key, str) else None)


def request_fingerprint(request: dict) -> str:
    """The fingerprint stored with a transfer for a request that is not the transfer itself
    (``request`` of :func:`transfer`)."""
    return _fingerprint(**request)


def find_replay(idempotency_key: str, request: dict) -> Transfer | None:
    """The transfer written under ``idempotency_key`` for the same ``request`` (see the
    ``request`` argument of :func:`transfer`), or None when the key is unused; raises
    IdempotencyConflict when the key was used for a different request."""
    return _replay(Transfer, idempotency_key, request_fingerprint(request))


def _pk(obj: models.Model | int) -> int:
    return obj if isinstance(obj, int) else obj.pk


def _lock(account_ids: Iterable[int]) -> dict[int, Account]:
    """Lock the given non-system accounts in ascending id order and return them fresh."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    locked = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    missing = set(ids) - set(locked)
    if missing:
        raise exceptions.AccountNotFound(account=min(missing))
    return locked


def _load(account_ids: Iterable[int]) -> dict[int, Account]:
    ids = set(account_ids)
    found = {a.pk: a for a in Account.objects.filter(pk__in=ids)}
    missing = ids - set(found)
    if missing:
        raise exceptions.AccountNotFound(account=min(missing))
    return found


def _lock_pair(debit_id: int, credit_id: int) -> tuple[Account, Account]:
    """Lock the spendable accounts among the two; system accounts are only loaded."""
    accounts = _load([debit_id, credit_id])
    locked = _lock(pk for pk, a in accounts.items() if a.kind != AccountKind.SYSTEM)
    accounts.update(locked)
    debit, credit = accounts[debit_id], accounts[credit_id]
    if debit.unit_id != credit.unit_id:
        raise exceptions.UnitMismatch(debit=debit.unit_id, credit=credit.unit_id)
    for account in (debit, credit):
        if not account.is_active:
            raise exceptions.AccountInactive(account=account.pk)
    return debit, credit


def _ensure_available(account: Account, amount: int) -> None:
    if account.overdraft_limit is None:
        return
    if account.balance - account.held - amount < -account.overdraft_limit:
        raise exceptions.InsufficientFunds(
            account=account.pk, available=account.balance - account.held, requested=amount
        )


def _apply_balances(changes: dict[int, tuple[int, int]]) -> None:
    """Add (balance, held) deltas to accounts, one UPDATE per account in ascending id order."""
    for account_id in sorted(changes):
        d_balance, d_held = changes[account_id]
        if d_balance == 0 and d_held == 0:
            continue
        Account.objects.filter(pk=account_id).update(
            balance=F("balance") + d_balance, held=F("held") + d_held
        )


def _expired_due(now: datetime) -> models.Exists:
    """Whether the account (the outer row) has an expired lot that still holds value."""
    return models.Exists(
        Lot.objects.filter(account_id=models.OuterRef("pk"), remaining__gt=0, expires_at__lte=now)
    )


def sweep_expired(account: Account | int, *, now: datetime | None = None) -> bool:
    """Move what is left of the account's expired lots to the expiry account, now.

    Called whenever a balance is read for display or spending and an expired lot still holds
    value, so that no one sees (or is quoted) credits that cannot be spent. Returns whether
    anything moved. Runs in its own transaction (a savepoint inside the caller's).
    """
    account_id = _pk(account)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock([account_id])[account_id]
        if not locked.tracks_lots:
            return False
        return _sweep_expired_lots(locked, now=now)


_lot_order_key = lot_sort_key  # the spending order: credits_plugin.ledger.ordering


def _open_lots(account: Account) -> list[Lot]:
    return sorted(Lot.objects.filter(account=account, remaining__gt=0), key=_lot_order_key)


@dataclass
class _LotPlan:
    """Changes to lots planned inside one transfer, written in one pass at the end."""

    changed: dict[int, Lot]

    def __init__(self) -> None:
        self.changed = {}

    def take(self, lot: Lot, amount: int) -> None:
        lot.remaining -= amount
        self.changed[lot.pk] = lot

    def give(self, lot: Lot, amount: int) -> None:
        lot.remaining += amount
        self.changed[lot.pk] = lot

    def save(self) -> None:
        lots = list(self.changed.values())
        if len(lots) == 1:
            Lot.objects.filter(pk=lots[0].pk).update(remaining=lots[0].remaining)
        elif lots:
            Lot.objects.filter(pk__in=[lot.pk for lot in lots]).update(
                remaining=Case(*[When(pk=lot.pk, then=Value(lot.remaining)) for lot in lots])
            )


def _allocate(
    account: Account, amount: int, plan: _LotPlan, *, prefer: Sequence[int] = (), now: datetime
) -> list[tuple[int, int]]:
    """Take up to ``amount`` from the account's unexpired lots, preferred lots first.

    Returns ``[(lot id, amount), ...]``; what the lots cannot cover is overdraft.
    """
    if not account.tracks_lots:
        return []
    lots = [lot for lot in _open_lots(account) if lot.expires_at is None or lot.expires_at > now]
    if prefer:
        rank = {lot_id: i for i, lot_id in enumerate(prefer)}
        lots.sort(key=lambda lot: (0, rank[lot.pk]) if lot.pk in rank else (1, 0))
    allocations = []
    left = amount
    for lot in lots:
        if left == 0:
            break
        part = min(left, lot.remaining)
        plan.take(lot, part)
        allocations.append((lot.pk, part))
        left -= part
    return allocations


def _reserved(account: Account) -> int:
    """Value of the account's lots reserved by its pending holds.

    A wallet's lots always add up to ``max(0, balance - reserved)``: what it owns and has not
    promised to a hold. The part of a hold that lots did not cover (an overdraft) reserves
    nothing; it is taken from the lots there are when the hold is posted.
    """
    if account.held == 0:
        return 0
    return sum(
        part
        for allocations in Hold.objects.filter(
            debit_account_id=account.pk, status=HoldStatus.PENDING
        ).values_list("allocations", flat=True)
        for _, part in allocations
    )


def _credit_lots(
    account: Account,
    amount: int,
    plan: _LotPlan,
    *,
    restore: Sequence[tuple[int, int]] = (),
    source: str = LotSource.GRANTED,
    expires_at: datetime | None = None,
    new_lots: list[Lot],
) -> list[tuple[int | None, int]]:
    """Plan how ``amount`` arriving on ``account`` is spread over lots.

    Value first pays back any overdraft (no lot), then returns to the lots in ``restore`` (the
    lots it originally came from), and the rest becomes a new lot. Returns
    ``[(lot id or None, amount), ...]``; a new lot appears as ``(-index-1, amount)`` into
    ``new_lots`` until it has an id.
    """
    if not account.tracks_lots:
        return [(None, amount)]
    parts: list[tuple[int | None, int]] = []
    debt = max(0, _reserved(account) - account.balance)
    left = amount
    if debt:
        paid = min(debt, left)
        parts.append((None, paid))
        left -= paid
    if restore and left:
        lots = {lot.pk: lot for lot in Lot.objects.filter(pk__in=[lot_id for lot_id, _ in restore])}
        for lot_id, part in restore:
            if left == 0:
                break
            lot = plan.changed.get(lot_id) or lots[lot_id]
            give = min(part, left)
            plan.give(lot, give)
            parts.append((lot_id, give))
            left -= give
    if left:
        new_lots.append(
            Lot(account=account, source=source, amount=left, remaining=left, expires_at=expires_at)
        )
        parts.append((-len(new_lots), left))
    return parts


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


def _replay(model, key: str, fingerprint: str):
    existing = model.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.request_hash != fingerprint:
        raise exceptions.IdempotencyConflict(idempotency_key=key)
    return existing


def _write_transfer(
    *,
    debit: Account,
    credit: Account,
    amount: int,
    kind: str,
    key: str,
    fingerprint: str,
    actor=None,
    reason: str = "",
    reference: str = "",
    batch: str = "",
    hold: Hold | None = None,
    reverses: Transfer | None = None,
    debit_parts: Sequence[tuple[int | None, int]] = (),
    credit_restore: Sequence[tuple[int, int]] = (),
    lot_source: str | None = None,
    lot_expires_at: datetime | None = None,
    plan: _LotPlan,
    held_release: int = 0,
) -> Transfer:
    """Write one transfer with its entries, lots and balances. Accounts must be locked."""
    new_lots: list[Lot] = []
    credit_parts = _credit_lots(
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
    _apply_balances({debit.pk: (-amount, -held_release), credit.pk: (amount, 0)})
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


def _sweep_expired_lots(account: Account, *, now: datetime) -> bool:
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
        plan = _LotPlan()
        plan.take(lot, amount)
        _write_transfer(
            debit=account,
            credit=Account.objects.get(pk=expiry),
            amount=amount,
            kind=TransferKind.EXPIRY,
            key=key,
            fingerprint=_fingerprint(op="expiry", lot=lot.pk, amount=amount),
            reason="Lot expired",
            debit_parts=[(lot.pk, amount)],
            plan=plan,
        )
        Lot.objects.filter(pk=lot.pk).update(expired_amount=F("expired_amount") + amount)
        lot.expired_amount += amount
    return bool(expired)


def _atomic_with_replay(model, key: str, fingerprint: str, work):
    """Run ``work`` in a transaction; a request whose key is already used replays instead.

    The key is not looked up first (that would cost a statement on every call): the unique
    index refuses the second insert. The original is looked up only when the work fails, with
    an IntegrityError or with a check (funds, state) that the original may have passed.
    """
    try:
        with transaction.atomic():
            result = work()
    except (IntegrityError, exceptions.CreditsError):
        done = _replay(model, key, fingerprint)
        if done is None:
            raise
        return done
    return result.build() if isinstance(result, _Later) else result


# --------------------------------------------------------------------------------------------
# The fast path: hand-written SQL for the common operations (see credits_plugin.ledger.sql)
# --------------------------------------------------------------------------------------------


def _write_fast(cursor, vendor: str, **changes) -> _sql.Written | None:
    """Every write of one fast-path operation: :func:`credits_plugin.ledger.sql.write`."""
    return _sql.write(cursor, vendor, **changes)


class _Later:
    """A result built once the transaction is over, so that the account lock is not held while
    Python builds a model instance."""

    __slots__ = ("build",)

    def __init__(self, build) -> None:
        self.build = build


def _actor_id(actor) -> int | None:
    if actor is None:
        return None
    if getattr(actor, "pk", None) is None:
        raise ValueError("actor must be a saved user or None")
    return actor.pk


def _spend_order(lots: Sequence[_sql.OpenLot]) -> Sequence[_sql.OpenLot]:
    if len(lots) < 2:
        return lots
    return sorted(lots, key=lot_sort_key)


def _fast_spend(cursor, vendor: str, debit_id: int, credit_id: int, amount: int, now: datetime, **changes):
    """Lock the spendable ``debit_id`` when ``credit_id`` is a system account, check it, take
    ``amount`` from its lots in spending order and write ``changes``. Returns (unit, written), or
    None -- having written nothing -- when the general path must run (other kinds of account, or
    an expired lot to sweep first)."""
    locked = _sql.lock_spendable(cursor, vendor, debit_id, credit_id)
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
    if "transfer" in changes:
        changes["transfer"][3] = unit
    if "hold" in changes:
        changes["hold"][3] = unit
    if lots is None:  # PostgreSQL: the database picks the lots, in the same statement as the writes
        written = _write_fast(cursor, vendor, spend=_sql.Spend(debit_id, amount, now), **changes)
        if written is None:
            return None
        return unit, written
    allocations = []
    left = amount
    for lot in _spend_order(lots):
        if left == 0:
            break
        part = min(left, lot.remaining)
        allocations.append([lot.id, part])
        left -= part
    if "transfer" in changes:
        changes["entries"] = _entries_of(debit_id, amount, allocations) + changes.get("entries", [])
    if "hold" in changes:
        changes["hold"][8] = json.dumps(allocations)
    written = _write_fast(cursor, vendor, lots=_lot_deltas(allocations, -1), **changes)
    assert written is not None
    return unit, written._replace(allocations=allocations)


def _entries_of(debit_id: int, amount: int, allocations: Sequence[Sequence[int]]) -> list:
    """Debit entries of a transfer: one per lot spent, the rest (overdraft) without a lot."""
    entries: list[tuple[int, int | None, int]] = [(debit_id, lot_id, -part) for lot_id, part in allocations]
    covered = sum(part for _, part in allocations)
    if covered < amount:
        entries.append((debit_id, None, -(amount - covered)))
    return entries


def _lot_deltas(allocations: Sequence[Sequence[int]], sign: int) -> dict[int, int]:
    deltas: dict[int, int] = {}
    for lot_id, part in allocations:
        deltas[lot_id] = deltas.get(lot_id, 0) + sign * part
    return deltas


def _loaded(model, fields: list[str], actor=None, **values):
    """A model instance for a row just written, as if loaded from the database."""
    obj = model.from_db("default", fields, [values.get(name) for name in fields])
    if actor is not None:
        obj.actor = actor
    return obj


def _fast_transfer(
    *,
    debit_id: int,
    credit_id: int,
    amount: int,
    kind: str,
    key: str,
    fingerprint: str,
    actor,
    reason: str,
    reference: str,
    batch: str,
) -> _Later | None:
    """A transfer from a spendable account to a system account: two statements on PostgreSQL,
    four on MariaDB. None when the general path must run. Runs in the caller's transaction."""
    vendor = connection.vendor
    now = timezone.now()
    actor_id = _actor_id(actor)
    created = connection.ops.adapt_datetimefield_value(now)
    with _sql.cursor(connection) as cursor:
        done = _fast_spend(
            cursor,
            vendor,
            debit_id,
            credit_id,
            amount,
            now,
            accounts={debit_id: (-amount, 0), credit_id: (amount, 0)},
            transfer=[
                key,
                fingerprint,
                kind,
                None,
                amount,
                debit_id,
                credit_id,
                None,
                None,
                actor_id,
                reason,
                reference,
                batch,
                created,
            ],
            entries=[(credit_id, None, amount)],
        )
    if done is None:
        return None
    unit, written = done
    return _Later(
        lambda: _loaded(
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
            actor_id=actor_id,
            reason=reason,
            reference=reference,
            batch=batch,
            created=now,
        )
    )


# --------------------------------------------------------------------------------------------
# Transfers
# --------------------------------------------------------------------------------------------


def transfer(
    *,
    debit: Account | int,
    credit: Account | int,
    amount: int,
    kind: str,
    idempotency_key: str,
    actor=None,
    reason: str = "",
    reference: str = "",
    batch: str = "",
    lot_source: str | None = None,
    lot_expires_at: datetime | None = None,
    request: dict | None = None,
) -> Transfer:
    """Move ``amount`` from ``debit`` to ``credit`` now, as one balanced transfer.

    The debit account's lots are spent in order (soonest expiry, then free before paid, then
    oldest); the credit account receives a new lot with ``lot_source`` and ``lot_expires_at``.
    A replay with the same key and request returns the original transfer.

    ``request``: what identifies the caller's request when it is not the transfer itself (for
    "set the balance to N" the amount moved depends on the balance at the time); the
    fingerprint compared on a replay is then taken from it (:func:`find_replay`).
    """
    _check_amount(amount)
    _check_key(idempotency_key)
    if kind not in _TRANSFER_KINDS:
        raise exceptions.CreditsError(code="invalid_kind")
    debit_id, credit_id = _pk(debit), _pk(credit)
    if debit_id == credit_id:
        raise exceptions.CreditsError(code="same_account")
    fingerprint = (
        request_fingerprint(request)
        if request is not None
        else _fingerprint(
            op="transfer",
            debit=debit_id,
            credit=credit_id,
            amount=amount,
            kind=kind,
            reference=reference,
            lot_source=lot_source,
            lot_expires_at=lot_expires_at,
        )
    )

    def work() -> Transfer | _Later:
        fast = (
            None
            if credit_id not in _SYSTEM_HINT
            else _fast_transfer(
                debit_id=debit_id,
                credit_id=credit_id,
                amount=amount,
                kind=kind,
                key=idempotency_key,
                fingerprint=fingerprint,
                actor=actor,
                reason=reason,
                reference=reference,
                batch=batch,
            )
        )
        if fast is not None:
            return fast
        debit_account, credit_account = _lock_pair(debit_id, credit_id)
        now = timezone.now()
        _sweep_expired_lots(debit_account, now=now)
        _ensure_available(debit_account, amount)
        plan = _LotPlan()
        parts = _allocate(debit_account, amount, plan, now=now)
        return _write_transfer(
            debit=debit_account,
            credit=credit_account,
            amount=amount,
            kind=kind,
            key=idempotency_key,
            fingerprint=fingerprint,
            actor=actor,
            reason=reason,
            reference=reference,
            batch=batch,
            debit_parts=parts,
            lot_source=lot_source,
            lot_expires_at=lot_expires_at,
            plan=plan,
        )

    return _atomic_with_replay(Transfer, idempotency_key, fingerprint, work)


def reverse_transfer(
    *,
    transfer: Transfer | int,
    idempotency_key: str,
    actor=None,
    reason: str = "",
    kind: str = TransferKind.REVERSAL,
) -> Transfer:
    """Undo a transfer with an opposite one, returning value to the lots it came from.

    A transfer can be reversed once; a reversal cannot itself be reversed.
    """
    _check_key(idempotency_key)
    original_id = _pk(transfer)
    fingerprint = _fingerprint(op="reverse", transfer=original_id, kind=kind)

    def work() -> Transfer:
        original = Transfer.objects.filter(pk=original_id).first()
        if original is None:
            raise exceptions.TransferNotFound(transfer=original_id)
        if original.reverses_id is not None:
            raise exceptions.NotReversible(transfer=original_id)
        new_debit, new_credit = _lock_pair(original.credit_account_id, original.debit_account_id)
        if Transfer.objects.filter(reverses=original).exists():
            raise exceptions.AlreadyReversed(transfer=original_id)
        entries = list(
            original.entries.filter(lot__isnull=False).values_list("account_id", "lot_id", "amount")
        )
        # Value leaves the account that received it: from the lots the original created first.
        prefer = [lot_id for acc, lot_id, amt in entries if acc == new_debit.pk and amt > 0]
        # Value returns to the lots the original spent.
        restore = [(lot_id, -amt) for acc, lot_id, amt in entries if acc == new_credit.pk and amt < 0]
        now = timezone.now()
        _sweep_expired_lots(new_debit, now=now)
        _ensure_available(new_debit, original.amount)
        plan = _LotPlan()
        parts = _allocate(new_debit, original.amount, plan, prefer=prefer, now=now)
        reversal = _write_transfer(
            debit=new_debit,
            credit=new_credit,
            amount=original.amount,
            kind=kind,
            key=idempotency_key,
            fingerprint=fingerprint,
            actor=actor,
            reason=reason,
            reference=original.reference,
            batch=original.batch,
            reverses=original,
            debit_parts=parts,
            credit_restore=restore,
            plan=plan,
        )
        # Value returned to a lot that has expired meanwhile is not spendable: it passes straight
        # on to the expiry account, in the same transaction, so no balance ever shows it.
        if any(
            lot.expires_at is not None and lot.expires_at <= now
            for lot in plan.changed.values()
            if lot.account_id == new_credit.pk
        ):
            _sweep_expired_lots(new_credit, now=now)
        return reversal

    try:
        return _atomic_with_replay(Transfer, idempotency_key, fingerprint, work)
    except IntegrityError as exc:
        # A concurrent reversal under another key won the race for the unique ``reverses``.
        if Transfer.objects.filter(reverses_id=original_id).exists():
            raise exceptions.AlreadyReversed(transfer=original_id) from exc
        raise


# --------------------------------------------------------------------------------------------
# Holds
# --------------------------------------------------------------------------------------------


def place_hold(
    *,
    debit: Account | int,
    credit: Account | int,
    amount: int,
    idempotency_key: str,
    kind: str = TransferKind.CHARGE,
    actor=None,
    reason: str = "",
    reference: str = "",
    expires_at: datetime | None = None,
) -> Hold:
    """Reserve ``amount`` on ``debit`` for a later post to ``credit``; lots are reserved now."""
    _check_amount(amount)
    _check_key(idempotency_key)
    debit_id, credit_id = _pk(debit), _pk(credit)
    if debit_id == credit_id:
        raise exceptions.CreditsError(code="same_account")
    fingerprint = _fingerprint(
        op="hold", debit=debit_id, credit=credit_id, amount=amount, kind=kind, reference=reference
    )

    def work() -> Hold | _Later:
        fast = (
            None
            if credit_id not in _SYSTEM_HINT
            else _fast_hold(
                debit_id=debit_id,
                credit_id=credit_id,
                amount=amount,
                key=idempotency_key,
                fingerprint=fingerprint,
                kind=kind,
                actor=actor,
                reason=reason,
                reference=reference,
                expires_at=expires_at,
            )
        )
        if fast is not None:
            return fast
        debit_account, credit_account = _lock_pair(debit_id, credit_id)
        now = timezone.now()
        _sweep_expired_lots(debit_account, now=now)
        _ensure_available(debit_account, amount)
        plan = _LotPlan()
        allocations = _allocate(debit_account, amount, plan, now=now)
        hold = Hold.objects.create(
            idempotency_key=idempotency_key,
            request_hash=fingerprint,
            kind=kind,
            unit_id=debit_account.unit_id,
            amount=amount,
            debit_account=debit_account,
            credit_account=credit_account,
            allocations=[list(a) for a in allocations],
            expires_at=expires_at or now + timedelta(seconds=setting("CREDITS_PLUGIN_HOLD_TIMEOUT_SECONDS")),
            actor=actor,
            reason=reason,
            reference=reference,
        )
        plan.save()
        _apply_balances({debit_account.pk: (0, amount)})
        return hold

    return _atomic_with_replay(Hold, idempotency_key, fingerprint, work)


def _fast_hold(
    *,
    debit_id: int,
    credit_id: int,
    amount: int,
    key: str,
    fingerprint: str,
    kind: str,
    actor,
    reason: str,
    reference: str,
    expires_at: datetime | None,
) -> _Later | None:
    """A hold from a spendable account for a system account: lock, reserve lots, raise ``held``,
    insert the hold. None when the general path must run. Runs in the caller's transaction."""
    vendor = connection.vendor
    now = timezone.now()
    actor_id = _actor_id(actor)
    expires_at = expires_at or now + timedelta(seconds=setting("CREDITS_PLUGIN_HOLD_TIMEOUT_SECONDS"))
    adapt = connection.ops.adapt_datetimefield_value
    with _sql.cursor(connection) as cursor:
        done = _fast_spend(
            cursor,
            vendor,
            debit_id,
            credit_id,
            amount,
            now,
            accounts={debit_id: (0, amount)},
            hold=[
                key,
                fingerprint,
                kind,
                None,
                amount,
                debit_id,
                credit_id,
                HoldStatus.PENDING.value,
                None,
                adapt(expires_at),
                None,
                actor_id,
                reason,
                reference,
                adapt(now),
            ],
        )
    if done is None:
        return None
    unit, written = done
    return _Later(
        lambda: _loaded(
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
            actor_id=actor_id,
            reason=reason,
            reference=reference,
            created=now,
        )
    )


def _fast_locked_hold(cursor, vendor: str, hold_id: int, *, post: bool) -> Hold | None:
    """The hold, locked with its spendable debit account, when its credit is a system account
    and the fast path can resolve it; None sends the caller to the general path.

    The fast path posts a hold whose lots covered all of it, and releases a hold to its lots
    when the wallet is not overdrawn. The rest (holds that went into an overdraft) needs the
    lot arithmetic of the general path.
    """
    locked = _sql.lock_hold(cursor, vendor, hold_id)
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


def _fast_post(cursor, vendor: str, current: Hold) -> _Later:
    amount, debit_id, credit_id = current.amount, current.debit_account_id, current.credit_account_id
    now = timezone.now()
    created = connection.ops.adapt_datetimefield_value(now)
    key, fingerprint = f"hold-post:{current.pk}", _fingerprint(op="post", hold=current.pk)
    written = _write_fast(
        cursor,
        vendor,
        accounts={debit_id: (-amount, -amount), credit_id: (amount, 0)},
        resolve=(current.pk, HoldStatus.POSTED.value, created),
        transfer=[
            key,
            fingerprint,
            current.kind,
            current.unit_id,
            amount,
            debit_id,
            credit_id,
            current.pk,
            None,
            current.actor_id,
            current.reason,
            current.reference,
            "",
            created,
        ],
        entries=[*_entries_of(debit_id, amount, current.allocations), (credit_id, None, amount)],
    )
    assert written is not None
    return _Later(
        lambda: _loaded(
            Transfer,
            _TRANSFER_FIELDS,
            id=written.id,
            idempotency_key=key,
            request_hash=fingerprint,
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


def _fast_release(cursor, vendor: str, current: Hold, status: str) -> Hold:
    now = timezone.now()
    _write_fast(
        cursor,
        vendor,
        accounts={current.debit_account_id: (0, -current.amount)},
        lots=_lot_deltas(current.allocations, 1),
        resolve=(current.pk, status, connection.ops.adapt_datetimefield_value(now)),
    )
    current.status, current.resolved_at = status, now
    return current


def _locked_hold(hold: Hold | int) -> tuple[Hold, Account, Account]:
    hold_id = _pk(hold)
    found = Hold.objects.filter(pk=hold_id).values_list("debit_account_id", "credit_account_id").first()
    if found is None:
        raise exceptions.HoldNotFound(hold=hold_id)
    debit, credit = _lock_pair(*found)
    # Fresh read under the debit account's lock, which guards every change of its holds.
    return Hold.objects.get(pk=hold_id), debit, credit


def post_hold(*, hold: Hold | int) -> Transfer:
    """Turn a pending hold into a transfer. Posting a posted hold returns its transfer."""
    with transaction.atomic():
        vendor = connection.vendor
        with _sql.cursor(connection) as cursor:
            fast = _fast_locked_hold(cursor, vendor, _pk(hold), post=True)
            if fast is not None:
                if fast.status == HoldStatus.POSTED:
                    return Transfer.objects.get(hold=fast)
                if fast.status != HoldStatus.PENDING:
                    raise exceptions.HoldAlreadyResolved(hold=fast.pk, status=fast.status)
                posted = _fast_post(cursor, vendor, fast)
        if fast is None:
            return _post_general(hold)
    return posted.build()


def _post_general(hold: Hold | int) -> Transfer:
    current, debit, credit = _locked_hold(hold)
    if current.status == HoldStatus.POSTED:
        return Transfer.objects.get(hold=current)
    if current.status != HoldStatus.PENDING:
        raise exceptions.HoldAlreadyResolved(hold=current.pk, status=current.status)
    plan = _LotPlan()
    parts: list[tuple[int | None, int]] = [tuple(a) for a in current.allocations]
    uncovered = current.amount - sum(part for _, part in parts)
    if uncovered:
        # The part of the hold its lots did not cover: from the lots the wallet holds now.
        now = timezone.now()
        _sweep_expired_lots(debit, now=now)
        parts += _allocate(debit, uncovered, plan, now=now)
    transfer_ = _write_transfer(
        debit=debit,
        credit=credit,
        amount=current.amount,
        kind=current.kind,
        key=f"hold-post:{current.pk}",
        fingerprint=_fingerprint(op="post", hold=current.pk),
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
    plan = _LotPlan()
    if current.allocations:
        lots = {
            lot.pk: lot for lot in Lot.objects.filter(pk__in=[lot_id for lot_id, _ in current.allocations])
        }
        # The reserved value returns to its lots, except what pays an overdraft the wallet ran
        # up meanwhile: its lots must add up to max(0, balance - what stays reserved) after.
        reserved = _reserved(debit)
        returned = sum(part for _, part in current.allocations)
        owed = returned - (max(0, debit.balance - reserved + returned) - max(0, debit.balance - reserved))
        for lot_id, part in current.allocations:
            paid = min(owed, part)
            owed -= paid
            if part - paid:
                plan.give(plan.changed.get(lot_id) or lots[lot_id], part - paid)
    plan.save()
    _apply_balances({current.debit_account_id: (0, -current.amount)})
    now = timezone.now()
    Hold.objects.filter(pk=current.pk).update(status=status, resolved_at=now)
    current.status, current.resolved_at = status, now
    return current


def void_hold(*, hold: Hold | int) -> Hold:
    """Release a pending hold. Voiding a voided hold returns it unchanged."""
    with transaction.atomic():
        vendor = connection.vendor
        with _sql.cursor(connection) as cursor:
            fast = _fast_locked_hold(cursor, vendor, _pk(hold), post=False)
            if fast is not None:
                if fast.status == HoldStatus.VOIDED:
                    return fast
                if fast.status != HoldStatus.PENDING:
                    raise exceptions.HoldAlreadyResolved(hold=fast.pk, status=fast.status)
                return _fast_release(cursor, vendor, fast, HoldStatus.VOIDED)
        current, debit, _ = _locked_hold(hold)
        if current.status == HoldStatus.VOIDED:
            return current
        if current.status != HoldStatus.PENDING:
            raise exceptions.HoldAlreadyResolved(hold=current.pk, status=current.status)
        return _release_hold(current, HoldStatus.VOIDED, debit)


def expire_holds(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Release pending holds whose time ran out; returns how many were expired."""
    now = now or timezone.now()
    count = 0
    due = list(
        Hold.objects.filter(status=HoldStatus.PENDING, expires_at__lte=now).values_list("pk", flat=True)[
            :limit
        ]
    )
    for hold_id in due:
        with transaction.atomic():
            vendor = connection.vendor
            with _sql.cursor(connection) as cursor:
                fast = _fast_locked_hold(cursor, vendor, hold_id, post=False)
                if fast is not None:
                    if fast.status == HoldStatus.PENDING and fast.expires_at <= now:
                        _fast_release(cursor, vendor, fast, HoldStatus.EXPIRED)
                        count += 1
                    continue
            current, debit, _ = _locked_hold(hold_id)
            if current.status == HoldStatus.PENDING and current.expires_at <= now:
                _release_hold(current, HoldStatus.EXPIRED, debit)
                count += 1
    return count


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
            account = _lock([account_id])[account_id]
            _sweep_expired_lots(account, now=now)
    return len(account_ids)
