"""What every ledger write checks of its request before it touches the database.

The amount, the idempotency key and the actor are checked here, once, for single and bulk
writes alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.db import models

from credits_plugin import exceptions

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: a saved user (who asked for a change), or None for the system itself
Actor: TypeAlias = "User | None"

MAX_AMOUNT = 10**15
"""Far above any real balance; keeps sums inside a signed 64-bit column."""

RESERVED_KEY_PREFIXES = ("hold-post:", "lot-expiry:")
"""Keys the ledger writes itself (a posted hold, an expired lot); no caller may take them."""


def check_amount(amount: object) -> None:
    """Refuse anything but a whole number of hundredths in ``1..MAX_AMOUNT``."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0 or amount > MAX_AMOUNT:
        raise exceptions.InvalidAmount(amount=amount)


def check_key(key: object) -> None:
    """Refuse an idempotency key that is empty, too long, or one the ledger keeps for itself."""
    if not isinstance(key, str) or not key or len(key) > 255 or key.startswith(RESERVED_KEY_PREFIXES):
        raise exceptions.InvalidIdempotencyKey(idempotency_key=key if isinstance(key, str) else None)


def pk(obj: models.Model | int) -> int:
    """The id of a row given as an instance or as its id."""
    return obj if isinstance(obj, int) else int(obj.pk)


def actor_id(actor: Actor) -> int | None:
    """The id of the actor, who must be saved (or None)."""
    if actor is None:
        return None
    if getattr(actor, "pk", None) is None:
        raise ValueError("actor must be a saved user or None")
    return int(actor.pk)
