"""Who may call which endpoint: one named permission per action, never ``is_staff`` alone.

The permissions and what each allows are listed in docs/permissions.rst.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from credits_plugin import permissions


class NamedPermission(BasePermission):
    """Reads need one of ``read``, writes one of ``write``; ``None`` means any signed-in user."""

    read: tuple[str, ...] | None = None
    write: tuple[str, ...] = ()

    def has_permission(self, request, view) -> bool:
        needed = self.read if request.method in SAFE_METHODS else self.write
        if needed is None:
            return bool(request.user and request.user.is_authenticated)
        if any(permissions.allowed(request.user, name) for name in needed):
            return True
        # The 403 names what to ask an administrator for.
        self.message = _("This needs the permission {permission}.").format(permission=" or ".join(needed))
        return False


class CanGiveCredits(NamedPermission):
    """Give or reset credits in bulk, or set a balance; following bulk operations is a read."""

    read = (permissions.VIEW_BATCHES, permissions.GIVE_CREDITS, permissions.UNDO_BATCH)
    write = (permissions.GIVE_CREDITS,)


class CanFollowBatches(NamedPermission):
    """See bulk operations and their progress (read only)."""

    read = (permissions.VIEW_BATCHES, permissions.GIVE_CREDITS, permissions.UNDO_BATCH)
    write = ()


class CanUndoBatch(NamedPermission):
    """Reverse every transfer of a bulk operation."""

    read = ()
    write = (permissions.UNDO_BATCH,)


_WRITE_ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


class ModelWrites(NamedPermission):
    """Everyone signed in reads; creating needs ``add_<model>``, changing ``change_<model>`` and
    deleting ``delete_<model>`` (Django's model permissions)."""

    model_name = ""

    def has_permission(self, request, view) -> bool:
        action = _WRITE_ACTIONS.get(request.method)
        self.write = (f"credits_plugin.{action}_{self.model_name}",) if action else ()
        return super().has_permission(request, view)


class CreditTypeWrites(ModelWrites):
    model_name = "credittype"


class CreditWrites(ModelWrites):
    model_name = "credit"
