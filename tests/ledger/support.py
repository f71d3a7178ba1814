"""Helpers shared by the ledger's test files."""

from credits_plugin import api
from credits_plugin.ledger.models import Account, Entry, Hold, Lot, Transfer


def bal(account):
    return api.balance(account)


def assert_ledger_ok():
    report = api.verify_ledger()
    assert report.ok, report.problems


def snapshot():
    return (
        list(Account.objects.order_by("pk").values_list("pk", "balance", "held")),
        list(Lot.objects.order_by("pk").values_list("pk", "remaining")),
        Transfer.objects.count(),
        Entry.objects.count(),
        Hold.objects.count(),
    )
