"""No balance a learner or operator sees, nor the one checkout uses, includes expired credits.

A refund into a lot that has expired meanwhile passes that part straight on to the expiry
account (balanced, recorded as an expiry transfer), and reading a balance sweeps an account's
expired lots first, without waiting for the nightly job.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from credits_plugin import api, exceptions
from credits_plugin.constants import SystemAccount, TransferKind
from credits_plugin.ledger.models import Entry, Lot, Transfer
from tests.factories import UserFactory, assert_ledger_ok

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner():
    return UserFactory()


@pytest.fixture
def wallet(learner):
    return api.user_wallet(learner)


def expire(grant: Transfer) -> Lot:
    """The lot of ``grant`` reaches its expiry (as time passing would)."""
    Lot.objects.filter(transfer=grant).update(expires_at=timezone.now() - timedelta(seconds=1))
    return Lot.objects.get(transfer=grant)


class TestRefundIntoAnExpiredLot:
    def test_the_refunded_value_goes_straight_on_to_the_expiry_account(self, wallet):
        grant = api.grant(
            account=wallet, amount=10_000, idempotency_key="g", expires_at=timezone.now() + timedelta(days=1)
        )
        purchase = api.charge(account=wallet, amount=10_000, idempotency_key="course")
        lot = expire(grant)
        refund = api.refund(transfer=purchase, idempotency_key="refund")
        assert refund.kind == TransferKind.REFUND and refund.amount == 10_000
        # The learner does not see credits they cannot spend, and cannot spend them.
        assert api.balance(wallet).available == 0
        with pytest.raises(exceptions.InsufficientFunds):
            api.charge(account=wallet, amount=6_000, idempotency_key="next-course")
        # The expiry is in the ledger, balanced, in the refund's own transaction.
        expiry = Transfer.objects.get(kind=TransferKind.EXPIRY)
        assert expiry.amount == 10_000 and expiry.debit_account_id == wallet.pk
        assert expiry.credit_account.holder == f"system:{SystemAccount.EXPIRY}"
        assert list(
            Entry.objects.filter(transfer=expiry, account=wallet).values_list("lot_id", "amount")
        ) == [(lot.pk, -10_000)]
        lot.refresh_from_db()
        assert (lot.remaining, lot.expired_amount) == (0, 10_000)
        assert api.expire_lots() == 0  # nothing left for the job
        assert_ledger_ok()

    def test_only_the_part_from_the_expired_lot_expires(self, wallet):
        grant = api.grant(
            account=wallet, amount=3_000, idempotency_key="g1", expires_at=timezone.now() + timedelta(days=1)
        )
        api.grant(account=wallet, amount=5_000, idempotency_key="g2")
        purchase = api.charge(account=wallet, amount=6_000, idempotency_key="course")  # 3,000 + 3,000
        expire(grant)
        api.refund(transfer=purchase, idempotency_key="refund")
        assert api.balance(wallet).available == 5_000
        assert [lot.remaining for lot in api.open_lots(wallet)] == [5_000]
        assert Transfer.objects.get(kind=TransferKind.EXPIRY).amount == 3_000
        assert api.charge(account=wallet, amount=5_000, idempotency_key="next").amount == 5_000
        assert_ledger_ok()

    def test_a_refund_into_lots_that_have_not_expired_moves_nothing_to_expiry(self, wallet):
        api.grant(
            account=wallet, amount=3_000, idempotency_key="g", expires_at=timezone.now() + timedelta(days=1)
        )
        purchase = api.charge(account=wallet, amount=2_000, idempotency_key="course")
        api.refund(transfer=purchase, idempotency_key="refund")
        assert api.balance(wallet).available == 3_000
        assert not Transfer.objects.filter(kind=TransferKind.EXPIRY).exists()


class TestReadsSweepExpiredLots:
    def test_a_balance_read_never_includes_expired_credits(self, learner, wallet):
        grant = api.grant(account=wallet, amount=4_000, idempotency_key="g")
        api.grant(account=wallet, amount=1_000, idempotency_key="g2")
        expire(grant)
        assert (api.balance(wallet).balance, api.balance(wallet).available) == (1_000, 1_000)
        expiry = Transfer.objects.get(kind=TransferKind.EXPIRY)
        assert expiry.amount == 4_000
        assert api.expire_lots() == 0
        assert_ledger_ok()

    def test_the_wallet_read_by_checkout_and_the_header_carries_no_expired_credits(self, learner, wallet):
        """Checkout's quote and the header read the balance of the account user_wallet returns."""
        expire(api.grant(account=wallet, amount=4_000, idempotency_key="g"))
        fresh = api.user_wallet(learner)
        assert (fresh.balance, fresh.available) == (0, 0)
        assert Transfer.objects.filter(kind=TransferKind.EXPIRY).count() == 1
        assert_ledger_ok()

    def test_rest_wallet_and_my_credits_page_show_no_expired_credits(self, client, learner, wallet):
        expire(api.grant(account=wallet, amount=4_000, idempotency_key="g"))
        api.grant(account=wallet, amount=700, idempotency_key="g2")
        rest = APIClient()
        rest.force_authenticate(learner)
        assert rest.get("/api/credits_plugin/v1/wallet/").json()["available"] == 700
        client.force_login(learner)
        page = client.get("/credits/")
        assert page.context["balance"].available == 700
        assert [lot.remaining for lot in page.context["lots"]] == [700]
        assert_ledger_ok()

    def test_an_expired_lot_is_never_listed(self, wallet):
        grant = api.grant(account=wallet, amount=4_000, idempotency_key="g")
        api.grant(account=wallet, amount=700, idempotency_key="g2")
        expire(grant)
        assert [lot.remaining for lot in api.open_lots(wallet)] == [700]

    def test_a_balance_read_with_nothing_to_sweep_stays_one_statement(self, wallet):
        api.grant(
            account=wallet, amount=400, idempotency_key="g", expires_at=timezone.now() + timedelta(days=1)
        )
        with CaptureQueriesContext(connection) as queries:
            assert api.balance(wallet).balance == 400
        assert len(queries) == 1
        assert "SUM" not in queries[0]["sql"].upper()
