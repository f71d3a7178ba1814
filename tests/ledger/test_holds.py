"""Holds: place, post, void, expire (``credits_plugin.ledger.holds``)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from credits_plugin import api, exceptions
from credits_plugin.constants import HoldStatus, TransferKind
from credits_plugin.ledger.models import Account, Entry, Lot, Transfer
from tests.factories import UserFactory
from tests.ledger.support import assert_ledger_ok, bal

pytestmark = pytest.mark.django_db


@pytest.fixture
def wallet():
    return api.user_wallet(UserFactory())


class TestHolds:
    def test_hold_reserves_then_posts_once(self, wallet):
        api.grant(account=wallet, amount=1_000, idempotency_key="g")
        hold = api.place_hold(account=wallet, amount=400, idempotency_key="h", reference="course")
        assert (bal(wallet).balance, bal(wallet).held, bal(wallet).available) == (1_000, 400, 600)
        with pytest.raises(exceptions.InsufficientFunds):
            api.charge(account=wallet, amount=601, idempotency_key="c")
        posted = api.post_hold(hold=hold)
        assert (
            posted.hold_id == hold.pk and posted.kind == TransferKind.CHARGE and posted.reference == "course"
        )
        assert (bal(wallet).balance, bal(wallet).held) == (600, 0)
        assert api.post_hold(hold=hold).pk == posted.pk  # posting again returns the same transfer
        with pytest.raises(exceptions.HoldAlreadyResolved):
            api.void_hold(hold=hold)
        assert Transfer.objects.filter(hold=hold).count() == 1
        assert_ledger_ok()

    def test_void_releases_the_reserved_lots(self, wallet):
        api.grant(account=wallet, amount=1_000, idempotency_key="g")
        hold = api.place_hold(account=wallet, amount=400, idempotency_key="h")
        assert [lot.remaining for lot in api.open_lots(wallet)] == [600]
        api.void_hold(hold=hold)
        assert api.void_hold(hold=hold).status == HoldStatus.VOIDED  # voiding again changes nothing
        assert [lot.remaining for lot in api.open_lots(wallet)] == [1_000]
        assert (bal(wallet).balance, bal(wallet).held) == (1_000, 0)
        with pytest.raises(exceptions.HoldAlreadyResolved):
            api.post_hold(hold=hold)
        assert_ledger_ok()

    def test_stale_holds_expire_once(self, wallet):
        api.grant(account=wallet, amount=1_000, idempotency_key="g")
        stale = api.place_hold(account=wallet, amount=300, idempotency_key="h1")
        fresh = api.place_hold(
            account=wallet, amount=200, idempotency_key="h2", expires_at=timezone.now() + timedelta(hours=2)
        )
        later = timezone.now() + timedelta(hours=1)
        assert api.expire_holds(now=later) == 1
        assert api.expire_holds(now=later) == 0
        stale.refresh_from_db()
        fresh.refresh_from_db()
        assert (stale.status, fresh.status) == (HoldStatus.EXPIRED, HoldStatus.PENDING)
        assert bal(wallet).held == 200
        with pytest.raises(exceptions.HoldAlreadyResolved):
            api.post_hold(hold=stale)
        assert_ledger_ok()

    def test_unknown_hold(self):
        with pytest.raises(exceptions.HoldNotFound):
            api.post_hold(hold=123_456)


# --- Holds that go into an overdraft (found by the state machine in test_stateful) ----------


def _overdraft_wallet(limit=300):
    wallet = api.user_wallet(UserFactory())
    Account.objects.filter(pk=wallet.pk).update(overdraft_limit=limit)
    return wallet


def _lots_total(account):
    return sum(Lot.objects.filter(account=account).values_list("remaining", flat=True))


def test_credit_arriving_during_an_uncovered_hold_becomes_a_lot_and_survives_the_void():
    wallet = _overdraft_wallet()
    hold = api.place_hold(account=wallet, amount=152, idempotency_key="od-hold")
    assert hold.allocations == []  # nothing to reserve: all of it is overdraft
    api.grant(account=wallet, amount=100, idempotency_key="od-grant")
    assert _lots_total(wallet) == 100
    api.void_hold(hold=hold)
    assert (bal(wallet).balance, bal(wallet).held, _lots_total(wallet)) == (100, 0, 100)
    assert_ledger_ok()


def test_posting_an_uncovered_hold_spends_the_lots_the_wallet_has_by_then():
    wallet = _overdraft_wallet()
    hold = api.place_hold(account=wallet, amount=152, idempotency_key="od-hold-2")
    api.grant(account=wallet, amount=100, idempotency_key="od-grant-2")
    transfer = api.post_hold(hold=hold)
    assert bal(wallet).balance == -52
    assert _lots_total(wallet) == 0
    debit_lots = Entry.objects.filter(transfer=transfer, account=wallet, lot__isnull=False)
    assert sum(e.amount for e in debit_lots) == -100
    assert_ledger_ok()


def test_released_reservation_pays_an_overdraft_run_up_meanwhile():
    wallet = _overdraft_wallet()
    api.grant(account=wallet, amount=100, idempotency_key="od-grant-3")
    hold = api.place_hold(account=wallet, amount=30, idempotency_key="od-hold-3")
    api.charge(account=wallet, amount=200, idempotency_key="od-charge-3")  # 70 from lots, 130 overdraft
    assert (bal(wallet).balance, _lots_total(wallet)) == (-100, 0)
    api.void_hold(hold=hold)
    assert (bal(wallet).balance, bal(wallet).held, _lots_total(wallet)) == (-100, 0, 0)
    assert_ledger_ok()
    api.grant(account=wallet, amount=150, idempotency_key="od-grant-4")  # pays the 100 owed first
    assert (bal(wallet).balance, _lots_total(wallet)) == (50, 50)
    assert_ledger_ok()
