"""Lots: spending order, expiry, allocation (``credits_plugin.ledger.lots`` and ``expiry``)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from credits_plugin import api, exceptions
from credits_plugin.constants import LotSource, SystemAccount, TransferKind
from credits_plugin.ledger.models import Entry, Lot, Transfer
from tests.factories import UserFactory
from tests.ledger.support import assert_ledger_ok, bal

pytestmark = pytest.mark.django_db


@pytest.fixture
def wallet():
    return api.user_wallet(UserFactory())


class TestLots:
    def test_spending_order_soonest_expiry_then_free_before_paid_then_oldest(self, wallet):
        now = timezone.now()
        paid_no_expiry = api.grant(
            account=wallet, amount=100, idempotency_key="a", source=LotSource.PURCHASED
        )
        free_no_expiry_old = api.grant(account=wallet, amount=100, idempotency_key="b")
        free_no_expiry_new = api.grant(account=wallet, amount=100, idempotency_key="c")
        expiring_late = api.grant(
            account=wallet, amount=100, idempotency_key="d", expires_at=now + timedelta(days=30)
        )
        expiring_soon = api.grant(
            account=wallet, amount=100, idempotency_key="e", expires_at=now + timedelta(days=2)
        )
        expected = [expiring_soon, expiring_late, free_no_expiry_old, free_no_expiry_new, paid_no_expiry]
        lot_of = {lot.transfer_id: lot.pk for lot in Lot.objects.filter(account=wallet)}
        for i, grant in enumerate(expected):
            charge = api.charge(account=wallet, amount=100, idempotency_key=f"c{i}")
            spent = Entry.objects.get(transfer=charge, account=wallet)
            assert spent.lot_id == lot_of[grant.pk], f"charge {i} spent the wrong lot"
        assert_ledger_ok()

    def test_one_charge_spans_several_lots(self, wallet):
        api.grant(
            account=wallet, amount=300, idempotency_key="a", expires_at=timezone.now() + timedelta(days=1)
        )
        api.grant(account=wallet, amount=300, idempotency_key="b")
        charge = api.charge(account=wallet, amount=500, idempotency_key="c")
        amounts = sorted(
            Entry.objects.filter(transfer=charge, account=wallet).values_list("amount", flat=True)
        )
        assert amounts == [-300, -200]
        assert [lot.remaining for lot in api.open_lots(wallet)] == [100]
        assert_ledger_ok()

    def test_expired_lots_move_to_the_expiry_account(self, wallet):
        api.grant(
            account=wallet, amount=300, idempotency_key="a", expires_at=timezone.now() + timedelta(days=1)
        )
        api.grant(account=wallet, amount=200, idempotency_key="b")
        api.charge(account=wallet, amount=100, idempotency_key="c")
        assert api.expire_lots(now=timezone.now() + timedelta(days=2)) == 1
        assert bal(wallet).balance == 200
        expiry = Transfer.objects.get(kind=TransferKind.EXPIRY)
        assert expiry.amount == 200
        assert expiry.credit_account.holder == f"system:{SystemAccount.EXPIRY}"
        # Running the job again moves nothing more.
        assert api.expire_lots(now=timezone.now() + timedelta(days=2)) == 0
        assert Transfer.objects.filter(kind=TransferKind.EXPIRY).count() == 1
        assert_ledger_ok()

    def test_expired_lot_is_never_spent(self, wallet):
        lot_transfer = api.grant(account=wallet, amount=300, idempotency_key="a")
        Lot.objects.filter(transfer=lot_transfer).update(expires_at=timezone.now() - timedelta(seconds=1))
        # The charge sweeps the expired lot first, so the value is gone before it could be spent.
        with pytest.raises(exceptions.InsufficientFunds):
            api.charge(account=wallet, amount=100, idempotency_key="c")
        api.expire_lots()
        assert bal(wallet).balance == 0
        assert_ledger_ok()
