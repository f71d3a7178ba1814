"""A fault in the middle of a ledger operation leaves nothing behind.

The fault is injected with Django's ``execute_wrapper``: the chosen statement runs (its writes
are made inside the transaction) and then the database call raises, as a lost connection or a
crash between two statements would. Afterwards nothing of the operation may remain, the ledger
verifies, and the same call with the same idempotency key succeeds exactly once.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection

from credits_plugin import api
from credits_plugin.constants import HoldStatus
from credits_plugin.ledger.bulk import bulk_grant
from credits_plugin.ledger.models import Account, Entry, Hold, Lot, Transfer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


class InjectedFault(DatabaseError):
    pass


@contextmanager
def fault_after(fragment: str):
    """Raise right after the first statement whose SQL contains ``fragment`` has run."""
    seen = {"hit": False}

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not seen["hit"] and fragment.lower() in sql.lower():
            seen["hit"] = True
            raise InjectedFault(f"injected after: {sql[:60]}")
        return result

    with connection.execute_wrapper(wrapper):
        yield seen
    assert seen["hit"], f"no statement contained {fragment!r}: the fault was never injected"


def snapshot():
    return (
        list(Account.objects.order_by("pk").values_list("pk", "balance", "held")),
        list(Lot.objects.order_by("pk").values_list("pk", "remaining", "expired_amount")),
        list(Hold.objects.order_by("pk").values_list("pk", "status")),
        Transfer.objects.count(),
        Entry.objects.count(),
        Lot.objects.count(),
    )


def assert_ok():
    report = api.verify_ledger()
    assert report.ok, report.problems


def wallet(amount=1_000):
    w = api.user_wallet(UserFactory())
    if amount:
        api.grant(account=w, amount=amount, idempotency_key=f"fund:{w.pk}")
    return w


# The statement after which the fault strikes: the entries are the last rows a transfer writes,
# so by then every other row of it was written. On PostgreSQL a charge writes everything in one
# statement, so the fault follows the whole write, before the commit.
ENTRY = "credits_plugin_entry"


def test_charge():
    w = wallet()
    before = snapshot()
    with pytest.raises(InjectedFault), fault_after(ENTRY):
        api.charge(account=w, amount=300, idempotency_key="f-charge")
    assert snapshot() == before
    assert_ok()
    first = api.charge(account=w, amount=300, idempotency_key="f-charge")
    assert api.charge(account=w, amount=300, idempotency_key="f-charge").pk == first.pk
    assert api.balance(w).balance == 700
    assert_ok()


def test_grant_with_a_new_lot():
    w = wallet(0)
    before = snapshot()
    with pytest.raises(InjectedFault), fault_after(ENTRY):
        api.grant(account=w, amount=500, idempotency_key="f-grant")
    assert snapshot() == before
    api.grant(account=w, amount=500, idempotency_key="f-grant")
    api.grant(account=w, amount=500, idempotency_key="f-grant")
    assert api.balance(w).balance == 500
    assert Lot.objects.filter(account=w).count() == 1
    assert_ok()


def test_transfer_between_wallets():
    a, b = wallet(), wallet(0)
    before = snapshot()
    with pytest.raises(InjectedFault), fault_after(ENTRY):
        api.transfer(debit=a, credit=b, amount=250, kind="adjustment", idempotency_key="f-move")
    assert snapshot() == before
    api.transfer(debit=a, credit=b, amount=250, kind="adjustment", idempotency_key="f-move")
    assert (api.balance(a).balance, api.balance(b).balance) == (750, 250)
    assert_ok()


def test_hold_then_post():
    w = wallet()
    before = snapshot()
    with pytest.raises(InjectedFault), fault_after("credits_plugin_hold"):
        api.place_hold(account=w, amount=400, idempotency_key="f-hold")
    assert snapshot() == before
    hold = api.place_hold(account=w, amount=400, idempotency_key="f-hold")
    assert api.balance(w).held == 400

    before = snapshot()
    with pytest.raises(InjectedFault), fault_after(ENTRY):
        api.post_hold(hold=hold)
    assert snapshot() == before
    assert Hold.objects.get(pk=hold.pk).status == HoldStatus.PENDING
    api.post_hold(hold=hold)
    assert (api.balance(w).balance, api.balance(w).held) == (600, 0)
    assert_ok()


def test_refund():
    w = wallet()
    charge = api.charge(account=w, amount=300, idempotency_key="f-paid")
    before = snapshot()
    with pytest.raises(InjectedFault), fault_after(ENTRY):
        api.refund(transfer=charge, idempotency_key="f-refund")
    assert snapshot() == before
    api.refund(transfer=charge, idempotency_key="f-refund")
    assert api.balance(w).balance == 1_000
    assert_ok()


def test_bulk_grant_chunk():
    wallets = [wallet(0) for _ in range(5)]
    ids = [w.pk for w in wallets]
    before = snapshot()
    with pytest.raises(InjectedFault), fault_after(ENTRY):
        bulk_grant(account_ids=ids, amount=100, key_prefix="f-bulk")
    assert snapshot() == before
    assert bulk_grant(account_ids=ids, amount=100, key_prefix="f-bulk") == 5
    assert bulk_grant(account_ids=ids, amount=100, key_prefix="f-bulk") == 0
    assert [api.balance(w).balance for w in wallets] == [100] * 5
    assert_ok()
