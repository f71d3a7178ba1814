"""Helpers shared by the ledger's test files."""

from credits_plugin import api
from credits_plugin.ledger.models import Account, Entry, Hold, Lot, Transfer
from tests.factories import assert_ledger_ok  # noqa: F401  (the ledger tests import it from here)


def bal(account):
    return api.balance(account)


def snapshot():
    return (
        list(Account.objects.order_by("pk").values_list("pk", "balance", "held")),
        list(Lot.objects.order_by("pk").values_list("pk", "remaining")),
        Transfer.objects.count(),
        Entry.objects.count(),
        Hold.objects.count(),
    )
