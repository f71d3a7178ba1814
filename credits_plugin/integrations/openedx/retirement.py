"""USER_RETIRE_LMS_CRITICAL: forget what links a retired learner to people and places, keep the
amounts. The ledger keeps every transfer (money history is never deleted); memberships, which
say who someone is associated with, and licence numbers are removed, and bulk operations aimed
at the learner name them by user id (docs/personal_data.rst)."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import transaction

from credits_plugin import api

log = logging.getLogger(__name__)


def on_user_retired(sender, user=None, **kwargs) -> None:
    """Never raises: the platform turns any exception into a failed retirement step.

    Idempotent: a second call, or a call for someone who never used credits, changes nothing.
    The platform sends the signal inside its own transaction: the plugin's part runs in a
    savepoint, so that a fault rolls back all of it (not half) and leaves the platform's
    transaction usable.
    """
    try:
        if user is None:
            return
        if not isinstance(user, get_user_model()):
            return
        with transaction.atomic():
            api.retire_user(user=user)
    except Exception:  # see the docstring
        log.exception("credits_plugin could not retire user %s", getattr(user, "pk", None))
