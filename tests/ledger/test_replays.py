"""A used idempotency key replays only the same request; anything else under it is a 409.

Every service that takes a key is checked: transfers, holds, reversals, bulk grants, setting
a balance, earning rules. Keys the ledger writes itself cannot be taken by a caller.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from credits_plugin import api, exceptions
from credits_plugin.constants import SystemAccount, TransferKind
from credits_plugin.ledger import bulk
from credits_plugin.ledger import services as ledger
from credits_plugin.ledger.models import Account, Entry, Hold, Lot, Transfer
from credits_plugin.wallets.models import EarningRule
from tests.factories import UserFactory, assert_ledger_ok

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(Account.objects.order_by("pk").values_list("pk", "balance", "held")),
        list(Lot.objects.order_by("pk").values_list("pk", "remaining")),
        Transfer.objects.count(),
        Entry.objects.count(),
        Hold.objects.count(),
    )


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def wallet(user):
    return api.user_wallet(user)


class TestSetBalance:
    def test_a_replay_with_another_amount_is_a_conflict(self, user, wallet):
        first = api.set_balance(user=user, amount=700, comment="Goodwill", idempotency_key="adj")
        before = snapshot()
        with pytest.raises(exceptions.IdempotencyConflict):
            api.set_balance(user=user, amount=900, comment="Goodwill", idempotency_key="adj")
        assert snapshot() == before
        assert api.balance(wallet).available == 700
        assert Transfer.objects.get(idempotency_key="adj").pk == first.pk

    def test_a_replay_for_another_user_is_a_conflict(self, user, wallet):
        api.set_balance(user=user, amount=700, comment="Goodwill", idempotency_key="adj")
        other = UserFactory()
        api.user_wallet(other)
        before = snapshot()
        with pytest.raises(exceptions.IdempotencyConflict):
            api.set_balance(user=other, amount=700, comment="Goodwill", idempotency_key="adj")
        assert snapshot() == before
        assert api.balance(api.user_wallet(other)).available == 0

    def test_a_key_used_by_another_transfer_is_a_conflict_not_a_replay(self, user, wallet):
        grant = api.grant(account=wallet, amount=500, idempotency_key="welcome")
        with pytest.raises(exceptions.IdempotencyConflict):
            api.set_balance(user=user, amount=50, comment="Fix", idempotency_key="welcome")
        assert api.balance(wallet).available == 500
        assert Transfer.objects.get(idempotency_key="welcome").pk == grant.pk

    def test_the_same_request_replays_even_after_the_balance_moved(self, user, wallet):
        first = api.set_balance(user=user, amount=700, comment="Goodwill", idempotency_key="adj")
        api.charge(account=wallet, amount=200, idempotency_key="spend")
        again = api.set_balance(user=user, amount=700, comment="Goodwill", idempotency_key="adj")
        assert again.pk == first.pk
        assert api.balance(wallet).available == 500  # nothing moved a second time
        assert_ledger_ok()

    def test_expired_credits_are_not_part_of_the_balance_being_set(self, user, wallet):
        api.grant(account=wallet, amount=600, idempotency_key="old")
        api.grant(account=wallet, amount=400, idempotency_key="new")
        Lot.objects.filter(transfer__idempotency_key="old").update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        down = api.set_balance(user=user, amount=100, comment="Fix", idempotency_key="adj")
        assert down.amount == 300  # from the 400 that can be spent, not from 1,000
        assert api.balance(wallet).available == 100
        assert_ledger_ok()


class TestLedgerServices:
    def test_transfer_hold_and_reversal_conflicts(self, wallet):
        api.grant(account=wallet, amount=1_000, idempotency_key="g")
        charge = api.charge(account=wallet, amount=100, idempotency_key="c")
        other = api.charge(account=wallet, amount=100, idempotency_key="c2")
        hold = api.place_hold(account=wallet, amount=100, idempotency_key="h")
        api.refund(transfer=charge, idempotency_key="r")
        before = snapshot()
        with pytest.raises(exceptions.IdempotencyConflict):
            api.grant(account=wallet, amount=1_001, idempotency_key="g")
        with pytest.raises(exceptions.IdempotencyConflict):
            api.place_hold(account=wallet, amount=101, idempotency_key="h")
        with pytest.raises(exceptions.IdempotencyConflict):
            api.refund(transfer=other, idempotency_key="r")
        with pytest.raises(exceptions.IdempotencyConflict):
            api.reverse_transfer(transfer=charge, idempotency_key="r")  # a reversal, not a refund
        assert snapshot() == before
        assert api.place_hold(account=wallet, amount=100, idempotency_key="h").pk == hold.pk

    def test_a_caller_cannot_take_a_key_the_ledger_keeps_for_itself(self, wallet):
        api.grant(account=wallet, amount=1_000, idempotency_key="g")
        hold = api.place_hold(account=wallet, amount=300, idempotency_key="h")
        before = snapshot()
        for key in (f"hold-post:{hold.pk}", "lot-expiry:1:0"):
            with pytest.raises(exceptions.InvalidIdempotencyKey):
                api.charge(account=wallet, amount=10, idempotency_key=key)
            with pytest.raises(exceptions.InvalidIdempotencyKey):
                api.place_hold(account=wallet, amount=10, idempotency_key=key)
        assert snapshot() == before
        posted = api.post_hold(hold=hold)
        assert posted.idempotency_key == f"hold-post:{hold.pk}" and posted.amount == 300
        assert_ledger_ok()

    def test_bulk_grant_under_a_used_key_with_another_amount_is_a_conflict(self):
        wallets = [api.user_wallet(UserFactory()).pk for _ in range(3)]
        assert bulk.bulk_grant(account_ids=wallets, amount=100, key_prefix="promo") == 3
        before = snapshot()
        with pytest.raises(exceptions.IdempotencyConflict):
            bulk.bulk_grant(account_ids=wallets, amount=200, key_prefix="promo")
        with pytest.raises(exceptions.IdempotencyConflict):
            bulk.bulk_grant(
                account_ids=wallets,
                amount=100,
                key_prefix="promo",
                expires_at=timezone.now() + timedelta(days=1),
            )
        assert snapshot() == before
        # The same request replays: nothing is given twice.
        assert bulk.bulk_grant(account_ids=wallets, amount=100, key_prefix="promo") == 0
        assert snapshot() == before

    def test_a_request_fingerprint_replays_what_the_transfer_terms_would_not(self, wallet):
        """A caller whose request is not the transfer itself (an earning rule, whose lot expiry
        is computed from "now" on each delivery) replays on the request's own fingerprint."""
        issuance = ledger.system_account_id(SystemAccount.ISSUANCE, unit=wallet.unit_id)
        request = {"op": "earn", "rule": 1, "account": wallet.pk, "course": "course-v1:A+B+C"}
        call = {
            "debit": issuance,
            "credit": wallet.pk,
            "amount": 500,
            "kind": TransferKind.EARNED,
            "idempotency_key": "earned:1",
            "request": request,
        }
        first = ledger.transfer(**call, lot_expires_at=timezone.now() + timedelta(days=30))
        again = ledger.transfer(**call, lot_expires_at=timezone.now() + timedelta(days=31))
        assert again.pk == first.pk
        assert ledger.find_replay("earned:1", request).pk == first.pk
        with pytest.raises(exceptions.IdempotencyConflict):
            ledger.find_replay("earned:1", {**request, "rule": 2})
        assert api.balance(wallet).balance == 500

    def test_earning_twice_pays_once(self, user, wallet):
        EarningRule.objects.create(
            name="Finisher", trigger="course_passed", amount=300, expires_after_days=30, active=True
        )
        assert len(api.earn(user=user, course_key="course-v1:A+B+C", trigger="course_passed")) == 1
        assert api.earn(user=user, course_key="course-v1:A+B+C", trigger="course_passed") == []
        assert api.balance(wallet).balance == 300
