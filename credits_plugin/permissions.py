"""The named permissions an operator needs, one per action (docs/permissions.rst).

Being staff (``is_staff``) only opens the Django admin; every write of the plugin checks one of
these permissions, in the admin and over REST alike. Superusers have them all.
"""

from __future__ import annotations

# Give or reset credits in bulk, and set one wallet's balance (an adjustment).
GIVE_CREDITS = "credits_plugin.give_credits"
# Reverse every transfer of a bulk operation.
UNDO_BATCH = "credits_plugin.undo_batch"
# See any user's wallet: balance, history, lots (Django's view permission on accounts).
VIEW_ANY_WALLET = "credits_plugin.view_account"
# See any learner's awarded credits and transcripts (Django's view permission on awards).
VIEW_ANY_AWARDS = "credits_plugin.view_awardedcredit"
# Follow bulk operations (Django's view permission on them).
VIEW_BATCHES = "credits_plugin.view_grantbatch"


def allowed(user, permission: str) -> bool:
    """Whether an active, signed-in ``user`` holds ``permission`` (superusers hold every one)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.has_perm(permission))
