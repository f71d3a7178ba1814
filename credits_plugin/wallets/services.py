"""Wallets: the credit accounts of users and organisations, on top of the ledger."""

from __future__ import annotations

from credits_plugin.conf import setting
from credits_plugin.constants import AccountKind
from credits_plugin.ledger import services as ledger
from credits_plugin.ledger.models import Account


def default_unit() -> str:
    return setting("CREDITS_PLUGIN_WALLET_UNIT")


def user_wallet(user, *, unit: str | None = None) -> Account:
    """The user's wallet in ``unit`` (wallet credits by default), created on first use."""
    unit = unit or default_unit()
    if unit == default_unit():
        ledger.ensure_unit(unit, name="Credits")
    return ledger.get_or_create_account(
        holder=f"user:{user.pk}", kind=AccountKind.USER_WALLET, unit=unit, user=user
    )


def organisation_wallet(org_key: str, *, unit: str | None = None) -> Account:
    """The shared wallet of the organisation ``org_key`` (e.g. its short name)."""
    unit = unit or default_unit()
    if unit == default_unit():
        ledger.ensure_unit(unit, name="Credits")
    return ledger.get_or_create_account(holder=f"org:{org_key}", kind=AccountKind.ORG_WALLET, unit=unit)
