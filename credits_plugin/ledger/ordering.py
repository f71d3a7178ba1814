"""The spending order of lots, defined once.

An account's lots are spent, and listed, in this order:

1. soonest expiry first, lots without expiry last;
2. then free credits (granted, earned) before paid ones (purchased);
3. then oldest first (and, between lots created at the same moment, the lower id).

The same order is written three ways: a Python sort key (the ORM path of the ledger and the
MariaDB/SQLite fast path, which sort the lots they read), ORM ``order_by`` expressions (every
listing), and SQL (the PostgreSQL charge statement). ``NULLS LAST`` is spelled out everywhere:
SQLite and MariaDB put NULLs first in an ascending order, PostgreSQL puts them last.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, F, IntegerField, Value, When

from credits_plugin.constants import LOT_SOURCE_RANK

#: rank of a source not in LOT_SOURCE_RANK
DEFAULT_RANK = 1
_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


def lot_sort_key(lot: Any) -> tuple:
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


def lot_order_by() -> list:
    """``order_by`` arguments for a queryset of lots, in spending order, on every database."""
    return [F("expires_at").asc(nulls_last=True), source_rank().asc(), F("created").asc(), F("id").asc()]


#: the spending order in SQL, over a lot table's own columns (PostgreSQL's charge statement)
SPEND_ORDER_SQL = (
    "expires_at ASC NULLS LAST, CASE source "
    + " ".join(f"WHEN '{source}' THEN {int(rank)}" for source, rank in LOT_SOURCE_RANK.items())
    + f" ELSE {DEFAULT_RANK} END, created, id"
)
