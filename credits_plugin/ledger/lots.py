"""Lots: where an account's value came from, and the one order in which it is spent.

An account's lots are spent, and listed, in this order:

1. soonest expiry first, lots without expiry last;
2. then free credits (granted, earned) before paid ones (purchased);
3. then oldest first (and, between lots created at the same moment, the lower id).

The same order is written three ways, all here: a Python sort key (the ORM path of the ledger
and the MariaDB/SQLite fast path, which sort the lots they read), ORM ``order_by`` expressions
(every listing), and SQL (the PostgreSQL charge statement). ``NULLS LAST`` is spelled out
everywhere: SQLite and MariaDB put NULLs first in an ascending order, PostgreSQL puts them last.

The rest of the module plans what a transfer does to lots (:class:`LotPlan`): which lots a
debit takes from (:func:`allocate`), where arriving value goes (:func:`credit_lots`). The
account must be locked: its lock guards its lots.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol, TypeVar

from django.db import models
from django.db.models import Case, F, IntegerField, OrderBy, Value, When

from credits_plugin.constants import LOT_SOURCE_RANK, HoldStatus, LotSource
from credits_plugin.ledger.models import Account, Hold, Lot

#: rank of a source not in LOT_SOURCE_RANK
DEFAULT_RANK = 1

#: the spending order in SQL, over a lot table's own columns (PostgreSQL's charge statement)
SPEND_ORDER_SQL = (
    "expires_at ASC NULLS LAST, CASE source "
    + " ".join(f"WHEN '{source}' THEN {int(rank)}" for source, rank in LOT_SOURCE_RANK.items())
    + f" ELSE {DEFAULT_RANK} END, created, id"
)


class SortableLot(Protocol):
    """A lot as the spending order sees it: a :class:`~credits_plugin.ledger.models.Lot` or a
    fast-path row."""

    @property
    def id(self) -> int: ...
    @property
    def expires_at(self) -> dt.datetime | None: ...
    @property
    def source(self) -> str: ...
    @property
    def created(self) -> dt.datetime: ...


_L = TypeVar("_L", bound=SortableLot)


def lot_sort_key(lot: SortableLot) -> tuple[dt.datetime, int, dt.datetime, int]:
    """Sort key of a lot (a :class:`~credits_plugin.ledger.models.Lot` or a fast-path row with
    ``expires_at``, ``source``, ``created`` and ``id``) in spending order."""
    expires_at = lot.expires_at
    if expires_at is None:
        expires_at = _FAR
    elif expires_at.tzinfo is None:  # USE_TZ = False: naive datetimes throughout
        expires_at = expires_at.replace(tzinfo=dt.UTC)
    return (expires_at, LOT_SOURCE_RANK.get(lot.source, DEFAULT_RANK), lot.created, lot.id)


def source_rank() -> Case:
    """The source's rank as an ORM expression (free before paid)."""
    return Case(
        *[When(source=source, then=Value(rank)) for source, rank in LOT_SOURCE_RANK.items()],
        default=Value(DEFAULT_RANK),
        output_field=IntegerField(),
    )


def lot_order_by() -> list[OrderBy]:
    """``order_by`` arguments for a queryset of lots, in spending order, on every database."""
    return [F("expires_at").asc(nulls_last=True), source_rank().asc(), F("created").asc(), F("id").asc()]


def spend_order(lots: Sequence[_L]) -> Sequence[_L]:
    """The lots in spending order (a list of fewer than two is returned as it is)."""
    if len(lots) < 2:
        return lots
    return sorted(lots, key=lot_sort_key)


def expired_due(now: dt.datetime) -> models.Exists:
    """Whether the account (the outer row) has an expired lot that still holds value."""
    return models.Exists(
        Lot.objects.filter(account_id=models.OuterRef("pk"), remaining__gt=0, expires_at__lte=now)
    )


class LotPlan:
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


def allocate(
    account: Account, amount: int, plan: LotPlan, *, prefer: Sequence[int] = (), now: dt.datetime
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


def reserved(account: Account) -> int:
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


def credit_lots(
    account: Account,
    amount: int,
    plan: LotPlan,
    *,
    restore: Sequence[tuple[int, int]] = (),
    source: str = LotSource.GRANTED,
    expires_at: dt.datetime | None = None,
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
    debt = max(0, reserved(account) - account.balance)
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


def lot_deltas(allocations: Sequence[Sequence[int]], sign: int) -> dict[int, int]:
    """``{lot id: change of remaining}`` for ``[(lot id, amount), ...]`` taken (-1) or given (1)."""
    deltas: dict[int, int] = {}
    for lot_id, part in allocations:
        deltas[lot_id] = deltas.get(lot_id, 0) + sign * part
    return deltas


_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


def _open_lots(account: Account) -> list[Lot]:
    return sorted(Lot.objects.filter(account=account, remaining__gt=0), key=lot_sort_key)
