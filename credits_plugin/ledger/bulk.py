"""Giving the same amount to many accounts at once, with a fixed number of statements per chunk.

Each chunk is one transaction: lock the chunk's accounts (ascending id), insert one transfer,
one lot and two entries per account with multi-row inserts, add to the accounts' balances,
and update the issuance shards last. A replayed chunk (same idempotency keys) grants nothing
twice: accounts that already have their transfer are left out. A key already used for a
different request (another amount, kind, expiry...) raises IdempotencyConflict, as a single
transfer would.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from credits_plugin import exceptions
from credits_plugin.conf import setting
from credits_plugin.constants import AccountKind, LotSource, SystemAccount, TransferKind
from credits_plugin.ledger.accounts import system_account_id
from credits_plugin.ledger.checks import Actor, check_amount
from credits_plugin.ledger.idempotency import transfer_fingerprint
from credits_plugin.ledger.models import Account, Entry, Lot, Transfer


def bulk_grant(
    *,
    account_ids: Sequence[int],
    amount: int,
    key_prefix: str,
    kind: str = TransferKind.GRANT,
    actor: Actor = None,
    reason: str = "",
    reference: str = "",
    batch: str = "",
    expires_at: datetime | None = None,
    source: str = LotSource.GRANTED,
) -> int:
    """Grant ``amount`` to each account, keyed ``<key_prefix>:<account id>``; returns how many
    accounts received it in this call."""
    check_amount(amount)
    ids = sorted(set(account_ids))
    if not ids:
        return 0
    # The issuance shards, looked up (and cached) before the transaction, once per shard.
    shards = max(1, int(setting("CREDITS_PLUGIN_SYSTEM_ACCOUNT_SHARDS")))
    with transaction.atomic():
        locked = list(
            Account.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", "kind", "unit_id", "is_active", "balance", "held")
        )
        if len(locked) != len(ids):
            raise exceptions.AccountNotFound()
        units = {row[2] for row in locked}
        if len(units) != 1:
            raise exceptions.UnitMismatch()
        unit = units.pop()
        if any(kind == AccountKind.SYSTEM or not active for _, kind, _, active, _, _ in locked):
            raise exceptions.AccountInactive()
        keys = {row[0]: f"{key_prefix}:{row[0]}" for row in locked}
        done = dict(
            Transfer.objects.filter(idempotency_key__in=keys.values()).values_list(
                "idempotency_key", "request_hash"
            )
        )
        issuance = {
            shard: system_account_id(SystemAccount.ISSUANCE, unit=unit, shard_key=shard)
            for shard in {row[0] % shards for row in locked}
        }
        shard_of = {row[0]: issuance[row[0] % shards] for row in locked}

        def fingerprint(pk: int) -> str:
            return transfer_fingerprint(
                debit=shard_of[pk],
                credit=pk,
                amount=amount,
                kind=kind,
                reference=reference,
                lot_source=source,
                lot_expires_at=expires_at,
            )

        fingerprints = {row[0]: fingerprint(row[0]) for row in locked}
        for pk, *_ in locked:
            if keys[pk] in done and done[keys[pk]] != fingerprints[pk]:
                raise exceptions.IdempotencyConflict(idempotency_key=keys[pk])
        todo = [row for row in locked if keys[row[0]] not in done]
        if not todo:
            return 0
        now = timezone.now()
        created = connection.ops.adapt_datetimefield_value(now)
        expires = connection.ops.adapt_datetimefield_value(expires_at)
        actor_id = None if actor is None else actor.pk
        _insert(
            Transfer,
            _TRANSFER_FIELDS,
            [
                (
                    keys[pk],
                    fingerprints[pk],
                    kind,
                    unit,
                    amount,
                    shard_of[pk],
                    pk,
                    actor_id,
                    reason,
                    reference,
                    batch,
                    created,
                )
                for pk, *_ in todo
            ],
        )
        transfer_of = dict(
            Transfer.objects.filter(idempotency_key__in=[keys[row[0]] for row in todo]).values_list(
                "credit_account_id", "pk"
            )
        )
        # A wallet in debt (overdraft) pays its debt first; only the rest becomes a spendable lot.
        spendable = {pk: amount - min(amount, max(0, held - balance)) for pk, _, _, _, balance, held in todo}
        _insert(
            Lot,
            [
                "account_id",
                "source",
                "amount",
                "remaining",
                "expired_amount",
                "expires_at",
                "transfer_id",
                "created",
            ],
            [
                (pk, source, spendable[pk], spendable[pk], 0, expires, transfer_of[pk], created)
                for pk, *_ in todo
                if spendable[pk]
            ],
        )
        lot_of = dict(
            Lot.objects.filter(transfer_id__in=list(transfer_of.values())).values_list("account_id", "pk")
        )
        entries: list[tuple[int, int, int | None, int]] = []
        for pk, *_ in todo:
            t = transfer_of[pk]
            entries.append((t, shard_of[pk], None, -amount))
            if spendable[pk]:
                entries.append((t, pk, lot_of[pk], spendable[pk]))
            if spendable[pk] < amount:
                entries.append((t, pk, None, amount - spendable[pk]))
        _insert(Entry, ["transfer_id", "account_id", "lot_id", "amount"], entries)
        Account.objects.filter(pk__in=[row[0] for row in todo]).update(balance=F("balance") + amount)
        per_shard: dict[int, int] = {}
        for pk, *_ in todo:
            per_shard[shard_of[pk]] = per_shard.get(shard_of[pk], 0) + amount
        shard_ids = sorted(per_shard)
        Account.objects.filter(pk__in=shard_ids).update(
            balance=F("balance") - Case(*[When(pk=pk, then=Value(per_shard[pk])) for pk in shard_ids])
        )
        return len(todo)


def _insert(model: type[models.Model], fields: list[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """One multi-row INSERT of ``rows`` (values of ``fields``, already adapted for the database);
    model instances and the ORM's per-value preparation cost more than the database's work."""
    if not rows:
        return
    columns = ", ".join(connection.ops.quote_name(_column(model, f)) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, _MAX_PARAMS // len(fields))
    with connection.cursor() as cursor:
        for i in range(0, len(rows), per_statement):
            part = rows[i : i + per_statement]
            cursor.execute(
                f"INSERT INTO {model._meta.db_table} ({columns}) VALUES {', '.join([row] * len(part))}",  # noqa: S608
                [value for values in part for value in values],
            )


def _column(model: type[models.Model], field: str) -> str:
    column = model._meta.get_field(field).column  # type: ignore[union-attr]
    assert isinstance(column, str)
    return column


_TRANSFER_FIELDS = [
    "idempotency_key", "request_hash", "kind", "unit_id", "amount", "debit_account_id",
    "credit_account_id", "actor_id", "reason", "reference", "batch", "created",
]  # fmt: skip
#: parameters per statement, below SQLite's limit (32,766) and MySQL's (65,535)
_MAX_PARAMS = 30_000
