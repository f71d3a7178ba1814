"""Idempotency: the fingerprint of a request, and the replay of a request already done.

Every write stores, with its idempotency key, the fingerprint of the request that made it
(:func:`fingerprint`; for a transfer, :func:`transfer_fingerprint`, which single and bulk grants
share). The key is not looked up before the work: the unique index on the key refuses a second
insert; only then, or when the request fails a check that the original may have passed (funds,
state), is the original looked up (:func:`atomic_with_replay`): replayed when the fingerprint
is the same, :class:`~credits_plugin.exceptions.IdempotencyConflict` when it is not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TypeVar

from django.db import IntegrityError, transaction

from credits_plugin import exceptions
from credits_plugin.ledger.fastpath import Later, finish
from credits_plugin.ledger.models import Hold, Transfer

_M = TypeVar("_M", Transfer, Hold)


def fingerprint(op: str, **fields: object) -> str:
    """The fingerprint of a request: a hash of the operation's name and its fields."""
    return _digest({"op": op, **fields})


def transfer_fingerprint(
    *,
    debit: int,
    credit: int,
    amount: int,
    kind: str,
    reference: str,
    lot_source: str | None,
    lot_expires_at: datetime | None,
) -> str:
    """The fingerprint of a transfer request (the same for a single and a bulk grant)."""
    return fingerprint(
        "transfer",
        debit=debit,
        credit=credit,
        amount=amount,
        kind=kind,
        reference=reference,
        lot_source=lot_source,
        lot_expires_at=lot_expires_at,
    )


def request_fingerprint(request: Mapping[str, object]) -> str:
    """The fingerprint stored with a transfer for a request that is not the transfer itself
    (``request`` of :func:`~credits_plugin.ledger.transfers.transfer`)."""
    return _digest(dict(request))


def find_replay(idempotency_key: str, request: Mapping[str, object]) -> Transfer | None:
    """The transfer written under ``idempotency_key`` for the same ``request`` (see the
    ``request`` argument of :func:`~credits_plugin.ledger.transfers.transfer`), or None when the
    key is unused; raises IdempotencyConflict when the key was used for a different request."""
    return replay(Transfer, idempotency_key, request_fingerprint(request))


def replay(model: type[_M], key: str, fingerprint: str) -> _M | None:
    """The row written under ``key``, when its fingerprint is ``fingerprint``; None when the key
    is unused; IdempotencyConflict when it was used for a different request."""
    existing = model.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.request_hash != fingerprint:
        raise exceptions.IdempotencyConflict(idempotency_key=key)
    return existing


def atomic_with_replay(model: type[_M], key: str, fingerprint: str, work: Callable[[], _M | Later[_M]]) -> _M:
    """Run ``work`` in a transaction; a request whose key is already used replays instead.

    The key is not looked up first (that would cost a statement on every call): the unique
    index refuses the second insert. The original is looked up only when the work fails, with
    an IntegrityError or with a check (funds, state) that the original may have passed.
    """
    try:
        with transaction.atomic():
            result = work()
    except (IntegrityError, exceptions.CreditsError):
        done = replay(model, key, fingerprint)
        if done is None:
            raise
        return done
    return finish(result)


def _digest(fields: Mapping[str, object]) -> str:
    payload = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()
