"""The database's own checks on ledger rows (``credits_plugin.ledger.models``)."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from credits_plugin import api
from credits_plugin.ledger.models import Account, Lot, Transfer
from tests.factories import UserFactory
from tests.ledger.support import bal

pytestmark = pytest.mark.django_db


@pytest.fixture
def wallet():
    return api.user_wallet(UserFactory())


class TestDatabaseGuards:
    def test_check_constraint_refuses_a_balance_below_the_overdraft_limit(self, wallet):
        api.grant(account=wallet, amount=100, idempotency_key="g")
        with pytest.raises(IntegrityError), transaction.atomic():
            Account.objects.filter(pk=wallet.pk).update(balance=F("balance") - 101)
        assert bal(wallet).balance == 100

    def test_check_constraint_refuses_negative_lots_and_amounts(self, wallet):
        api.grant(account=wallet, amount=100, idempotency_key="g")
        with pytest.raises(IntegrityError), transaction.atomic():
            Lot.objects.filter(account=wallet).update(remaining=-1)
        with pytest.raises(IntegrityError), transaction.atomic():
            Transfer.objects.filter(idempotency_key="g").update(amount=0)
